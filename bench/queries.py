"""The benchmark's queries: drawn from the corpus by frequency band, timed through the API.

Five kinds, `count` of each, cycling through the bands rare/medium/common (corpus.py says what
they mean and how frequent their words are); three queries in four are Persian, the rest in
the other languages by their share of the posts. Everything is drawn from a seeded generator,
so both backends, and every run at the same size, answer the same queries. Phrases are read
from stored posts (2-3 adjacent words of one sentence, written as the post spells them), so
each phrase has at least one match: a phrase found nowhere is a bug, and is counted.
"""

from __future__ import annotations

import random
import statistics
import time
from dataclasses import asdict, dataclass
from functools import lru_cache

from sqlalchemy import event, func, select

from bench.corpus import BANDS, LANGUAGE_SHARES, Corpus, clean, words_of
from tribune.fulltext.compiled import compile_query
from tribune.fulltext.postgres_query import SEARCH_SETTINGS
from tribune.fulltext.querylang import QuerySyntaxError, parse

KINDS = ("1-term", "2-term", "phrase", "filtered", "prefix")
FILTERS = (
    "area:agenda", "area:tribune", "lang:{lang}", "after:2020-01-01", "before:2015-12-31",
    "section:women", "kind:paper",
)  # fmt: skip
PHRASE_SOURCES = 3000  # posts read for phrases


@dataclass
class Query:
    kind: str
    band: str
    lang: str
    q: str


@lru_cache(maxsize=100_000)
def searchable(text: str) -> bool:
    """Whether `text` leaves something to look for (stop words alone match nothing)."""
    try:
        return bool(compile_query(parse(text)).required)
    except QuerySyntaxError:
        return False


def percentile(values, p):
    ordered = sorted(values)
    k = (len(ordered) - 1) * p / 100
    low, high = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (k - low)


