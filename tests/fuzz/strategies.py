"""Malformed input at several levels, for the four exchange files (formats.md):

- bytes: anything, with invalid UTF-8, NUL bytes, a BOM, CR/LF mixes and very long lines;
- CSV text with random headers: missing, duplicated, unknown, reordered columns;
- valid headers with random cell values: text, impossible or out-of-range dates, huge numbers,
  negative minutes, lower-case codes, whitespace, quotes and embedded newlines, formula-like,
  SQL-like and emoji values;
- near-valid files: a valid file with a few cells, rows, columns or characters changed.

Each format comes with `row_is_bad`: True when formats.md says the row is wrong whatever the
database holds, so the importer must refuse the file. It is written from formats.md, not from the
readers' code. (False means "may be fine": a valid-looking row can still be refused, e.g. for a
closed session.)
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from hypothesis import strategies as st

from muster.core import codes
from muster.core.best_mark import OnConflict
from muster.core.exchange import calendar_file, marks_file, pupils_file, schools_file
from muster.core.exchange.csv_file import Columns
from muster.registers import imports
from tests.fuzz.support import (
    LA_CODE,
    NC_YEARS,
    NEW_PUPIL,
    PHASES,
    PUPILS,
    SCHOOL_HEADER,
    SCHOOL_ROWS,
    SCHOOLS,
    TIME_SHAPE,
    URN,
    WORLD_MARKS,
    Importer,
    valid_upn,
    well_formed_date,
)
from tests.registers.world import (
    CALENDAR_HEADER,
    CALENDAR_ROWS,
    MARK_HEADER,
    PUPIL_HEADER,
    PUPIL_ROWS,
    SCHOOL_A,
)

# ---------------------------------------------------------------------------------------------
# Values.

TEXT = st.text(st.characters(codec="utf-8"), max_size=30)
"""Any text that can be written as UTF-8 (no lone surrogates)."""

NASTY = (
    "", " ", "\t", "  padded  ", "\u00a0", "\u200b", "\ufeff", "\u202eevil", "\x00", "a\x00b",
    "=cmd|' /C calc'!A0", "=HYPERLINK(\"http://x\")", "+1+1", "-2+3", "@SUM(A1:A9)",
    "'; DROP TABLE registers_pupil; --", "1' OR '1'='1", "NULL", "null", "None", "\\N",
    "😀", "👩‍👩‍👧‍👦", "🏫📅", '"', '""', '"quoted"', "a,b", "a\nb", "a\r\nb", "\r", "line\rbreak",
    "2025-02-30", "2025-13-01", "2025-00-10", "0000-01-01", "0001-01-01", "0001-07-31",
    "9999-12-31", "9999-08-01", "10000-01-01", "2025-9-1", "01/09/2025", "2025/09/01",
    "2025-09-01T08:00", "20250901", "2025-W36-1", " 2025-09-02 ", "２０２５-09-02",
    "-1", "-0", "0", "00", "301", "1e3", "1.5", "0x10", "²", "٣", "１２", "9" * 40,
    "-99999999999999999999", "NaN", "inf",
    "am", "pm", "Am", "A M", "AM,PM", "l", "u", "/", "\\", "-", "#", "Y7", "y", "n", "yes", "true",
    "310001 ", "31000", "3100011", "٣١٠٠٠١", "310OO1", "802", "80", "8020",
    "term", "TERM", "closure ", "single", "Main", "N1", "r", "15", "0",
    "24:00", "12:60", "8:40", "08:40:00", "T0840", "0840Z", "08:40Z", "12+01", "23:59",
    "x" * 81, "y" * 101, "z" * 201, "é" * 121,
)

HUGE_NUMBERS = st.integers(min_value=-(10**30), max_value=10**30).map(str)
MALFORMED_DATES = st.tuples(
    st.integers(0, 10_000), st.integers(0, 19), st.integers(0, 39)
).map(lambda t: f"{t[0]:04d}-{t[1]:02d}-{t[2]:02d}")
ANY_DATES = st.dates().map(dt.date.isoformat)
ANY_TIMES = st.tuples(st.integers(-1, 30), st.integers(-1, 70)).map(lambda t: f"{t[0]:02d}:{t[1]:02d}")

NASTY_CELL = st.one_of(
    st.sampled_from(NASTY), TEXT, HUGE_NUMBERS, MALFORMED_DATES, ANY_DATES, ANY_TIMES,
    st.sampled_from(sorted(codes.BY_SYMBOL)).map(str.lower),
    st.lists(st.sampled_from(NASTY), min_size=2, max_size=4).map("".join),
)
"""A cell value that is often wrong for any column."""


TRICKY: dict[str, tuple[str, ...]] = {
    "date": (
        "0001-01-01", "0001-07-31", "0001-08-01", "1899-12-31", "9999-07-31", "9999-08-01",
        "9999-12-31", "2025-02-29", "2025-02-30", "2024-02-30", "2025-04-31", "2025-W36-2",
        "2025-245", "20250902", "2025-09-0٢", "２０２５-09-02", "2025-09-02T08:00", "2025-09-02Z",
        "2025-9-02", "02/09/2025", "2025–09–02",
    ),
    "urn": ("٣١٠٠٠١", "３１０００１", "31000١", "310001²", "¹²³⁴⁵⁶", "999999", "000000", "31000",
            "3100010", "310 001", "+31000", "-31000", "31e001"),
    "la_code": ("٨٠٢", "８０２", "80²", "80", "8020", "-80", "+80", "8 2", "000"),
    "upn": ("y802400025101", "Y802 400025101", "Y80240002510١", "Y8024000251010", "Y80240002510",
            "A802400025101", "Y000400025101", "Y802400025101\t"),
    "session": ("am", "pm", "Am", "A M", "A.M.", "AM/PM", "AMPM", "Morning", "1", "2"),
    "code": ("l", "u", "i", "y1", "c1", "LL", "/\\", "-", "--", "O/", "B ", "0", "ﾉ"),
    "minutes": ("²", "٣", "１２", "¹⁰", "-1", "-0", "+5", "301", "300", "0", "007", "1e3", "1.5",
                "5 ", "99999999999999999999", "nan"),
    "time": ("1230Z", "12+01", "0840Z", "T0840", "08:40", "24:00", "23:60", "08:4٠", "８:４０",
             "08.40", "8:40", "08:40:00", "08h40", "-8:40"),
    "flag": ("y", "n", "Yes", "No", "1", "0", "TRUE", "T", "F", "YN"),
    "word": ("SINGLE", "Main ", "dual", "closure?", "Term", "Closure", "primary school", "m", "f",
             "X", "U", "k", "e", "S", "0"),
    "nc_year": ("0", "15", "-1", "Y7", "R1", "N3", "n1", "r", "07", "٧", "7.0", "Reception"),
    "text": ("\x00", "a\x00b", "\x00" * 3, "x" * 81, "y" * 101, "z" * 201, "é" * 121, "😀" * 81,
             "\u202e\u202d", "\ufeff", "=cmd|' /C calc'!A0", "'; DROP TABLE registers_pupil; --",
             '"', "a\r\nb", "\r", "   "),
}
COLUMN_KINDS = {
    "upn": "upn", "school_urn": "urn", "urn": "urn", "date": "date", "date_of_birth": "date",
    "enrolment_start": "date", "enrolment_end": "date", "start": "date", "end": "date",
    "session": "session", "mark": "code", "minutes_late": "minutes", "nc_year": "nc_year",
    "la_code": "la_code", "care_authority": "la_code", "looked_after": "flag",
    "previously_looked_after": "flag", "social_worker": "flag", "fsm": "flag",
    "registration": "word", "kind": "word", "phase": "word", "sex": "word", "sen": "word",
    **dict.fromkeys(schools_file.TIMES, "time"),
}


def tricky(column: str) -> st.SearchStrategy[str]:
    """A value likely to be wrong for this column: half the time one made for its kind."""
    kind = COLUMN_KINDS.get(column.strip().lstrip("\ufeff"), "text")
    return st.one_of(st.sampled_from(TRICKY[kind]), NASTY_CELL)


def dates_between(first: dt.date, last: dt.date) -> st.SearchStrategy[str]:
    return st.dates(first, last).map(dt.date.isoformat)


NAMES = st.one_of(
    st.sampled_from(["Ashdown", "Brennock", "O'Hara", "Smith-Jones", "Nguyễn", "Zoë", "Ó Dónaill"]),
    st.text(st.characters(codec="utf-8", exclude_characters="\x00"), min_size=1, max_size=20)
    .filter(lambda s: s.strip()),
)


def yes_no() -> st.SearchStrategy[str]:
    return st.sampled_from(["", "Y", "N"])


# ---------------------------------------------------------------------------------------------
# The four formats.


@dataclass(frozen=True, repr=False)
class Format:
    name: str
    file_name: str
    columns: Columns
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    """A valid file for the fuzz world, to mutate."""
    valid_cells: dict[str, st.SearchStrategy[str]]
    """Per column, values that are each fine on their own."""
    row_is_bad: Callable[[dict[str, str]], bool]
    options: st.SearchStrategy[dict] = field(default_factory=lambda: st.just({}))

    @property
    def importer(self) -> Importer:
        return getattr(imports, f"import_{self.name}")

    @property
    def known_columns(self) -> tuple[str, ...]:
        return self.columns.required + self.columns.optional

    def __str__(self) -> str:
        return self.name

    def __repr__(self) -> str:
        return f"<{self.name} format>"

    def _repr_pretty_(self, printer, cycle) -> None:  # how Hypothesis prints a failing example
        printer.text(repr(self))


def _minutes_bad(minutes: str, mark: str) -> bool:
    if not minutes:
        return False
    return not (minutes.isascii() and minutes.isdigit() and int(minutes) <= 300) or mark not in (
        "L", "U",
    )


def _has_nul(row: dict[str, str]) -> bool:
    return any("\x00" in v for v in row.values())


def marks_row_is_bad(row: dict[str, str]) -> bool:
    """formats.md, "Register marks" (with the world: the pupils and schools are known)."""
    mark, date = row["mark"], row["date"]
    legacy = (
        mark in codes.BY_SYMBOL and codes.BY_SYMBOL[mark].is_legacy and well_formed_date(date)
        and dt.date.fromisoformat(date) >= codes.LEGACY_CODES_END
    )
    return (
        not valid_upn(row["upn"]) or row["upn"] not in PUPILS
        or row["school_urn"] not in SCHOOLS
        or not well_formed_date(date)
        or row["session"] not in ("AM", "PM")
        or mark not in codes.BY_SYMBOL or legacy
        or _minutes_bad(row.get("minutes_late", ""), mark)
        or _has_nul(row)
    )


def pupils_row_is_bad(row: dict[str, str]) -> bool:
    """formats.md, "Pupils and enrolments" (with the world: the schools are known)."""
    get = row.get
    dates_ok = all(well_formed_date(row[c]) for c in ("date_of_birth", "enrolment_start")) and (
        not get("enrolment_end") or well_formed_date(get("enrolment_end"))
    )
    return (
        not valid_upn(row["upn"])
        or not row["legal_surname"] or not row["legal_forename"]
        or not dates_ok
        or (dates_ok and get("enrolment_end") and get("enrolment_end") < row["enrolment_start"])
        or row["nc_year"] not in NC_YEARS
        or row["school_urn"] not in SCHOOLS
        or get("registration", "") not in ("", "single", "main", "subsidiary")
        or get("sex", "") not in ("", "M", "F")
        or get("sen", "") not in ("", "N", "K", "E")
        or any(get(c, "") not in ("", "Y", "N")
               for c in ("looked_after", "previously_looked_after", "social_worker", "fsm"))
        or bool(get("care_authority")) and (
            not LA_CODE.fullmatch(get("care_authority")) or get("looked_after") != "Y"
        )
        or _has_nul(row)
    )


def calendar_row_is_bad(row: dict[str, str]) -> bool:
    """formats.md, "School calendar"."""
    start, end, session = row["start"], row["end"], row.get("session", "")
    dates_ok = well_formed_date(start) and well_formed_date(end)
    return (
        not URN.fullmatch(row["school_urn"])
        or not dates_ok or end < start
        or row["kind"] not in ("term", "closure")
        or session not in ("", "AM", "PM")
        or bool(session) and (row["kind"] != "closure" or start != end)
        or _has_nul(row)
    )


def schools_row_is_bad(row: dict[str, str]) -> bool:
    """The schools file's docstring (`muster.core.exchange.schools_file`)."""
    return (
        not URN.fullmatch(row["urn"]) or not row["name"]
        or not LA_CODE.fullmatch(row["la_code"]) or not row["la_name"]
        or row.get("phase", "") not in PHASES | {""}
        or any(row.get(c) and not TIME_SHAPE.fullmatch(row[c]) for c in schools_file.TIMES)
        or _has_nul(row)
    )


