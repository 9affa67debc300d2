"""Does light Persian plural stripping (ها/های…, ان, ات) improve search? Measure, don't guess.

A small judged set written for Tribune: one-line posts and queries. A post counts as relevant
when it speaks of the queried concept in any inflection (زن, زنی, زنان are all "women"; اعتراض
and اعتراضات are both "protest"), not when it merely shares letters (تظاهر "pretense" is not
تظاهرات "demonstrations", اطلاع "notice" is not اطلاعات "intelligence"). Each variant analyses
posts and queries with the same analyzer (the generic one, with that variant's suffixes) and
reports, over the queries: recall and precision of every post returned by AND-matching (what
both backends return; they share the analyzer), and precision@5 of the embedded backend's
ranking (whoosh BM25F through its public API).

    .venv/bin/python bench/relevance_plurals.py
"""

from __future__ import annotations

from whoosh.fields import ID, TEXT, Schema
from whoosh.filedb.filestore import RamStorage
from whoosh.query import And, Term

from tribune.fulltext import analysis, words
from tribune.fulltext.analysis import TribuneAnalyzer

HA_FAMILY = tuple(suffix for suffix in words.PLURAL_SUFFIXES if suffix.startswith("ها"))

DOCS = {
    1: "کمپین آزادی زندانیان سیاسی در هامبورگ برگزار شد.",
    2: "نامه‌ای از یک زندانی سیاسی به دست ما رسید.",
    3: "خانواده‌های زندانیان جلوی در زندان جمع شدند.",
    4: "شرایط زندان برای زندانیان عقیدتی بدتر شده است.",
    5: "بناهای دوره زند در شیراز دیدنی است.",
    6: "اعتصاب کارگران نفت وارد هفته دوم شد.",
    7: "دستمزد هر کارگر باید به موقع پرداخت شود.",
    8: "سندیکا از مطالبات کارگران حمایت کرد.",
    9: "روز جهانی کارگر را در برلین گرامی داشتیم.",
    10: "کارگروه زنان برای هشت مارس برنامه‌ریزی می‌کند.",
    11: "هیچ زنی نباید به خاطر پوشش بازداشت شود.",
    12: "حقوق زن در قانون اساسی آینده باید تضمین شود.",
    13: "زنان و مردان دوشادوش هم در خیابان بودند.",
    14: "بحث بر سر شعار سرنگونی هنوز ادامه دارد.",
    15: "شعارهای این آکسیون را کارگروه تبلیغات انتخاب کرد.",
    16: "کدام شعارها همه کانون‌ها را متحد می‌کند؟",
    17: "کانونهای شهرهای اروپا در هامبورگ گرد هم آمدند.",
    18: "هر کانون یک نماینده به نشست می‌فرستد.",
    19: "هماهنگی میان کانون‌ها هر شش ماه دست به دست می‌شود.",
    20: "نامه‌ها را به دو زبان ترجمه کنید.",
    21: "متن نامه سرگشاده به پارلمان آماده است.",
    22: "نامه های رسیده را در بایگانی نگه می‌داریم.",
    23: "دانشجویان در شانزده آذر تجمع کردند.",
    24: "یک دانشجو به دلیل فعالیت صنفی اخراج شد.",
    25: "کار کودکان در کارگاه‌ها باید ممنوع شود.",
    26: "هیچ کودکی نباید از آموزش محروم بماند.",
    27: "جو سیاسی کشور پس از انتخابات امنیتی شد.",
    28: "جوانان شهر کارگروه تازه‌ای راه انداختند.",
    29: "نسل جوان دیگر به اصلاحات امید ندارد.",
    30: "پایان اعدام‌ها خواست مشترک همه ماست.",
    31: "مردم پای صندوق رای نرفتند.",
    32: "کمپین برای پایان دادن به اعدام در ده شهر.",
    33: "با وجود باران، تظاهرات برگزار شد.",
    34: "این بار صدای ما بلندتر بود.",
    35: "ائتلاف ما حزب یا سازمان نیست.",
    36: "سازمان‌های حقوق بشری گزارش تازه‌ای منتشر کردند.",
    37: "انتخابات فرمایشی را تحریم کردیم.",
    38: "ترجمه‌های آلمانی بیانیه آماده شد.",
    39: "برای ترجمه این بیانیه به هلندی داوطلب می‌خواهیم.",
    40: "همبستگی با مردم ایران در تظاهرات آمستردام.",
    41: "مهاجران ایرانی در پاریس گرد آمدند.",
    42: "کشورهای اروپایی باید پناهندگان را بپذیرند.",
    43: "یک پناهنده سیاسی از تجربه‌اش گفت.",
    # Arabic plurals in ات, and words that merely end so
    44: "انتخابات آزاد خواست ماست.",
    45: "حق انتخاب پوشش با خود زنان است.",
    46: "تظاهر به بی‌طرفی بس است.",
    47: "اعتراضات کارگران نفت ادامه دارد.",
    48: "هر اعتراض مسالمت‌آمیز حق مردم است.",
    49: "اطلاعات سپاه فعالان را تهدید کرد.",
    50: "لطفاً از تغییر زمان نشست اطلاع دهید.",
    51: "حیات سیاسی همگامی به مشارکت همه بستگی دارد.",
    52: "حی و حاضر در میدان بودیم.",
    53: "کلمات بیانیه با دقت انتخاب شد.",
    54: "سوپ کلم در آشپزخانه کانون پختیم.",
    55: "نظرات مختلف درباره‌ی بدیل شنیده شد.",
    56: "به نظر ما جمهوری لائیک بدیل است.",
    57: "اصلاح قانون کار فوری است.",
    58: "تبلیغات انتخاباتی را نمی‌پذیریم.",
    59: "تبلیغ برای آکسیون در شبکه‌ها.",
    # everyday words that end in ان without being plurals
    60: "گفتگو میان کانون‌ها ادامه دارد.",
    61: "آزادی بیان بی‌قید و شرط.",
    62: "زمان نشست بعدی اعلام شد.",
    # plurals in گان and یان
    63: "نمایندگان کانون‌ها در نشست شرکت کردند.",
    64: "دانشجو باید آزادانه بنویسد.",
    65: "پناهنده‌ای از کلن نامه نوشت.",
}

