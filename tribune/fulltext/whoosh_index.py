"""The Whoosh backend's index on disk: its schema, its generations, its writer lock, its readers.

Only whoosh's public API is used here (index.create_in/open_dir, writers, searchers, column
readers, the documented writer arguments); nothing of its private names, so any whoosh3 release
of the range in pyproject.toml will do.

Layout (INDEX_DIR belongs to Tribune, not to whoosh):

    INDEX_DIR/CURRENT        the name of the generation being served, e.g. "gen-20261124T2314-3f2a"
    INDEX_DIR/gen-.../       one whoosh index per generation, and its FORMAT file
    INDEX_DIR.lock           the writer lock, beside the directory so deleting the index
                             directory cannot take a held lock with it

`rebuild` fills a new generation while readers keep using the current one, then swaps CURRENT
with `os.replace`, which is atomic on POSIX: a reader opens either the old index or the new one,
never a half-built one. The previous generation is kept until the next swap, so a reader that
read CURRENT just before a swap can still open what it named.

Whoosh has one write lock per index and fails (LockError) when it is taken; several web workers
writing at once would show users that error (LIBRARIES.md measured 150 failures in 200 commits).
So every writer first takes our own `flock` lock, without waiting in web requests: a process that
finds it taken skips, and the holder catches up with its work.
"""

from __future__ import annotations

import bisect
import contextlib
import fcntl
import gc
import logging
import os
import pickle
import secrets
import shutil
import struct
import threading
import time
import traceback
import warnings
import zlib
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.fields import DATETIME, ID, KEYWORD, NUMERIC, STORED, TEXT, Schema
from whoosh.reading import CorruptIndexError

from tribune.fulltext.analysis import ANALYZER_VERSION, STEM_LANGUAGES, analyzer_for
from tribune.fulltext.backend import SearchUnavailable

log = logging.getLogger(__name__)

POINTER = "CURRENT"
PREFIX = "gen-"
# What this version writes into each generation's FORMAT file: the schema's own version and the
# analyzer's. An index made by another version is not read (its fields or tokens differ): search
# answers 503 until `flask search rebuild`.
SCHEMA_VERSION = 3
FORMAT = f"tribune-index {SCHEMA_VERSION}.{ANALYZER_VERSION}"
FORMAT_FILE = "FORMAT"
# Segments are written as separate files, never as whoosh's default compound file: a searcher
# opens a compound segment by copying each of its files into memory, which costs memory and time
# after every commit. Separate files are read in place.
COMPOUND_SEGMENTS = False

# What whoosh raises when its files are damaged, truncated or gone (a merge of another process
# may remove the files of an old generation of segments before a reader opened them).
DAMAGE = (
    CorruptIndexError,
    whoosh_index.IndexError,
    OSError,
    EOFError,
    struct.error,
    zlib.error,
    pickle.UnpicklingError,
)


class IndexUnavailable(SearchUnavailable):
    """The index is missing, damaged or made by another version: 503 until `search rebuild`."""


def build_schema() -> Schema:
    """One document per text of a visible post (texts.Text), every language in one index.

    - key: "p<post id>" or "t<translation id>", unique; post: the post id as text, for deleting
      all of a post's texts at once; post_id and thread_id: numeric columns, to count each post
      once and to group results by thread; translation_id: stored (None for the post's own).
    - title (the thread's title, on the opening post only; boosted 2x) and body: the generic
      analyzer. stem_en/de/fr/nl: title and body of a text in that language, stemmed.
    - area, section (slug), author (username key), association (co-signing slugs), lang (the
      text's language), kind: filters. created: the post's date, sortable.
    Nothing is stored but what places a hit; snippets are cut from the database's text.
    """
    generic = analyzer_for("fa")
    stems = {f"stem_{lang}": TEXT(analyzer=analyzer_for(lang)) for lang in STEM_LANGUAGES}
    return Schema(
        key=ID(stored=True, unique=True),
        post=ID,
        post_id=NUMERIC(int, bits=64, stored=True, sortable=True, shift_step=0),
        thread_id=NUMERIC(int, bits=64, stored=True, sortable=True, shift_step=0),
        translation_id=STORED,
        title=TEXT(analyzer=generic, field_boost=2.0),
        body=TEXT(analyzer=generic),
        area=ID,
        section=ID,
        author=ID,
        association=KEYWORD(commas=True, lowercase=True),
        lang=ID(stored=True),
        kind=ID,
        created=DATETIME(sortable=True),
        **stems,
    )


