"""Do the two backends rank alike? The judged set of relevance_plurals.py, ranked by each.

Both backends match the same posts (they share the analyzer); they order them differently:
Whoosh by BM25F, PostgreSQL by ts_rank with title weights and length normalization
(tribune/fulltext/postgres_query.py). For every query this prints precision@5 and the reciprocal
rank of the first relevant post under each, and how often their top five agree.

    .venv/bin/python bench/relevance_ranking.py postgresql://postgres@127.0.0.1:5432/DB
"""

from __future__ import annotations

import sys
from pathlib import Path

import psycopg
from sqlalchemy.engine import make_url
from whoosh.filedb.filestore import RamStorage

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.relevance_plurals import DOCS, QUERIES  # noqa: E402
from tribune.database import normalise_url  # noqa: E402
from tribune.fulltext.compiled import compile_query  # noqa: E402
from tribune.fulltext.postgres_query import LENGTH_NORMALIZATION, WEIGHTS, tsquery  # noqa: E402
from tribune.fulltext.postgres_rows import vector_literal as vector  # noqa: E402
from tribune.fulltext.querylang import parse  # noqa: E402
from tribune.fulltext.texts import Text  # noqa: E402
from tribune.fulltext.whoosh_index import build_schema  # noqa: E402
from tribune.fulltext.whoosh_query import whoosh_queries  # noqa: E402

# Two-word queries as well: the single words of relevance_plurals.py rank mostly by length.
PAIRS = {
    "زندانیان سیاسی": {1, 2},
    "کارگران نفت": {6, 47},
    "حقوق زن": {12},
    "نشست کانون": {18, 19},
    "ترجمه بیانیه": {38, 39},
    "تظاهرات آمستردام": {40},
}


def whoosh_ranking(query: str) -> list[int]:
    with INDEX.searcher() as searcher:
        words, _allowed, mask, _dates = whoosh_queries(compile_query(parse(query)))
        return [int(hit["key"]) for hit in searcher.search(words, limit=None, mask=mask)]


def postgres_ranking(connection, query: str) -> list[int]:
    rows = connection.execute(
        "SELECT key FROM ranking WHERE vector @@ %(q)s::tsquery "
        "ORDER BY ts_rank(%(w)s::float4[], vector, %(q)s::tsquery, %(n)s) DESC, key DESC",
        {"q": tsquery(compile_query(parse(query))), "w": WEIGHTS, "n": LENGTH_NORMALIZATION},
    )
    return [int(key) for (key,) in rows]


def scores(ranking: list[int], relevant: set[int]) -> tuple[float, float]:
    p5 = len(relevant.intersection(ranking[:5])) / min(5, len(relevant))
    first = next((rank for rank, doc in enumerate(ranking, 1) if doc in relevant), None)
    return p5, (1 / first if first else 0.0)


def main(url: str) -> None:
    dsn = make_url(normalise_url(url)).set(drivername="postgresql")
    with psycopg.connect(dsn.render_as_string(hide_password=False)) as connection:
        connection.execute("CREATE TEMP TABLE ranking (key text, vector tsvector)")
        for key, text in DOCS.items():
            item = Text(key, None, "fa", "", text)
            connection.execute(
                "INSERT INTO ranking VALUES (%s, %s::tsvector)", (str(key), vector(item))
            )
        totals = {"whoosh": [0.0, 0.0], "postgres": [0.0, 0.0]}
        same_top = 0
        queries = {**QUERIES, **PAIRS}
        print(f"{'query':<18} {'whoosh P@5':>10} {'RR':>5} {'postgres P@5':>12} {'RR':>5}")
        for query, relevant in queries.items():
            ranked = {
                "whoosh": whoosh_ranking(query),
                "postgres": postgres_ranking(connection, query),
            }
            row = []
            for name, ranking in ranked.items():
                p5, rr = scores(ranking, relevant)
                totals[name][0] += p5
                totals[name][1] += rr
                row += [p5, rr]
            same_top += set(ranked["whoosh"][:5]) == set(ranked["postgres"][:5])
            print(f"{query:<18} {row[0]:10.2f} {row[1]:5.2f} {row[2]:12.2f} {row[3]:5.2f}")
        count = len(queries)
        for name, (p5, rr) in totals.items():
            print(f"{name:<9} mean P@5 {p5 / count:.3f}  MRR {rr / count:.3f}")
        print(f"same top five: {same_top} of {count} queries")


INDEX = RamStorage().create_index(build_schema())
with INDEX.writer() as _writer:
    for _key, _text in DOCS.items():
        _writer.add_document(key=str(_key), post=str(_key), body=_text, lang="fa")

if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "postgresql://postgres@127.0.0.1:5432/postgres")
