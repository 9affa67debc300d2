"""Whoosh's index files as numpy arrays: posting lists, field lengths and numeric columns.

evaluation.py evaluates queries on these. This module reads posting blocks through attributes
of whoosh3's W3 block matcher (`_maxid`, `_next_block`, `_lastblock`, `_read_data`, `_data`,
`_byteids`, the segment reader's `_terms`): codec.py's blocks as arrays, whoosh's own (segments
written before codec.py) by unpickling them. Numeric columns are read through `_perdoc` and the
column reader's file offsets. whoosh3 is pinned exactly (pyproject.toml); a version change must
pass tests/fulltext/test_evaluation.py and test_codec.py first.

Segments never change once written (only their deletions do, read per searcher), so what is
read from one is cached per process under the segment's id: lengths and columns, and decoded
posting lists of recently searched words.
"""

from __future__ import annotations

import pickle  # nosec B403 - whoosh's own index files, read as whoosh reads them
import threading
from collections import OrderedDict
from dataclasses import dataclass
from itertools import chain

import numpy as np
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3LeafMatcher
from whoosh.columns import NumericColumn
from whoosh.fields import DATETIME
from whoosh.formats import Positions
from whoosh.reading import TermNotFound
from whoosh.system import _INT_SIZE
from whoosh.util.numeric import byte_to_length

from tribune.fulltext.codec import TribuneLeafMatcher

# Per-segment arrays (lengths, columns) are read once: segments never change after they are
# written, only their deletions do, and those are read per searcher. 8 bytes per document and
# array: 100k posts take about 6 MB.
SEGMENT_CACHE_BYTES = 128 * 2**20
# Decoded posting lists kept per process (16 bytes a posting: a word in a third of 100k posts
# takes about 0.5 MB).
POSTINGS_CACHE_BYTES = 64 * 2**20
ENTRY_BYTES = 200
_PROTOCOL_2 = b"\x80\x02"
_LENGTH_OF_BYTE = np.array([byte_to_length(b) for b in range(256)], dtype=np.float64)


NO_IDS = np.zeros(0, dtype=np.int64)
NO_SCORES = np.zeros(0)


class UnsupportedColumn(TypeError):
    """A column kind these readers do not know."""


@dataclass
class Postings:
    """One term's postings over the whole index: document numbers and weights, in order."""

    ids: np.ndarray
    weights: np.ndarray
    # Encoded positions per posting, kept only when a phrase needs them.
    values: list | None = None


class ArrayCache:
    """A thread-safe LRU of arrays, bounded by their total size in bytes."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.size = 0
        self._items: OrderedDict[tuple, tuple] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key):
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
            return found

    @staticmethod
    def _size(arrays: tuple) -> int:
        # ENTRY_BYTES: what an entry costs besides its arrays (an absent word's are empty).
        return sum(array.nbytes for array in arrays) + ENTRY_BYTES

    def put(self, key, arrays: tuple) -> None:
        size = self._size(arrays)
        if size > self.limit // 2:
            return  # one huge entry would push out everything else
        with self._lock:
            if key in self._items:
                return
            self._items[key] = arrays
            self.size += size
            while self.size > self.limit and self._items:
                _key, old = self._items.popitem(last=False)
                self.size -= self._size(old)

    def keys(self) -> list:
        with self._lock:
            return list(self._items)


segment_arrays = ArrayCache(SEGMENT_CACHE_BYTES)
# Decoded posting lists of recently searched words, per segment: decoding blocks is much of a
# search's cost (unpickling, in segments of whoosh's own format), and readers' words recur.
# Segments never change, so entries never go stale; a new segment has new keys.
postings_cache = ArrayCache(POSTINGS_CACHE_BYTES)


@dataclass
class _Read:
    """One segment's postings of a term: local ids, weights, encoded values if asked."""

    ids: np.ndarray
    weights: np.ndarray
    values: list
    complete: bool


