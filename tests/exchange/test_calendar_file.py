"""Checking `calendar.csv` rows: formats.md, "School calendar"."""

from __future__ import annotations

import datetime as dt
import io

import pytest

from muster.core.calendar import EntryKind
from muster.core.exchange import calendar_file
from muster.core.exchange.calendar_file import CalendarRow
from muster.core.exchange.csv_file import RowError, read_rows
from muster.core.slots import Session
from tests.exchange.samples import csv_text

HEADER = ["school_urn", "start", "end", "kind", "session", "label"]
SCHOOL = "310001"


def check(*rows) -> tuple[list[CalendarRow], list[RowError]]:
    errors: list[RowError] = []
    lines = read_rows(io.StringIO(csv_text(HEADER, rows)), calendar_file.COLUMNS,
                      name="calendar.csv", errors=errors)
    return calendar_file.check_calendar(lines, file="calendar.csv", errors=errors), errors


def only_error(errors: list[RowError]) -> RowError:
    assert len(errors) == 1, errors
    return errors[0]


def test_a_term_and_an_inset_day_become_entries():
    entries, errors = check(
        (SCHOOL, "2025-09-01", "2025-10-17", "term", "", "Autumn 1"),
        (SCHOOL, "2025-09-01", "2025-09-01", "closure", "", "INSET"),
    )
    assert errors == []
    assert entries == [
        CalendarRow(2, SCHOOL, dt.date(2025, 9, 1), dt.date(2025, 10, 17), EntryKind.TERM, None, "Autumn 1"),
        CalendarRow(3, SCHOOL, dt.date(2025, 9, 1), dt.date(2025, 9, 1), EntryKind.CLOSURE, None, "INSET"),
    ]


def test_a_half_day_closure_is_for_one_session_of_one_date():
    """formats.md: `session` is "`AM` or `PM` for a half-day closure"."""
    entries, errors = check((SCHOOL, "2025-12-19", "2025-12-19", "closure", "PM", "Early close"))
    assert errors == [] and entries[0].session is Session.PM


def test_a_half_day_closure_over_several_dates_is_refused():
    error = only_error(check((SCHOOL, "2025-12-18", "2025-12-19", "closure", "PM", ""))[1])
    assert (error.column, error.reason) == ("session", "a half-day closure is for a single date")


def test_a_term_cannot_be_for_one_session():
    error = only_error(check((SCHOOL, "2025-09-01", "2025-10-17", "term", "AM", ""))[1])
    assert (error.column, error.reason) == ("session", "only a closure can be for one session")


@pytest.mark.parametrize(
    ("values", "column", "reason"),
    [
        ((SCHOOL, "2025-09-01", "2025-10-17", "holiday", "", ""), "kind", "expected term or closure"),
        ((SCHOOL, "2025-09-01", "2025-10-17", "Term", "", ""), "kind", "expected term or closure"),
        ((SCHOOL, "2025-10-17", "2025-09-01", "term", "", ""), "end", "is before the start 2025-10-17"),
        ((SCHOOL, "1/9/2025", "2025-10-17", "term", "", ""), "start", "not a date in the form YYYY-MM-DD"),
        ((SCHOOL, "2025-09-01", "2025-13-01", "term", "", ""), "end", "not a date in the form YYYY-MM-DD"),
        (("31001", "2025-09-01", "2025-10-17", "term", "", ""), "school_urn", "a URN has 6 digits"),
        ((SCHOOL, "2025-09-03", "2025-09-03", "closure", "NOON", ""), "session", "expected AM, PM or blank (whole days)"),
        ((SCHOOL, "2025-09-03", "2025-09-03", "closure", "", "x" * 81), "label", "longer than 80 characters"),
        ((SCHOOL, "2025-09-01", "2026-07-22", "term", "", ""), "end", "makes an entry of more than 200 days; give each term"),
    ],
)
def test_a_row_outside_the_format_is_refused(values, column, reason):
    error = only_error(check(values)[1])
    assert (error.file, error.line, error.column, error.reason) == ("calendar.csv", 2, column, reason)
    assert error.value == values[HEADER.index(column)]


def test_the_same_entry_twice_is_one_entry():
    entries, errors = check(
        (SCHOOL, "2025-09-01", "2025-10-17", "term", "", "Autumn 1"),
        (SCHOOL, "2025-09-01", "2025-10-17", "term", "", "Autumn 1"),
    )
    assert errors == [] and [e.line for e in entries] == [2]


def test_the_same_entry_twice_with_different_labels_is_refused_naming_the_earlier_line():
    _, errors = check(
        (SCHOOL, "2025-09-01", "2025-10-17", "term", "", "Autumn 1"),
        (SCHOOL, "2025-09-01", "2025-10-17", "term", "", "Michaelmas"),
    )
    error = only_error(errors)
    assert (error.line, error.column, error.value) == (3, "label", "Michaelmas")
    assert error.reason == "the same entry is on line 2 with label 'Autumn 1'"


def test_a_whole_day_and_a_half_day_closure_on_one_date_are_different_entries():
    entries, errors = check(
        (SCHOOL, "2025-12-19", "2025-12-19", "closure", "", ""),
        (SCHOOL, "2025-12-19", "2025-12-19", "closure", "PM", ""),
    )
    assert errors == [] and len(entries) == 2
