"""Matchers: the texts a query finds, through each backend's own way of keeping and querying
tokens, without an application around them. Tests written against `make_matcher` run on the
Whoosh backend always and on the PostgreSQL backend when TRIBUNE_TEST_DATABASE_URL names one,
so both keep the same word-level contract (spellings, compounds, stems, phrases, prefixes)."""

import pytest
from sqlalchemy import create_engine, text
from whoosh.filedb.filestore import RamStorage

from tests.conftest import POSTGRES_URL
from tribune.database import normalise_url
from tribune.fulltext.compiled import compile_query
from tribune.fulltext.postgres_query import tsquery
from tribune.fulltext.postgres_rows import vector_literal
from tribune.fulltext.querylang import parse
from tribune.fulltext.texts import Text
from tribune.fulltext.whoosh_index import build_schema
from tribune.fulltext.whoosh_query import whoosh_queries


def _texts(posts):
    """{key: (lang, body[, title])} as texts.Text, numbered in key order."""
    made = {}
    for number, (key, value) in enumerate(sorted(posts.items()), start=1):
        lang, body, *title = value
        made[key] = Text(number, None, lang, title[0] if title else "", body)
    return made


class WhooshMatcher:
    """A RAM index holding the texts as the Whoosh backend adds them."""

    def __init__(self, posts):
        self.ix = RamStorage().create_index(build_schema())
        with self.ix.writer() as writer:
            for key, item in _texts(posts).items():
                fields = {"key": key, "title": item.title, "body": item.plain_body()}
                if item.language in ("en", "de", "fr", "nl"):
                    fields[f"stem_{item.language}"] = f"{item.title}\n\n{item.plain_body()}"
                writer.add_document(lang=item.language, **fields)

    def found(self, query: str) -> set[str]:
        compiled = compile_query(parse(query))
        if not compiled.required:
            return set()
        words, _allowed, mask, _dates = whoosh_queries(compiled)
        with self.ix.searcher() as searcher:
            return {hit["key"] for hit in searcher.search(words, limit=None, mask=mask)}


class PostgresMatcher:
    """A temporary table holding the texts' tsvectors as the PostgreSQL backend writes them."""

    def __init__(self, posts):
        self.engine = create_engine(normalise_url(POSTGRES_URL))
        self.connection = self.engine.connect()
        self.connection.execute(text("CREATE TEMP TABLE matcher (key text, vector tsvector)"))
        for key, item in _texts(posts).items():
            self.connection.execute(
                text("INSERT INTO matcher VALUES (:key, CAST(:vector AS tsvector))"),
                {"key": key, "vector": vector_literal(item)},
            )

    def found(self, query: str) -> set[str]:
        words = tsquery(compile_query(parse(query)))
        if words is None:
            return set()
        rows = self.connection.execute(
            text("SELECT key FROM matcher WHERE vector @@ CAST(:q AS tsquery)"), {"q": words}
        )
        return {key for (key,) in rows}

    def close(self):
        self.connection.close()
        self.engine.dispose()


@pytest.fixture(params=["whoosh", "postgres"])
def make_matcher(request):
    """make_matcher({key: (lang, body[, title])}) -> a matcher with .found(query)."""
    if request.param == "postgres" and not POSTGRES_URL:
        pytest.skip("TRIBUNE_TEST_DATABASE_URL does not name a PostgreSQL database")
    made = []

    def factory(posts):
        matcher = WhooshMatcher(posts) if request.param == "whoosh" else PostgresMatcher(posts)
        made.append(matcher)
        return matcher

    yield factory
    for matcher in made:
        if hasattr(matcher, "close"):
            matcher.close()
