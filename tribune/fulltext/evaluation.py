"""Evaluate a search over the whole index at once: postings as arrays, BM25 in numpy.

Whoosh evaluates a query document by document through a tree of Python matcher objects, about
5 us per matching document and field; block-max skipping, its way out, rarely skips anything for
BM25 on frequent words (measured: 124 blocks skipped over 200 one-word queries at 100k posts).
A word that half the posts contain therefore cost hundreds of milliseconds. Here a query is
evaluated term at a time instead: each term's posting list is read block by block from whoosh's
own files (the ids and weights arrays whoosh stores), scored with numpy, and combined as
boolean masks and score arrays over every document of the index. The index format, the
analyzers, the writers and the query objects stay whoosh's; only the matching loop moves.

Scores are whoosh's BM25F exactly (same idf, average field length, length bytes, K1 and B), so
the ranking is the one `searcher.search` gives, ties going to the lower document number;
tests/fulltext/test_evaluation.py checks that against whoosh on every query shape.

What a query can be is the closed set `querylang` builds: Term, Phrase, Or, And, AndNot,
DateRange and NullQuery. Terms on non-text fields (thread_id, filters) only restrict; they add
no score, as they would add the same amount to every match.

Deleted documents (replaced or hidden posts) are removed by the `live` mask, never by the
posting lists, which still hold them until a merge.

This reads whoosh3's posting blocks through attributes of its W3 codec (`_read_data`, `_data`,
`_next_block`, `_lastblock`, `_byteids`, the segment reader's `_terms`) and its numeric columns
(`_perdoc`, the column reader's file offsets) directly. whoosh3 is pinned exactly
(pyproject.toml); a version change must pass tests/fulltext/test_evaluation.py first.
"""

from __future__ import annotations

import pickle  # nosec B403 - whoosh's own index files, read as whoosh reads them
import threading
from collections import OrderedDict
from dataclasses import dataclass
from itertools import chain

import numpy as np
import numpy.ma  # noqa: F401 - np.unique imports it on first use (20 ms): at start-up instead
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3LeafMatcher
from whoosh.columns import NumericColumn
from whoosh.fields import DATETIME
from whoosh.formats import Positions
from whoosh.query import And, AndNot, DateRange, NullQuery, Or, Phrase, Query, Term
from whoosh.reading import TermNotFound
from whoosh.scoring import BM25F
from whoosh.system import _INT_SIZE
from whoosh.util.numeric import byte_to_length
from whoosh.util.times import datetime_to_long

# Per-segment arrays (lengths, columns) are read once: segments never change after they are
# written, only their deletions do, and those are read per searcher. 8 bytes per document and
# array: 100k posts take about 6 MB.
SEGMENT_CACHE_BYTES = 128 * 2**20
# Decoded posting lists kept per process (16 bytes a posting: a word in a third of 100k posts
# takes about 0.5 MB).
POSTINGS_CACHE_BYTES = 64 * 2**20
ENTRY_BYTES = 200
MASK_CACHE = 32
# Checking a phrase's positions costs a few microseconds per candidate document (whoosh stores
# positions pickled per posting); past this many candidates only the best are checked.
PHRASE_BUDGET = 4000
_LENGTH_OF_BYTE = np.array([byte_to_length(b) for b in range(256)], dtype=np.float64)


class UnsupportedQuery(TypeError):
    """A query object this evaluator does not know (querylang never builds one)."""


@dataclass
class Postings:
    """One term's postings over the whole index: document numbers and weights, in order."""

    ids: np.ndarray
    weights: np.ndarray
    # Encoded positions per posting, kept only when a phrase needs them.
    values: list | None = None


@dataclass
class Matches:
    """The documents matching a query, in order, and their scores.

    coverage < 1: a phrase had more candidates than PHRASE_BUDGET and only the best of them
    (by `order`) were checked, so `ids` holds the best matches but not all of them; about
    len(ids) / coverage documents match.
    """

    ids: np.ndarray  # sorted document numbers, each once
    scores: np.ndarray  # one per id
    coverage: float = 1.0

    def mask(self, size: int) -> np.ndarray:
        """The matches as a boolean array over every document."""
        out = np.zeros(size, dtype=bool)
        out[self.ids] = True
        return out