def numeric_column(perdoc, name: str, column, count: int) -> np.ndarray:
    """A whoosh NumericColumn of one segment as an array, read in one piece (its own load()
    unpacks value by value: 100 ms per 100k documents). Documents past the end of the column
    file (none were given a value) read as the column's default."""
    if not perdoc.has_column(name):
        return np.full(count, column._default, dtype=np.uint64)
    reader = perdoc.column_reader(name, column)
    if type(reader) is not NumericColumn.Reader:  # pragma: no cover - other column kinds
        return np.fromiter(iter(reader), dtype=np.uint64, count=count)
    dtype = np.dtype(reader._typecode).newbyteorder(">")
    raw = reader._dbfile.get(reader._basepos, reader._count * reader._fixedlen)
    values = np.full(count, reader._default, dtype=np.uint64)
    stored = np.frombuffer(raw, dtype=dtype)[:count]
    values[: len(stored)] = stored
    return values


def segment_lengths(seg, fieldname: str) -> np.ndarray:
    codes = numeric_column(seg._perdoc, f"_{fieldname}_len", LENGTHS_COLUMN, seg.doc_count_all())
    return _LENGTH_OF_BYTE[codes.astype(np.uint8)]


def segment_column(seg, fieldname: str) -> np.ndarray:
    field = seg.schema[fieldname]
    values = numeric_column(seg._perdoc, fieldname, field.column_type, seg.doc_count_all())
    if isinstance(field, DATETIME):
        # DATETIME columns hold datetime_to_long() values as they are.
        return values.astype(np.int64)
    # Other numeric columns hold whoosh's "sortable" form: signed 64-bit numbers shifted by
    # 2**63 (whoosh.util.numeric.to_sortable), i.e. with the top bit flipped.
    if not (field.numtype is int and field.bits == 64 and field.signed):
        raise UnsupportedColumn(f"column {fieldname} is not a signed 64-bit integer")
    return (values ^ np.uint64(1 << 63)).view(np.int64)


def _w3_block(matcher, values: bool):
    # whoosh's own block: one pickled tuple of delta-coded ids, weights and encoded values.
    if matcher._data is None:
        matcher._read_data()
    raw_ids, raw_weights, raw_values = matcher._data
    ids = np.array(raw_ids, dtype=np.int64)
    if not matcher._byteids:
        ids = np.cumsum(ids)
    if raw_weights is None:
        weights = np.ones(len(ids))
    elif isinstance(raw_weights, float):
        weights = np.full(len(ids), raw_weights)
    else:
        weights = np.array(raw_weights, dtype=np.float64)
    return ids, weights, raw_values


def _tribune_block(matcher, values: bool):
    # codec.py's block: ids and weights as arrays, values decoded only when asked for.
    block = matcher.block()
    return block.ids, block.weights, block.values() if values else None


_BLOCK_READERS = {W3LeafMatcher: _w3_block, TribuneLeafMatcher: _tribune_block}


def read_matcher(matcher, within: np.ndarray | None, values: bool) -> _Read:
    """Read a segment's postings block by block (codec.py's blocks, or whoosh's own in
    segments written before it). `within`: as in Snapshot.postings, in this segment's
    document numbers."""
    ids, weights, encoded = [], [], []
    complete = True
    decode = _BLOCK_READERS.get(type(matcher))
    if decode is not None:
        previous = -1  # the last document id of the previous block
        while matcher.is_active():
            last = matcher._maxid
            if within is not None and not any_between(within, previous, last):
                # No document that matters in (previous, last]: skip the block unread.
                complete = False
            else:
                block_ids, block_weights, block_values = decode(matcher, values)
                ids.append(block_ids)
                weights.append(block_weights)
                if values:
                    encoded.extend(block_values)
            previous = last
            if matcher._lastblock:
                break
            matcher._next_block()
    else:
        # Short posting lists are inlined in the term info and come as a ListMatcher.
        block_ids, block_weights = [], []
        while matcher.is_active():
            block_ids.append(matcher.id())
            block_weights.append(matcher.weight())
            if values:
                encoded.append(matcher.value())
            matcher.next()
        ids.append(np.array(block_ids, dtype=np.int64))
        weights.append(np.array(block_weights, dtype=np.float64))
    if not ids:
        return _Read(NO_IDS, NO_SCORES, encoded, complete)
    return _Read(
        np.concatenate(ids) if len(ids) > 1 else ids[0],
        np.concatenate(weights) if len(weights) > 1 else weights[0],
        encoded,
        complete,
    )


