"""Writing a whole index generation at once (rebuild): less work per posting, and one segment
per process.

Less work: whoosh collects every posting of a writer in memory and, past `limitmb`, sorts them
into runs on disk that it merges back at commit. It pickles each posting on its own, which
measured 8.5 s per million postings written and read back (100k posts make 7.7 million); a
chunk of RUN_CHUNK postings per pickle takes 1.2 s. At commit it also reads each posting's
field length back from the segment's files; `_Lengths` reads each field's lengths once. The
index written is the same (tests/fulltext/test_parallel_rebuild.py compares them).

One segment per process (`parallel_segments`): each worker is forked from the rebuilding process,
reads its range of post ids straight from the database (with connections of its own) and writes
one whoosh segment into the new generation. When all have finished, this process writes the one
TOC that lists their segments, in id order, so document numbers follow post ids exactly as in a
one-process build. Nothing but progress counts and the finished segment's description travels
between processes. (whoosh.multiproc.MpWriter instead pickles every document to its workers
through temporary files: with 2 processes it used more CPU for 100k posts than one process.)

Whoosh private API: whoosh3 is pinned exactly (pyproject.toml), so these are safe to rely on;
check them when upgrading it. `SegmentWriter.pool` is replaced after construction (its
`poolclass` argument is ignored in 3.54); PostingPool's `add`, `_write_run` and `_read_run` and
SegmentWriter's `_flush_segment` are overridden with the same steps. For several segments, the
calls MpWriter itself makes with multisegment=True: `SegmentWriter(ix, _lk=False)` (several
writers fill one index at once; nobody else can open this unserved generation),
`_finalize_segment()` (write a writer's segment, no TOC), and `_close_segment()`,
`_commit_toc()`, `_finish()` (write one TOC listing them all).

Failure: a worker that raises reports it and exits; one that dies is noticed by its pipe closing.
Either way, and on Ctrl-C or any error here, the other workers are stopped (terminated, killed
after STOP_GRACE) and waited for before WorkerFailed (or the original exception) propagates, so
the caller can discard the generation knowing nothing writes to it any more. A worker whose
parent disappears (killed with SIGKILL, say) stops at its next batch; the generation left behind
is removed by the next rebuild's swap.
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import multiprocessing
import os
import pickle
import signal
import time
import traceback
import warnings
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess

from whoosh.writing import PostingPool, SegmentWriter

from tribune.fulltext import documents
from tribune.fulltext.codec import CODEC
from tribune.fulltext.indexer import COMPOUND_SEGMENTS

log = logging.getLogger(__name__)

# Seconds a worker asked to stop (SIGTERM) may take before it is killed.
STOP_GRACE = 5.0
# Postings per pickle in a posting run: a few megabytes in memory per run being merged.
RUN_CHUNK = 20_000

# Connection pools inherited from the parent (see _fresh_connections); never used, never freed.
_inherited_pools: list = []


class WorkerFailed(Exception):
    """An indexing process failed or died; the rebuild that started it stops."""


class _ChunkedPool(PostingPool):
    """whoosh's posting pool, writing its sorted runs a chunk of postings per pickle."""

    def add(self, item) -> None:
        # PostingPool.add without its per-posting type asserts (our fields are whoosh's own);
        # the same size estimate, so runs are cut where whoosh would cut them.
        fieldname, text, _docnum, _weight, value = item
        self.fieldnames.add(fieldname)
        self.currentsize += 150 + len(fieldname) + 2 * len(text) + (len(value) if value else 0)
        if self.currentsize > self.limit:
            self.save()
        self.current.append(item)

    def _write_run(self, f, items) -> None:
        items = iter(items)
        while chunk := list(itertools.islice(items, RUN_CHUNK)):
            pickle.dump(chunk, f, pickle.HIGHEST_PROTOCOL)
        f.close()

    def _read_run(self, path):
        f = self._open_run(path)
        try:
            while True:
                try:
                    # Only ever a run file this writer wrote itself, just above.
                    chunk = pickle.load(f)  # noqa: S301  # nosec B301
                except EOFError:
                    return
                yield from chunk
        finally:
            f.close()
            self._remove_run(path)


class _Lengths:
    """The per-document field lengths whoosh's add_postings asks for, read into memory once per
    field: whoosh reads them from the segment's column file once per posting."""

    def __init__(self, reader, schema, doc_count: int) -> None:
        self.reader = reader
        self.schema = schema
        self.doc_count = doc_count

    def doc_field_length_reader(self, fieldname: str):
        read = self.reader.doc_field_length_reader(fieldname)
        if fieldname not in self.schema or not self.schema[fieldname].scorable:
            return read  # no lengths stored: whoosh's constant default
        return [read(docnum) for docnum in range(self.doc_count)].__getitem__


class _BulkWriter(SegmentWriter):
    def _flush_segment(self) -> None:
        # SegmentWriter._flush_segment, with the lengths held in memory (see _Lengths).
        self.perdocwriter.close()
        reader = self.per_document_reader() if self.codec.length_stats else None
        lengths = _Lengths(reader, self.schema, self.docnum) if reader else None
        self.fieldwriter.add_postings(self.schema, lengths, self.pool.iter_postings())
        self.fieldwriter.close()
        if reader:
            reader.close()


def bulk_writer(ix, limitmb: int, lock: bool = True) -> SegmentWriter:
    """A whoosh writer for filling a new generation: the same index, written with less work.
    `lock=False` for a worker of `parallel_segments` (the generation is not served yet and every
    writer in it writes its own segment)."""
    writer = _BulkWriter(ix, _lk=lock, limitmb=limitmb, compound=COMPOUND_SEGMENTS, codec=CODEC)
    writer.pool = _ChunkedPool(writer.temp_storage(), writer.newsegment, limitmb=limitmb)
    return writer


