"""Evaluate a search over the whole index at once: postings as arrays, BM25 in numpy.

Whoosh evaluates a query document by document through a tree of Python matcher objects, about
5 us per matching document and field; block-max skipping, its way out, rarely skips anything for
BM25 on frequent words (measured: 124 blocks skipped over 200 one-word queries at 100k posts).
A word that half the posts contain therefore cost hundreds of milliseconds. Here a query is
evaluated term at a time instead: each term's posting list is read block by block from whoosh's
own files (the ids and weights arrays whoosh stores), scored with numpy, and combined as
sorted document numbers with their scores. The index format, the
analyzers, the writers and the query objects stay whoosh's; only the matching loop moves.

Scores are whoosh's BM25F exactly (same idf, average field length, length bytes, K1 and B), so
the ranking is the one `searcher.search` gives, ties going to the lower document number;
tests/fulltext/test_evaluation.py checks that against whoosh on every query shape.

What a query can be is the closed set `querylang` builds: Term, Phrase, Or, And, AndNot,
DateRange and NullQuery. Terms on non-text fields (thread_id, filters) only restrict; they add
no score, as they would add the same amount to every match.

Deleted documents (replaced or hidden posts) are removed by the `live` mask, never by the
posting lists, which still hold them until a merge.

Posting lists, lengths and columns come from whoosh's files as arrays (arrays.py).
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass

import numpy as np
import numpy.ma  # noqa: F401 - np.intersect1d imports it on first use (20 ms): at start-up instead
from whoosh.fields import DATETIME
from whoosh.query import And, AndNot, DateRange, NullQuery, Or, Phrase, Query, Term
from whoosh.scoring import BM25F
from whoosh.util.times import datetime_to_long

from tribune.fulltext import arrays
from tribune.fulltext.arrays import NO_IDS, NO_SCORES, Postings

MASK_CACHE = 32
# Checking a phrase's positions costs a few microseconds per candidate document (whoosh stores
# positions pickled per posting); past this many candidates only the best are checked.
PHRASE_BUDGET = 4000


class UnsupportedQuery(TypeError):
    """A query object this evaluator does not know (querylang never builds one)."""


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
        key = arrays.segment_key(seg, kind, fieldname)
        found = arrays.segment_arrays.get(key)
        if found is None:
            found = build()
            arrays.segment_arrays.put(key, (found,))
            return found
        return found[0]

    def norms(self, fieldname: str) -> np.ndarray:
        """BM25's length part, K1 * (1 - B + B * length / average), for every document."""
        found = self._norms.get(fieldname)
        if found is None:
            lengths = self._global("lengths", fieldname, arrays.segment_lengths)
            b = self._weighting._field_B.get(fieldname, self._weighting.B)
            k1 = self._weighting.K1
            average = self.searcher.avg_field_length(fieldname) or 1
            found = self._norms[fieldname] = k1 * ((1 - b) + b * lengths / average)
        return found

    def column(self, fieldname: str) -> np.ndarray:
        """A sortable numeric column (created, thread_id) as int64, one value per document."""
        found = self._columns.get(fieldname)
        if found is None:
            found = self._columns[fieldname] = self._global(
                "column", fieldname, arrays.segment_column
            )
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

    def doc_frequency(self, fieldname: str, text) -> int:
        """How many documents hold the term (deleted ones too), as whoosh's reader counts them:
        from the postings cache when the term's lists are there, else from whoosh's term info."""
        found = arrays.cached_frequency(self.segments, fieldname, text)
        if found is None:
            found = self.searcher.reader().doc_frequency(fieldname, text)
        return found

    def postings(
        self, fieldname: str, text, values: bool = False, within: np.ndarray | None = None
    ) -> Postings:
        """All postings of one term across the segments (deleted documents included).

        `within`: the only documents that matter, sorted (see _Plan.within); posting blocks
        holding none of them are skipped unread, so some postings outside them may be missing.
        """
        return arrays.postings(self.segments, fieldname, text, values, within)


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
    within: np.ndarray | None = None,
) -> Matches:
    """The documents matching `query` and their BM25F scores (deleted ones not yet removed).

    `within`: the only documents that may match (sorted), e.g. those a search's filters allow;
    matches outside them may be missing, and a phrase spends its budget among them.

    A phrase with more than `budget` candidate documents has only the best of them checked
    (see Matches.coverage): by `order` (one value per document, higher first, e.g. creation
    times for "newest") or else by the phrase's own score, which keeps the top of a relevance
    ranking exact. budget=None checks every candidate.

    Matches are kept as sorted document numbers with their scores, so a query costs what its
    posting lists hold, not the size of the index.
    """
    return _evaluate(snapshot, query, _Plan(order, budget, within))


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
        keep = ~_member(positive.ids, negative.ids)
        return Matches(positive.ids[keep], positive.scores[keep], positive.coverage)
    if kind is DateRange:
        return _date_range(snapshot, query)
    raise UnsupportedQuery(f"cannot evaluate {query!r}")


