"""Derived search data: never the truth, always rebuildable from the posts (STYLE.md).

- `search_texts` (PostgreSQL backend): the analyzer's tokens of each text of each post, written in
  the same transaction as the change that causes them.
- `search_changes` (Whoosh backend): a change log its indexer applies, then prunes.
- `search_state`: where each backend stands (the Whoosh index's position in the change log; the
  analyzer version the PostgreSQL rows were derived with).
"""

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, ForeignKey, Index, Integer, SmallInteger, String, Text
from sqlalchemy.dialects.postgresql import TSVECTOR
from sqlalchemy.orm import Mapped, mapped_column

from tribune.extensions import db
from tribune.models.base import UTCDateTime, utcnow


class SearchText(db.Model):
    """One text of a post as the analyzer reads it: the post's own (translation_id None) or one
    translation. Rows exist for hidden posts too: searches exclude what readers may not see by
    the readers' visibility rule, read from posts and threads, so hiding changes no row here.

    thread_id, author_id and created_at are copies of the post's, kept in the same transactions
    as the originals (a merge, a split), so that matching, sorting and grouping read this one
    table; `flask search status` compares them."""

    __tablename__ = "search_texts"
    __table_args__ = (
        # GIN on PostgreSQL (the only database this table is used on; elsewhere it stays empty).
        Index("ix_search_texts_vector", "vector", postgresql_using="gin"),
        Index("ix_search_texts_created_at", "created_at", "post_id"),
    )

    # "p<post id>" or "t<translation id>" (fulltext.texts.Text.key)
    key: Mapped[str] = mapped_column(String(24), primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"), index=True)
    translation_id: Mapped[int | None] = mapped_column(
        ForeignKey("translations.id", ondelete="CASCADE"), index=True
    )
    language: Mapped[str] = mapped_column(String(8))
    # Whether the text carries its thread's title (the opening post and its translations).
    titled: Mapped[bool] = mapped_column(Boolean, default=False)
    thread_id: Mapped[int] = mapped_column(Integer, index=True)
    author_id: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    vector: Mapped[str] = mapped_column(TSVECTOR().with_variant(Text(), "sqlite"))
    # The analysis.ANALYZER_VERSION that made `vector`, and an md5 of what it was made from
    # (language, title, Markdown body): `flask search status` compares both.
    analyzer: Mapped[int] = mapped_column(SmallInteger)
    digest: Mapped[str] = mapped_column(String(32))


class SearchChange(db.Model):
    """One change to searchable content, written in the same transaction as the change."""

    __tablename__ = "search_changes"
    # AUTOINCREMENT: ids are never reused once the applied rows are pruned, so an index's
    # position ("applied up to id N") keeps meaning the same thing.
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    object_id: Mapped[int] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SearchState(db.Model):
    """Where a backend stands, one row per backend ("whoosh", "postgres").

    whoosh: `last_change_id` is the last change its index applied. postgres: `analyzer` is the
    analyzer version every row was derived with; NULL means rows are missing (an upgrade from a
    version without them) and searches answer 503 until `flask search rebuild`. No row at all
    means everything was derived as it was written."""

    __tablename__ = "search_state"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    last_change_id: Mapped[int] = mapped_column(BigInteger, default=0)
    analyzer: Mapped[int | None] = mapped_column(SmallInteger)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