TERM = (dt.date(2025, 9, 1), dt.date(2025, 12, 19))

MARKS = Format(
    "marks", "marks.csv", marks_file.COLUMNS, tuple(MARK_HEADER),
    rows=(
        *WORLD_MARKS[:6],  # already held: unchanged
        *[(p, SCHOOL_A, f"2025-09-{d:02d}", s, "/" if s == "AM" else "\\", "", "")
          for p in PUPILS[:3] for d in (8, 9, 10) for s in ("AM", "PM")],
        (PUPILS[0], SCHOOL_A, "2025-09-11", "AM", "U", "45", "=cmd|' /C calc'!A0"),
        (PUPILS[2], "310002", "2025-09-11", "PM", "B", "", "off-site, \"quoted\",\nnew line"),
        (PUPILS[3], "310002", "2025-10-17", "PM", "#", "", "early close"),
    ),
    valid_cells={
        "upn": st.sampled_from(PUPILS),
        "school_urn": st.sampled_from(SCHOOLS),
        "date": dates_between(*TERM),
        "session": st.sampled_from(["AM", "PM"]),
        "mark": st.sampled_from(sorted(codes.BY_SYMBOL)),
        "minutes_late": st.one_of(st.just(""), st.integers(0, 300).map(str)),
        "comment": st.one_of(st.just(""), TEXT.filter(lambda s: "\x00" not in s)),
    },
    row_is_bad=marks_row_is_bad,
    options=st.fixed_dictionaries({
        "on_conflict": st.sampled_from(list(OnConflict)),
        "ignore_unknown_columns": st.booleans(),
    }),
)

