"""A forum corpus for the search benchmark: Zipf-shaped vocabularies, messy Persian, five languages.

Why Zipf: the first benchmark drew every Persian word from a list of about 70, so nearly every
query word was in most posts; every query then cost what a very common word costs and nothing
showed how an engine behaves on the words people actually look for. Here each language has a
vocabulary of thousands of words (Persian: ~10,000) and each word's share of the tokens follows
Zipf's law (rank r drawn with weight 1 / r**ZIPF_EXPONENT), as in real text.

Where the words come from (read at run time, never copied into the repository):
- Persian: the modern prose of `hafez` (495 interpretations), the vocalized ghazals of
  `fatol-hafez` (diacritics stripped for the vocabulary), the Persian interface catalogue
  (tribune/translations/fa), and a forum vocabulary of our own (FORUM_FA). Ranked by how often
  they occur there; the forum words are lifted to the ranks a debate forum gives them.
- de, fr, en, nl: the interface catalogues (msgstr of de/fr, msgid for en) and Babel's locale
  names (territories, languages, scripts, currencies), plus FORUM_LATIN; nl has no catalogue.
Without the hafez packages (`pip install -e '.[bench]'`) the Persian vocabulary is only the
catalogue and forum words (~2,000): the script says so, and its figures do not compare.

Posts: 75 % Persian, 9 % German, 8 % French, 5 % English, 3 % Dutch; ~100 words (log-normal,
8..1,500; a paper's opening post ~4x); sentences of 5-18 words, some holding a collocation
(«زندانیان سیاسی», "human rights") so phrases recur; threads of Pareto-distributed length (most
1-5 posts, a few 30-120); dates spread over 2011-2025; 3 % of posts get a translation (into
Persian, or from Persian into de/en/fr). Persian posts carry the spellings PRODUCT.md lists:
Arabic ي/ك (a quarter of the posts), ZWNJ compounds joined, glued or spaced (a per-post habit),
digits in Persian, Arabic-Indic or ASCII script, tatweel and diacritics on some words.

How frequent the query words are. Bands are set by a word's expected share of the posts *of
its own language* that contain it (`Vocabulary.shares`, from its Zipf weight and the length
distribution), and checked by the hit counts the benchmark reports:
- rare:   0.02-0.1 % of the posts (10k posts: 0-7 hits; 1M: 150-750 hits for a Persian word)
- medium: 0.5-2 %
- common: 5-30 % (the most frequent words are stop words, which match nothing, so "common"
  stops below them)
Kinds (queries.py draws 200 of each, cycling rare/medium/common, 3 in 4 Persian):
- 1-term and filtered: one word of the band (filtered adds area:, lang:, after:, before:,
  section: or kind:);
- 2-term: two words of the same band (their AND is far rarer than either);
- phrase: 2-3 adjacent words read from stored posts, the band set by the rarest of them
  (common: all >= 5 %, medium: the rarest 0.5-5 %, rare: the rarest below 0.5 %);
- prefix: the first 3-5 letters of a word of the band (matching every word so begun, so a
  prefix usually matches far more posts than its word).
Measured (median share of all posts matched, rare / medium / common, 100k posts; the same at
50k and 1M within a few hundredths): 1-term 0.06 / 0.65 / 5.4 %; 2-term 0 / 0.008 / 0.7 %;
phrase 0.001 / 0.005 / 0.2-0.5 %; filtered 0.02 / 0.2 / 2.1-2.5 %; prefix 0.2-0.7 / 1.5 / 6 %.
"""

from __future__ import annotations

import importlib.metadata
import json
import math
import random
import re
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cached_property
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ZIPF_EXPONENT = 1.1
LANGUAGE_SHARES = {"fa": 0.75, "de": 0.09, "fr": 0.08, "en": 0.05, "nl": 0.03}
BANDS = {"rare": (0.0002, 0.001), "medium": (0.005, 0.02), "common": (0.05, 0.30)}
SECTIONS = [
    ("tribune", "alternatives"), ("tribune", "strategy"), ("tribune", "coalition"),
    ("tribune", "reports"), ("agenda", "international"), ("agenda", "women"),
    ("agenda", "workers"), ("agenda", "prisoners"), ("agenda", "website"),
]  # fmt: skip
KINDS = ("discussion", "discussion", "discussion", "paper", "action")
START = datetime(2011, 1, 1, tzinfo=UTC)
END = datetime(2025, 12, 31, tzinfo=UTC)
TRANSLATED = 0.03

