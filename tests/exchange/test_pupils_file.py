"""Checking `pupils.csv` rows: formats.md, "Pupils and enrolments" (one row per enrolment)."""

from __future__ import annotations

import datetime as dt
import io

import pytest

from muster.core.exchange import pupils_file
from muster.core.exchange.csv_file import RowError, read_rows
from muster.core.exchange.pupils_file import EnrolmentRow
from tests.exchange.samples import csv_text, upn, with_wrong_check_letter

SCHOOL, OTHER_SCHOOL = "310001", "310002"
ASHDOWN, BRENNOCK = upn(1), upn(2)

HEADER = [
    "upn", "legal_surname", "legal_forename", "preferred_name", "date_of_birth", "sex", "nc_year",
    "school_urn", "enrolment_start", "enrolment_end", "registration", "looked_after",
    "care_authority", "previously_looked_after", "social_worker", "sen", "fsm",
]


def row(**changes) -> dict[str, str]:
    values = {
        "upn": ASHDOWN, "legal_surname": "Ashdown", "legal_forename": "Matilda",
        "preferred_name": "Tilly", "date_of_birth": "2014-03-09", "sex": "F", "nc_year": "7",
        "school_urn": SCHOOL, "enrolment_start": "2025-09-01", "enrolment_end": "",
        "registration": "", "looked_after": "", "care_authority": "",
        "previously_looked_after": "", "social_worker": "", "sen": "", "fsm": "",
    }
    values.update(changes)
    return values


def check(*rows: dict[str, str]) -> tuple[list[EnrolmentRow], list[RowError]]:
    errors: list[RowError] = []
    text = csv_text(HEADER, [[r[h] for h in HEADER] for r in rows])
    lines = read_rows(io.StringIO(text), pupils_file.COLUMNS, name="pupils.csv", errors=errors)
    known = {SCHOOL, OTHER_SCHOOL}.__contains__
    return pupils_file.check_pupils(lines, known, file="pupils.csv", errors=errors), errors


def only_error(errors: list[RowError]) -> RowError:
    assert len(errors) == 1, errors
    return errors[0]


def test_a_good_row_gives_the_pupil_and_the_enrolment_with_the_documented_defaults():
    """formats.md: `registration` defaults to `single`; Y/N flags and `sen` are optional."""
    enrolments, errors = check(row())
    assert errors == []
    (e,) = enrolments
    assert (e.line, e.school_urn, e.start, e.end, e.registration) == (
        2, SCHOOL, dt.date(2025, 9, 1), None, "single"
    )
    assert e.pupil.upn == ASHDOWN and e.pupil.preferred_name == "Tilly"
    assert (e.pupil.looked_after, e.pupil.fsm, e.pupil.has_social_worker, e.pupil.sen) == (
        False, False, False, "N"
    )


def test_only_the_required_columns_are_needed():
    required = list(pupils_file.COLUMNS.required)
    errors: list[RowError] = []
    text = csv_text(required, [[row()[h] for h in required]])
    lines = read_rows(io.StringIO(text), pupils_file.COLUMNS, name="pupils.csv", errors=errors)
    enrolments = pupils_file.check_pupils(lines, {SCHOOL}.__contains__, file="pupils.csv", errors=errors)
    assert errors == [] and len(enrolments) == 1


def test_a_looked_after_child_keeps_the_care_authority():
    (e,), errors = check(row(looked_after="Y", care_authority="802"))
    assert errors == [] and e.pupil.looked_after and e.pupil.care_authority == "802"


def test_a_bad_upn_check_letter_is_refused():
    wrong = with_wrong_check_letter(ASHDOWN)
    error = only_error(check(row(upn=wrong))[1])
    assert error == RowError("pupils.csv", 2, "upn", wrong, "bad UPN check letter")


def test_an_unknown_school_is_refused():
    error = only_error(check(row(school_urn="999999"))[1])
    assert (error.column, error.value, error.reason) == (
        "school_urn", "999999", "unknown school: import its calendar first"
    )


