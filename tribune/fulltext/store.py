"""Where the index lives on disk, who may write to it, and how readers open it.

Layout (INDEX_DIR belongs to Tribune, not to whoosh):

    INDEX_DIR/CURRENT        the name of the generation being served, e.g. "gen-20261124T2314-3f2a"
    INDEX_DIR/gen-.../       one whoosh index per generation
    INDEX_DIR.lock           the writer lock, beside the directory so deleting the index
                             directory cannot take a held lock with it

`rebuild` fills a new generation while readers keep using the current one, then swaps CURRENT
with `os.replace`, which is atomic on POSIX: a reader opens either the old index or the new one,
never a half-built one. The previous generation is kept until the next swap, so a reader that
read CURRENT just before a swap can still open what it named.

Whoosh has one write lock per index and fails (LockError) when it is taken; several web workers
writing at once would show users that error (LIBRARIES.md measured 150 failures in 200 commits).
So every writer first takes our own `flock` lock, without waiting in web requests: a process that
finds it taken skips, and the holder catches up with its work (indexer.catch_up).
"""

from __future__ import annotations

import contextlib
import fcntl
import gc
import logging
import os
import secrets
import shutil
import threading
import time
import traceback
import warnings
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from whoosh import index as whoosh_index

from tribune.fulltext.analysis import build_schema

log = logging.getLogger(__name__)

POINTER = "CURRENT"
PREFIX = "gen-"


class IndexUnavailable(Exception):
    """The index is missing or unreadable: search answers 503 until `search rebuild` runs."""


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


class _Cached:
    """One thread's open index and searcher for one generation."""

    def __init__(self, name: str, ix, searcher) -> None:
        self.name = name
        self.ix = ix
        self.searcher = searcher


# Searchers are reused between requests (opening one costs more than a small query), one per
# thread because whoosh does not promise that a searcher may be shared between threads.
_local = threading.local()


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
        """Whether a generation is being served (it may still be corrupt)."""
        current = self.current_dir()
        return current is not None and current.is_dir()

    def open_current(self):
        """The current whoosh index, for writing; IndexUnavailable if missing or unreadable."""
        current = self.current_dir()
        if current is None or not current.is_dir():
            raise IndexUnavailable(f"no search index in {self.path}")
        try:
            return whoosh_index.open_dir(os.fspath(current))
        except Exception as error:  # whoosh reports damage with many exception types
            message = f"cannot open the index in {current}: {_short(error)}"
            raise IndexUnavailable(message) from error

    def create_generation(self):
        """A new, empty index directory (not yet served): (name, whoosh index)."""
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
        name = f"{PREFIX}{stamp}-{secrets.token_hex(3)}"
        directory = self.path / name
        directory.mkdir(parents=True)
        return name, whoosh_index.create_in(os.fspath(directory), build_schema())

    def swap(self, name: str) -> None:
        """Serve generation `name` from now on (atomic), and drop all but the previous one."""
        previous = self.current_name()
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
        """A searcher on the current generation, reused across requests of this thread.

        Anything whoosh raises while opening or searching means a damaged index: the cached
        searcher is dropped and IndexUnavailable raised, so the page answers 503 and a later
        `rebuild` is picked up without restarting the server.
        """
        cache = _local.__dict__.setdefault("by_path", {})
        key = os.fspath(self.path)
        try:
            name = self.current_name()
            if name is None or not (self.path / name).is_dir():
                raise IndexUnavailable(f"no search index in {self.path}")
            cached = cache.get(key)
            # A new commit means a new searcher. Not searcher.refresh(): whoosh3 3.54 reuses
            # segment readers by segment id, keeping their old deletions, so a replaced
            # document would still match.
            if (
                cached is None
                or cached.name != name
                or cached.ix.latest_generation() != cached.searcher.reader().generation()
            ):
                _forget(cache, key)
                ix, searcher = _open_searcher(self.path / name)
                cached = cache[key] = _Cached(name, ix, searcher)
            yield cached.searcher
        except IndexUnavailable:
            _forget(cache, key)
            raise
        except Exception as error:  # a damaged index raises struct.error, EOFError, OSError, ...
            _forget(cache, key)
            failure = f"cannot read the index in {self.path}: {_short(error)}"
            log.error("%s\n%s", failure, "".join(traceback.format_exception(error)))
            raise IndexUnavailable(failure) from None


def _open_searcher(directory: Path):
    """Open an index and a searcher on it; IndexUnavailable (with the cause logged) if damaged.

    Whoosh leaves the files of a half-opened damaged segment to the garbage collector; they are
    collected here, quietly, instead of warning later from wherever collection happens to run.
    """
    failure = None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        try:
            ix = whoosh_index.open_dir(os.fspath(directory))
            return ix, ix.searcher()
        except Exception as error:  # a damaged index raises struct.error, EOFError, OSError, ...
            failure = f"cannot read the index in {directory}: {_short(error)}"
            log.error("%s\n%s", failure, "".join(traceback.format_exception(error)))
        gc.collect()
    raise IndexUnavailable(failure)


def _short(error: BaseException) -> str:
    text = repr(error)
    return text if len(text) <= 300 else text[:297] + "..."


def _forget(cache: dict, key: str) -> None:
    cached = cache.pop(key, None)
    if cached is not None:
        with contextlib.suppress(Exception):
            cached.searcher.close()


def close_searchers() -> None:
    """Close this thread's cached searchers (tests, shutdown)."""
    cache = _local.__dict__.get("by_path", {})
    for key in list(cache):
        _forget(cache, key)