ZWNJ = "\u200c"
HARAKAT = "\u064b\u064c\u064d\u064e\u064f\u0650\u0651\u0652"
_STRIP = str.maketrans({**dict.fromkeys(HARAKAT + "ٰـ"), "ي": "ی", "ك": "ک"})
TO_FA_DIGITS = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")
TO_AR_DIGITS = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
# Letters, with ZWNJ and combining marks inside a word (Python's \w matches neither).
_JOINERS = "\u200c\u064b-\u065f\u0670"
_WORD = re.compile(rf"[^\W\d_][^\W\d_{_JOINERS}]*(?:[{_JOINERS}]+[^\W\d_]+)*")


def _words(text: str) -> list[str]:
    # Word lists read better as text than as a hundred quoted strings.
    return text.split()


# A debate forum's own words, lifted into the vocabulary at ranks FORUM_RANKS (a political
# forum uses «زنان» far more often than Hafez's commentators do).
FORUM_FA = _words("""
جمهوری دمکراتیک لائیک سوسیالیسم آزادی برابری شورا شوراها کارگران زنان زندانیان سیاسی همبستگی
کانون کانون‌ها انجمن همگامی بدیل آلترناتیو سرنگونی شعار آکسیون تظاهرات اعتصاب هماهنگی نشست
گزارش بیانیه جمع‌بندی پیشنهاد مبارزه جنبش دانشجویان سندیکا دستمزد قانون اساسی جدایی دین دولت
انتخابات رفراندوم حقوق بشر اعدام شکنجه سانسور رسانه تبعید مهاجرت هامبورگ برلین پاریس لندن
آمستردام کلن فرانکفورت استکهلم وین تهران تبریز مشهد اصفهان می‌شود می‌کنیم می‌خواهیم نمی‌توانیم
می‌گویند بی‌طرف آینده‌نگر شعارهای بیانیه‌ها نشست‌های می‌دانیم پیشنهادها فدرالیسم خودمختاری
کنفدراسیون
""")
FORUM_LATIN = {
    "de": """Republik demokratisch laizistisch Sozialismus Freiheit Gleichheit Räte Arbeiter
    Frauen Gefangene Solidarität Koalition Streik Demonstration Verfassung Menschenrechte
    Hinrichtung Exil""",
    "fr": """république démocratique laïque socialisme liberté égalité conseils ouvriers femmes
    prisonniers solidarité coalition grève manifestation constitution exécution exil""",
    "en": """republic democratic secular socialism freedom equality councils workers women prisoners
    solidarity coalition strike demonstration constitution execution exile""",
    "nl": """republiek democratisch seculier socialisme vrijheid gelijkheid raden arbeiders vrouwen
    gevangenen solidariteit coalitie staking demonstratie grondwet executie ballingschap""",
}
FORUM_RANKS = range(40, 4000, 40)
# Multi-word expressions: a sentence holds one with probability COLLOCATION_RATE, drawn with
# Zipf weights, so some phrases recur across many posts (the first in ~10 % of Persian posts).
COLLOCATIONS = {
    "fa": [
        "زندانیان سیاسی", "حقوق بشر", "جدایی دین از دولت", "جمهوری دمکراتیک و لائیک",
        "قانون اساسی", "آزادی بیان", "برابری زن و مرد", "لغو مجازات اعدام", "همبستگی با کارگران",
        "شوراهای کارگری", "کانون‌های همبستگی", "جنبش زنان", "حق تعیین سرنوشت", "انتخابات آزاد",
    ],
    "de": ["politische Gefangene", "Trennung von Religion und Staat", "freie Wahlen",
           "Abschaffung der Todesstrafe", "Gleichheit von Frau und Mann"],
    "fr": ["prisonniers politiques", "séparation de la religion et de l'état",
           "élections libres", "abolition de la peine de mort", "égalité femmes hommes"],
    "en": ["political prisoners", "human rights", "separation of religion and state",
           "free elections", "abolition of the death penalty"],
    "nl": ["politieke gevangenen", "scheiding van kerk en staat", "vrije verkiezingen",
           "afschaffing van de doodstraf"],
}  # fmt: skip
COLLOCATION_RATE = 0.04
# Words per post: log-normal, median 85 (mean ~96), clipped.
LENGTH_MEDIAN, LENGTH_SIGMA, LENGTH_MIN, LENGTH_MAX = 85, 0.5, 8, 1500


