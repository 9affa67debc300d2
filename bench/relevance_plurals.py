"""Does light Persian plural stripping (ها/های…, ان) improve search? Measure, don't guess.

A small judged set written for Tribune: 43 one-line posts and 19 queries. A post counts as
relevant when it speaks of the queried concept in any inflection (زن, زنی, زنان are all
"women"). This is mechanical on purpose, so the judgments cannot drift toward one variant.
Each variant indexes the posts in RAM with the `body` analyzer, runs the queries through the
reader's query language (AND of words) and reports mean precision@5, mean recall and the
precision of everything returned.

    .venv/bin/python bench/relevance_plurals.py
"""

from __future__ import annotations

from whoosh.fields import ID, TEXT, Schema
from whoosh.filedb.filestore import RamStorage

from tribune.fulltext.analysis import TribuneAnalyzer
from tribune.fulltext.querylang import parse, to_whoosh
from tribune.fulltext.words import PLURAL_SUFFIXES

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
}

PRISONERS = {1, 2, 3, 4}
WORKERS = {6, 7, 8, 9}
WOMEN = {10, 11, 12, 13}
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
    "کانون": {16, 17, 18, 19},
    "نامه": {2, 20, 21, 22},
    "دانشجویان": {23, 24},
    "جو سیاسی": {27},
    "پایان": {30, 32},
    "جوانان": {28, 29},
    "ترجمه‌ها": {20, 38, 39},
    "سازمان": {35, 36},
    "باران": {33},
    "ایران": {40, 41},
    "پناهندگان": {42, 43},
}

VARIANTS = {
    "none": (),
    "ها/های family": PLURAL_SUFFIXES,
    "ها/های + ان": (*PLURAL_SUFFIXES, "ان"),
}


def run(suffixes: tuple[str, ...]) -> tuple[float, float, float]:
    """Mean precision@5, mean recall and overall precision of one stripping variant."""
    schema = Schema(
        post_id=ID(stored=True, unique=True),
        body=TEXT(analyzer=TribuneAnalyzer(plural_suffixes=suffixes)),
    )
    index = RamStorage().create_index(schema)
    with index.writer() as writer:
        for doc_id, text in DOCS.items():
            writer.add_document(post_id=str(doc_id), body=text)
    p5 = recall = 0.0
    returned = hits = 0
    with index.searcher() as searcher:
        for query, relevant in QUERIES.items():
            found = [
                int(hit["post_id"])
                for hit in searcher.search(to_whoosh(parse(query), schema), limit=None)
            ]
            p5 += len(relevant.intersection(found[:5])) / 5
            recall += len(relevant.intersection(found)) / len(relevant)
            returned += len(found)
            hits += len(relevant.intersection(found))
    count = len(QUERIES)
    return p5 / count, recall / count, hits / returned if returned else 0.0


def main() -> None:
    """Print one line per variant."""
    print(f"{len(DOCS)} posts, {len(QUERIES)} queries")
    print(f"{'variant':<16} {'P@5':>6} {'recall':>7} {'precision':>10}")
    for name, suffixes in VARIANTS.items():
        p5, recall, precision = run(suffixes)
        print(f"{name:<16} {p5:6.3f} {recall:7.3f} {precision:10.3f}")


if __name__ == "__main__":
    main()