class WriterLock:
    """An exclusive, inter-process lock on INDEX_DIR.lock (flock: also exclusive between threads,
    since each acquisition opens its own file description)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._handle = None

    def acquire(self, timeout: float = 0.0) -> bool:
        """Take the lock; wait up to `timeout` seconds (0: don't wait). True if taken."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = open(self.path, "a+b")  # noqa: SIM115 (held until release)
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    handle.close()
                    return False
                time.sleep(0.05)
            else:
                self._handle = handle
                return True

    def release(self) -> None:
        """Give the lock back."""
        if self._handle is not None:
            fcntl.flock(self._handle.fileno(), fcntl.LOCK_UN)
            self._handle.close()
            self._handle = None

    @contextlib.contextmanager
    def held(self, timeout: float = 0.0) -> Iterator[bool]:
        """`with lock.held() as taken:`; released on leaving the block."""
        taken = self.acquire(timeout)
        try:
            yield taken
        finally:
            if taken:
                self.release()


# Searchers are reused between requests (opening one costs more than a small query), one per
# thread because whoosh does not promise that a searcher may be shared between threads.
_local = threading.local()


class IndexChanged(Exception):
    """A segment's files were gone when a searcher opened them (another process merged it away
    between reading the table of contents and opening the files): open a new searcher."""


DAMAGE = (*DAMAGE, IndexChanged)
# The numeric columns a search reads for every match, and the fields whose lengths score it.
COLUMNS = ("post_id", "thread_id", "created")
LENGTHS = ("title", "body", *(f"stem_{lang}" for lang in STEM_LANGUAGES))


class Column:
    """One numeric column over every segment of a searcher, read into memory when the searcher
    opens.

    Reading a value through whoosh's column reader costs microseconds, and a search reads two
    or three per match (a common word: thousands); a list costs next to nothing. Segments never
    change once written, so each segment's values are read once per process and kept
    (`_segment_values`), and a new searcher after a commit reads only its new, small segments.
    Reading at open also closes a window: whoosh opens a segment's column file on first use
    and, if the file is gone by then (a merge in another process deleted it), silently reads
    default values instead."""

    def __init__(self, searcher, name: str) -> None:
        self._bases: list[int] = []
        self._values: list = []
        for leaf, base in searcher.reader().leaf_readers():
            if leaf.doc_count_all() == 0:
                continue
            if not leaf.has_column(name):
                raise IndexChanged(f"column {name} of a segment is gone")
            self._bases.append(base)
            self._values.append(_segment_values(leaf, name))

    def __getitem__(self, docnum: int):
        index = bisect.bisect_right(self._bases, docnum) - 1
        return self._values[index][docnum - self._bases[index]]


# {(segment id, column): values}, the newest last; old segments are merged away and forgotten.
_SEGMENT_VALUES: dict[tuple[str, str], list] = {}
_SEGMENT_VALUES_KEPT = 96
_SEGMENT_VALUES_LOCK = threading.Lock()


def _segment_values(leaf, name: str) -> list:
    segment = leaf.segment()
    key = (segment.segment_id(), name) if segment is not None else None
    with _SEGMENT_VALUES_LOCK:
        found = _SEGMENT_VALUES.get(key) if key else None
    if found is not None:
        return found
    values = list(leaf.column_reader(name))
    if key is not None:
        with _SEGMENT_VALUES_LOCK:
            _SEGMENT_VALUES[key] = values
            while len(_SEGMENT_VALUES) > _SEGMENT_VALUES_KEPT:
                _SEGMENT_VALUES.pop(next(iter(_SEGMENT_VALUES)))
    return values


class Opened:
    """A thread's searcher on one generation with its columns open; closed when forgotten, or
    when its thread ends (a threaded development server starts a thread per request)."""

    # Filters recur (area:tribune, lang:fa, a section): the documents each allows are kept for
    # as long as the searcher, which a commit replaces anyway.
    FILTERS_KEPT = 16

    def __init__(self, name: str | None, searcher) -> None:
        self.name = name
        self.searcher = searcher
        self._filters: dict[str, set[int]] = {}
        try:
            self.columns = {column: Column(searcher, column) for column in COLUMNS}
            for leaf, _base in searcher.reader().leaf_readers():
                if leaf.doc_count_all():
                    # Open the stored fields and the field lengths now too (see Column).
                    leaf.stored_fields(0)
                    for field in LENGTHS:
                        leaf.doc_field_length(0, field)
        except BaseException:
            self.close()
            raise

    def allowed(self, query) -> set[int]:
        """The documents a filter query allows (a set: whoosh's searcher takes one as filter)."""
        key = repr(query)
        found = self._filters.get(key)
        if found is None:
            if len(self._filters) >= self.FILTERS_KEPT:
                self._filters.pop(next(iter(self._filters)))
            found = self._filters[key] = set(self.searcher.docs_for_query(query))
        return found

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.searcher.close()

    def __del__(self) -> None:
        self.close()


class IndexStore:
    """The generations under INDEX_DIR, the pointer to the current one, and the writer lock."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self.lock_path = self.path.with_name(self.path.name + ".lock")

    # Generations and the pointer

    def current_name(self) -> str | None:
        """The generation being served, or None if there is none."""
        try:
            name = (self.path / POINTER).read_text(encoding="ascii").strip()
        except (FileNotFoundError, NotADirectoryError):
            return None
        except (OSError, UnicodeDecodeError) as error:
            raise IndexUnavailable(f"cannot read {self.path / POINTER}: {error}") from error
        return name if name.startswith(PREFIX) and "/" not in name else None

    def current_dir(self) -> Path | None:
        """The directory of the generation being served, or None."""
        name = self.current_name()
        return self.path / name if name else None

    def exists(self) -> bool:
        """Whether a generation is being served (it may still be damaged or outdated)."""
        current = self.current_dir()
        return current is not None and current.is_dir()

    def _checked_dir(self) -> Path:
        current = self.current_dir()
        if current is None or not current.is_dir():
            raise IndexUnavailable(f"no search index in {self.path}")
        try:
            found = (current / FORMAT_FILE).read_text(encoding="ascii").strip()
        except OSError:
            found = "an older version"
        if found != FORMAT:
            raise IndexUnavailable(
                f"the index in {current} was made by {found}, this version reads {FORMAT}"
            )
        return current

    def open_current(self):
        """The current whoosh index, for writing; IndexUnavailable if missing or unreadable."""
        current = self._checked_dir()
        try:
            return whoosh_index.open_dir(os.fspath(current))
        except DAMAGE as error:
            raise IndexUnavailable(
                f"cannot open the index in {current}: {_short(error)}"
            ) from error

    def create_generation(self):
        """A new, empty index directory (not yet served): (name, whoosh index)."""
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
        name = f"{PREFIX}{stamp}-{secrets.token_hex(3)}"
        directory = self.path / name
        directory.mkdir(parents=True)
        ix = whoosh_index.create_in(os.fspath(directory), build_schema())
        (directory / FORMAT_FILE).write_text(FORMAT + "\n", encoding="ascii")
        return name, ix

    def swap(self, name: str) -> None:
        """Serve generation `name` from now on (atomic), and drop all but the previous one."""
        previous = self.current_name()
        self.path.mkdir(parents=True, exist_ok=True)
        temporary = self.path / f".{POINTER}.{secrets.token_hex(4)}"
        with open(temporary, "w", encoding="ascii") as handle:
            handle.write(name + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, self.path / POINTER)
        self._fsync_dir()
        keep = {name, previous}
        for entry in self.path.iterdir():
            if entry.is_dir() and entry.name.startswith(PREFIX) and entry.name not in keep:
                shutil.rmtree(entry, ignore_errors=True)

    def discard(self, name: str) -> None:
        """Remove an unfinished generation (a failed rebuild)."""
        shutil.rmtree(self.path / name, ignore_errors=True)

    def _fsync_dir(self) -> None:
        fd = os.open(self.path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)

    def writer_lock(self) -> WriterLock:
        """A lock object for this index (acquire it before any whoosh writer)."""
        return WriterLock(self.lock_path)

    # Reading

    @contextlib.contextmanager
    def searcher(self) -> Iterator:
        """The current generation Opened (a searcher and its columns), reused across requests
        of this thread, and opened anew once the index has a newer commit (whoosh's own
        `up_to_date`)."""
        cache = _local.__dict__.setdefault("by_path", {})
        key = os.fspath(self.path)
        name = self.current_name()
        held = cache.get(key)
        if held is None or held.name != name or not _up_to_date(held.searcher):
            forget_searcher(self.path)
            held = cache[key] = Opened(name, _open_searcher(self._checked_dir()))
        yield held

    @contextlib.contextmanager
    def inspecting(self) -> Iterator:
        """A reader of the current generation of its own (not the cached searchers), closed
        on leaving the block: for `flask search status`."""
        searcher = _open_searcher(self._checked_dir())
        try:
            yield searcher.reader()
        finally:
            with contextlib.suppress(Exception):
                searcher.close()

    def fresh_searcher(self):
        """Forget this thread's searcher and open a new one (after a read found damage that
        a newer commit may already have repaired)."""
        forget_searcher(self.path)
        cache = _local.__dict__.setdefault("by_path", {})
        held = cache[os.fspath(self.path)] = Opened(
            self.current_name(), _open_searcher(self._checked_dir())
        )
        return held


def _up_to_date(searcher) -> bool:
    try:
        return searcher.up_to_date()
    except DAMAGE:
        return False


def _open_searcher(directory: Path):
    """Open an index and a searcher on it; IndexUnavailable (with the cause logged) if damaged."""
    return _quietly(lambda path: whoosh_index.open_dir(path).searcher(), directory)


# How many times an index is opened before it is called unreadable. A commit of another
# thread or process may merge segments and delete the files of the old ones between whoosh
# reading the table of contents and opening the segments it names: a reader then finds a
# file gone that the next table of contents no longer names (seen under load, as a 503).
OPEN_ATTEMPTS = 3


def _quietly(opener, directory: Path):
    """`opener(directory)`, or IndexUnavailable (with the cause logged) if the index is damaged.

    Whoosh leaves the files of a half-opened damaged segment to the garbage collector; they are
    collected here, quietly, instead of warning later from wherever collection happens to run.
    """
    failure = None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        for attempt in range(1, OPEN_ATTEMPTS + 1):
            try:
                return opener(os.fspath(directory))
            except DAMAGE as error:
                if attempt < OPEN_ATTEMPTS and isinstance(error, FileNotFoundError):
                    continue
                failure = f"cannot read the index in {directory}: {_short(error)}"
                log.error("%s\n%s", failure, "".join(traceback.format_exception(error)))
                break
        gc.collect()
    raise IndexUnavailable(failure)


def collect_quietly() -> None:
    """Collect what a failed read of a damaged index left open: whoosh leaves such files to the
    garbage collector, which would otherwise warn about them from wherever it next runs."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        gc.collect()


def _short(error: BaseException) -> str:
    text = repr(error)
    return text if len(text) <= 300 else text[:297] + "..."


def forget_searcher(path) -> None:
    """Close this thread's cached searcher on the index at `path`, if any."""
    held = _local.__dict__.setdefault("by_path", {}).pop(os.fspath(path), None)
    if held is not None:
        held.close()


def close_searchers() -> None:
    """Close this thread's cached searchers (tests, shutdown)."""
    for key in list(_local.__dict__.get("by_path", {})):
        forget_searcher(key)
