"""The backup file format, version 1: what `flask backup create` writes and `restore` reads.

A backup is a gzip-compressed UTF-8 text file of JSON lines (docs/backup-format.md says the
same for people who must read one without Tribune):

    line 1   the header: {"format": "tribune-backup", "version": 1, "created_at": ISO 8601,
             "schema": ALEMBIC REVISION or null, "source": "sqlite"|"postgresql",
             "log_key_id": FINGERPRINT, "log_plain_entries": N, "tables": [TABLE, ...]}
             where TABLE is {"name", "columns": [[NAME, TYPE], ...], "primary_key": [NAME, ...],
             "deferred": [NAME, ...], "rows": COUNT}; TYPE is one of TYPES below.
    then, for each table in that order (foreign-key dependency order):
             {"table": NAME}
             one JSON array per row, its values in the order of "columns", rows in primary-key
             order; datetimes as ISO 8601 with offset, bytes as base64, JSON values as they are
             {"table_end": NAME, "rows": COUNT, "sha256": HEX of the row lines' bytes}
    last     {"end": "tribune-backup", "sha256": HEX of every line before this one}

"deferred" columns point at rows of the same table or of a later one (a thread's last post, a
merged thread's target): a restore inserts them empty and fills them in once every row is in.

Checksums catch a corrupt file, the end line a truncated one, and "version" a file from a
later Tribune; `read_backup` checks all of it before anything is restored.
"""

from __future__ import annotations

import base64
import datetime as dt
import gzip
import hashlib
import json
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from sqlalchemy import JSON, Boolean, Date, Float, Integer, LargeBinary, Text
from sqlalchemy.types import TypeDecorator

from tribune.models.base import UTCDateTime

FORMAT = "tribune-backup"
VERSION = 1

# The column types a backup names, and the SQLAlchemy type a restore binds each with.
TYPES = {
    "integer": Integer,
    "text": Text,
    "boolean": Boolean,
    "datetime": UTCDateTime,
    "date": Date,
    "float": Float,
    "bytes": LargeBinary,
    "json": lambda: JSON(none_as_null=True),
}


class BackupInvalid(Exception):
    """A file that is not a backup this Tribune can restore; the message says why."""


@dataclass(frozen=True)
class TableInfo:
    """One table as the header describes it."""

    name: str
    columns: tuple[tuple[str, str], ...]
    primary_key: tuple[str, ...]
    deferred: tuple[str, ...]
    rows: int

    def as_json(self) -> dict:
        return {
            "name": self.name,
            "columns": [list(column) for column in self.columns],
            "primary_key": list(self.primary_key),
            "deferred": list(self.deferred),
            "rows": self.rows,
        }


@dataclass(frozen=True)
class Header:
    """What the first line of a backup says."""

    created_at: str
    schema: str | None
    source: str
    log_key_id: str
    tables: tuple[TableInfo, ...]
    # How many entries at the start of the log predate its key (LOG_PLAIN_ENTRIES).
    log_plain_entries: int = 0

    @property
    def total_rows(self) -> int:
        return sum(table.rows for table in self.tables)

    def as_json(self) -> dict:
        return {
            "format": FORMAT,
            "version": VERSION,
            "created_at": self.created_at,
            "schema": self.schema,
            "source": self.source,
            "log_key_id": self.log_key_id,
            "log_plain_entries": self.log_plain_entries,
            "tables": [table.as_json() for table in self.tables],
        }


def type_tag(column) -> str:
    """The backup type of a SQLAlchemy column."""
    kind = column.type
    while isinstance(kind, TypeDecorator):
        kind = kind.impl_instance
    if isinstance(kind, JSON):
        return "json"
    python_type = kind.python_type
    if python_type is dt.datetime:
        return "datetime"
    for tag, kind in (("boolean", bool), ("integer", int), ("float", float), ("bytes", bytes)):
        if issubclass(python_type, kind):
            return tag
    if python_type is dt.date:
        return "date"
    if python_type is str:
        return "text"
    raise TypeError(f"column {column} of type {column.type} has no backup type")


def encode(value, tag: str):
    """A column value as the JSON value a backup holds."""
    if value is None or tag == "json":
        return value
    if tag == "datetime":
        return value.isoformat()
    if tag == "date":
        return value.isoformat()
    if tag == "bytes":
        return base64.b64encode(value).decode("ascii")
    return value


def decode(value, tag: str):
    """The Python value of a backup's JSON value, for binding with TYPES[tag]."""
    if value is None or tag == "json":
        return value
    if tag == "datetime":
        return dt.datetime.fromisoformat(value)
    if tag == "date":
        return dt.date.fromisoformat(value)
    if tag == "bytes":
        return base64.b64decode(value)
    return value