def clean(word: str) -> str:
    """A vocabulary form: diacritics and tatweel removed, Arabic yeh/kaf made Persian, Latin
    lowercased (the messy spellings are put back per post)."""
    return word.translate(_STRIP).lower()


def _catalogue_words(lang: str) -> Counter:
    from babel.messages.pofile import read_po

    source = "de" if lang == "en" else lang
    path = ROOT / "tribune" / "translations" / source / "LC_MESSAGES" / "messages.po"
    found: Counter = Counter()
    if not path.exists():
        return found
    with open(path, "rb") as handle:
        for message in read_po(handle):
            if not message.id:
                continue
            text = message.id if lang == "en" else message.string
            if isinstance(text, tuple | list):
                text = " ".join(t for t in text if t)
            text = re.sub(r"%\(\w+\)\w|<[^>]+>|\{[^}]*\}", " ", text or "")
            found.update(clean(w) for w in _WORD.findall(text))
    return found


def _babel_words(lang: str) -> Counter:
    from babel import Locale

    locale = Locale.parse(lang)
    found: Counter = Counter()
    for names in (locale.territories, locale.languages, locale.scripts, locale.currencies):
        for name in names.values():
            found.update(clean(w) for w in _WORD.findall(name))
    return found


def _hafez_words() -> tuple[Counter, list[str]]:
    """(word counts, source names) from the installed hafez packages."""
    counts: Counter = Counter()
    sources = []
    try:
        data = next(p for p in importlib.metadata.files("hafez") or [] if p.name == "hafez.json")
        for entry in json.loads(data.locate().read_text(encoding="utf-8")):
            for key in ("interpretation", "alt_interpretation", "poem"):
                value = entry.get(key) or ""
                value = " ".join(value) if isinstance(value, list) else value
                counts.update(clean(w) for w in _WORD.findall(value))
        sources.append("hafez")
    except (importlib.metadata.PackageNotFoundError, StopIteration, OSError, ValueError):
        pass
    try:
        data = next(
            p for p in importlib.metadata.files("fatol-hafez") or [] if p.name == "ghazals.txt"
        )
        counts.update(clean(w) for w in _WORD.findall(data.locate().read_text(encoding="utf-8")))
        sources.append("fatol-hafez")
    except (importlib.metadata.PackageNotFoundError, StopIteration, OSError):
        pass
    return counts, sources


class Vocabulary:
    """One language's words in Zipf rank order, with cumulative weights for drawing."""

    def __init__(self, lang: str, counts: Counter, forum: list[str]) -> None:
        ranked = [w for w, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]
        ranked = [w for w in ranked if len(w) >= 2 and w not in forum]
        for rank, word in zip(FORUM_RANKS, forum, strict=False):
            ranked.insert(min(rank, len(ranked)), word)
        self.lang = lang
        self.words = ranked
        weights = [1 / (r**ZIPF_EXPONENT) for r in range(1, len(ranked) + 1)]
        total = sum(weights)
        self.probability = [w / total for w in weights]
        cumulative, running = [], 0.0
        for p in self.probability:
            running += p
            cumulative.append(running)
        self.cumulative = cumulative

    def draw(self, rng: random.Random, k: int) -> list[str]:
        return rng.choices(self.words, cum_weights=self.cumulative, k=k)

    @cached_property
    def shares(self) -> dict[str, float]:
        """{word: expected share of this language's posts in which search finds it}.

        Search finds a word by its analyzed form: «جمهورى» and «جمهوری», «کتاب» and «کتابها»
        are one word to it, so a word's share counts every spelling with the same tokens.
        Stop words (no token) are left out: they match nothing."""
        from tribune.fulltext.analysis import analyzer_for

        analyzer = analyzer_for("fa")  # the generic analysis every text gets
        keys = {}
        found: dict[str, float] = {}
        for word, p in zip(self.words, self.probability, strict=True):
            key = " ".join(t.text for t in analyzer(word, mode="query"))
            if key:
                keys[word] = key
                found[key] = found.get(key, 0.0) + p
        return {word: _share(found[key]) for word, key in keys.items()}

    def band(self, name: str) -> list[str]:
        """The words whose expected share lies in band `name`."""
        low, high = BANDS[name]
        return [word for word, share in self.shares.items() if low <= share <= high]