PUPILS_FORMAT = Format(
    "pupils", "pupils.csv", pupils_file.COLUMNS, tuple(PUPIL_HEADER),
    rows=(
        *PUPIL_ROWS,
        (NEW_PUPIL, "Eskdale", "Rhys", "2015-02-01", "6", SCHOOL_A, "2025-11-03", "", "", "", ""),
    ),
    valid_cells={
        "upn": st.sampled_from(PUPILS + (NEW_PUPIL,)),
        "legal_surname": NAMES, "legal_forename": NAMES,
        "preferred_name": st.one_of(st.just(""), NAMES),
        "date_of_birth": dates_between(dt.date(2005, 1, 1), dt.date(2022, 12, 31)),
        "sex": st.sampled_from(["", "M", "F"]),
        "nc_year": st.sampled_from(sorted(NC_YEARS)),
        "school_urn": st.sampled_from(SCHOOLS),
        "enrolment_start": dates_between(*TERM),
        "enrolment_end": st.one_of(st.just(""), dates_between(*TERM)),
        "registration": st.sampled_from(["", "single", "main", "subsidiary"]),
        "looked_after": yes_no(), "previously_looked_after": yes_no(),
        "social_worker": yes_no(), "fsm": yes_no(),
        "care_authority": st.sampled_from(["", "802", "873"]),
        "sen": st.sampled_from(["", "N", "K", "E"]),
    },
    row_is_bad=pupils_row_is_bad,
    options=st.fixed_dictionaries({"ignore_unknown_columns": st.booleans()}),
)

