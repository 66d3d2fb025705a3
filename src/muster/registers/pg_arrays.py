"""Array parameters for PostgreSQL, packed by numpy in its binary array format.

psycopg dumps a list element by element in Python, which took over a second for the three
100,000-element arrays of a morning's update (issue 9). These wrappers hold the packed bytes
(PostgreSQL's `array_send` layout: dimensions, then each element's length and value, all
big-endian) and a dumper that hands them over as they are; bind them with `%b`.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import psycopg
from psycopg.adapt import Dumper

INT8, INT4, BYTEA = 20, 23, 17
ARRAY_OID = {INT8: 1016, INT4: 1007, BYTEA: 1001}


class PackedArray:
    element_oid: int

    def __init__(self, payload: bytes):
        self.payload = payload


class Int8Array(PackedArray):
    element_oid = INT8


class Int4Array(PackedArray):
    element_oid = INT4


class ByteaArray(PackedArray):
    element_oid = BYTEA


def _header(element_oid: int, n: int) -> bytes:
    return np.array([1, 0, element_oid, n, 1], dtype=">i4").tobytes()


def int8_array(values) -> Int8Array:
    return Int8Array(_fixed(INT8, np.asarray(values, dtype=">i8")))


def int4_array(values) -> Int4Array:
    return Int4Array(_fixed(INT4, np.asarray(values, dtype=">i4")))


def _fixed(element_oid: int, values: np.ndarray) -> bytes:
    items = np.empty(len(values), dtype=[("size", ">i4"), ("value", values.dtype)])
    items["size"] = values.dtype.itemsize
    items["value"] = values
    return _header(element_oid, len(values)) + items.tobytes()


def bytea_array(values: Sequence[bytes]) -> ByteaArray:
    n = len(values)
    sizes = np.fromiter(map(len, values), dtype=np.int64, count=n)
    data = np.frombuffer(b"".join(values), dtype=np.uint8)
    out = np.empty(len(data) + 4 * n, dtype=np.uint8)
    starts = np.cumsum(sizes) - sizes + 4 * np.arange(n)  # where each element's length goes
    out[starts[:, None] + np.arange(4)] = sizes.astype(">i4").view(np.uint8).reshape(n, 4)
    out[np.arange(len(data)) + np.repeat(starts + 4 - (np.cumsum(sizes) - sizes), sizes)] = data
    return ByteaArray(_header(BYTEA, n) + out.tobytes())


def _dumper(array_type: type[PackedArray]) -> type[Dumper]:
    class PackedDumper(Dumper):
        format = psycopg.pq.Format.BINARY
        oid = ARRAY_OID[array_type.element_oid]

        def dump(self, obj: PackedArray) -> bytes:
            return obj.payload

    return PackedDumper


def register(cursor: psycopg.Cursor) -> psycopg.Cursor:
    for array_type in (Int8Array, Int4Array, ByteaArray):
        cursor.adapters.register_dumper(array_type, _dumper(array_type))
    return cursor
