"""Complete backups of a site, and restoring one into an empty database of either kind.

A backup holds every table of the models' metadata (so a table added later is in it without
anyone remembering) except the few in EXCLUDED: sessions and derived search data. It is read in
one read transaction, so a backup of a live site is one consistent moment. The format is
documented in services/backup_format.py and docs/backup-format.md.

A restore checks the whole file first (format version, checksums, its end line), then that the
database is empty and the moderation log's key is the one the log was written with, and only
then writes: the schema at the backup's revision when the database has no tables yet, every row
with its ids in one transaction, the sequences, then migrations up to this version and the
search data derived again through the search seam. Anything wrong before the rows are written
changes nothing; a failure while writing them rolls them back (and drops the tables it built).
"""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass

from alembic.migration import MigrationContext
from flask import current_app
from sqlalchemy import Column, MetaData, Table, bindparam, func, inspect, select, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from tribune.extensions import db
from tribune.models.base import utcnow
from tribune.services import backup_format
from tribune.services.backup_format import BackupInvalid, Header, TableInfo

__all__ = ["EXCLUDED", "BackupInvalid", "NotRestorable", "create", "restore", "tables"]

# Tables a backup leaves out, and why. Everything else the models define is backed up.
EXCLUDED = {
    "user_sessions": "logged-in browsers: a restored site starts with everyone logged out",
    "search_texts": "derived search data, derived again after a restore",
    "search_changes": "the Whoosh indexer's change log, derived data",
    "search_state": "where the search backends stand, derived data",
}

BATCH = 1000
Progress = Callable[[int, int], None]  # (rows done, rows in all)


class NotRestorable(Exception):
    """The database (or this instance) cannot take the backup; nothing was changed."""


def tables() -> list[Table]:
    """The tables a backup holds, in foreign-key dependency order."""
    return [table for table in db.metadata.sorted_tables if table.name not in EXCLUDED]


def _deferred(table: Table, order: dict[str, int]) -> tuple[str, ...]:
    """Columns referring to the same table or to one restored after it."""
    names = []
    for key in table.foreign_keys:
        target = key.column.table.name
        if target in order and order[target] >= order[table.name]:
            names.append(key.parent.name)
    return tuple(sorted(set(names)))


def _describe(connection, chosen: list[Table]) -> tuple[TableInfo, ...]:
    order = {table.name: index for index, table in enumerate(chosen)}
    return tuple(
        TableInfo(
            name=table.name,
            columns=tuple((c.name, backup_format.type_tag(c)) for c in table.columns),
            primary_key=tuple(c.name for c in table.primary_key.columns),
            deferred=_deferred(table, order),
            rows=connection.scalar(select(func.count()).select_from(table)),
        )
        for table in chosen
    )