CALENDAR = Format(
    "calendar", "calendar.csv", calendar_file.COLUMNS, tuple(CALENDAR_HEADER),
    rows=(
        *CALENDAR_ROWS,
        (SCHOOL_A, "2026-01-05", "2026-02-13", "term", "", "Spring 1"),
        (SCHOOL_A, "2026-02-02", "2026-02-02", "closure", "AM", "Polling day"),
        ("310003", "2025-09-03", "2025-10-17", "term", "", "Autumn 1"),
    ),
    valid_cells={
        "school_urn": st.sampled_from([*SCHOOLS, "310003"]),
        "start": dates_between(dt.date(2025, 9, 1), dt.date(2026, 7, 31)),
        "end": dates_between(dt.date(2025, 9, 1), dt.date(2026, 7, 31)),
        "kind": st.sampled_from(["term", "closure"]),
        "session": st.sampled_from(["", "", "AM", "PM"]),
        "label": st.one_of(st.just(""), TEXT.filter(lambda s: "\x00" not in s)),
    },
    row_is_bad=calendar_row_is_bad,
    options=st.fixed_dictionaries({"ignore_unknown_columns": st.booleans()}),
)

SCHOOLS_FORMAT = Format(
    "schools", "schools.csv", schools_file.COLUMNS, tuple(SCHOOL_HEADER),
    rows=(
        *SCHOOL_ROWS,
        ("310003", "Cold Harbour Primary", "873", "Another Borough", "primary", "08:45",
         "09:00", "", ""),
    ),
    valid_cells={
        "urn": st.sampled_from([*SCHOOLS, "310003", "310004"]),
        "name": NAMES,
        "la_code": st.sampled_from(["802", "873"]),
        "la_name": st.sampled_from(["Invented Shire", "Another Borough"]),
        "phase": st.sampled_from(["", *sorted(PHASES)]),
        "am_register_opens": st.sampled_from(["", "08:40"]),
        "am_register_closes": st.sampled_from(["", "09:10"]),
        "pm_register_opens": st.sampled_from(["", "13:15"]),
        "pm_register_closes": st.sampled_from(["", "13:30"]),
    },
    row_is_bad=schools_row_is_bad,
    options=st.fixed_dictionaries({"ignore_unknown_columns": st.booleans()}),
)

