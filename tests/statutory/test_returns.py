"""Returns to the local authority detected from constructed registers.

Sources: domain reference 5.2 (attendance, sickness, new pupil returns), 5.3 (ground 9(1)(i))
and section 0 (how each is counted); seed 002 line 169 (sickness, consecutive or cumulative);
formats.md "Returns to the local authority".
"""

from __future__ import annotations

import datetime as dt

import pytest

from muster.audit.models import AuditEvent
from muster.statutory import actions
from muster.statutory.actions import StatutoryError
from muster.statutory.models import LaReturn
from tests.statutory.conftest import HALF_TERM, PRESENT, week_of

ON = dt.date(2025, 12, 19)


def returns_of(pupil, kind=None):
    found = LaReturn.objects.filter(pupil=pupil)
    if kind:
        found = found.filter(kind=kind)
    return [(r.kind, r.ground, r.met_on, r.due_on, r.school.urn) for r in found]


def test_attendance_return_for_10_continuous_days_of_unauthorised_absence(town):
    pupil = town.pupil("Brackenridge")
    town.enrol(pupil, town.schools[0], [PRESENT, "NNNNNNNNNN", "OOOOOOOOOO", PRESENT])
    actions.detect_returns(on=ON)
    friday = week_of(3) + dt.timedelta(days=4)
    assert returns_of(pupil) == [("attendance", "", friday, dt.date(2025, 9, 30), "310101")]


def test_sickness_return_for_15_days_cumulative_across_a_school_move(town):
    pupil = town.pupil("Cindergate")
    town.enrol(pupil, town.schools[0], ["IIII//////"] * 7, end=dt.date(2025, 10, 17))
    town.enrol(pupil, town.schools[1], [PRESENT] * 7 + [HALF_TERM] + ["II////////"] * 2,
               start=dt.date(2025, 10, 27))
    actions.detect_returns(on=ON)
    # 7 weeks x 4 = 28 I sessions at the first school, the 30th on Monday after half term.
    assert returns_of(pupil, "sickness") == [("sickness", "", week_of(9), week_of(9), "310102")]
    assert sorted(r[0] for r in returns_of(pupil)) == ["new_entry", "sickness"]  # the move is a new entry


def test_deletion_ground_i_for_20_continuous_days_of_G_N_O(town):
    pupil = town.pupil("Dewhollow")
    town.enrol(pupil, town.schools[0], [PRESENT] + ["GGGGGGGGGG", "NNNNNNNNNN", "OOOOOOOOOO", "NNNNNNNNNN"])
    actions.detect_returns(on=ON)
    friday = week_of(5) + dt.timedelta(days=4)
    kinds = {r[0]: r for r in returns_of(pupil)}
    assert kinds["deletion"] == ("deletion", "9(1)(i)", friday, friday, "310101")
    assert "attendance" in kinds


def test_deletion_ground_i_broken_by_one_other_code(town):
    pupil = town.pupil("Eskerfield")
    town.enrol(pupil, town.schools[0], [PRESENT] + ["GGGGGGGGGG", "NNNNNMNNNN", "OOOOOOOOOO", "NNNNNNNNNN"])
    actions.detect_returns(on=ON)
    assert [r[0] for r in returns_of(pupil)] == ["attendance"]


def test_new_entry_notification_due_5_days_after_entry(town):
    pupil = town.pupil("Fernhythe")
    town.enrol(pupil, town.schools[0], [PRESENT] * 3, start=dt.date(2025, 9, 10))
    actions.detect_returns(on=ON)
    assert returns_of(pupil) == [("new_entry", "", dt.date(2025, 9, 10), dt.date(2025, 9, 15), "310101")]


def test_no_new_entry_for_the_youngest_class_starting_on_the_first_day(town):
    # Reference 5.2: not required for pupils placed in the most junior class with a start on
    # the first day of the school year.
    youngest = town.pupil("Gorsebrook", nc_year="R")
    older = town.pupil("Hollinbank", nc_year="5")
    town.enrol(youngest, town.schools[0], [PRESENT])
    town.enrol(older, town.schools[0], [PRESENT])
    actions.detect_returns(on=ON)
    assert returns_of(youngest) == []
    assert [r[0] for r in returns_of(older)] == ["new_entry"]


def test_detecting_twice_records_each_return_once_and_is_audited(town):
    pupil = town.pupil("Ivybridge")
    town.enrol(pupil, town.schools[0], [PRESENT, "NNNNNNNNNN", "NNNNNNNNNN"])
    assert len(actions.detect_returns(on=ON, by=town.staff)) == 1
    assert actions.detect_returns(on=ON, by=town.staff) == []
    assert AuditEvent.objects.filter(record_kind="la_return").count() == 1


def test_export_marks_returns_sent(town):
    pupil = town.pupil("Juniperhall")
    town.enrol(pupil, town.schools[0], [PRESENT, "NNNNNNNNNN", "NNNNNNNNNN"])
    actions.detect_returns(on=ON)
    assert actions.mark_returns_exported(returns=LaReturn.objects.all(), on=ON, by=town.staff) == 1
    record = LaReturn.objects.get()
    assert (record.status, record.exported_on) == ("sent", ON)


def test_a_deletion_return_needs_one_of_the_15_grounds(town):
    pupil = town.pupil("Kestrelford")
    with pytest.raises(StatutoryError, match="not a ground"):
        actions.record_deletion_return(pupil=pupil, school=town.schools[0], ground="9(1)(z)", on=ON, by=town.staff)
    record = actions.record_deletion_return(pupil=pupil, school=town.schools[0], ground="9(1)(f)", on=ON, by=town.staff)
    assert (record.kind, record.due_on) == ("deletion", ON)


def test_staff_may_raise_the_sickness_return_early_once_a_year(town):
    # Reference 5.2 ("reasonably believes will miss 15 school days") and section 0 ("staff may
    # also raise one early"); the count reaching 30 later adds no second return that year.
    pupil = town.pupil("Lindenmoor")
    town.enrol(pupil, town.schools[0], ["IIIIIIIIII", "IIIIIIIIII", "IIIIIIIIII", PRESENT])
    with pytest.raises(StatutoryError, match="say why"):
        actions.raise_sickness_return(pupil=pupil, school=town.schools[0], on=week_of(2), by=town.staff, note=" ")
    actions.raise_sickness_return(pupil=pupil, school=town.schools[0], on=week_of(2), by=town.staff,
                                  note="hospital stay of four weeks expected")
    actions.detect_returns(on=ON)
    assert returns_of(pupil, "sickness") == [("sickness", "", week_of(2), week_of(2), "310101")]
    with pytest.raises(StatutoryError, match="already has"):
        actions.raise_sickness_return(pupil=pupil, school=town.schools[0], on=week_of(4), by=town.staff, note="again")


def test_sickness_outlook_lists_pupils_ill_now_with_days_to_reach(town):
    from muster.statutory.sickness import sickness_outlook_rows

    ill = town.pupil("Mistlebury")
    town.enrol(ill, town.schools[0], ["II////////", PRESENT, "//////IIII"])
    well = town.pupil("Nettlecombe")
    town.enrol(well, town.schools[0], ["IIIIIIIIII", PRESENT, PRESENT])
    friday = week_of(3) + dt.timedelta(days=4)
    rows = sickness_outlook_rows(on=friday)
    assert [(r["upn"], r["sessions_this_year"], r["current_spell"], r["days_to_reach"]) for r in rows] == [
        (ill.upn, 6, 4, 12)
    ]
