"""Penalty-notice cases on constructed registers.

Sources: seed 002 lines 187-191 (threshold; the 10 school weeks span terms and settings;
£80/£160, second notice £160, third offence referred); domain reference 0 ("School week",
"Threshold met"), 4.1 (support first), 4.3 (notice to improve, 3 to 6 weeks), 4.4 (2 in 3
years per parent per child; withdrawn notices do not count).
"""

from __future__ import annotations

import datetime as dt

import pytest

from muster.audit.models import AuditEvent
from muster.statutory import actions
from muster.statutory.actions import StatutoryError
from muster.statutory.models import PenaltyNoticeCase
from tests.statutory.conftest import HALF_TERM, PRESENT, week_of

ONE_O = "O/////////"
STAGE = PenaltyNoticeCase.Stage


def mover(town):
    """5 O sessions at the first school before half term, 5 at the second after it."""
    pupil = town.pupil("Quillfeather")
    first, second = town.schools
    town.enrol(pupil, first, [PRESENT, PRESENT] + [ONE_O] * 5, end=dt.date(2025, 10, 17))
    town.enrol(pupil, second, [PRESENT] * 7 + [HALF_TERM] + [ONE_O] * 5,
               start=dt.date(2025, 10, 27))
    return pupil


def test_case_opens_with_threshold_met_across_a_holiday_and_a_school_move(town):
    pupil = mover(town)
    case = actions.open_penalty_notice_case(pupil=pupil, school=town.schools[1], on=dt.date(2025, 11, 28), by=town.staff)
    assert (case.threshold_met_on, case.threshold_met_session) == (week_of(13), "AM")
    assert len(case.evidence) == 10
    assert {e["school_urn"] for e in case.evidence} == {"310101", "310102"}
    assert len(case.school_weeks) == 10
    assert week_of(8).isoformat() not in case.school_weeks  # half term is not a school week
    assert case.window_first_week == week_of(3)
    assert AuditEvent.objects.filter(record_kind="penalty_notice_case", pupil_id=pupil.pk).count() == 1


def test_no_case_before_the_threshold_is_met(town):
    pupil = mover(town)
    with pytest.raises(StatutoryError, match="has not met"):
        actions.open_penalty_notice_case(pupil=pupil, school=town.schools[1], on=week_of(13) - dt.timedelta(days=1), by=town.staff)


def test_one_open_case_at_a_time(town):
    pupil = mover(town)
    on = dt.date(2025, 11, 28)
    actions.open_penalty_notice_case(pupil=pupil, school=town.schools[1], on=on, by=town.staff)
    with pytest.raises(StatutoryError, match="already has an open"):
        actions.open_penalty_notice_case(pupil=pupil, school=town.schools[1], on=on, by=town.staff)


def test_detect_opens_cases_for_pupils_who_met_it_only(town):
    mover(town)
    steady = town.pupil("Ashgrove")
    town.enrol(steady, town.schools[0], [PRESENT] * 14)
    opened = actions.detect_penalty_notice_cases(on=dt.date(2025, 11, 28))
    assert [c.pupil.legal_surname for c in opened] == ["Quillfeather"]
    assert actions.detect_penalty_notice_cases(on=dt.date(2025, 11, 28)) == []


def test_support_first_path_and_the_improvement_period(town):
    case = actions.open_penalty_notice_case(
        pupil=mover(town), school=town.schools[1], on=dt.date(2025, 11, 28), by=town.staff
    )
    actions.advance_penalty_notice_case(case=case, stage=STAGE.SUPPORT_OFFERED, on=dt.date(2025, 12, 1), by=town.staff)
    actions.advance_penalty_notice_case(case=case, stage=STAGE.ATTENDANCE_CONTRACT, on=dt.date(2025, 12, 3), by=town.staff)
    with pytest.raises(StatutoryError, match="3 to 6 weeks"):
        actions.advance_penalty_notice_case(case=case, stage=STAGE.NOTICE_TO_IMPROVE, on=dt.date(2025, 12, 5),
                                            by=town.staff, improvement_weeks=8)
    actions.advance_penalty_notice_case(case=case, stage=STAGE.NOTICE_TO_IMPROVE, on=dt.date(2025, 12, 5),
                                        by=town.staff, improvement_weeks=4)
    assert case.improvement_ends_on == dt.date(2026, 1, 2)
    with pytest.raises(StatutoryError, match="cannot go"):
        actions.advance_penalty_notice_case(case=case, stage=STAGE.SUPPORT_OFFERED, on=dt.date(2025, 12, 8), by=town.staff)
    assert [s.stage for s in case.steps.all()] == [
        "opened", "support_offered", "attendance_contract", "notice_to_improve"
    ]