FORMATS = (MARKS, PUPILS_FORMAT, CALENDAR, SCHOOLS_FORMAT)


# ---------------------------------------------------------------------------------------------
# Files.


def csv_of(header: Sequence[str], rows: Sequence[Sequence[str]], newline: str = "\n") -> str:
    """CSV text as a school system writes it: a field is quoted when it holds a comma, a quote
    or any line break. (`csv.writer` leaves a bare CR unquoted unless it ends lines with one.)"""
    def field(value: str) -> str:
        if any(c in value for c in ',"\r\n'):
            return '"' + value.replace('"', '""') + '"'
        return value

    return "".join(",".join(map(field, row)) + newline for row in [header, *rows])


def cleaned(header: Sequence[str]) -> list[str]:
    """A header as formats.md reads it: names trimmed, a BOM tolerated."""
    return [h.strip().lstrip("\ufeff") for h in header]


def header_is_bad(fmt: Format, header: Sequence[str], ignore_unknown_columns: bool) -> bool:
    names = cleaned(header)
    known = set(fmt.known_columns)
    return (
        not set(fmt.columns.required) <= set(names)
        or len(set(names)) != len(names)
        or (not ignore_unknown_columns and not set(names) <= known)
    )


def file_is_bad(
    fmt: Format, header: Sequence[str], rows: Sequence[Sequence[str]], ignore_unknown_columns: bool
) -> bool:
    """True when formats.md says the file must be refused, whatever the database holds."""
    if header_is_bad(fmt, header, ignore_unknown_columns):
        return True
    names = cleaned(header)
    for row in rows:
        values = [v.strip() for v in row]
        if not any(values):
            continue  # a blank line is skipped
        if len(values) != len(names):
            return True
        if fmt.row_is_bad({n: v for n, v in zip(names, values, strict=True) if n in fmt.known_columns}):
            return True
    return False