class Sampler:
    """Draws words of a band and language, deterministically."""

    def __init__(self, corpus: Corpus, rng: random.Random) -> None:
        self.corpus = corpus
        self.rng = rng
        self.pools: dict[tuple[str, str], list[str]] = {}
        self.languages = list(LANGUAGE_SHARES)
        # 3 in 4 queries Persian, the others in proportion to their languages' posts.
        latin = sum(v for k, v in LANGUAGE_SHARES.items() if k != "fa")
        self.weights = [0.75 if k == "fa" else 0.25 * v / latin for k, v in LANGUAGE_SHARES.items()]

    def language(self) -> str:
        return self.rng.choices(self.languages, weights=self.weights)[0]

    def pool(self, lang: str, band: str) -> list[str]:
        key = (lang, band)
        if key not in self.pools:
            vocab = self.corpus.vocab[lang]
            words = vocab.band(band)
            if not words:
                # The Latin vocabularies (1,500-2,500 words) have no word as rare as the band
                # asks: their rarest 5 % stand in (~0.3 % of that language's posts, which is
                # 0.01-0.03 % of all posts).
                words = vocab.words[-max(1, len(vocab.words) // 20) :]
            self.pools[key] = [w for w in words if searchable(w)]
        return self.pools[key]

    def word(self, lang: str, band: str, min_length: int = 1) -> str:
        pool = [w for w in self.pool(lang, band) if len(w) >= min_length] or self.pool(lang, band)
        return self.rng.choice(pool)


def phrase_candidates(session, corpus: Corpus, rng: random.Random) -> dict[str, list]:
    """{band: [(lang, phrase as written)]} from posts spread over the whole database."""
    from tribune.models import Post

    last = session.scalar(select(func.max(Post.id))) or 0
    ids = sorted(rng.sample(range(1, last + 1), min(PHRASE_SOURCES, last)))
    rows = session.execute(
        select(Post.language, Post.body_source).where(Post.id.in_(ids)).order_by(Post.id)
    ).all()
    found: dict[str, list] = {band: [] for band in BANDS}
    for lang, body in rows:
        shares = corpus.vocab[lang].shares
        for sentence in words_of(body):
            if len(sentence) < 3:
                continue
            size = rng.choice((2, 2, 3))
            start = rng.randrange(len(sentence) - size + 1)
            window = sentence[start : start + size]
            known = [shares.get(clean(w)) for w in window]
            if None in known or not (searchable(window[0]) and searchable(window[-1])):
                continue
            rarest = min(known)
            band = "common" if rarest >= 0.05 else "medium" if rarest >= 0.005 else "rare"
            found[band].append((lang, " ".join(window)))
            break  # one phrase per post at most, so phrases spread over many posts
    return found


def sample(corpus: Corpus, session, count: int, seed: int = 7) -> list[Query]:
    """`count` queries of each kind."""
    rng = random.Random(seed)
    words = Sampler(corpus, rng)
    phrases = phrase_candidates(session, corpus, random.Random(seed + 1))
    bands = list(BANDS)
    queries = []
    used: set[str] = set()
    for i in range(count):
        band = bands[i % len(bands)]
        lang = words.language()
        queries.append(Query("1-term", band, lang, words.word(lang, band)))
        first = words.word(lang, band)
        second = words.word(lang, band)
        while second == first:
            second = words.word(lang, band)
        queries.append(Query("2-term", band, lang, f"{first} {second}"))
        pool = phrases[band] or [p for items in phrases.values() for p in items]
        # Each phrase once (collocations would otherwise recur): the pool is large.
        phrase_lang, phrase = rng.choice(pool)
        for _ in range(50):
            if phrase not in used:
                break
            phrase_lang, phrase = rng.choice(pool)
        used.add(phrase)
        queries.append(Query("phrase", band, phrase_lang, f'"{phrase}"'))
        condition = rng.choice(FILTERS).format(lang=lang)
        queries.append(Query("filtered", band, lang, f"{words.word(lang, band)} {condition}"))
        queries.append(Query("prefix", band, lang, prefix_query(words, rng, lang, band)))
    return queries


def prefix_query(words: Sampler, rng: random.Random, lang: str, band: str) -> str:
    """The first 3-5 letters of a word of the band, and a star."""
    while True:
        stem = words.word(lang, band, min_length=4)
        size = rng.randint(3, min(5, len(stem) - 1))
        # At least MIN_PREFIX (3) letters: a ZWNJ or a mark does not count as one.
        while sum(c.isalpha() for c in stem[:size]) < 3 and size < len(stem):
            size += 1
        query = stem[:size].rstrip("\u200c") + "*"
        # A prefix ending like a plural suffix is folded too («پنها*» -> «پن*») and may then
        # be refused as too short: draw another (the report names this).
        if searchable(query):
            return query


def warm_up(client, corpus: Corpus, path: str) -> None:
    """Twenty queries of words not otherwise asked (another seed): connections, caches of the
    analyzer and of the searcher are made before anything is timed."""
    rng = random.Random(99)
    words = Sampler(corpus, rng)
    for i in range(20):
        band = list(BANDS)[i % 3]
        client.get(path, query_string={"q": words.word("fa", band)})


def run(app, corpus: Corpus, queries: list[Query], path: str = "/api/v1/search") -> list[dict]:
    """Each query once through the test client: its milliseconds and (API) its total."""
    client = app.test_client()
    with app.app_context():
        warm_up(client, corpus, path)
        timed = []
        for query in queries:
            started, cpu = time.perf_counter(), time.process_time()
            response = client.get(path, query_string={"q": query.q, "per_page": 10})
            ms = (time.perf_counter() - started) * 1000
            # This process's CPU (Flask, the analyzer, whoosh; not PostgreSQL's server): on a
            # shared machine it moves far less with the load than the wall time does.
            cpu_ms = (time.process_time() - cpu) * 1000
            if response.status_code != 200:
                raise RuntimeError(f"{path} answered {response.status_code} to {query.q!r}")
            row = {**asdict(query), "ms": round(ms, 2), "cpu_ms": round(cpu_ms, 2)}
            if path.startswith("/api"):
                body = response.get_json()
                row.update(total=body["total"], exact=body["total_is_exact"])
            timed.append(row)
    return timed


def summarize(rows: list[dict], posts: int) -> dict:
    """{kind: p50, p99, max, mean and hit counts (median; per band; how many found nothing)}."""
    summary = {}
    for kind in dict.fromkeys(row["kind"] for row in rows):
        items = [row for row in rows if row["kind"] == kind]
        times = [row["ms"] for row in items]
        entry = {
            "queries": len(items),
            "p50_ms": round(percentile(times, 50), 1),
            "p99_ms": round(percentile(times, 99), 1),
            "max_ms": round(max(times), 1),
            "mean_ms": round(statistics.fmean(times), 1),
            "cpu_p50_ms": round(percentile([row["cpu_ms"] for row in items], 50), 1),
            "cpu_p99_ms": round(percentile([row["cpu_ms"] for row in items], 99), 1),
        }
        if "total" in items[0]:
            entry["median_hits"] = int(statistics.median(row["total"] for row in items))
            entry["zero_hits"] = sum(1 for row in items if not row["total"])
            entry["capped"] = sum(1 for row in items if not row["exact"])
            entry["bands"] = {
                band: {
                    "median_hits": int(statistics.median(r["total"] for r in chosen)),
                    "median_share_pct": round(
                        100 * statistics.median(r["total"] for r in chosen) / posts, 3
                    ),
                    "p50_ms": round(percentile([r["ms"] for r in chosen], 50), 1),
                    "p99_ms": round(percentile([r["ms"] for r in chosen], 99), 1),
                }
                for band in BANDS
                if (chosen := [r for r in items if r["band"] == band])
            }
        summary[kind] = entry
    return summary


def explain_slowest(app, rows: list[dict]) -> dict[str, dict]:
    """PostgreSQL: for the slowest query of each kind, the SQL statements the backend ran for it
    and `EXPLAIN (ANALYZE, BUFFERS)` of each, run again now (so with warm caches)."""
    from tribune.extensions import db

    explained = {}
    client = app.test_client()
    with app.app_context():
        engine = db.engine
        for kind in dict.fromkeys(row["kind"] for row in rows):
            slowest = max((r for r in rows if r["kind"] == kind), key=lambda r: r["ms"])
            statements: list[tuple] = []

            search_tuned = [False]

            def capture(
                conn, cursor, statement, parameters, context, executemany,
                into=statements, state=search_tuned,
            ):  # fmt: skip
                # The backend's own EXPLAIN (sizing the window of recent ids) is not a query
                # to explain again. Its planner settings (postgres_query.SEARCH_SETTINGS) hold
                # from its set_config until it gives them back.
                if "set_config" in statement:
                    state[0] = "reset_val" not in statement
                elif "search_texts" in statement and not statement.lstrip().upper().startswith(
                    "EXPLAIN"
                ):
                    into.append((statement, parameters, state[0]))

            event.listen(engine, "before_cursor_execute", capture)
            try:
                client.get("/api/v1/search", query_string={"q": slowest["q"], "per_page": 10})
            finally:
                event.remove(engine, "before_cursor_execute", capture)
            plans = []
            raw = engine.raw_connection()
            try:
                cursor = raw.cursor()
                for statement, parameters, tuned in statements:
                    # Each statement under the settings it ran with.
                    for name, value in SEARCH_SETTINGS.items():
                        cursor.execute(
                            "SELECT set_config(%s, %s, true)"
                            if tuned
                            else "SELECT set_config(%s, reset_val, true) FROM pg_settings"
                            " WHERE name = %s",
                            (name, value) if tuned else (name, name),
                        )
                    cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + statement, parameters)
                    plan = "\n".join(line[0] for line in cursor.fetchall())
                    plans.append({"sql": statement, "parameters": parameters, "plan": plan})
                raw.rollback()
            finally:
                raw.close()
            explained[kind] = {"query": slowest, "statements": plans}
    return explained
