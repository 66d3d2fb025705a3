"""Checking `marks.csv` rows: formats.md, "Register marks"; reference 0, 1, 2.1, 2.2.

The checks are pure: a small fake stands in for the stored schools and enrolments
(`MarksContext`). Every refusal is a `RowError` with file, line, column, value and reason.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field

import pytest

from muster.core import codes
from muster.core.calendar import CalendarEntry, SchoolCalendar
from muster.core.exchange import marks_file
from muster.core.exchange.csv_file import RowError, read_rows
from muster.core.exchange.marks_file import EnrolmentSpan, MarkRow
from muster.core.slots import Session
from tests.exchange.samples import csv_text, upn, with_wrong_check_letter

SCHOOL = "310001"
OTHER_SCHOOL = "310002"  # known school, pupil never enrolled there
ASHDOWN = upn(1)  # on roll from 1 September 2025
BRENNOCK = upn(2)  # on roll 1 September to 3 October 2025, back from 3 November
CARROW = upn(3)  # on roll through the summer of 2024 (legacy codes)

CALENDAR = SchoolCalendar.build(
    [
        CalendarEntry(dt.date(2024, 4, 15), dt.date(2024, 8, 23), "term", label="Summer 2024"),
        CalendarEntry(dt.date(2025, 9, 1), dt.date(2025, 10, 17), "term", label="Autumn 1"),
        CalendarEntry(dt.date(2025, 10, 27), dt.date(2025, 12, 19), "term", label="Autumn 2"),
        CalendarEntry(dt.date(2025, 9, 1), dt.date(2025, 9, 1), "closure", label="INSET"),
        CalendarEntry(dt.date(2025, 10, 17), dt.date(2025, 10, 17), "closure", Session.PM, "Early close"),
    ]
)

TUESDAY = "2025-09-02"  # an open school day
SATURDAY = "2025-09-06"
HALF_TERM = "2025-10-22"
INSET = "2025-09-01"
EARLY_CLOSE = "2025-10-17"  # closed in the afternoon only


@dataclass
class FakeSchools:
    """A `MarksContext`: two known schools, one calendar, three pupils' enrolments."""

    spans: dict[tuple[str, str], list[EnrolmentSpan]] = field(
        default_factory=lambda: {
            (ASHDOWN, SCHOOL): [EnrolmentSpan(11, dt.date(2025, 9, 1), None)],
            (BRENNOCK, SCHOOL): [
                EnrolmentSpan(21, dt.date(2025, 9, 1), dt.date(2025, 10, 3)),
                EnrolmentSpan(22, dt.date(2025, 11, 3), None),
            ],
            (CARROW, SCHOOL): [EnrolmentSpan(31, dt.date(2024, 4, 15), None)],
        }
    )

    def calendar(self, urn: str) -> SchoolCalendar | None:
        return CALENDAR if urn in (SCHOOL, OTHER_SCHOOL) else None

    def enrolments(self, upn: str, urn: str):
        return self.spans.get((upn, urn), [])


HEADER = ["upn", "school_urn", "date", "session", "mark", "minutes_late", "comment"]


def check(*rows, header=HEADER) -> tuple[list[MarkRow], list[RowError]]:
    """Read `rows` as a marks.csv (header on line 1) and check them against the fake."""
    errors: list[RowError] = []
    lines = read_rows(io.StringIO(csv_text(header, rows)), marks_file.COLUMNS,
                      name="marks.csv", errors=errors)
    marks = marks_file.check_marks(lines, FakeSchools(), file="marks.csv", errors=errors)
    return marks, errors


def row(mark="/", *, pupil=ASHDOWN, school=SCHOOL, date=TUESDAY, session="AM", minutes="", comment=""):
    return (pupil, school, date, session, mark, minutes, comment)


def only_error(errors: list[RowError]) -> RowError:
    assert len(errors) == 1, errors
    return errors[0]


def test_a_good_row_becomes_a_typed_mark_on_the_enrolment_covering_that_day():
    marks, errors = check(row("/"))
    assert errors == []
    assert marks == [
        MarkRow(2, ASHDOWN, SCHOOL, 11, dt.date(2025, 9, 2), Session.AM, codes.code("/"), None, "")
    ]


