"""Column types and helpers shared by every model."""

from datetime import UTC, datetime

from sqlalchemy import DateTime
from sqlalchemy.types import TypeDecorator

# Ids are `integer` columns: 32-bit on PostgreSQL (64-bit on SQLite). A larger number in an
# address or a form names no row, and binding it would overflow the driver, so it is no id.
MAX_ID = 2**31 - 1


def utcnow():
    """The current time, UTC-aware."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """A timestamp that is always UTC-aware in Python.

    PostgreSQL stores it as timestamptz; SQLite has no time zones and hands back naive values,
    so they are re-tagged as UTC on the way out. Naive values are refused on the way in: a naive
    datetime is a bug waiting to shift by the server's offset.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)
