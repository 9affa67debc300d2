"""Whoosh's W3 codec with posting blocks whose ids and weights can be read without the rest.

W3 stores each block of up to 128 postings as one zlib-compressed pickle of (ids, weights,
values), the values being each posting's encoded positions. Reading a word's document numbers
thus decompresses and unpickles its positions too: about 50 us a block, most of a search's
time for a word not yet in the postings cache (arrays.py). Here a block's data is

    b"T1"  ids width (1/2/4)  weights kind  values kind  count (uint16)  first id (uint32)
    [the constant weight, float64]
    ids     delta-coded from the first (which has delta 0), little-endian unsigned
    weights as the kind says: none (all 1.0), constant, uint16 or float32, `count` of them
    values  whoosh's own minified values: none, fixed-size bytes, or (positions) each posting's
            bytes after a uint32 array of their lengths; zlib-compressed when that pays

so arrays.read_matcher takes ids and weights with two np.frombuffer calls, and positions are
only decompressed for a phrase, and never unpickled but per posting. Everything else is W3's:
block headers (count, last id, max weight, lengths; what block skipping reads), term infos,
inlined short lists, columns, vectors (whose byte ids keep W3's block format). The matcher
decodes this layout into the same Python values W3's does, so whoosh's own matchers, searcher
and writers (merges) work unchanged.

Segments record their codec (pickled: TribuneCodec must keep its name and module), so an index
written before keeps its W3 segments readable; new and merged segments are written with this
one. whoosh3 is pinned exactly: these classes override W3PostingsWriter._write_block and
W3LeafMatcher._read_ids/_read_weights/_read_values, and use the block attributes `_data`,
`_blocklength` and those listed in arrays.py.
"""

from __future__ import annotations

import pickle  # nosec B403 - our own index files, read as whoosh reads them
import struct
import sys
import zlib
from array import array
from itertools import accumulate

import numpy as np
from whoosh.codec.whoosh3 import (
    COMPRESSION_MIN_SIZE,
    WHOOSH3_HEADER_MAGIC,
    W3Codec,
    W3LeafMatcher,
    W3PostingsWriter,
)
from whoosh.util.numeric import length_to_byte

MAGIC = b"T1"
# magic, ids width, weights kind, values kind, count, first id
_HEADER = struct.Struct("<2sBBBHI")
_CONSTANT = struct.Struct("<d")
NO_WEIGHTS, CONSTANT, UINT16, FLOAT32 = range(4)
NO_VALUES, FIXED, VARIABLE, PICKLED = range(4)
COMPRESSED = 0x80  # in the values kind
_LENGTHS = np.dtype("<u4")
_ID_TYPES = {1: np.dtype("<u1"), 2: np.dtype("<u2"), 4: np.dtype("<u4")}
_ID_CODES = {1: "B", 2: "H", 4: "I"}


class Block:
    """One block's ids (absolute) and weights as arrays, and its values still encoded."""

    __slots__ = ("ids", "weights", "_values", "_values_kind")

    def __init__(self, data: bytes) -> None:
        magic, width, kind, values_kind, count, first = _HEADER.unpack_from(data)
        if magic != MAGIC:
            raise ValueError("not a Tribune posting block")
        at = _HEADER.size
        constant = None
        if kind == CONSTANT:
            (constant,) = _CONSTANT.unpack_from(data, at)
            at += _CONSTANT.size
        deltas = np.frombuffer(data, dtype=_ID_TYPES[width], count=count, offset=at)
        self.ids = np.cumsum(deltas, dtype=np.int64) + first
        at += count * width
        if kind == NO_WEIGHTS:
            self.weights = np.ones(count)
        elif kind == CONSTANT:
            self.weights = np.full(count, constant)
        else:
            dtype = np.dtype("<u2") if kind == UINT16 else np.dtype("<f4")
            self.weights = np.frombuffer(data, dtype=dtype, count=count, offset=at).astype(
                np.float64
            )
            at += count * dtype.itemsize
        self._values = data[at:]
        self._values_kind = values_kind

    def values(self):
        """whoosh's minified values (see W3PostingsWriter._mini_values): None, the fixed-size
        values joined, or a tuple of each posting's bytes."""
        kind = self._values_kind & ~COMPRESSED
        raw = self._values
        if self._values_kind & COMPRESSED:
            raw = zlib.decompress(raw)
        if kind == NO_VALUES:
            return None
        if kind == FIXED:
            return raw
        if kind == VARIABLE:
            count = len(self.ids)
            ends = list(accumulate(np.frombuffer(raw, dtype=_LENGTHS, count=count).tolist()))
            at = count * _LENGTHS.itemsize
            return tuple(
                raw[at + start : at + end] for start, end in zip([0, *ends], ends, strict=False)
            )
        return pickle.loads(raw)  # noqa: S301  # nosec B301 - our own index's values