class Snapshot:
    """What one searcher sees, as arrays over its document numbers (one per searcher)."""

    def __init__(self, searcher) -> None:
        self.searcher = searcher
        self.schema = searcher.schema
        reader = searcher.reader()
        # An empty index has an EmptyReader leaf, and a segment may hold no documents.
        self.segments = [(seg, off) for seg, off in reader.leaf_readers() if seg.doc_count_all()]
        self.size = reader.doc_count_all()
        live = np.ones(self.size, dtype=bool)
        for seg, offset in self.segments:
            if seg.has_deletions():
                deleted = np.fromiter(seg.deleted_docs_set, dtype=np.int64)
                live[deleted + offset] = False
        self.live = live
        weighting = searcher.weighting
        if not isinstance(weighting, BM25F):
            raise UnsupportedQuery(f"scoring {type(weighting).__name__} is not BM25F")
        self._weighting = weighting
        self._norms: dict[str, np.ndarray] = {}
        self._columns: dict[str, np.ndarray] = {}
        self._masks: OrderedDict[str, np.ndarray] = OrderedDict()

    # Per-document arrays

    def _segment_array(self, seg, kind: str, fieldname: str, build) -> np.ndarray:
        # Segment ids are random per segment (and generation), so they name its content.
        key = (seg.segment().segment_id(), seg.doc_count_all(), kind, fieldname)
        found = _segment_arrays.get(key)
        if found is None:
            found = build()
            _segment_arrays.put(key, (found,))
            return found
        return found[0]

    def norms(self, fieldname: str) -> np.ndarray:
        """BM25's length part, K1 * (1 - B + B * length / average), for every document."""
        found = self._norms.get(fieldname)
        if found is None:
            lengths = self._global("lengths", fieldname, _segment_lengths)
            b = self._weighting._field_B.get(fieldname, self._weighting.B)
            k1 = self._weighting.K1
            average = self.searcher.avg_field_length(fieldname) or 1
            found = self._norms[fieldname] = k1 * ((1 - b) + b * lengths / average)
        return found

    def column(self, fieldname: str) -> np.ndarray:
        """A sortable numeric column (created, thread_id) as int64, one value per document."""
        found = self._columns.get(fieldname)
        if found is None:
            found = self._columns[fieldname] = self._global("column", fieldname, _segment_column)
        return found

    def _global(self, kind: str, fieldname: str, read) -> np.ndarray:
        parts = [
            self._segment_array(seg, kind, fieldname, lambda seg=seg: read(seg, fieldname))
            for seg, _offset in self.segments
        ]
        if not parts:
            return np.zeros(0)
        return parts[0] if len(parts) == 1 else np.concatenate(parts)

    # Filters, cached as masks for the life of the searcher

    def filter_mask(self, query: Query) -> np.ndarray:
        key = repr(query)
        found = self._masks.get(key)
        if found is None:
            found = self._masks[key] = evaluate(self, query).mask(self.size) & self.live
            while len(self._masks) > MASK_CACHE:
                self._masks.popitem(last=False)
        else:
            self._masks.move_to_end(key)
        return found

    # Postings

    def cached_postings(self, fieldname: str, text) -> Postings | None:
        """The term's postings if every segment's are in the cache, else None."""
        ids, weights = [], []
        for seg, offset in self.segments:
            cached = _postings_cache.get(
                (seg.segment().segment_id(), seg.doc_count_all(), fieldname, text)
            )
            if cached is None:
                return None
            ids.append(cached[0] + offset)
            weights.append(cached[1])
        if not ids:
            return Postings(_NO_IDS, _NO_SCORES)
        return Postings(np.concatenate(ids), np.concatenate(weights))

    def postings(
        self, fieldname: str, text, values: bool = False, within: np.ndarray | None = None
    ) -> Postings:
        """All postings of one term across the segments (deleted documents included).

        `within`: the only documents that matter, sorted (see _Plan.within); posting blocks
        holding none of them are skipped unread, so some postings outside them may be missing.
        """
        ids, weights, encoded = [], [], [] if values else None
        for seg, offset in self.segments:
            key = (seg.segment().segment_id(), seg.doc_count_all(), fieldname, text)
            cached = None if values else _postings_cache.get(key)
            if cached is not None:
                ids.append(cached[0] + offset)
                weights.append(cached[1])
                continue
            # The segment's raw postings: seg.postings() would wrap them in a FilterMatcher
            # for its deletions, which reads the first block at once (see Snapshot.live).
            try:
                matcher = seg._terms.matcher(
                    fieldname, seg._text_to_bytes(fieldname, text), seg.schema[fieldname].format
                )
            except TermNotFound:
                _postings_cache.put(key, (_NO_IDS, _NO_SCORES))
                continue
            local = None
            if within is not None:
                bounds = np.searchsorted(within, (offset, offset + seg.doc_count_all()))
                local = within[bounds[0] : bounds[1]] - offset
            read = _read_matcher(matcher, local, values)
            if read.complete:
                _postings_cache.put(key, (read.ids, read.weights))
            ids.append(read.ids + offset)
            weights.append(read.weights)
            if values:
                encoded.extend(read.values)
        if not ids:
            return Postings(_NO_IDS, _NO_SCORES, [] if values else None)
        return Postings(
            np.concatenate(ids) if len(ids) > 1 else ids[0],
            np.concatenate(weights) if len(weights) > 1 else weights[0],
            encoded,
        )


