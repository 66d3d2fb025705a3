"""The register retention rule and the anonymised forms of identifiers, without a database.

Sources: SI 2024/208 explanatory note, "every register entry must be kept for at least six years"
(domain reference 1 "Retention", 0 "Register retention"); `stdnum.gb.upn` for the UPN check
letter (formats.md, "The UPN check letter").
"""

from __future__ import annotations

import datetime as dt
import doctest

import pytest
from django.core.exceptions import ValidationError
from stdnum.gb import upn as upn_check

from muster.core.parameters import national
from muster.records import retention
from muster.records.retention import RetentionPeriod, anonymised_upn, school_year_start
from muster.registers.models import validate_upn


def test_the_examples_in_the_retention_module_hold():
    assert doctest.testmod(retention).failed == 0


def test_registers_are_kept_six_years_from_19_august_2024():
    parameter = national("retention", "register_years")
    assert parameter.unit == "years"
    assert parameter.entries[0].start == dt.date(2024, 8, 19)
    assert parameter.value_on(dt.date(2024, 8, 19)) == 6
    assert "SI 2024/208" in parameter.entries[0].reference


def test_no_retention_period_is_assumed_before_the_2024_regulations():
    with pytest.raises(ValueError, match="no register retention period"):
        RetentionPeriod.national(dt.date(2024, 8, 18))


def test_a_record_is_kept_on_the_sixth_anniversary_of_the_last_day_on_roll():
    period = RetentionPeriod.national(dt.date(2031, 7, 19))
    assert period.kept_until(dt.date(2025, 7, 18)) == dt.date(2031, 7, 18)
    assert not period.has_passed(dt.date(2025, 7, 18), on=dt.date(2031, 7, 18))
    assert period.has_passed(dt.date(2025, 7, 18), on=dt.date(2031, 7, 19))


def test_a_last_day_on_29_february_is_kept_until_28_february():
    period = RetentionPeriod.national(dt.date(2030, 3, 1))
    assert period.kept_until(dt.date(2024, 2, 29)) == dt.date(2030, 2, 28)
    assert period.has_passed(dt.date(2024, 2, 29), on=dt.date(2030, 3, 1))


@pytest.mark.parametrize(
    "born,reduced",
    [
        ("2014-03-09", "2013-09-01"),
        ("2014-08-31", "2013-09-01"),
        ("2014-09-01", "2014-09-01"),
        ("2014-12-31", "2014-09-01"),
        ("2016-02-29", "2015-09-01"),
    ],
)
def test_date_of_birth_is_reduced_to_1_september_of_its_school_year(born, reduced):
    assert school_year_start(dt.date.fromisoformat(born)) == dt.date.fromisoformat(reduced)


def test_the_reduced_date_of_birth_keeps_every_child_in_their_nc_year_cohort():
    """A cohort is the children born 1 September to 31 August (their NC year)."""

    def cohort(born: dt.date) -> int:
        return born.year if born.month >= 9 else born.year - 1

    day = dt.date(2012, 1, 1)
    while day < dt.date(2016, 1, 1):
        assert cohort(school_year_start(day)) == cohort(day)
        day += dt.timedelta(days=1)


def test_no_real_upn_has_the_anonymised_check_letter():
    check_letters = {upn_check.calc_check_digit(f"{la}400025{n:03d}") for la in (802, 938) for n in range(1000)}
    assert check_letters == set("ABCDEFGHJKLMNPQRTUVWXYZ")  # all 23: never I, O or S
    assert not upn_check.is_valid(anonymised_upn(42))


def test_an_anonymised_upn_is_accepted_by_the_pupil_upn_validator():
    validate_upn(anonymised_upn(42))
    for near_miss in ("SANON0000042", "SANON000000042", "SANONABCDEFGH", "TANON00000042"):
        with pytest.raises(ValidationError):
            validate_upn(near_miss)


def test_anonymised_upns_are_unique_per_record():
    assert anonymised_upn(1) != anonymised_upn(2)
    assert len(anonymised_upn(99_999_999)) == 13
    with pytest.raises(ValueError):
        anonymised_upn(10**8)
