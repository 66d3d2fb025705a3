"""registers/pg_arrays.py packs arrays in PostgreSQL's binary array layout ("dimensions, then
each element's length and value, all big-endian"). Read back here by the layout itself; on
PostgreSQL every write of marks in the suite sends them (registers/bulk.py)."""

from __future__ import annotations

import struct

from muster.registers import pg_arrays


def unpack(payload: bytes) -> tuple[int, list[bytes]]:
    ndim, has_null, oid, n, lower = struct.unpack_from(">iiiii", payload)
    assert (ndim, has_null, lower) == (1, 0, 1)
    at, items = 20, []
    for _ in range(n):
        (size,) = struct.unpack_from(">i", payload, at)
        items.append(payload[at + 4 : at + 4 + size])
        at += 4 + size
    assert at == len(payload)
    return oid, items


def test_bigints_are_eight_bytes_each_after_their_length():
    oid, items = unpack(pg_arrays.int8_array([1, -2, 2**40]).payload)
    assert oid == pg_arrays.INT8
    assert [struct.unpack(">q", i)[0] for i in items] == [1, -2, 2**40]


def test_integers_are_four_bytes_each():
    oid, items = unpack(pg_arrays.int4_array([0, 731]).payload)
    assert oid == pg_arrays.INT4
    assert [struct.unpack(">i", i)[0] for i in items] == [0, 731]


def test_byte_strings_of_any_length_keep_their_bytes_and_order():
    values = [b"\x01", b"", bytes(range(256)) * 3, b"\x00\x00", b"/"]
    oid, items = unpack(pg_arrays.bytea_array(values).payload)
    assert oid == pg_arrays.BYTEA
    assert items == values


def test_an_empty_array_is_just_its_header():
    assert unpack(pg_arrays.bytea_array([]).payload) == (pg_arrays.BYTEA, [])
    assert unpack(pg_arrays.int8_array([]).payload) == (pg_arrays.INT8, [])