PRISONERS = {1, 2, 3, 4}
WORKERS = {6, 7, 8, 9, 47}
WOMEN = {10, 11, 12, 13, 45}
SLOGANS = {14, 15, 16}
QUERIES = {
    "زندانیان سیاسی": {1, 2},
    "زندانی": PRISONERS,
    "کارگران": WORKERS,
    "کارگر": WORKERS,
    "زن": WOMEN,
    "زنان": WOMEN,
    "شعار": SLOGANS,
    "شعارها": SLOGANS,
    "کانون": {16, 17, 18, 19, 54, 60, 63},
    "نامه": {2, 20, 21, 22, 65},
    "دانشجویان": {23, 24, 64},
    "جو سیاسی": {27},
    "پایان": {30, 32},
    "جوانان": {28, 29},
    "ترجمه‌ها": {20, 38, 39},
    "سازمان": {35, 36},
    "باران": {33},
    "ایران": {40, 41},
    "پناهندگان": {42, 43, 65},
    "انتخابات": {27, 37, 44, 58},
    "انتخاب": {15, 45, 53},
    "تظاهرات": {33, 40},
    "اعتراض": {47, 48},
    "اطلاعات": {49},
    "حیات": {51},
    "کلمات": {53},
    "نظر": {55, 56},
    "اصلاحات": {29, 57},
    "تبلیغات": {15, 58, 59},
    "بیان": {61},
    "زندان": {3, 4},
    "زمان": {50, 62},
    "نماینده": {18, 63},
    "نمایندگان": {18, 63},
    "دانشجو": {23, 24, 64},
    "پناهنده": {42, 43, 65},
}

# (suffixes, letters an ان word must keep); words.MIN_STEMS holds the rule in force.
VARIANTS = {
    "none": ((), 4),
    "ها family": (HA_FAMILY, 4),
    "ها + ان": ((*HA_FAMILY, "ان"), 2),
    "ها + ان (4+ left)": ((*HA_FAMILY, "ان"), 4),
    "ها + گان + یان + ان (4+)": ((*HA_FAMILY, "گان", "یان", "ان"), 4),
    "ها + ات": ((*HA_FAMILY, "ات"), 4),
    "all of the above + ات": ((*HA_FAMILY, "گان", "یان", "ان", "ات"), 4),
}


def _sorted(suffixes):
    return tuple(sorted(suffixes, key=len, reverse=True))


def _use(an_stem: int) -> None:
    # The analyzer's per-word caches are keyed by the suffixes, not by MIN_STEMS: clear them.
    words.MIN_STEMS["ان"] = an_stem
    for cached in (words.transform, words.single_token, words.planner, analysis._group_spans):
        cached.cache_clear()


def _words(analyzer, text: str, mode: str) -> list[str]:
    return [token.text for token in analyzer(text, mode=mode)]


def run(suffixes: tuple[str, ...]) -> dict[str, float]:
    """Recall, precision and F1 of AND-matching, and precision@5 of whoosh's ranking."""
    analyzer = TribuneAnalyzer(plural_suffixes=suffixes)
    tokens = {doc_id: set(_words(analyzer, text, "index")) for doc_id, text in DOCS.items()}
    schema = Schema(post_id=ID(stored=True, unique=True), body=TEXT(analyzer=analyzer))
    index = RamStorage().create_index(schema)
    with index.writer() as writer:
        for doc_id, text in DOCS.items():
            writer.add_document(post_id=str(doc_id), body=text)
    recall = p5 = 0.0
    returned = correct = 0
    with index.searcher() as searcher:
        for query, relevant in QUERIES.items():
            words = _words(analyzer, query, "query")
            assert words, f"{query} is only stop words"
            found = {doc for doc, have in tokens.items() if set(words) <= have}
            recall += len(relevant & found) / len(relevant)
            returned += len(found)
            correct += len(relevant & found)
            ranked = searcher.search(And([Term("body", word) for word in words]), limit=5)
            top = [int(hit["post_id"]) for hit in ranked]
            p5 += len(relevant.intersection(top)) / min(5, len(relevant))
    count = len(QUERIES)
    recall, precision = recall / count, correct / returned if returned else 0.0
    return {
        "recall": recall,
        "precision": precision,
        "f1": 2 * recall * precision / (recall + precision) if recall + precision else 0.0,
        "p@5": p5 / count,
    }


def main() -> None:
    """Print one line per variant."""
    print(f"{len(DOCS)} posts, {len(QUERIES)} queries")
    print(f"| {'variant':<36} | recall | precision |   F1  |  P@5  |")
    print(f"|{'-' * 38}|--------|-----------|-------|-------|")
    chosen = words.MIN_STEMS["ان"]
    for name, (suffixes, an_stem) in VARIANTS.items():
        _use(an_stem)
        suffixes = _sorted(suffixes)
        r = run(suffixes)
        mark = (
            " (in force)"
            if set(suffixes) == set(words.PLURAL_SUFFIXES) and an_stem == chosen
            else ""
        )
        print(
            f"| {name + mark:<36} | {r['recall']:.3f}  |   {r['precision']:.3f}   | "
            f"{r['f1']:.3f} | {r['p@5']:.3f} |"
        )
    _use(chosen)


if __name__ == "__main__":
    main()