def decide(case, town, on, parents=("Parent A", "Parent B")):
    return actions.decide_penalty_notice_case(
        case=case, route=PenaltyNoticeCase.Route.PENALTY_NOTICE, on=on, by=town.staff, parents=parents
    )


def reopen(pupil, town, on):
    """A later case for the same pupil: the threshold is met again after the last one."""
    return PenaltyNoticeCase.objects.create(
        pupil=pupil, school=town.schools[1], opened_on=on, threshold_met_on=on,
        threshold_met_session="AM", window_first_week=on, window_last_week=on, school_weeks=[],
        evidence=[], rule="test",
    )


def test_notices_per_parent_then_second_at_160_then_third_refused(town):
    pupil = mover(town)
    case = actions.open_penalty_notice_case(pupil=pupil, school=town.schools[1], on=dt.date(2025, 11, 28), by=town.staff)
    first = decide(case, town, dt.date(2025, 12, 1))
    assert [(n.parent, n.offence) for n in first] == [("Parent A", 1), ("Parent B", 1)]
    assert [a["amount_pence"] for a in first[0].amounts] == [8000, 16000]
    assert first[0].amounts[0]["pay_by"] == "2025-12-22"
    second = decide(reopen(pupil, town, dt.date(2026, 6, 1)), town, dt.date(2026, 6, 1))
    assert [(n.offence, [a["amount_pence"] for a in n.amounts]) for n in second] == [(2, [16000]), (2, [16000])]
    third_case = reopen(pupil, town, dt.date(2027, 3, 1))
    third = decide(third_case, town, dt.date(2027, 3, 1))
    assert third == []
    assert "prosecution" in third_case.steps.last().note


def test_a_withdrawn_notice_does_not_count(town):
    pupil = mover(town)
    case = actions.open_penalty_notice_case(pupil=pupil, school=town.schools[1], on=dt.date(2025, 11, 28), by=town.staff)
    (notice,) = decide(case, town, dt.date(2025, 12, 1), parents=("Parent A",))
    actions.withdraw_penalty_notice(notice=notice, on=dt.date(2025, 12, 10), by=town.staff, reason="issued in error")
    (again,) = decide(reopen(pupil, town, dt.date(2026, 6, 1)), town, dt.date(2026, 6, 1), parents=("Parent A",))
    assert again.offence == 1


def test_the_history_follows_the_pupil_across_schools(town):
    pupil = mover(town)
    case = actions.open_penalty_notice_case(pupil=pupil, school=town.schools[0], on=dt.date(2025, 11, 28), by=town.staff)
    decide(case, town, dt.date(2025, 12, 1), parents=("Parent A",))
    later = reopen(pupil, town, dt.date(2026, 6, 1))  # opened at the other school
    assert later.school != case.school
    (notice,) = decide(later, town, dt.date(2026, 6, 1), parents=("Parent A",))
    assert notice.offence == 2


def test_a_penalty_notice_decision_names_the_parents(town):
    case = actions.open_penalty_notice_case(pupil=mover(town), school=town.schools[1], on=dt.date(2025, 11, 28), by=town.staff)
    with pytest.raises(StatutoryError, match="each parent"):
        decide(case, town, dt.date(2025, 12, 1), parents=())
