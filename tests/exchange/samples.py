"""Invented test data shared by the exchange and register tests.

UPNs are built with the check letter of formats.md ("The UPN check letter"), computed by
`stdnum.gb.upn` as formats.md asks; every name is invented.
"""

from __future__ import annotations

import csv
import io

from stdnum.gb import upn as upn_check

ALPHABET = "ABCDEFGHJKLMNPQRTUVWXYZ"


def upn(serial: int, *, la: str = "802", establishment: str = "4000", year: str = "25") -> str:
    """A valid permanent UPN: check letter, LA, establishment, year of allocation, serial."""
    body = f"{la}{establishment}{year}{serial:03d}"
    assert len(body) == 12
    return upn_check.calc_check_digit(body) + body


def with_wrong_check_letter(value: str) -> str:
    right = value[0]
    wrong = ALPHABET[(ALPHABET.index(right) + 1) % len(ALPHABET)]
    return wrong + value[1:]


def csv_text(header: list[str] | tuple[str, ...], rows) -> str:
    """A CSV file's text: the header, then one line per row (None is an empty field)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow(["" if v is None else v for v in row])
    return buffer.getvalue()