def test_an_error_carries_file_line_column_value_and_reason():
    """formats.md: "the importer reports every bad row (file, line, column, value, what is wrong)"."""
    _, errors = check(row("/"), row("ZZ", session="PM"))
    assert only_error(errors) == RowError("marks.csv", 3, "mark", "ZZ", "unknown attendance code")


def test_every_bad_row_is_reported_not_only_the_first():
    _, errors = check(row("ZZ"), row("/", session="PM"), row("QQ", date="2025-09-03"))
    assert [(e.line, e.value) for e in errors] == [(2, "ZZ"), (4, "QQ")]


def test_every_problem_on_one_row_is_reported():
    _, errors = check(row("ZZ", session="NOON", date="2025-13-01"))
    assert sorted(e.column for e in errors) == ["date", "mark", "session"]


# --- the code ----------------------------------------------------------------------------------

def test_an_unknown_code_is_refused():
    """formats.md: `mark` is "one code from the 2024 set (domain reference, table 2.1)"."""
    error = only_error(check(row("Z9"))[1])
    assert (error.column, error.value, error.reason) == ("mark", "Z9", "unknown attendance code")


@pytest.mark.parametrize("symbol", ["l", "i", "c1", "y3"])
def test_a_lowercase_code_is_refused_with_a_hint_that_codes_are_case_sensitive(symbol):
    error = only_error(check(row(symbol))[1])
    assert error.column == "mark" and error.value == symbol
    assert error.reason == "unknown attendance code (codes are case-sensitive)"


def test_the_no_mark_placeholder_is_refused():
    """Reference 2.1: `-` is an MIS placeholder, not a DfE code; the engine never guesses a mark
    (reference 0, "An open session on roll with no mark")."""
    error = only_error(check(row("-"))[1])
    assert error.column == "mark" and "no mark yet" in error.reason


@pytest.mark.parametrize("symbol", sorted(c.symbol for c in codes.CODES if not c.is_legacy and c.symbol != "#"))
def test_every_2024_code_is_accepted_on_an_open_session(symbol):
    marks, errors = check(row(symbol))
    assert errors == [] and marks[0].code.symbol == symbol


@pytest.mark.parametrize("symbol", ["H", "F", "J", "Y"])
def test_a_legacy_code_on_19_august_2024_is_refused(symbol):
    """Reference 0 and 2.2: legacy codes are "accepted only for dates before 19 Aug 2024 ...
    rejected with a clear error for later dates"."""
    error = only_error(check(row(symbol, pupil=CARROW, date="2024-08-19"))[1])
    assert (error.column, error.value) == ("mark", symbol)
    assert error.reason == f"legacy code {symbol} is not valid on or after 2024-08-19"


def test_a_legacy_code_after_19_august_2024_is_refused():
    error = only_error(check(row("H", date="2025-09-02"))[1])
    assert error.column == "mark" and "legacy code H" in error.reason


@pytest.mark.parametrize("symbol", ["H", "F", "J", "Y"])
def test_a_legacy_code_before_19_august_2024_is_accepted(symbol):
    """Reference 2.2: needed for importing history; 16 August 2024 is the Friday before."""
    marks, errors = check(row(symbol, pupil=CARROW, date="2024-08-16"))
    assert errors == []
    assert marks[0].code is codes.code(symbol)


# --- the pupil and school ----------------------------------------------------------------------

def test_a_bad_upn_check_letter_is_refused():
    """formats.md, "The UPN check letter"."""
    wrong = with_wrong_check_letter(ASHDOWN)
    error = only_error(check(row(pupil=wrong))[1])
    assert (error.column, error.value, error.reason) == ("upn", wrong, "bad UPN check letter")


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        (ASHDOWN[:-1], "a UPN has 13 characters"),
        (ASHDOWN.lower(), "a UPN is written in capitals without spaces"),
    ],
)
def test_a_malformed_upn_is_refused(value, reason):
    errors = check(row(pupil=value))[1]
    assert any(e.column == "upn" and e.value == value and e.reason == reason for e in errors), errors