def any_between(sorted_ids: np.ndarray, low: int, high: int) -> bool:
    """Whether any of `sorted_ids` is in (low, high]."""
    index = int(np.searchsorted(sorted_ids, low, side="right"))
    return index < len(sorted_ids) and sorted_ids[index] <= high


def segment_key(seg, *parts) -> tuple:
    """A cache key for something read from one segment. Segment ids are random per segment (and
    generation), so with the document count they name its content."""
    return (seg.segment().segment_id(), seg.doc_count_all(), *parts)


def cached_frequency(segments, fieldname: str, text) -> int | None:
    """How many postings the term has (whoosh's doc_frequency) if every segment's are cached."""
    total = 0
    for seg, _offset in segments:
        cached = postings_cache.get(segment_key(seg, fieldname, text))
        if cached is None:
            return None
        total += len(cached[0])
    return total


def postings(
    segments, fieldname: str, text, values: bool = False, within: np.ndarray | None = None
) -> Postings:
    """All postings of one term across the segments (deleted documents included).

    `within`: the only documents that matter, sorted (see evaluation._Plan.within); posting blocks
    holding none of them are skipped unread, so some postings outside them may be missing.
    """
    ids, weights, encoded = [], [], [] if values else None
    for seg, offset in segments:
        key = segment_key(seg, fieldname, text)
        cached = None if values else postings_cache.get(key)
        if cached is not None:
            ids.append(cached[0] + offset)
            weights.append(cached[1])
            continue
        # The segment's raw postings: seg.postings() would wrap them in a FilterMatcher
        # for its deletions, which reads the first block at once (see evaluation.Snapshot.live).
        try:
            matcher = seg._terms.matcher(
                fieldname, seg._text_to_bytes(fieldname, text), seg.schema[fieldname].format
            )
        except TermNotFound:
            postings_cache.put(key, (NO_IDS, NO_SCORES))
            continue
        local = None
        if within is not None:
            bounds = np.searchsorted(within, (offset, offset + seg.doc_count_all()))
            local = within[bounds[0] : bounds[1]] - offset
        read = read_matcher(matcher, local, values)
        if read.complete:
            postings_cache.put(key, (read.ids, read.weights))
        ids.append(read.ids + offset)
        weights.append(read.weights)
        if values:
            encoded.extend(read.values)
    if not ids:
        return Postings(NO_IDS, NO_SCORES, [] if values else None)
    return Postings(
        np.concatenate(ids) if len(ids) > 1 else ids[0],
        np.concatenate(weights) if len(weights) > 1 else weights[0],
        encoded,
    )


def decode_positions(field_format, values: list, chosen: list[int]):
    """(counts, positions) of the encoded `values[i]` for i in `chosen`: how many positions
    each has, and all of them in order."""
    if type(field_format) is not Positions:  # pragma: no cover
        lists = [field_format.decode_positions(values[index]) for index in chosen]
        counts = np.fromiter(map(len, lists), dtype=np.int64, count=len(lists))
        flat = np.fromiter(chain.from_iterable(lists), dtype=np.int64, count=counts.sum())
        return counts, flat
    # Positions.decode_positions, for many values at once: each is a 4-byte count and a
    # protocol-2 pickle of its list of deltas (its STOP byte may have been stripped). The
    # pickles' bodies, one after the other inside one list, unpickle in one call: a list of
    # the lists (each body only builds its list; its memo slot is rewritten by the next).
    bodies = []
    for index in chosen:
        value = values[index]
        if value[_INT_SIZE : _INT_SIZE + 2] != _PROTOCOL_2:  # pragma: no cover - not whoosh's
            raise ValueError("positions not pickled with protocol 2")
        bodies.append(value[_INT_SIZE + 2 : -1 if value.endswith(b".") else None])
    pickled = b"".join((_PROTOCOL_2, b"(", *bodies, b"l."))
    # Our own index's positions, unpickled as whoosh's decode_positions does, all at once.
    deltas = pickle.loads(pickled)  # noqa: S301  # nosec B301
    counts = np.fromiter(map(len, deltas), dtype=np.int64, count=len(deltas))
    running = np.cumsum(np.fromiter(chain.from_iterable(deltas), dtype=np.int64))
    # Each document's deltas start again from 0: subtract the running total before it.
    before = np.concatenate(([0], running))[np.cumsum(counts) - counts]
    return counts, running - np.repeat(before, counts)