def encode_block(ids, weights, values) -> bytes:
    """A block's data in this module's layout (ids ascending, weights float32, values minified).
    Plain Python and `array`: most blocks hold a handful of postings, where numpy's per-call
    cost would be most of a rebuild's time spent here."""
    first = ids[0] if len(ids) else 0
    deltas = [0, *(b - a for a, b in zip(ids, ids[1:], strict=False))] if len(ids) else []
    top = max(deltas, default=0)
    width = 1 if top < 2**8 else 2 if top < 2**16 else 4
    packed_ids = _little(array(_ID_CODES[width], deltas))
    weights = weights if isinstance(weights, array) else array("f", weights)
    extra = packed = b""
    if all(weight == 1.0 for weight in weights):
        kind = NO_WEIGHTS
    elif all(weight == weights[0] for weight in weights):
        kind, extra = CONSTANT, _CONSTANT.pack(weights[0])
    elif all(weight.is_integer() and 0 <= weight < 2**16 for weight in weights):
        kind, packed = UINT16, _little(array("H", map(int, weights)))
    else:
        kind, packed = FLOAT32, _little(array("f", weights))
    values_kind, payload = _values(values)
    if len(payload) >= COMPRESSION_MIN_SIZE:
        values_kind, payload = values_kind | COMPRESSED, zlib.compress(payload, 3)
    header = _HEADER.pack(MAGIC, width, kind, values_kind, len(deltas), first)
    return header + extra + packed_ids + packed + payload


def _values(values) -> tuple[int, bytes]:
    if values is None:
        return NO_VALUES, b""
    if isinstance(values, bytes):
        return FIXED, values
    if all(isinstance(value, bytes) for value in values):
        return VARIABLE, _little(array("I", map(len, values))) + b"".join(values)
    return PICKLED, pickle.dumps(values, 2)  # pragma: no cover - formats Tribune doesn't use


def _little(values: array) -> bytes:
    if sys.byteorder != "little":  # pragma: no cover - the layout is little-endian everywhere
        values.byteswap()
    return values.tobytes()


class TribunePostingsWriter(W3PostingsWriter):
    def _write_block(self, last: bool = False) -> None:
        if self._byteids:  # term vectors: W3's own blocks
            return super()._write_block(last)
        # W3PostingsWriter._write_block with this module's block data.
        if not self._blockcount:
            self._postfile.write(WHOOSH3_HEADER_MAGIC)
        self._terminfo.add_block(self)
        databytes = encode_block(self._ids, self._weights, self._mini_values())
        ids = self._ids
        infobytes = pickle.dumps(
            (
                len(ids),
                ids[-1],
                self._maxweight,
                0,  # W3's compression level: this data is never decompressed whole
                length_to_byte(self._minlength),
                length_to_byte(self._maxlength),
            ),
            2,
        )
        blocklength = len(infobytes) + len(databytes)
        self._postfile.write_int(-blocklength if last else blocklength)
        self._postfile.write(infobytes)
        self._postfile.write(databytes)
        self._blockcount += 1
        self._new_block()


class TribuneLeafMatcher(W3LeafMatcher):
    """W3's block matcher over this module's blocks (arrays.py reads `block()` directly)."""

    def block(self) -> Block:
        if self._data is None:
            self._data = Block(
                self._postfile.get(self._dataoffset, self._nextoffset - self._dataoffset)
            )
        return self._data

    def _read_data(self) -> None:
        self.block()

    def _read_ids(self) -> None:
        self._ids = tuple(self.block().ids.tolist())

    def _read_weights(self) -> None:
        self._weights = array("f", self.block().weights.tolist())

    def _read_values(self) -> None:
        values = self.block().values()
        fixedsize = self._fixedsize
        if fixedsize is None or fixedsize < 0:
            self._values = values
        elif fixedsize == 0:
            self._values = (None,) * self._blocklength
        else:
            self._values = tuple(
                values[i : i + fixedsize] for i in range(0, len(values), fixedsize)
            )


class TribuneCodec(W3Codec):
    """W3, with posting blocks as above. Pickled into each segment it writes (the TOC)."""

    def postings_writer(self, dbfile, byteids: bool = False):
        return TribunePostingsWriter(
            dbfile,
            blocklimit=self._blocklimit,
            byteids=byteids,
            compression=self._compression,
            inlinelimit=self._inlinelimit,
        )

    def postings_reader(self, dbfile, terminfo, format_, term=None, scorer=None):
        if terminfo.is_inlined():  # short lists live in the term info: W3's own ListMatcher
            return super().postings_reader(dbfile, terminfo, format_, term=term, scorer=scorer)
        offset, length = terminfo.extent()
        return TribuneLeafMatcher(dbfile, offset, length, format_, term=term, scorer=scorer)


CODEC = TribuneCodec()