def _share(p: float) -> float:
    """Expected share of posts holding a word whose tokens have probability `p`."""
    return sum(1 - (1 - p) ** n for n in _LENGTH_QUANTILES) / len(_LENGTH_QUANTILES)


def _length_quantiles(count: int = 64) -> list[int]:
    from statistics import NormalDist

    normal = NormalDist(math.log(LENGTH_MEDIAN), LENGTH_SIGMA)
    return [
        max(LENGTH_MIN, min(LENGTH_MAX, round(math.exp(normal.inv_cdf((i + 0.5) / count)))))
        for i in range(count)
    ]


_LENGTH_QUANTILES = _length_quantiles()


def vocabularies() -> tuple[dict[str, Vocabulary], str]:
    """({lang: Vocabulary}, a note naming the sources)."""
    persian, sources = _hafez_words()
    persian.update(_catalogue_words("fa"))
    found = {"fa": Vocabulary("fa", persian, [clean(w) for w in FORUM_FA])}
    for lang, forum in FORUM_LATIN.items():
        counts = _catalogue_words(lang) + _babel_words(lang)
        found[lang] = Vocabulary(lang, counts, [clean(w) for w in forum.split()])
    note = " + ".join([*sources, "catalogues", "babel names"])
    if not sources:
        note += " (hafez packages missing: pip install -e '.[bench]')"
    return found, note