def _schema_revision(connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def _begin_snapshot(connection) -> None:
    """Start one read transaction that sees a single moment of the database."""
    if connection.dialect.name == "sqlite":
        # pysqlite opens transactions only before writes; an explicit BEGIN makes every read
        # below see the same snapshot (WAL keeps it while writers go on).
        connection.exec_driver_sql("BEGIN")
    else:
        connection.execution_options(isolation_level="REPEATABLE READ", postgresql_readonly=True)


@dataclass
class Created:
    """What `create` wrote."""

    path: str
    tables: int
    rows: int
    bytes: int


def create(path: str, progress: Progress | None = None) -> Created:
    """Write a backup of everything to `path` (mode 600), from one read transaction.

    Written beside `path` under a temporary name and renamed at the end, so a failed or
    interrupted backup never leaves a partial file under the name an operator expects.
    """
    from tribune.services.moderation_log import key_id

    chosen = tables()
    directory = os.path.dirname(os.path.abspath(path))
    handle, temporary = tempfile.mkstemp(prefix=".backup-", dir=directory)  # mode 600
    try:
        with os.fdopen(handle, "wb") as raw, db.engine.connect() as connection:
            _begin_snapshot(connection)
            header = Header(
                created_at=utcnow().isoformat(),
                schema=_schema_revision(connection),
                source=connection.dialect.name,
                log_key_id=key_id(),
                log_plain_entries=current_app.config.get("LOG_PLAIN_ENTRIES") or 0,
                tables=_describe(connection, chosen),
            )
            total, done = header.total_rows, 0
            if progress:
                progress(0, total)
            writer = backup_format.Writer(raw, header)
            for table, info in zip(chosen, header.tables, strict=True):
                writer.begin_table(table.name)
                tags = [tag for _name, tag in info.columns]
                query = (
                    select(table)
                    .order_by(*table.primary_key.columns)
                    .execution_options(stream_results=True, yield_per=BATCH)
                )
                for row in connection.execute(query):
                    writer.row([backup_format.encode(v, t) for v, t in zip(row, tags, strict=True)])
                    done += 1
                    if progress and done % BATCH == 0:
                        progress(done, total)
                writer.end_table()
            writer.close()
            connection.rollback()
        os.replace(temporary, path)
    except BaseException:
        os.unlink(temporary)
        raise
    if progress:
        progress(total, total)
    return Created(path, len(chosen), total, os.path.getsize(path))


# Restoring


@dataclass
class Restored:
    """What `restore` wrote."""

    tables: int
    rows: int
    schema_built: bool
    search_posts: int
    rows_seconds: float
    search_seconds: float


def _occupied(connection, names: list[str]) -> list[tuple[str, int]]:
    present = set(inspect(connection).get_table_names())
    found = []
    for name in names:
        if name in present:
            count = connection.scalar(select(func.count()).select_from(Table(name, MetaData())))
            if count:
                found.append((name, count))
    return found


def _check_target(header: Header) -> bool:
    """NotRestorable unless the database is empty and shaped like the backup; whether its
    schema must be built first (it has none of the backup's tables)."""
    from tribune.services.moderation_log import key_id

    if header.log_key_id != key_id() and any(
        t.name == "moderation_log" and t.rows for t in header.tables
    ):
        raise NotRestorable(
            f"this instance's moderation log key (id {key_id()}) is not the one the log was "
            f"written with (id {header.log_key_id}): copy the old instance's log_key file (or "
            "TRIBUNE_LOG_KEY) here first, or `moderation verify-log` would fail after the restore."
        )
    plain = current_app.config.get("LOG_PLAIN_ENTRIES") or 0
    if header.log_plain_entries != plain:
        raise NotRestorable(
            f"the log's first {header.log_plain_entries} entries predate its key, this instance "
            f"expects {plain}: copy the old instance's log_plain_entries file (or set "
            "TRIBUNE_LOG_PLAIN_ENTRIES) here first."
        )
    names = [table.name for table in header.tables]
    with db.engine.connect() as connection:
        occupied = _occupied(connection, names)
        if occupied:
            listed = ", ".join(f"{name} ({count} rows)" for name, count in occupied[:5])
            raise NotRestorable(
                f"the database is not empty: {listed}. A backup restores only into an empty "
                "database; create a new one (or empty this one) and restore again."
            )
        present = set(inspect(connection).get_table_names())
        if not present & set(names):
            return True
        revision = _schema_revision(connection)
        if revision != header.schema:
            raise NotRestorable(
                f"the database's schema is at revision {revision or 'none'}, the backup's at "
                f"{header.schema or 'none'}. Restore into a database without tables: Tribune "
                "then builds the backup's schema and upgrades it."
            )
        inspector = inspect(connection)
        for table in header.tables:
            if table.name not in present:
                raise NotRestorable(
                    f"the database has no table {table.name}, which the backup holds"
                )
            have = {column["name"] for column in inspector.get_columns(table.name)}
            missing = [name for name, _tag in table.columns if name not in have]
            if missing:
                raise NotRestorable(
                    f"the database's table {table.name} lacks the backup's columns {missing}"
                )
    return False


def _build_schema(header: Header) -> None:
    """Create the tables at the backup's revision (this version's models if it has none)."""
    if header.schema is None:
        db.create_all()
        return
    from flask_migrate import upgrade

    upgrade(revision=header.schema)


def _drop_schema() -> None:
    """Undo `_build_schema`: the database is as it was, without tables."""
    db.session.remove()
    with db.engine.begin() as connection:
        names = set(inspect(connection).get_table_names())
    built = [table for table in db.metadata.tables.values() if table.name in names]
    db.metadata.drop_all(db.engine, tables=built)
    with db.engine.begin() as connection:
        connection.execute(text("DROP TABLE IF EXISTS alembic_version"))


def _table(info: TableInfo) -> Table:
    """A bare table to insert the backup's rows with: its own column types, no model needed."""
    return Table(
        info.name,
        MetaData(),
        *(
            Column(name, backup_format.TYPES[tag](), primary_key=name in info.primary_key)
            for name, tag in info.columns
        ),
    )


def _load(connection, path: str, header: Header, progress: Progress | None) -> int:
    """Insert every row; deferred references are filled in once all rows are in."""
    tables = {info.name: (info, _table(info)) for info in header.tables}
    pending: list[dict] = []
    later: dict[str, list[dict]] = {}
    done, total = 0, header.total_rows
    current = None

    def flush():
        if pending:
            connection.execute(tables[current][1].insert(), pending)
            pending.clear()

    for info, values in backup_format.read_rows(path):
        if info.name != current:
            flush()
            current = info.name
        row = dict(zip((name for name, _tag in info.columns), values, strict=True))
        if info.deferred:
            own = row.get(info.primary_key[0]) if len(info.primary_key) == 1 else None
            held = {}
            for name in info.deferred:
                value = row[name]
                # A reference to an earlier row of the same table is already in place.
                if value is not None and not _already_in(info, name, value, own):
                    held[name] = value
                    row[name] = None
            if held:
                held.update({f"pk_{name}": row[name] for name in info.primary_key})
                later.setdefault(info.name, []).append(held)
        pending.append(row)
        done += 1
        if len(pending) >= BATCH:
            flush()
            if progress:
                progress(done, total)
    flush()
    for name, rows in later.items():
        info, table = tables[name]
        where = [table.c[key] == bindparam(f"pk_{key}") for key in info.primary_key]
        for column in info.deferred:
            chunk = [
                {"value": row[column], **{k: v for k, v in row.items() if k.startswith("pk_")}}
                for row in rows
                if column in row
            ]
            statement = table.update().where(*where).values({column: bindparam("value")})
            for start in range(0, len(chunk), BATCH):
                connection.execute(statement, chunk[start : start + BATCH])
    if progress:
        progress(total, total)
    return done


def _already_in(info: TableInfo, column: str, value, own) -> bool:
    """Whether a self-reference points at a row inserted before this one (rows come in
    primary-key order)."""
    return (
        own is not None
        and isinstance(value, int)
        and isinstance(own, int)
        and value < own
        and (column in _self_references(info))
    )


def _self_references(info: TableInfo) -> frozenset[str]:
    table = db.metadata.tables.get(info.name)
    if table is None:
        return frozenset()
    return frozenset(key.parent.name for key in table.foreign_keys if key.column.table is table)


def _reset_sequences(connection, header: Header) -> None:
    """Make the next id of every table follow the restored ones (PostgreSQL keeps sequences;
    SQLite takes the next rowid from the rows themselves)."""
    if connection.dialect.name != "postgresql":
        return
    for info in header.tables:
        table = _table(info)
        for name, tag in info.columns:
            if tag != "integer":
                continue
            sequence = connection.scalar(
                text("SELECT pg_get_serial_sequence(:table, :column)"),
                {"table": info.name, "column": name},
            )
            if sequence:
                highest = select(func.max(table.c[name])).scalar_subquery()
                connection.execute(
                    select(func.setval(sequence, func.coalesce(highest, 1), highest.is_not(None)))
                )


def check(path: str, progress: Callable[[int], None] | None = None) -> Header:
    """Read the whole file and check it; its header, or BackupInvalid."""
    return backup_format.verify(path, progress)


def restore(
    path: str,
    progress: Progress | None = None,
    check_progress: Callable[[int], None] | None = None,
    search_progress: Progress | None = None,
) -> Restored:
    """Restore the backup at `path` into this application's database, which must be empty.

    BackupInvalid (a bad file) or NotRestorable (a database or instance that cannot take it)
    before anything is written.
    """
    from tribune import fulltext

    header = backup_format.verify(path, check_progress)
    build = _check_target(header)
    if build:
        _build_schema(header)
    db.session.remove()
    started = time.perf_counter()
    try:
        with db.engine.begin() as connection:
            rows = _load(connection, path, header, progress)
            _reset_sequences(connection, header)
    except BaseException as error:
        if build:
            _drop_schema()
        if isinstance(error, SQLAlchemyError):
            undone = "the tables it built were removed" if build else "no row was kept"
            raise NotRestorable(
                f"the database refused a row ({getattr(error, 'orig', None) or error}); {undone}"
            ) from error
        raise
    if header.schema is not None:
        from flask_migrate import upgrade

        upgrade()  # to this version's schema (nothing to do when the backup is that recent)
    loaded = time.perf_counter()
    rebuilt = fulltext.current().rebuild(lambda: Session(db.engine), progress=search_progress)
    current_app.logger.info("restored %s rows from %s", rows, path)
    return Restored(
        len(header.tables),
        rows,
        build,
        rebuilt.posts,
        round(loaded - started, 1),
        round(time.perf_counter() - loaded, 1),
    )
