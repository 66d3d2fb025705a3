"""Fuzzing the four importers (issue "People, roles and trust": "Property-based tests fuzz every
importer ... with malformed input: no crash other than a clear error, and the database is
unchanged afterwards"; formats.md: "A file with any bad row changes nothing: the importer reports
every bad row (file, line, column, value, what is wrong) ... Importing the same file twice changes
nothing the second time").

Each test runs against the fuzz world (conftest.py), each example in a savepoint that is rolled
back, so a successful import in one example does not leak into the next. `check_outcome` holds
the common properties: success or `FileRejected` naming the file, a line >= 1 and a reason; a
refusal leaves every table as it was; a success stores only valid data and a second import of the
same file changes nothing.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from muster.core.best_mark import OnConflict
from muster.core.exchange.csv_file import FileRejected
from muster.registers import imports
from muster.registers.models import Enrolment, MarkChange, School
from tests.fuzz.strategies import (
    CALENDAR,
    FORMATS,
    MARKS,
    PUPILS_FORMAT,
    SCHOOLS_FORMAT,
    Format,
    any_bytes,
    bad_row_lines,
    csv_of,
    file_is_bad,
    header_is_bad,
    near_valid,
    random_header,
    rows_for,
)
from tests.fuzz.support import (
    BRENNOCK,
    SCHOOL_A,
    SCHOOL_B,
    assert_clear_refusal,
    changed_tables,
    check_outcome,
    full_snapshot,
    fuzz,
    rolled_back,
    run_import,
)
from tests.registers.world import MARK_HEADER, PUPIL_HEADER

pytestmark = pytest.mark.django_db

by_format = pytest.mark.parametrize("fmt", FORMATS, ids=str)


@by_format
@fuzz(max_examples=40)
@given(data=st.data())
def test_any_bytes_given_as_an_exchange_file_are_refused_with_a_clear_error_and_change_nothing(
    fuzz_world, fmt: Format, data
):
    """Invalid UTF-8, NUL bytes, BOMs, CR/LF mixes, very long lines, or plain noise. (Bytes that
    happen to make a valid file, such as a header alone, are taken whole.)"""
    raw = data.draw(any_bytes(fmt), label="bytes")
    options = data.draw(fmt.options, label="options")
    with rolled_back():
        path = fuzz_world.write_bytes(fmt.file_name, raw)
        check_outcome(fuzz_world, fmt.importer, path, **options)


@by_format
@fuzz(max_examples=40)
@given(data=st.data())
def test_a_header_with_missing_duplicated_or_unknown_columns_is_refused_at_line_1_and_changes_nothing(
    fuzz_world, fmt: Format, data
):
    header = data.draw(random_header(fmt), label="header")
    rows = data.draw(rows_for(header, fmt, bad=0.2), label="rows")
    options = data.draw(fmt.options, label="options")
    ignore = options.get("ignore_unknown_columns", False)
    with rolled_back():
        path = fuzz_world.write_text(fmt.file_name, csv_of(header, rows))
        bad_header = header_is_bad(fmt, header, ignore)
        outcome = check_outcome(
            fuzz_world, fmt.importer, path, must_refuse=file_is_bad(fmt, header, rows, ignore),
            **options,
        )
        if bad_header:
            assert isinstance(outcome, FileRejected)
            assert {e.line for e in outcome.errors} == {1}, outcome.errors


@by_format
@fuzz(max_examples=50)
@given(data=st.data())
def test_a_bad_value_in_any_cell_is_refused_with_its_line_and_changes_nothing(
    fuzz_world, fmt: Format, data
):
    """Random text, impossible dates (2025-02-30), huge numbers, negative minutes, lower-case
    codes, whitespace, quotes and line breaks in cells, formula-like, SQL-like and emoji values:
    formats.md, "the importer reports every bad row (file, line, ...)"."""
    header = list(data.draw(st.permutations(fmt.header), label="header"))
    rows = data.draw(rows_for(header, fmt, bad=0.25), label="rows")
    options = data.draw(fmt.options, label="options")
    with rolled_back():
        path = fuzz_world.write_text(fmt.file_name, csv_of(header, rows))
        must_refuse = file_is_bad(fmt, header, rows, options.get("ignore_unknown_columns", False))
        outcome = check_outcome(
            fuzz_world, fmt.importer, path, must_refuse=must_refuse,
            **options,
        )
        if must_refuse:
            reported = {e.line for e in outcome.errors}
            missing = bad_row_lines(fmt, header, rows) - reported
            assert not missing, f"bad rows on lines {sorted(missing)} were not reported"


@by_format
@fuzz(max_examples=60)
@given(data=st.data())
def test_a_valid_file_with_a_few_changes_is_taken_whole_or_refused_whole(
    fuzz_world, fmt: Format, data
):
    """A cell, a row, a column or a few characters changed in a file that imports cleanly."""
    mutated = data.draw(near_valid(fmt), label="mutated")
    options = data.draw(fmt.options, label="options")
    ignore = options.get("ignore_unknown_columns", False)
    with rolled_back():
        path = fuzz_world.write_text(fmt.file_name, mutated.text)
        check_outcome(
            fuzz_world, fmt.importer, path,
            must_refuse=not mutated.text_damaged and file_is_bad(
                fmt, mutated.header, mutated.rows, ignore
            ),
            **options,
        )


@by_format
def test_importing_a_valid_file_twice_leaves_the_database_as_after_once(fuzz_world, fmt: Format):
    path = fuzz_world.write_text(fmt.file_name, csv_of(fmt.header, fmt.rows))
    first = run_import(fmt.importer, path)
    assert not isinstance(first, FileRejected), first.errors
    assert first.added + first.changed > 0, first.summary()
    once = full_snapshot()
    again = fmt.importer(path)
    assert (again.added, again.changed) == (0, 0) and again.unchanged > 0, again.summary()
    assert full_snapshot() == once


def test_a_refused_marks_file_leaves_even_the_mark_history_as_it_was(fuzz_world):
    """A conflict found while writing (the register holds another mark) is refused after the
    reading checks passed: the rows before it must not have been written."""
    rows = [row[:5] for row in MARKS.rows[6:]] + [(BRENNOCK, SCHOOL_A, "2025-09-03", "PM", "O")]
    path = fuzz_world.write_text("late.csv", csv_of(MARK_HEADER[:5], rows))
    refusal = run_import(imports.import_marks, path)
    assert isinstance(refusal, FileRejected)
    assert_clear_refusal(refusal, "late.csv")
    assert [e.line for e in refusal.errors] == [len(rows) + 1]
    assert full_snapshot() == fuzz_world.baseline


def test_importing_a_marks_file_twice_with_best_changes_no_mark_the_second_time(fuzz_world):
    """formats.md: "Importing the same file twice changes nothing the second time", with
    on_conflict=best too: an offer refused once is on record once."""
    rows = [(BRENNOCK, SCHOOL_A, "2025-09-04", "AM", "O"), (BRENNOCK, SCHOOL_A, "2025-09-05", "AM", "/")]
    path = fuzz_world.write_text("worse.csv", csv_of(MARK_HEADER[:5], rows))
    with rolled_back():
        outcome = check_outcome(fuzz_world, imports.import_marks, path, on_conflict=OnConflict.BEST)
        assert (outcome.added, outcome.changed, outcome.kept, outcome.unchanged) == (0, 0, 1, 1)


def test_importing_a_marks_file_twice_with_best_records_a_refused_offer_once(fuzz_world):
    """formats.md: "Importing the same file twice changes nothing the second time"."""
    path = fuzz_world.write_text("worse.csv", csv_of(
        MARK_HEADER[:5], [(BRENNOCK, SCHOOL_A, "2025-09-04", "AM", "O")]
    ))
    first = imports.import_marks(path, on_conflict=OnConflict.BEST)
    assert (first.added, first.changed, first.kept) == (0, 0, 1)
    assert MarkChange.objects.count() == 2
    once = full_snapshot()
    imports.import_marks(path, on_conflict=OnConflict.BEST)
    assert changed_tables(once, full_snapshot()) == []


ONE_BAD_CELL = [
    # (format, line of its valid file to spoil, column, value; or columns and values joined by
    # "|"): each of these once crashed an importer, was stored though wrong, or could not be
    # stored on PostgreSQL.
    (MARKS, 6, "minutes_late", "²"),  # str.isdigit() is True, int() refuses it
    (MARKS, 6, "minutes_late", "٣"),
    (MARKS, 6, "date", "0001-01-01"),  # academic year 0 has no register
    (MARKS, 6, "date", "9999-12-31"),  # academic year 9999 ends in year 10000
    (MARKS, 6, "date", "2025-W37-1"),  # an ISO week date, not YYYY-MM-DD
    (MARKS, 6, "comment", "a\x00b"),  # PostgreSQL text cannot hold NUL
    (MARKS, 6, "school_urn", "٣١٠٠٠١"),
    (CALENDAR, 10, "start|end", "0001-01-01|0001-01-31"),
    (CALENDAR, 10, "end", "9999-12-31"),
    (CALENDAR, 11, "start|end|session", "9999-12-25|9999-12-31|"),  # a closure: marks held?
    (CALENDAR, 10, "end", "2026-W06-1"),
    (CALENDAR, 12, "school_urn", "٣١٠٠٠٣"),
    (CALENDAR, 12, "label", "\x00"),
    (PUPILS_FORMAT, 8, "legal_surname", "Eskdale\x00"),
    (PUPILS_FORMAT, 8, "school_urn", "３１０００１"),
    (PUPILS_FORMAT, 8, "date_of_birth", "2015-W05-7"),
    (SCHOOLS_FORMAT, 4, "am_register_opens", "1230Z"),  # a time with a time zone
    (SCHOOLS_FORMAT, 3, "am_register_closes", "12+01"),
    (SCHOOLS_FORMAT, 3, "la_code", "٨٠٢"),
    (SCHOOLS_FORMAT, 4, "name", "Cold Harbour\x00"),
]


@pytest.mark.parametrize(
    "fmt, line, column, value", ONE_BAD_CELL,
    ids=[f"{f}-{c}-{v.encode('unicode_escape').decode()}" for f, _, c, v in ONE_BAD_CELL],
)
def test_each_value_that_once_got_through_is_refused_with_its_line(
    fuzz_world, fmt: Format, line: int, column: str, value: str
):
    header = list(fmt.header)
    rows = [list(r) for r in fmt.rows]
    changes = dict(zip(column.split("|"), value.split("|"), strict=True))
    for name, new in changes.items():
        rows[line - 2][header.index(name)] = new
    path = fuzz_world.write_text(fmt.file_name, csv_of(header, rows))
    refusal = run_import(fmt.importer, path)
    assert isinstance(refusal, FileRejected), refusal.summary()
    assert_clear_refusal(refusal, fmt.file_name)
    wrong = {(line, name) for name, new in changes.items() if new}
    assert {(e.line, e.column) for e in refusal.errors} == wrong, refusal.errors
    assert full_snapshot() == fuzz_world.baseline


def test_a_pupils_file_cannot_make_two_enrolments_at_one_school_overlap(fuzz_world):
    """pupils_file: "Two enrolments of one pupil at one school may not overlap"."""
    def pupils(name, start, end):
        row = (BRENNOCK, "Brennock", "Ifan", "2013-11-20", "7", SCHOOL_A, start, end, "single", "N", "")
        return fuzz_world.write_text(name, csv_of(PUPIL_HEADER, [row]))

    imports.import_pupils(pupils("back.csv", "2025-11-03", ""))  # back at A after B
    outcome = run_import(imports.import_pupils, pupils("reopen.csv", "2025-09-01", ""))
    spans = list(Enrolment.objects.filter(pupil__upn=BRENNOCK, school__urn=SCHOOL_A)
                 .order_by("start").values_list("start", "end"))
    assert isinstance(outcome, FileRejected), spans


def test_a_schools_file_cannot_make_a_register_close_before_it_opens(fuzz_world):
    """schools_file: "the register must close after it opens and within 30 minutes"."""
    path = fuzz_world.write_text("closes.csv", csv_of(
        ["urn", "name", "la_code", "la_name", "am_register_closes"],
        [[SCHOOL_B, "Bramwell School", "802", "Invented Shire", "08:00"]],  # opens at 08:40
    ))
    outcome = run_import(imports.import_schools, path)
    school = School.objects.get(urn=SCHOOL_B)
    assert isinstance(outcome, FileRejected), (school.am_register_opens, school.am_register_closes)


def test_a_marks_file_with_an_unreadable_row_still_reports_every_other_bad_row(fuzz_world):
    """formats.md: "the importer reports every bad row" (found by the fuzzer: a row with too few
    fields, or a NUL, stopped the marks importer before it checked the other rows)."""
    rows = [
        (BRENNOCK, SCHOOL_A, "2025-09-08", "AM", "/", "", "a\x00b"),
        (BRENNOCK.lower(), SCHOOL_A, "2025-09-08", "PM", "\\", "", ""),
        (BRENNOCK, SCHOOL_A, "2025-09-09"),
    ]
    path = fuzz_world.write_text("marks.csv", csv_of(MARK_HEADER, rows))
    refusal = run_import(imports.import_marks, path)
    assert isinstance(refusal, FileRejected)
    assert [(e.line, e.column) for e in refusal.errors] == [(2, "comment"), (3, "upn"), (4, "")]
    assert full_snapshot() == fuzz_world.baseline