def test_an_unknown_school_is_refused():
    error = only_error(check(row(school="999999"))[1])
    assert (error.column, error.value) == ("school_urn", "999999")
    assert error.reason == "unknown school: import its calendar first"


@pytest.mark.parametrize("urn", ["31000", "3100011", "31000A"])
def test_a_urn_has_six_digits(urn):
    error = only_error(check(row(school=urn))[1])
    assert (error.column, error.reason) == ("school_urn", "a URN has 6 digits")


def test_a_pupil_not_on_roll_that_day_is_refused_naming_the_enrolments():
    """formats.md: a mark is for "the school whose register holds the mark"; a pupil off roll
    has no register that day (conformance bad/marks.csv line 10)."""
    error = only_error(check(row(pupil=BRENNOCK, date="2025-10-14"))[1])
    assert (error.column, error.value) == ("date", "2025-10-14")
    assert error.reason == (
        f"pupil {BRENNOCK} is not on roll at {SCHOOL} on 2025-10-14 "
        "(on roll 2025-09-01 to 2025-10-03; 2025-11-03 to now)"
    )


def test_a_mark_goes_to_the_enrolment_on_roll_that_day():
    marks, errors = check(row(pupil=BRENNOCK, date="2025-09-02"), row(pupil=BRENNOCK, date="2025-11-04"))
    assert errors == []
    assert [m.enrolment for m in marks] == [21, 22]


def test_a_pupil_with_no_enrolment_at_the_school_is_refused():
    error = only_error(check(row(school=OTHER_SCHOOL))[1])
    assert (error.column, error.value) == ("upn", ASHDOWN)
    assert error.reason == f"pupil {ASHDOWN} has no enrolment at school {OTHER_SCHOOL}: import pupils first"


# --- the date and session ----------------------------------------------------------------------

@pytest.mark.parametrize("value", ["2025-13-01", "2025-9-2", "02/09/2025", "2025-02-30", ""])
def test_not_a_date_is_refused(value):
    """formats.md: `date` is "YYYY-MM-DD" (conformance bad/marks.csv line 13)."""
    error = only_error(check(row(date=value))[1])
    assert (error.column, error.value, error.reason) == ("date", value, "not a date in the form YYYY-MM-DD")


def test_a_saturday_is_refused():
    """formats.md: `date` is "a school day of that school"; calendar.csv: open on weekdays."""
    error = only_error(check(row(date=SATURDAY))[1])
    assert (error.column, error.value) == ("date", SATURDAY)
    assert error.reason == f"{SATURDAY} AM is not an open session of school {SCHOOL}: a Saturday"


def test_a_holiday_is_refused():
    """calendar.csv: outside a `term` the school is closed (conformance bad/marks.csv line 7)."""
    error = only_error(check(row(date=HALF_TERM))[1])
    assert error.column == "date"
    assert error.reason.endswith("not in term time (holiday)")


def test_a_planned_closure_is_refused_naming_it():
    """calendar.csv: `closure` is a planned closure (`#`), e.g. INSET."""
    error = only_error(check(row(date=INSET))[1])
    assert error.reason == f"{INSET} AM is not an open session of school {SCHOOL}: a planned closure (INSET)"


def test_a_half_day_closure_refuses_only_its_own_session():
    """calendar.csv: `session` "AM or PM for a half-day closure"."""
    marks, errors = check(row("/", date=EARLY_CLOSE, session="AM"), row("/", date=EARLY_CLOSE, session="PM"))
    assert [m.line for m in marks] == [2]
    error = only_error(errors)
    assert error.line == 3 and error.reason.endswith("a planned closure (Early close)")


def test_the_closure_mark_is_accepted_on_a_planned_closure():
    """Reference 2.1: `#` is "Planned whole or partial school closure"."""
    marks, errors = check(row("#", date=INSET))
    assert errors == [] and marks[0].code.symbol == "#"


def test_the_closure_mark_is_refused_on_an_open_session():
    error = only_error(check(row("#"))[1])
    assert error.column == "mark" and "calendar has it open" in error.reason


def test_the_closure_mark_is_refused_on_a_weekend():
    error = only_error(check(row("#", date=SATURDAY))[1])
    assert error.column == "date" and "not a school day" in error.reason