class _ArrayCache:
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


_segment_arrays = _ArrayCache(SEGMENT_CACHE_BYTES)
# Decoded posting lists of recently searched words, per segment: unpickling whoosh's blocks is
# most of a search's cost, and readers' words recur. Segments never change, so entries never go
# stale; a new segment has new keys.
_postings_cache = _ArrayCache(POSTINGS_CACHE_BYTES)


@dataclass
class _Read:
    """One segment's postings of a term: local ids, weights, encoded values if asked."""

    ids: np.ndarray
    weights: np.ndarray
    values: list
    complete: bool


def _numeric_column(perdoc, name: str, column, count: int) -> np.ndarray:
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


def _segment_lengths(seg, fieldname: str) -> np.ndarray:
    codes = _numeric_column(seg._perdoc, f"_{fieldname}_len", LENGTHS_COLUMN, seg.doc_count_all())
    return _LENGTH_OF_BYTE[codes.astype(np.uint8)]


def _segment_column(seg, fieldname: str) -> np.ndarray:
    field = seg.schema[fieldname]
    values = _numeric_column(seg._perdoc, fieldname, field.column_type, seg.doc_count_all())
    if isinstance(field, DATETIME):
        # DATETIME columns hold datetime_to_long() values as they are.
        return values.astype(np.int64)
    # Other numeric columns hold whoosh's "sortable" form: signed 64-bit numbers shifted by
    # 2**63 (whoosh.util.numeric.to_sortable), i.e. with the top bit flipped.
    if not (field.numtype is int and field.bits == 64 and field.signed):
        raise UnsupportedQuery(f"column {fieldname} is not a signed 64-bit integer")
    return (values ^ np.uint64(1 << 63)).view(np.int64)