@dataclass
class _Worker:
    number: int
    of: int
    first: int
    last: int | None
    process: BaseProcess
    channel: Connection
    posts: int = 0
    segment: object | None = None

    def __str__(self) -> str:
        last = "the end" if self.last is None else self.last
        return f"indexing process {self.number} of {self.of} (post ids {self.first} to {last})"


def parallel_segments(ix, session_factory, ranges, batch_size, limitmb, progress=None) -> int:
    """Index each (first, last) id range in a process of its own; commit their segments as the
    generation's content. Returns the number of posts indexed."""
    context = multiprocessing.get_context("fork")
    workers: list[_Worker] = []
    try:
        for number, (first, last) in enumerate(ranges, start=1):
            receiver, sender = context.Pipe(duplex=False)
            process = context.Process(
                target=_work,
                args=(ix, session_factory, first, last, batch_size, limitmb, sender, os.getpid()),
                name=f"tribune-index-{number}",
                daemon=True,  # should this process exit without stopping it, multiprocessing does
            )
            try:
                with warnings.catch_warnings():
                    # Python 3.12+ warns about fork() in a process with threads. The CLI has
                    # none; the workers only use their own connections and files.
                    warnings.simplefilter("ignore", DeprecationWarning)
                    process.start()
            except BaseException:
                receiver.close()
                raise
            finally:
                # Close our copy of the sending end at once, before the next fork: the pipe
                # then closes when this worker exits, and later workers don't inherit it.
                sender.close()
            workers.append(_Worker(number, len(ranges), first, last, process, receiver))
        _gather(workers, progress)
    finally:
        _stop(workers)
    _commit_segments(ix, [worker.segment for worker in workers])
    return sum(worker.posts for worker in workers)


def _gather(workers: list[_Worker], progress) -> None:
    """Relay progress until every worker has sent its segment; WorkerFailed if one can't."""
    busy = {worker.channel: worker for worker in workers}
    indexed = 0
    while busy:
        for channel in wait(list(busy)):
            worker = busy[channel]
            try:
                kind, value = channel.recv()
            except (EOFError, OSError):
                worker.process.join(STOP_GRACE)
                ending = _describe_exit(worker.process.exitcode)
                raise WorkerFailed(f"{worker} stopped unexpectedly ({ending})") from None
            if kind == "indexed":
                worker.posts += value
                indexed += value
                if progress is not None:
                    progress(indexed)
            elif kind == "segment":
                worker.segment = value
                del busy[channel]
            else:
                summary, details = value
                log.error("%s failed:\n%s", worker, details)
                raise WorkerFailed(f"{worker} failed: {summary}")


def _stop(workers: list[_Worker]) -> None:
    """Wait for every worker to end, terminating those still indexing (after a failure)."""
    for worker in workers:
        if worker.segment is None and worker.process.is_alive():
            worker.process.terminate()
    deadline = time.monotonic() + STOP_GRACE
    for worker in workers:
        worker.process.join(max(0.0, deadline - time.monotonic()))
        if worker.process.is_alive():
            worker.process.kill()
            worker.process.join()
        worker.channel.close()
        worker.process.close()


def _describe_exit(code: int | None) -> str:
    if code is None:
        return "did not exit"
    if code < 0:
        return f"killed by {signal.Signals(-code).name}"
    return f"exit code {code}"


def _commit_segments(ix, segments) -> None:
    """Write the generation's TOC listing the workers' segments (see the module docstring)."""
    writer = ix.writer(codec=CODEC)
    try:
        writer._close_segment()  # its own segment is empty: nothing was added to this writer
        writer._commit_toc(segments)
    except BaseException:
        writer.cancel()
        raise
    writer._finish()


# In the worker process


def _work(ix, session_factory, first, last, batch_size, limitmb, channel, parent) -> None:
    # Ctrl-C reaches every process of the terminal's process group: let the parent alone react,
    # it stops the workers itself (SIGTERM, which ends a worker at once whatever handler the
    # parent had installed).
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    try:
        _fresh_connections(session_factory)
        writer = bulk_writer(ix, limitmb, lock=False)

        def report(step: int) -> None:
            if os.getppid() != parent:
                raise WorkerFailed("the rebuilding process is gone")
            channel.send(("indexed", step))

        documents.add_range(writer, session_factory, batch_size, first, last, report)
        # Not writer.commit() nor cancel(): both end in _finish(), which deletes the temporary
        # directory the other workers' posting runs share. The parent cleans up instead.
        channel.send(("segment", writer._finalize_segment()))
    except BaseException as error:
        summary = f"{type(error).__name__}: {error}"
        with contextlib.suppress(OSError):
            channel.send(("failed", (summary[:500], traceback.format_exc())))
        raise SystemExit(1) from None
    finally:
        channel.close()


def _fresh_connections(session_factory) -> None:
    """Give this forked process a connection pool of its own.

    The inherited pool holds the parent's open connections. `dispose(close=False)` replaces it
    without touching them, and the old pool is kept referenced so that garbage collection never
    closes them from here either: a PostgreSQL connection closed here would end the parent's
    session, and SQLite warns against closing a database across fork().
    """
    with session_factory() as session:
        engine = session.get_bind()
    _inherited_pools.append(engine.pool)
    engine.dispose(close=False)