@pytest.mark.parametrize("value", ["NOON", "am", "pm", "A", ""])
def test_a_session_is_AM_or_PM(value):
    """formats.md: `session` is "`AM` or `PM`" (conformance bad/marks.csv line 8)."""
    error = only_error(check(row(session=value))[1])
    assert (error.column, error.value, error.reason) == ("session", value, "session must be AM or PM")


# --- minutes late ------------------------------------------------------------------------------

def test_minutes_late_on_a_present_mark_is_refused():
    """formats.md: `minutes_late` is "whole minutes, only with `L` or `U`"."""
    error = only_error(check(row("/", minutes="12"))[1])
    assert (error.column, error.value) == ("minutes_late", "12")
    assert error.reason == "minutes late go only with L or U, not /"


@pytest.mark.parametrize("symbol", ["I", "O", "V"])
def test_minutes_late_on_an_absence_is_refused(symbol):
    assert only_error(check(row(symbol, minutes="5"))[1]).column == "minutes_late"


def test_late_before_register_close_is_L_with_minutes_and_present():
    """Reference 1: "arrives before it closes: code L (counts as present)"."""
    marks, errors = check(row("L", minutes="12", comment="bus was late"))
    assert errors == []
    assert marks[0].minutes_late == 12 and marks[0].comment == "bus was late"
    assert marks[0].code.category is codes.Category.PRESENT


def test_late_after_register_close_is_U_with_minutes_and_unauthorised():
    """Reference 1: "Arrives after the register has closed ... code U (unauthorised absence)";
    reference 0: "`U` with minutes late is unauthorised absence"."""
    marks, errors = check(row("U", minutes="45"))
    assert errors == []
    assert marks[0].minutes_late == 45
    assert marks[0].code.category is codes.Category.UNAUTHORISED


@pytest.mark.parametrize("value", ["5.5", "-3", "ten", "301"])
def test_minutes_late_are_whole_minutes_up_to_300(value):
    error = only_error(check(row("L", minutes=value))[1])
    assert (error.column, error.value) == ("minutes_late", value)
    assert error.reason == "whole minutes from 0 to 300"


def test_minutes_late_may_be_left_empty_on_a_late_mark():
    marks, errors = check(row("L"))
    assert errors == [] and marks[0].minutes_late is None


# --- the same session twice in one file --------------------------------------------------------

def test_duplicate_rows_that_agree_are_one_mark():
    """Rows that say the same thing twice are harmless; the first is kept."""
    marks, errors = check(row("L", minutes="5"), row("/", session="PM"), row("L", minutes="5"))
    assert errors == []
    assert [(m.line, m.code.symbol) for m in marks] == [(2, "L"), (3, "/")]


def test_duplicate_rows_that_disagree_are_refused_naming_the_earlier_line():
    """Conformance bad/expected-errors.csv line 12: "same session as line 2 with another mark"."""
    marks, errors = check(row("/"), row("/", session="PM"), row("I"))
    error = only_error(errors)
    assert (error.line, error.column, error.value) == (4, "mark", "I")
    assert error.reason == "same session as line 2 with another mark (/ there, I here)"


def test_duplicate_rows_that_differ_only_in_minutes_late_are_refused():
    error = only_error(check(row("L", minutes="5"), row("L", minutes="25"))[1])
    assert error.line == 3 and "same session as line 2" in error.reason


def test_the_same_session_at_two_schools_is_two_marks():
    """Dual registration: "each school keeps its own register" (reference 0)."""
    spans = {(ASHDOWN, OTHER_SCHOOL): [EnrolmentSpan(12, dt.date(2025, 9, 1), None)]}
    context = FakeSchools()
    context.spans.update(spans)
    errors: list[RowError] = []
    text = csv_text(HEADER, [row("/"), row("D", school=OTHER_SCHOOL)])
    lines = read_rows(io.StringIO(text), marks_file.COLUMNS, name="marks.csv", errors=errors)
    marks = marks_file.check_marks(lines, context, file="marks.csv", errors=errors)
    assert errors == [] and [m.enrolment for m in marks] == [11, 12]
