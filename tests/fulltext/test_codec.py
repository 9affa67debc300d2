"""codec.py's posting blocks hold exactly what whoosh's W3 blocks hold.

(Whole indexes written both ways are compared posting by posting in test_parallel_rebuild.py,
and searched both ways in test_evaluation.py.)"""

import pickle
import zlib
from array import array

import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from whoosh.codec.whoosh3 import W3Codec
from whoosh.filedb.filestore import RamStorage
from whoosh.query import Phrase, Term

from tribune.fulltext import evaluation
from tribune.fulltext.analysis import analyzer_for, build_schema, text_fields
from tribune.fulltext.codec import CODEC, Block, TribuneCodec, encode_block

GAPS = st.lists(st.integers(min_value=1, max_value=70_000), min_size=1, max_size=128)
WEIGHTS = st.one_of(
    st.just("ones"),
    st.floats(min_value=0.5, max_value=1e4, width=32).map(lambda w: ("constant", w)),
    st.lists(st.integers(min_value=1, max_value=70_000), min_size=128, max_size=128),
    st.lists(st.floats(min_value=0.25, max_value=1e6, width=32), min_size=128, max_size=128),
)


@given(st.integers(min_value=0, max_value=2**31), GAPS, WEIGHTS, st.booleans())
def test_a_block_reads_back_as_written(first, gaps, weights, with_values):
    ids = np.cumsum([first, *gaps[1:]]).tolist()
    if weights == "ones":
        weights = [1.0] * len(ids)
    elif isinstance(weights, tuple):
        weights = [weights[1]] * len(ids)
    # whoosh keeps weights as float32 (array "f"), as written here.
    weights = array("f", weights[: len(ids)])
    values = tuple(bytes([n % 256]) * (n % 7) for n in ids) if with_values else None
    block = Block(encode_block(ids, weights, values))
    assert block.ids.tolist() == ids
    assert block.weights.tolist() == list(weights)
    assert block.values() == values


def test_a_block_takes_about_the_room_of_whooshs():
    ids = list(range(1000, 1384, 3))
    values = tuple(b"\x00\x00\x00\x01" + bytes([n % 50]) for n in ids)
    deltas = tuple(np.diff(ids, prepend=0).tolist())
    whoosh = zlib.compress(pickle.dumps((deltas, None, values), 2), 3)
    ours = encode_block(ids, array("f", [1.0] * len(ids)), values)
    # One byte per id delta and no weights: the ids uncompressed cost about what they did.
    assert len(ours) < len(whoosh) * 1.15


def test_merging_whooshs_segments_with_ours_keeps_every_match():
    """An index from before codec.py gains segments of ours; a merge rewrites them all in it."""
    index = RamStorage().create_index(build_schema())
    bodies = ["جمهوری لائیک و کانون‌های شورا", "شوراها می شود", "die Republik und Wahlen", "x y"]
    for n, codec in enumerate([None, None, CODEC]):
        writer = index.writer(codec=codec)
        for k in range(40):
            body = f"{bodies[k % 4]} {'جمهوری ' * (k % 3)}"
            writer.add_document(post_id=f"{n}-{k}", thread_id=k, **text_fields("fa", "", body))
        writer.commit(merge=False)
    phrase = [token.text for token in analyzer_for("fa")("جمهوری لائیک", mode="query")]
    queries = [Term("body", "جمهوری"), Term("body", "شورا"), Phrase("body", phrase)]

    def results():
        with index.searcher() as searcher:
            found = []
            for query in queries:
                hits = searcher.search(query, limit=None)
                found.append(sorted((hit["post_id"], round(hit.score, 9)) for hit in hits))
            matches = evaluation.evaluate(evaluation.snapshot(searcher), queries[0])
            return found, len(matches.ids)

    before = results()
    assert {type(s.codec()) for s in index._segments()} == {W3Codec, TribuneCodec}
    writer = index.writer(codec=CODEC)
    writer.commit(optimize=True)
    assert [type(s.codec()) for s in index._segments()] == [TribuneCodec]
    assert results() == before
    assert all(before[0])