@dataclass
class Corpus:
    """Deterministic posts, threads and translations, generated as a stream."""

    seed: int = 20110101

    def __post_init__(self) -> None:
        self.vocab, self.source = vocabularies()
        self.rng = random.Random(self.seed)
        self._languages = list(LANGUAGE_SHARES)
        self._language_cum = list(_cumulate(LANGUAGE_SHARES.values()))
        self._collocation_cum = {
            lang: list(_cumulate(1 / r for r in range(1, len(items) + 1)))
            for lang, items in COLLOCATIONS.items()
        }

    # Text

    def language(self) -> str:
        return self.rng.choices(self._languages, cum_weights=self._language_cum)[0]

    def number(self, lang: str) -> str:
        rng = self.rng
        n = str(rng.choice([1357, 1388, 1401, 2009, 2022, 8, 16, 25, 110, rng.randrange(1000)]))
        if lang != "fa":
            return n
        r = rng.random()
        return n.translate(TO_FA_DIGITS) if r < 0.5 else n.translate(TO_AR_DIGITS) if r < 0.7 else n

    def words(self, lang: str, count: int) -> str:
        """`count` words (and a few more: collocations, numbers) in sentences and paragraphs."""
        rng = self.rng
        drawn = self.vocab[lang].draw(rng, count)
        sentences, i = [], 0
        while i < len(drawn):
            n = rng.randint(5, 18)
            sentence = drawn[i : i + n]
            i += n
            if rng.random() < COLLOCATION_RATE:
                phrase = rng.choices(COLLOCATIONS[lang], cum_weights=self._collocation_cum[lang])
                sentence.insert(rng.randrange(len(sentence) + 1), phrase[0])
            if rng.random() < 0.12:
                sentence.insert(rng.randrange(len(sentence) + 1), self.number(lang))
            text = " ".join(sentence)
            if lang != "fa":
                text = text[:1].upper() + text[1:]
            sentences.append(text + ("؟" if lang == "fa" and rng.random() < 0.1 else "."))
        paragraphs, i = [], 0
        while i < len(sentences):
            n = rng.randint(2, 5)
            paragraphs.append(" ".join(sentences[i : i + n]))
            i += n
        return "\n\n".join(paragraphs)

    def mess(self, text: str) -> str:
        """Persian as people type it: one habit per post for yeh/kaf and ZWNJ, a few marks."""
        rng = self.rng
        if rng.random() < 0.25:
            text = text.replace("ی", "ي").replace("ک", "ك")
        style = rng.random()
        if style < 0.25:
            text = text.replace(ZWNJ, "")
        elif style < 0.45:
            text = text.replace(ZWNJ, " ")
        if rng.random() < 0.15:
            words = text.split(" ")
            for _ in range(rng.randint(1, 3)):
                i = rng.randrange(len(words))
                if rng.random() < 0.5:
                    words[i] = "".join(
                        c + (rng.choice(HARAKAT) if rng.random() < 0.4 else "") for c in words[i]
                    )
                elif len(words[i]) > 2:
                    words[i] = words[i][:1] + "\u0640" + words[i][1:]
            text = " ".join(words)
        return text

    def body(self, lang: str, scale: float = 1.0) -> str:
        rng = self.rng
        length = math.exp(rng.gauss(math.log(LENGTH_MEDIAN), LENGTH_SIGMA)) * scale
        text = self.words(lang, max(LENGTH_MIN, min(LENGTH_MAX, round(length))))
        return self.mess(text) if lang == "fa" else text

    def title(self, lang: str) -> str:
        text = self.words(lang, self.rng.randint(3, 8)).replace("\n\n", " ")
        text = text.rstrip(".؟")[:200]
        return self.mess(text) if lang == "fa" else text

    # Threads

    def threads(self, posts: int, users: int):
        """Yield threads (dicts with their posts and translations) until `posts` posts exist;
        threads open in date order across START..END, replies follow within days."""
        rng = self.rng
        span = (END - START).total_seconds()
        written = 0
        while written < posts:
            if rng.random() < 0.97:
                size = max(1, int(rng.paretovariate(1.2)))
            else:
                size = rng.randint(30, 120)
            size = min(size, posts - written)
            area, section = rng.choice(SECTIONS)
            kind = rng.choice(KINDS) if area == "tribune" else "action"
            lang = self.language()
            opened = START + timedelta(seconds=span * written / posts + rng.random() * 3600)
            at = opened
            thread_posts = []
            for n in range(size):
                post_lang = lang if rng.random() < 0.8 else self.language()
                scale = 4.0 if n == 0 and kind == "paper" else 1.0
                post = {
                    # Half the posts come from a few prolific authors.
                    "author": min(users, int(rng.paretovariate(1.0))) - 1
                    if rng.random() < 0.5
                    else rng.randrange(users),
                    "language": post_lang,
                    "body": self.body(post_lang, scale),
                    "created_at": at,
                    "translation": None,
                }
                if rng.random() < TRANSLATED:
                    target = "fa" if post_lang != "fa" else rng.choice(("de", "en", "fr"))
                    post["translation"] = {
                        "language": target,
                        "title": self.title(target) if n == 0 else None,
                        "body": self.body(target),
                        "translator": rng.randrange(users),
                    }
                thread_posts.append(post)
                at += timedelta(hours=rng.expovariate(1 / 8))
            yield {
                "area": area,
                "section": section,
                "kind": kind,
                "language": lang,
                "title": self.title(lang),
                "posts": thread_posts,
            }
            written += size


def _cumulate(values):
    running = 0.0
    for value in values:
        running += value
        yield running


def words_of(text: str) -> list[list[str]]:
    """Runs of adjacent words of a stored text: punctuation, a number or anything else that is
    not a word ends a run, so a phrase read from a run is adjacent in the text as written."""
    runs: list[list[str]] = []
    for part in re.split(r"[.؟?!،,;:«»()\"']+", text):
        run: list[str] = []
        for item in part.split():
            if _WORD.fullmatch(item):
                run.append(item)
            else:
                if run:
                    runs.append(run)
                run = []
        if run:
            runs.append(run)
    return runs