# ---------------------------------------------------------------------------------------------
# Strategies.

CHUNKS = st.sampled_from([
    b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff", b"\r\n", b"\r", b"\n", b"\x00", b",", b'"', b'""',
    b"\xc3", b"\xc3\x28", b"\xed\xa0\x80", b"\xf4\x90\x80\x80", b"\x80", b"\xe2\x82", b"\t",
    b"upn,school_urn,date,session,mark\n", b"school_urn,start,end,kind\n",
    b"urn,name,la_code,la_name\n", b"310001,", b"2025-09-02,", b"AM,", b"/\n",
    "€😀é".encode(), b"=cmd|' /C calc'!A0", b"x" * 140_000, b"\n" * 50,
])


@st.composite
def any_bytes(draw, fmt: Format) -> bytes:
    """Raw bytes, sometimes around a valid header so the readers get past line 1."""
    parts = draw(st.lists(st.one_of(st.binary(max_size=60), CHUNKS), max_size=12))
    if draw(st.booleans()):
        parts.insert(0, (",".join(draw(st.permutations(fmt.header))) + "\n").encode())
    return b"".join(parts)


@st.composite
def random_header(draw, fmt: Format) -> list[str]:
    """Known names missing, twice, in any order, with unknown names and odd spellings."""
    names = st.one_of(
        st.sampled_from(fmt.known_columns),
        st.sampled_from(fmt.known_columns).map(str.upper),
        st.sampled_from(fmt.known_columns).map(lambda n: f" {n} "),
        st.sampled_from(fmt.known_columns).map(lambda n: "\ufeff" + n),
        st.sampled_from(["", "unknown", "UPN ", "date ", "notes", "id", "\x00", "a,b", "a\nb"]),
        TEXT,
    )
    if draw(st.booleans()):
        header = list(draw(st.permutations(fmt.header)))
        for _ in range(draw(st.integers(1, 3))):
            action = draw(st.sampled_from(["drop", "twice", "add", "rename"]))
            if action == "drop" and header:
                header.pop(draw(st.integers(0, len(header) - 1)))
            elif action == "twice" and header:
                header.insert(draw(st.integers(0, len(header))), draw(st.sampled_from(header)))
            elif action == "add":
                header.insert(draw(st.integers(0, len(header))), draw(names))
            elif header:
                header[draw(st.integers(0, len(header) - 1))] = draw(names)
        return header
    return draw(st.lists(names, max_size=12))


@st.composite
def rows_for(draw, header: Sequence[str], fmt: Format, *, bad: float = 0.3) -> list[list[str]]:
    """Rows under a header, each valid column by column, or with one tricky cell, or with each
    cell tricky by chance `bad`."""
    def valid(name: str) -> str:
        name = name.strip().lstrip("\ufeff")
        return draw(fmt.valid_cells[name]) if name in fmt.valid_cells else draw(NASTY_CELL)

    rows = []
    for _ in range(draw(st.integers(0, 5))):
        row = [valid(n) for n in header]
        mode = draw(st.sampled_from(["one", "one", "one", "valid", "many"]))
        if mode == "one" and row:
            j = draw(st.integers(0, len(row) - 1))
            row[j] = draw(tricky(header[j]))
        elif mode == "many":
            row = [draw(tricky(n)) if draw(st.floats(0, 1)) < bad else v for n, v in zip(header, row, strict=True)]
        rows.append(row)
    return rows


