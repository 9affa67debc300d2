"""The search change log: what the derived full-text index still has to catch up with."""

from datetime import datetime

from sqlalchemy import BigInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from tribune.extensions import db
from tribune.models.base import UTCDateTime, utcnow

# What a change row points at. The indexer re-reads the object from the database and decides
# what the index should hold; the row itself carries no content.
CHANGE_KINDS = ("post", "thread", "user", "section", "association")


class SearchChange(db.Model):
    """One change to searchable content, written in the same transaction as the change."""

    __tablename__ = "search_changes"

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(db.Integer, "sqlite"), primary_key=True
    )
    kind: Mapped[str] = mapped_column(String(20))
    object_id: Mapped[int] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SearchState(db.Model):
    """Where an index stands: the id of the last change it applied (one row per index name)."""

    __tablename__ = "search_state"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    last_change_id: Mapped[int] = mapped_column(BigInteger, default=0)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