@pytest.mark.parametrize(
    ("column", "value", "reason"),
    [
        ("nc_year", "15", "expected N1, N2, R or 1 to 14"),
        ("nc_year", "Y7", "expected N1, N2, R or 1 to 14"),
        ("registration", "dual", "expected single, main or subsidiary"),
        ("sex", "X", "expected M or F (as in the school census), or blank"),
        ("sen", "S", "expected N (none), K (SEN support) or E (EHC plan)"),
        ("fsm", "yes", "expected Y or N"),
        ("looked_after", "1", "expected Y or N"),
        ("date_of_birth", "09/03/2014", "not a date in the form YYYY-MM-DD"),
        ("enrolment_start", "", "not a date in the form YYYY-MM-DD"),
        ("enrolment_end", "2025-08-31", "is before the enrolment start 2025-09-01"),
        ("legal_surname", "", "required"),
        ("care_authority", "802", "a care authority is given but looked_after is not Y"),
    ],
)
def test_a_field_outside_the_format_is_refused(column, value, reason):
    """formats.md, the `pupils.csv` table: each column's content."""
    error = only_error(check(row(**{column: value}))[1])
    assert (error.line, error.column, error.value, error.reason) == (2, column, value, reason)


def test_a_date_of_birth_giving_an_impossible_age_is_refused():
    error = only_error(check(row(date_of_birth="2026-01-01"))[1])
    assert error.column == "date_of_birth" and "gives an age of" in error.reason


@pytest.mark.parametrize("nc_year", ["N1", "N2", "R", "1", "14"])
def test_every_national_curriculum_year_is_accepted(nc_year):
    assert check(row(nc_year=nc_year))[1] == []


def test_overlapping_enrolments_at_the_same_school_are_refused_naming_the_earlier_line():
    """A session has one register at a school (pupils_file._check_overlaps)."""
    _, errors = check(
        row(enrolment_end="2025-10-31"),
        row(enrolment_start="2025-10-01"),
    )
    error = only_error(errors)
    assert (error.line, error.column, error.value) == (3, "enrolment_start", "2025-10-01")
    assert error.reason == "overlaps the enrolment on line 2 at the same school"


def test_an_open_enrolment_overlaps_any_later_one_at_the_same_school():
    _, errors = check(row(), row(enrolment_start="2026-01-05"))
    assert only_error(errors).line == 3


def test_a_pupil_may_leave_and_rejoin_the_same_school():
    enrolments, errors = check(
        row(enrolment_end="2025-10-03"), row(enrolment_start="2025-11-03")
    )
    assert errors == [] and len(enrolments) == 2


def test_dual_registration_at_two_schools_at_once_is_accepted():
    """formats.md: `main` or `subsidiary` (dual registration); reference 0."""
    enrolments, errors = check(
        row(registration="main"), row(school_urn=OTHER_SCHOOL, registration="subsidiary")
    )
    assert errors == []
    assert [e.registration for e in enrolments] == ["main", "subsidiary"]


def test_a_pupil_described_differently_on_two_rows_is_refused_naming_the_earlier_line():
    """What a row says of the pupil must be the same on every row for that UPN."""
    enrolments, errors = check(
        row(enrolment_end="2025-10-03"),
        row(school_urn=OTHER_SCHOOL, enrolment_start="2025-10-06", legal_surname="Ashdown-Reeve"),
    )
    error = only_error(errors)
    assert (error.line, error.column, error.value) == (3, "legal_surname", "Ashdown-Reeve")
    assert error.reason == f"pupil {ASHDOWN} is described differently on line 2 (legal_surname)"
    assert len(enrolments) == 1


def test_the_same_enrolment_twice_is_refused():
    _, errors = check(row(), row())
    error = only_error(errors)
    assert error.line == 3 and error.reason == "the same enrolment is on line 2"


def test_two_pupils_are_checked_independently():
    enrolments, errors = check(row(), row(upn=BRENNOCK, legal_surname="Brennock", legal_forename="Ifan"))
    assert errors == [] and {e.pupil.upn for e in enrolments} == {ASHDOWN, BRENNOCK}