def _empty() -> Matches:
    return Matches(NO_IDS, NO_SCORES)


def _intersect(snapshot: Snapshot, queries, plan: _Plan) -> Matches:
    """AND: the rarest part first; each next one is read only where the ones before matched,
    and not at all once nothing is left."""
    out = None
    for query in sorted(queries, key=lambda query: _size(snapshot, query)):
        part = _evaluate(snapshot, query, plan)
        if out is None:
            out = part
        else:
            ids, left, right = _common(out.ids, part.ids)
            scores = out.scores[left] + part.scores[right]
            out = Matches(ids, scores, min(out.coverage, part.coverage))
        if not len(out.ids):
            return out
        plan = plan.inside(out.ids)
    return out if out is not None else _empty()


def _size(snapshot: Snapshot, query: Query) -> int:
    """whoosh's estimate_size of `query` (AND reads its parts smallest first), with term
    frequencies from the postings cache when it has them (whoosh reads its term tables)."""
    kind = type(query)
    if kind is Term and query.fieldname in snapshot.schema:
        return snapshot.doc_frequency(query.fieldname, query.text)
    if kind is Or:
        total = sum(_size(snapshot, part) for part in query.subqueries)
        return min(total, snapshot.searcher.reader().doc_count())
    if kind is And:
        return min(_size(snapshot, part) for part in query.subqueries)
    return query.estimate_size(snapshot.searcher.reader())


def _union(parts: list[Matches]) -> Matches:
    """OR: every part's documents, their scores added (in the parts' order, as whoosh adds)."""
    parts = [part for part in parts if len(part.ids)]
    if not parts:
        return _empty()
    out = parts[0]
    for part in parts[1:]:
        # The shorter list is looked up in the longer: a title's few postings in a body's many.
        small, big = (part, out) if len(part.ids) <= len(out.ids) else (out, part)
        where, found = _lookup(big.ids, small.ids)
        scores = big.scores.copy()
        scores[where[found]] += small.scores[found]
        new = ~found
        out = Matches(
            np.insert(big.ids, where[new], small.ids[new]),
            np.insert(scores, where[new], small.scores[new]),
            min(out.coverage, part.coverage),
        )
    return out


def _common(left: np.ndarray, right: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """np.intersect1d(left, right, assume_unique=True, return_indices=True) for sorted lists
    of unique ids: the shorter is looked up in the longer instead of sorting both together."""
    swap = len(left) > len(right)
    small, big = (right, left) if swap else (left, right)
    where, found = _lookup(big, small)
    at_small, at_big = np.flatnonzero(found), where[found]
    return small[found], *((at_big, at_small) if swap else (at_small, at_big))


def _member(ids: np.ndarray, sorted_ids: np.ndarray) -> np.ndarray:
    """np.isin(ids, sorted_ids) for a sorted `sorted_ids`."""
    return _lookup(sorted_ids, ids)[1]


def _lookup(sorted_ids: np.ndarray, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(where, found): where each of `ids` is or would go in `sorted_ids`, and whether it is
    there (binary search: the cost of `ids`, not of `sorted_ids`)."""
    where = np.searchsorted(sorted_ids, ids)
    if not len(sorted_ids):
        return where, np.zeros(len(ids), dtype=bool)
    return where, sorted_ids[np.minimum(where, len(sorted_ids) - 1)] == ids


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

    Candidates are the live documents holding every word (from ids and weights, without
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
    rarest_first = sorted(query.words, key=lambda word: snapshot.doc_frequency(fieldname, word))
    candidates, scores = None, None
    within = plan.within
    # A repeated word counts once per occurrence in the score, as in whoosh's.
    for word in rarest_first:
        # Ids and weights only (codec.py's blocks give them without their positions): the
        # positions are decoded below, from the blocks holding a final candidate.
        part = snapshot.postings(fieldname, word, within=within)
        if not len(part.ids):
            return _empty()
        part_scores = _term_scores(snapshot, fieldname, word, part)
        if candidates is None:
            keep = snapshot.live[part.ids]
            if plan.within is not None:
                # Blocks read for the documents that matter hold others too: the budget below
                # must go to the ones that matter (e.g. one thread's posts).
                keep &= _member(part.ids, plan.within)
            candidates, scores = part.ids[keep], part_scores[keep]
        else:
            candidates, left, right = _common(candidates, part.ids)
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
    positions = {word: _positions(snapshot, fieldname, word, candidates) for word in rarest_first}
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


def _positions(snapshot: Snapshot, fieldname: str, word, docs: np.ndarray):
    """(counts, positions) of `word` in each of `docs` (sorted, all holding it): how many
    positions each document has, and all of them in document order."""
    part = snapshot.postings(fieldname, word, values=True, within=docs)
    chosen = np.searchsorted(part.ids, docs).tolist()
    return arrays.decode_positions(snapshot.schema[fieldname].format, part.values, chosen)


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