def dumps(value) -> bytes:
    """One line of a backup."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8") + b"\n"


class Writer:
    """Writes a backup to an open binary file, keeping the checksums."""

    def __init__(self, raw, header: Header):
        self.file = gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=6, mtime=0)
        self.whole = hashlib.sha256()
        self.table = None
        self.rows = 0
        self._write(header.as_json())

    def _write(self, value, table_digest=None):
        line = dumps(value)
        self.whole.update(line)
        if table_digest is not None:
            table_digest.update(line)
        self.file.write(line)

    def begin_table(self, name: str) -> None:
        self._write({"table": name})
        self.table, self.rows, self.digest = name, 0, hashlib.sha256()

    def row(self, values: list) -> None:
        self._write(values, self.digest)
        self.rows += 1

    def end_table(self) -> None:
        self._write({"table_end": self.table, "rows": self.rows, "sha256": self.digest.hexdigest()})

    def close(self) -> None:
        self.file.write(dumps({"end": FORMAT, "sha256": self.whole.hexdigest()}))
        self.file.close()


# Reading


def _lines(path: str) -> Iterator[bytes]:
    """The lines of the decompressed file; BackupInvalid for what gzip finds wrong."""
    try:
        with gzip.open(path, "rb") as file:
            yield from file
    except EOFError as error:
        raise BackupInvalid(
            "the file is truncated: it ends before its last line (was the copy cut short?)"
        ) from error
    except (gzip.BadGzipFile, zlib.error) as error:
        raise BackupInvalid(f"the file is corrupt (its compression is damaged: {error})") from error


def _parse(line: bytes, number: int):
    try:
        return json.loads(line)
    except ValueError as error:
        raise BackupInvalid(f"the file is corrupt: line {number} is not valid JSON") from error


def _header(value, number=1) -> Header:
    if not isinstance(value, dict) or value.get("format") != FORMAT:
        raise BackupInvalid("this is not a Tribune backup (its first line names no backup format)")
    version = value.get("version")
    if version != VERSION:
        if isinstance(version, int) and version > VERSION:
            raise BackupInvalid(
                f"the backup's format version is {version}, written by a later Tribune; this "
                f"Tribune reads version {VERSION}. Restore it with that later version."
            )
        raise BackupInvalid(
            f"unknown backup format version {version!r} (this Tribune reads {VERSION})"
        )
    try:
        tables = tuple(
            TableInfo(
                name=table["name"],
                columns=tuple((name, tag) for name, tag in table["columns"]),
                primary_key=tuple(table["primary_key"]),
                deferred=tuple(table["deferred"]),
                rows=int(table["rows"]),
            )
            for table in value["tables"]
        )
        header = Header(
            created_at=value["created_at"],
            schema=value["schema"],
            source=value["source"],
            log_key_id=value["log_key_id"],
            tables=tables,
            log_plain_entries=int(value.get("log_plain_entries") or 0),
        )
    except (KeyError, TypeError, ValueError) as error:
        raise BackupInvalid(f"the file is corrupt: its header is incomplete ({error!r})") from error
    for table in tables:
        unknown = {tag for _name, tag in table.columns} - TYPES.keys()
        if unknown:
            raise BackupInvalid(
                f"table {table.name} has columns of unknown type {sorted(unknown)} "
                f"(not format version {VERSION})"
            )
    return header


def read_header(path: str) -> Header:
    """The header alone (for `backup check` and the checks before a restore)."""
    for line in _lines(path):
        return _header(_parse(line, 1))
    raise BackupInvalid("the file is empty")


def read_rows(
    path: str, on_table: Callable[[TableInfo], None] | None = None
) -> Iterator[tuple[TableInfo, list]]:
    """Every row of the backup as (table, decoded values), checking as it goes.

    Raises BackupInvalid on the first thing wrong; a caller that must change nothing on a bad
    file reads it through once (`verify`) before acting on its rows.
    """
    whole = hashlib.sha256()
    lines = enumerate(_lines(path), start=1)
    number, first = next(lines, (0, b""))
    if not first:
        raise BackupInvalid("the file is empty")
    header = _header(_parse(first, 1))
    whole.update(first)
    position = 0  # which table comes next
    table = digest = None
    count = 0
    for number, line in lines:
        value = _parse(line, number)
        if table is not None and isinstance(value, list):
            if len(value) != len(table.columns):
                raise BackupInvalid(
                    f"the file is corrupt: line {number} (table {table.name}) has {len(value)} "
                    f"values for {len(table.columns)} columns"
                )
            digest.update(line)
            whole.update(line)
            count += 1
            yield (
                table,
                [decode(v, tag) for v, (_name, tag) in zip(value, table.columns, strict=True)],
            )
            continue
        if not isinstance(value, dict):
            raise BackupInvalid(f"the file is corrupt: line {number} is out of place")
        if table is None and "table" in value:
            expected = header.tables[position].name if position < len(header.tables) else None
            if value["table"] != expected:
                raise BackupInvalid(
                    f"the file is corrupt: line {number} starts table {value['table']!r}, "
                    f"the header announces {expected!r} there"
                )
            table, digest, count = header.tables[position], hashlib.sha256(), 0
            if on_table:
                on_table(table)
        elif table is not None and value.get("table_end") == table.name:
            if count != table.rows or value.get("rows") != count:
                raise BackupInvalid(
                    f"the file is corrupt: table {table.name} holds {count} rows, "
                    f"the header announces {table.rows}"
                )
            if value.get("sha256") != digest.hexdigest():
                raise BackupInvalid(
                    f"the file is corrupt: the rows of table {table.name} do not match their "
                    "checksum"
                )
            table = None
            position += 1
        elif table is None and value.get("end") == FORMAT:
            if position != len(header.tables):
                raise BackupInvalid("the file is corrupt: it ends before its last table")
            if value.get("sha256") != whole.hexdigest():
                raise BackupInvalid("the file is corrupt: it does not match its checksum")
            if next(lines, None) is not None:
                raise BackupInvalid(f"the file is corrupt: lines follow its end (line {number})")
            return
        else:
            raise BackupInvalid(f"the file is corrupt: line {number} is out of place")
        whole.update(line)
    where = f"inside table {table.name} after {count} rows" if table else "between two tables"
    raise BackupInvalid(
        f"the file is truncated: it ends {where} (line {number}), without its end line"
    )


def verify(path: str, progress: Callable[[int], None] | None = None) -> Header:
    """Read the whole backup and check every checksum; its header, or BackupInvalid."""
    header = read_header(path)
    done = 0
    for _table, _values in read_rows(path):
        done += 1
        if progress and done % 1000 == 0:
            progress(1000)
    if progress:
        progress(done % 1000)
    return header