@dataclass
class Mutated:
    header: list[str]
    rows: list[list[str]]
    text: str
    text_damaged: bool
    """Characters were changed after the CSV was written: no oracle for the outcome then."""
    steps: list[str]


@st.composite
def near_valid(draw, fmt: Format) -> Mutated:
    """The format's valid file with up to three changes: a cell, a row, a column or a character."""
    header = list(fmt.header)
    rows = [list(r) for r in fmt.rows]
    steps: list[str] = []
    for _ in range(draw(st.integers(0, 3))):
        action = draw(st.sampled_from([
            "cell", "cell", "cell", "valid cell", "swap cells", "drop row", "repeat row",
            "short row", "long row", "drop column", "reorder columns",
        ]))
        steps.append(action)
        if action == "drop column" and header:
            j = draw(st.integers(0, len(header) - 1))
            header.pop(j)
            for r in rows:
                if len(r) > j:
                    r.pop(j)
            continue
        if action == "reorder columns":
            order = draw(st.permutations(range(len(header))))
            header = [header[k] for k in order]
            rows = [[r[k] for k in order] if len(r) == len(order) else r for r in rows]
            continue
        if not rows:
            continue
        i = draw(st.integers(0, len(rows) - 1))
        row = rows[i]
        j = draw(st.integers(0, len(row) - 1)) if row else None
        if action == "drop row":
            rows.pop(i)
        elif action == "repeat row":
            rows.insert(draw(st.integers(0, len(rows))), list(row))
        elif action == "long row":
            row.append(draw(NASTY_CELL))
        elif j is None:
            continue
        elif action == "cell":
            row[j] = draw(tricky(header[j]) if j < len(header) else NASTY_CELL)
        elif action == "valid cell" and j < len(header) and header[j] in fmt.valid_cells:
            row[j] = draw(fmt.valid_cells[header[j]])
        elif action == "swap cells":
            k = draw(st.integers(0, len(row) - 1))
            row[j], row[k] = row[k], row[j]
        elif action == "short row":
            row.pop(j)
    newline = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    text = csv_of(header, rows, newline)
    damaged = False
    for _ in range(draw(st.integers(0, 2))):
        action = draw(st.sampled_from(["bom", "blank lines", "insert", "delete", "mixed newlines"]))
        position = draw(st.integers(0, len(text)))
        if action == "bom":
            text = "\ufeff" + text
        elif action == "blank lines":
            text = text + newline * draw(st.integers(1, 3))
        elif action == "insert":
            text = text[:position] + draw(st.one_of(st.sampled_from(NASTY), TEXT)) + text[position:]
            damaged = True
        elif action == "delete":
            text = text[:position] + text[position + draw(st.integers(1, 20)):]
            damaged = True
        else:
            text = text.replace(newline, "\n", draw(st.integers(1, 5)))
        steps.append(action)
    return Mutated(header, rows, text, damaged, steps)


LINE_BREAK = re.compile(r"\r\n|\r|\n")


def row_lines(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[int]:
    """The file line on which each row starts (the header is line 1; a quoted cell may hold
    line breaks), as `csv_of` writes them."""
    line = 1 + len(LINE_BREAK.findall(csv_of(header, [])))
    starts = []
    for row in rows:
        starts.append(line)
        written = csv_of(header, [row])[len(csv_of(header, [])):]
        line += len(LINE_BREAK.findall(written))
    return starts


def bad_row_lines(fmt: Format, header: Sequence[str], rows: Sequence[Sequence[str]]) -> set[int]:
    """The lines of the rows that formats.md says are wrong (header assumed good)."""
    names = cleaned(header)
    lines = set()
    for line, row in zip(row_lines(header, rows), rows, strict=True):
        values = [v.strip() for v in row]
        if any(values) and fmt.row_is_bad(
            {n: v for n, v in zip(names, values, strict=True) if n in fmt.known_columns}
        ):
            lines.add(line)
    return lines