def _read_matcher(matcher, within: np.ndarray | None, values: bool) -> _Read:
    """Read a segment's postings block by block (whoosh stores each block as a pickled tuple
    of delta-coded ids, weights and encoded values). `within`: as in Snapshot.postings, in
    this segment's document numbers."""
    ids, weights, encoded = [], [], []
    complete = True
    if type(matcher) is W3LeafMatcher:
        previous = -1  # the last document id of the previous block
        while matcher.is_active():
            last = matcher._maxid
            if within is not None and not _any_between(within, previous, last):
                # No document that matters in (previous, last]: skip the block unread.
                complete = False
            else:
                if matcher._data is None:
                    matcher._read_data()
                raw_ids, raw_weights, raw_values = matcher._data
                block = np.array(raw_ids, dtype=np.int64)
                if not matcher._byteids:
                    block = np.cumsum(block)
                ids.append(block)
                if raw_weights is None:
                    weights.append(np.ones(len(block)))
                elif isinstance(raw_weights, float):
                    weights.append(np.full(len(block), raw_weights))
                else:
                    weights.append(np.array(raw_weights, dtype=np.float64))
                if values:
                    encoded.extend(raw_values)
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
        return _Read(_NO_IDS, _NO_SCORES, encoded, complete)
    return _Read(
        np.concatenate(ids) if len(ids) > 1 else ids[0],
        np.concatenate(weights) if len(weights) > 1 else weights[0],
        encoded,
        complete,
    )


def _any_between(sorted_ids: np.ndarray, low: int, high: int) -> bool:
    """Whether any of `sorted_ids` is in (low, high]."""
    index = int(np.searchsorted(sorted_ids, low, side="right"))
    return index < len(sorted_ids) and sorted_ids[index] <= high


# Evaluation


@dataclass
class _Plan:
    """How phrases are checked: which candidates first (`order`, one value per document,
    higher first, or their own score when None) and how many at most (`budget`, None for all).

    `within`: when only some documents matter (the other side of an AND has ruled out the
    rest), those documents, sorted, so posting blocks without any can be skipped. Matches are
    then exact only among them.
    """

    order: np.ndarray | None
    budget: int | None
    within: np.ndarray | None = None

    def inside(self, ids: np.ndarray) -> _Plan:
        return _Plan(self.order, self.budget, ids)


def evaluate(
    snapshot: Snapshot,
    query: Query,
    order: np.ndarray | None = None,
    budget: int | None = PHRASE_BUDGET,
) -> Matches:
    """The documents matching `query` and their BM25F scores (deleted ones not yet removed).

    A phrase with more than `budget` candidate documents has only the best of them checked
    (see Matches.coverage): by `order` (one value per document, higher first, e.g. creation
    times for "newest") or else by the phrase's own score, which keeps the top of a relevance
    ranking exact. budget=None checks every candidate.

    Matches are kept as sorted document numbers with their scores, so a query costs what its
    posting lists hold, not the size of the index.
    """
    return _evaluate(snapshot, query, _Plan(order, budget))


def _evaluate(snapshot: Snapshot, query: Query, plan: _Plan) -> Matches:
    if query is NullQuery:
        return _empty()
    kind = type(query)
    if kind is Term:
        return _term(snapshot, query, plan)
    if kind is Phrase:
        return _phrase(snapshot, query, plan)
    if kind is Or:
        return _union([_evaluate(snapshot, part, plan) for part in query.subqueries])
    if kind is And:
        return _intersect(snapshot, query.subqueries, plan)
    if kind is AndNot:
        positive = _evaluate(snapshot, query.a, plan)
        if not len(positive.ids):
            return positive
        # Only the positive side's documents matter to the exclusion; and excluding only
        # some of a phrase's matches would let the others through: no budget there.
        negative = _evaluate(snapshot, query.b, _Plan(None, None, positive.ids))
        keep = ~np.isin(positive.ids, negative.ids, assume_unique=True)
        return Matches(positive.ids[keep], positive.scores[keep], positive.coverage)
    if kind is DateRange:
        return _date_range(snapshot, query)
    raise UnsupportedQuery(f"cannot evaluate {query!r}")


_NO_IDS = np.zeros(0, dtype=np.int64)
_NO_SCORES = np.zeros(0)


def _empty() -> Matches:
    return Matches(_NO_IDS, _NO_SCORES)


