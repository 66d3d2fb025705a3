"""Reading a CSV exchange file: UTF-8 (a BOM tolerated), a header row, free column order."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from stdnum.exceptions import InvalidChecksum, InvalidComponent, InvalidLength
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.gb import upn as upn_check

from muster.core import slots

EARLIEST_DATE, LATEST_DATE = slots.year_start(1), slots.year_end(9998)
"""The dates a register can hold: academic years 1 to 9998 (a date outside them has no slot)."""


@dataclass(frozen=True, order=True)
class RowError:
    file: str
    line: int
    column: str
    value: str
    reason: str

    def __str__(self) -> str:
        where = f"{self.file} line {self.line}"
        if self.column:
            where += f", {self.column} {self.value!r}"
        return f"{where}: {self.reason}"


class FileRejected(Exception):
    """The file was refused as a whole; nothing was changed."""

    def __init__(self, errors: list[RowError]):
        self.errors = sorted(errors)
        super().__init__(f"{len(self.errors)} error(s); nothing was changed")


@dataclass(frozen=True)
class Columns:
    required: tuple[str, ...]
    optional: tuple[str, ...] = ()


def read_rows(
    source: Path | str | io.TextIOBase,
    columns: Columns,
    *,
    name: str | None = None,
    ignore_unknown_columns: bool = False,
    errors: list[RowError],
) -> Iterator[tuple[int, dict[str, str]]]:
    """Yield (line number, row) for each data row; header problems go to `errors`.

    Line numbers are the file's own (the header is line 1), so a person can find the row.
    """
    if isinstance(source, (str, Path)):
        path = Path(source)
        label = name or path.name
        try:
            text = path.read_bytes().decode("utf-8-sig")
        except UnicodeDecodeError as error:
            errors.append(RowError(label, 1, "", "", f"not UTF-8 text ({error.reason} at byte {error.start})"))
            return
        handle: io.TextIOBase = io.StringIO(text, newline="")
    else:
        label = name or getattr(source, "name", "input")
        handle = source
    reader = csv.reader(handle)
    try:
        header = next(reader)
    except StopIteration:
        errors.append(RowError(label, 1, "", "", "the file is empty; a header row is needed"))
        return
    except csv.Error as error:
        errors.append(RowError(label, 1, "", "", f"not readable as CSV: {error}"))
        return
    header = [h.strip().lstrip("\ufeff") for h in header]
    known = set(columns.required) | set(columns.optional)
    problems = False
    for column in columns.required:
        if column not in header:
            errors.append(RowError(label, 1, column, "", "required column is missing from the header"))
            problems = True
    seen: set[str] = set()
    for column in header:
        if column in seen:
            errors.append(RowError(label, 1, column, column, "column appears twice in the header"))
            problems = True
        seen.add(column)
        if column not in known and not ignore_unknown_columns:
            errors.append(
                RowError(label, 1, column, column, f"unknown column (expected: {', '.join(sorted(known))})")
            )
            problems = True
    if problems:
        return
    line = 1
    while True:
        start = reader.line_num + 1
        try:
            values = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            errors.append(RowError(label, reader.line_num, "", "", f"not readable as CSV: {error}"))
            return
        line = start
        if not values or all(not v.strip() for v in values):
            continue
        if len(values) != len(header):
            errors.append(
                RowError(label, line, "", ",".join(values)[:80],
                         f"has {len(values)} fields; the header has {len(header)}")
            )
            continue
        row = {h: v.strip() for h, v in zip(header, values, strict=True) if h in known}
        with_nul = [h for h, v in row.items() if "\x00" in v]
        if with_nul:
            errors.append(RowError(label, line, with_nul[0], row[with_nul[0]],
                                   "contains a NUL character, which text may not hold"))
            continue
        yield line, row


def parse_date(value: str) -> dt.date | str:
    """A date, or the reason it is not one."""
    try:
        if len(value) != 10 or value[4] != "-" or value[7] != "-":
            raise ValueError
        day = dt.date.fromisoformat(value)
    except ValueError:
        return "not a date in the form YYYY-MM-DD"
    if not EARLIEST_DATE <= day <= LATEST_DATE:
        return f"outside the dates a register can hold ({EARLIEST_DATE} to {LATEST_DATE})"
    return day


def check_upn(value: str) -> str | None:
    """None for a valid UPN, else why not (formats.md, "The UPN check letter")."""
    try:
        upn_check.validate(value)
    except InvalidLength:
        return "a UPN has 13 characters"
    except InvalidChecksum:
        return "bad UPN check letter"
    except InvalidComponent:
        return "the UPN's local authority number is not a known LA code"
    except StdnumError:
        return "not a UPN (a check letter, 11 digits, then a digit or a letter)"
    if value != value.upper() or value != value.strip():
        return "a UPN is written in capitals without spaces"
    return None


def check_yes_no(value: str) -> bool | str:
    if value in ("Y", "N"):
        return value == "Y"
    return "expected Y or N"