def _intersect(snapshot: Snapshot, queries, plan: _Plan) -> Matches:
    """AND: the rarest part first; each next one is read only where the ones before matched,
    and not at all once nothing is left."""
    reader = snapshot.searcher.reader()
    out = None
    for query in sorted(queries, key=lambda query: query.estimate_size(reader)):
        part = _evaluate(snapshot, query, plan)
        if out is None:
            out = part
        else:
            ids, left, right = np.intersect1d(
                out.ids, part.ids, assume_unique=True, return_indices=True
            )
            scores = out.scores[left] + part.scores[right]
            out = Matches(ids, scores, min(out.coverage, part.coverage))
        if not len(out.ids):
            return out
        plan = plan.inside(out.ids)
    return out if out is not None else _empty()


def _union(parts: list[Matches]) -> Matches:
    """OR: every part's documents, their scores added."""
    parts = [part for part in parts if len(part.ids)]
    if len(parts) <= 1:
        return parts[0] if parts else _empty()
    coverage = min(part.coverage for part in parts)
    ids, where = np.unique(np.concatenate([part.ids for part in parts]), return_inverse=True)
    scores = np.bincount(
        where, weights=np.concatenate([part.scores for part in parts]), minlength=len(ids)
    )
    return Matches(ids, scores, coverage)


def _field(snapshot: Snapshot, fieldname: str):
    # whoosh's Schema has no get(); a missing field means an index older than the schema.
    try:
        return snapshot.schema[fieldname]
    except KeyError:
        return None


def _scored(snapshot: Snapshot, fieldname: str) -> bool:
    field = _field(snapshot, fieldname)
    return field is not None and field.scorable


def _term_scores(snapshot: Snapshot, fieldname: str, text, postings: Postings) -> np.ndarray:
    idf = snapshot.searcher.idf(fieldname, text)
    k1 = snapshot._weighting.K1
    weights = postings.weights
    norms = snapshot.norms(fieldname)[postings.ids]
    return idf * (weights * (k1 + 1)) / (weights + norms)


def _term(snapshot: Snapshot, query: Term, plan: _Plan) -> Matches:
    if query.fieldname not in snapshot.schema:
        return _empty()
    postings = snapshot.postings(query.fieldname, query.text, within=plan.within)
    if not len(postings.ids):
        return _empty()
    if _scored(snapshot, query.fieldname):
        scores = _term_scores(snapshot, query.fieldname, query.text, postings)
    else:
        scores = np.zeros(len(postings.ids))
    return Matches(postings.ids, scores)


def _phrase(snapshot: Snapshot, query: Phrase, plan: _Plan) -> Matches:
    """Documents where the words follow each other (whoosh's slop=1), scored as their sum.

    Candidates are the live documents holding every word (from the postings cache, without
    positions); past the budget only the best are kept. Positions are then read only from
    the blocks holding a candidate and compared as (document, position - i) keys of word i:
    a key common to all words is a phrase.
    """
    fieldname = query.fieldname
    if fieldname not in snapshot.schema or not query.words:
        return _empty()
    if query.slop != 1:
        raise UnsupportedQuery("only exact phrases (slop=1) are evaluated")
    # Rarest word first; the others are read only where the words so far all occur.
    reader = snapshot.searcher.reader()
    rarest_first = sorted(query.words, key=lambda word: reader.doc_frequency(fieldname, word))
    candidates, scores = None, None
    within = plan.within
    # Words not in the postings cache are read with their positions at once (a common word's
    # blocks are then read once, not twice); cached ones need positions only for candidates.
    with_positions: dict[str, Postings] = {}
    # A repeated word counts once per occurrence in the score, as in whoosh's.
    for word in rarest_first:
        part = with_positions.get(word) or snapshot.cached_postings(fieldname, word)
        if part is None:
            part = snapshot.postings(fieldname, word, values=True, within=within)
            with_positions[word] = part
        if not len(part.ids):
            return _empty()
        part_scores = _term_scores(snapshot, fieldname, word, part)
        if candidates is None:
            live = snapshot.live[part.ids]
            candidates, scores = part.ids[live], part_scores[live]
        else:
            candidates, left, right = np.intersect1d(
                candidates, part.ids, assume_unique=True, return_indices=True
            )
            scores = scores[left] + part_scores[right]
        if not len(candidates):
            return _empty()
        within = candidates
    coverage = 1.0
    if plan.budget is not None and len(candidates) > plan.budget:
        priority = scores if plan.order is None else plan.order[candidates]
        best = np.sort(np.argsort(-priority, kind="stable")[: plan.budget])
        coverage = plan.budget / len(candidates)
        candidates, scores = candidates[best], scores[best]
    positions = {
        word: _positions(snapshot, fieldname, word, candidates, with_positions.get(word))
        for word in rarest_first
    }
    common = None
    for shift, word in enumerate(query.words):
        counts, flat = positions[word]
        flat = flat - shift
        docs = np.repeat(candidates, counts)
        keep = flat >= 0
        keys = (docs[keep] << 32) | flat[keep]
        common = keys if common is None else np.intersect1d(common, keys)
        if not len(common):
            return _empty()
    matched = np.isin(candidates, common >> 32)
    return Matches(candidates[matched], scores[matched], coverage)


def _positions(snapshot: Snapshot, fieldname: str, word, docs: np.ndarray, part: Postings | None):
    """(counts, positions) of `word` in each of `docs` (sorted, all holding it): how many
    positions each document has, and all of them in document order. `part`: the word's
    postings already read with their values, if they were."""
    if part is None:
        part = snapshot.postings(fieldname, word, values=True, within=docs)
    values = part.values
    chosen = np.searchsorted(part.ids, docs).tolist()
    if type(snapshot.schema[fieldname].format) is not Positions:  # pragma: no cover
        decode = snapshot.schema[fieldname].format.decode_positions
        lists = [decode(values[index]) for index in chosen]
        counts = np.fromiter(map(len, lists), dtype=np.int64, count=len(lists))
        flat = np.fromiter(chain.from_iterable(lists), dtype=np.int64, count=counts.sum())
        return counts, flat
    # Positions.decode_positions, for many values at once: each is a 4-byte count and a
    # pickled list of deltas (its pickle STOP byte may have been stripped).
    deltas = []
    for index in chosen:
        value = values[index]
        if not value.endswith(b"."):
            value += b"."
        # Our own index's positions, unpickled exactly as whoosh's decode_positions does.
        deltas.append(pickle.loads(value[_INT_SIZE:]))  # noqa: S301  # nosec B301
    counts = np.fromiter(map(len, deltas), dtype=np.int64, count=len(deltas))
    running = np.cumsum(np.fromiter(chain.from_iterable(deltas), dtype=np.int64))
    # Each document's deltas start again from 0: subtract the running total before it.
    before = np.concatenate(([0], running))[np.cumsum(counts) - counts]
    return counts, running - np.repeat(before, counts)


def _date_range(snapshot: Snapshot, query: DateRange) -> Matches:
    field = _field(snapshot, query.fieldname)
    if not isinstance(field, DATETIME):
        raise UnsupportedQuery(f"{query.fieldname} is not a date field")
    values = snapshot.column(query.fieldname)
    mask = np.ones(snapshot.size, dtype=bool)
    if query.startdate is not None:
        start = datetime_to_long(query.startdate)
        mask &= values > start if query.startexcl else values >= start
    if query.enddate is not None:
        end = datetime_to_long(query.enddate)
        mask &= values < end if query.endexcl else values <= end
    ids = np.flatnonzero(mask)
    return Matches(ids, np.zeros(len(ids)))


def snapshot(searcher) -> Snapshot:
    """The searcher's Snapshot, made on first use (a searcher serves one index version)."""
    found = searcher.__dict__.get("_tribune_snapshot")
    if found is None:
        found = searcher.__dict__["_tribune_snapshot"] = Snapshot(searcher)
    return found
