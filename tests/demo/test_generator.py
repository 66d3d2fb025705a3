"""The demo generator (muster.demo), without a database: deterministic, well placed, realistic."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from stdnum.gb import upn

from muster.core import codes
from muster.core.codes import Category
from muster.core.register_checks import misplaced_slots
from muster.core.slots import Session, slot_of
from muster.demo import Demo, generate, schools
from muster.demo.people import nc_year_label, nc_year_of

TODAY = dt.date(2026, 11, 27)


@pytest.fixture(scope="module")
def demo() -> Demo:
    return generate(seed=2025, today=TODAY, pupils=3000)


@pytest.fixture(scope="module")
def small() -> Demo:
    return generate(seed=11, today=dt.date(2026, 3, 10), pupils=200)


def _category_table(category: Category) -> np.ndarray:
    return np.array([codes.category_of_id(i) is category for i in range(256)])


PRESENT, AEA, AUTHORISED, UNAUTHORISED = (
    _category_table(c)
    for c in (Category.PRESENT, Category.AEA, Category.AUTHORISED, Category.UNAUTHORISED)
)


def _figures(demo: Demo, year: int) -> tuple[np.ndarray, np.ndarray]:
    """Absence and possible sessions of each register year of `year`."""
    marks = np.stack([r.marks for r in demo.registers if r.academic_year == year])
    absence = (AUTHORISED[marks] | UNAUTHORISED[marks]).sum(axis=1)
    possible = absence + (PRESENT[marks] | AEA[marks]).sum(axis=1)
    return absence, possible


def test_the_same_seed_and_day_give_the_same_demo(small):
    again = generate(seed=11, today=dt.date(2026, 3, 10), pupils=200)
    assert again.pupils == small.pupils
    assert again.enrolments == small.enrolments
    assert again.corrections == small.corrections
    assert [(r.enrolment_key, r.academic_year, r.marks.tobytes(), r.minutes_late) for r in again.registers] == [
        (r.enrolment_key, r.academic_year, r.marks.tobytes(), r.minutes_late) for r in small.registers
    ]


def test_another_seed_gives_other_pupils(small):
    other = generate(seed=12, today=dt.date(2026, 3, 10), pupils=200)
    assert [p.legal_surname for p in other.pupils] != [p.legal_surname for p in small.pupils]


def test_about_the_number_of_pupils_asked_for(demo, small):
    assert 2700 <= len(demo.pupils) <= 3300
    assert 150 <= len(small.pupils) <= 260


def test_every_upn_is_valid_and_unique(demo):
    upns = [p.upn for p in demo.pupils]
    assert len(set(upns)) == len(upns)
    assert all(upn.is_valid(u) for u in upns)


@pytest.mark.parametrize("today", [dt.date(2026, 8, 10), dt.date(2026, 9, 2), dt.date(2027, 1, 3),
                                   dt.date(2027, 5, 4), dt.date(2027, 7, 31)])
def test_marks_only_where_the_school_is_open_and_the_pupil_on_roll(today):
    demo = generate(seed=3, today=today, pupils=150)
    enrolments = {e.key: e for e in demo.enrolments}
    for register in demo.registers:
        enrolment = enrolments[register.enrolment_key]
        calendar = demo.calendars[enrolment.school_urn]
        assert not len(
            misplaced_slots(register.marks, register.academic_year, calendar, enrolment.start, enrolment.end)
        ), enrolment


def test_this_year_is_marked_up_to_this_morning_only(demo):
    year, this_morning = slot_of(TODAY, Session.AM)
    current = [r for r in demo.registers if r.academic_year == year]
    assert current
    assert not any(r.marks[this_morning + 1 :].any() for r in current)
    assert any(r.marks[this_morning] for r in current)


def test_last_year_is_marked_in_full(demo):
    absence, possible = _figures(demo, 2025)
    assert np.median(possible) > 370


def test_national_curriculum_years_match_age(demo):
    on_roll_now = {e.pupil_key for e in demo.enrolments if e.end is None}
    for pupil in demo.pupils:
        if pupil.key in on_roll_now:
            assert pupil.nc_year == nc_year_label(nc_year_of(pupil.date_of_birth, 2026)), pupil


def test_primary_pupils_are_in_reception_to_year_6_and_secondary_in_7_to_13(demo):
    for enrolment in demo.enrolments:
        if enrolment.end is None and enrolment.registration == "single":
            plan = schools.BY_URN[enrolment.school_urn]
            pupil = demo.pupils[enrolment.pupil_key]
            assert nc_year_of(pupil.date_of_birth, 2026) in plan.nc_years


def test_attendance_is_near_englands(demo):
    absence, possible = _figures(demo, 2025)
    counted = possible > 0
    attendance = 100 * (1 - absence.sum() / possible.sum())
    persistent = (absence * 10 >= possible)[counted].mean() * 100
    severe = (absence * 2 >= possible)[counted].mean() * 100
    assert 93.0 <= attendance <= 95.5
    assert 12 <= persistent <= 20
    assert 0.5 <= severe <= 3


def test_characteristics_come_in_realistic_shares(demo):
    pupils = demo.pupils
    assert 0.2 <= np.mean([p.fsm for p in pupils]) <= 0.3
    assert 0.1 <= np.mean([p.sen == "K" for p in pupils]) <= 0.17
    assert 0.02 <= np.mean([p.sen == "E" for p in pupils]) <= 0.05
    assert 0.02 <= np.mean([p.has_social_worker for p in pupils]) <= 0.08
    assert 0.003 <= np.mean([p.previously_looked_after for p in pupils]) <= 0.02
    assert {p.sex for p in pupils} == {"F", "M"}


def test_about_sixty_children_in_care_some_placed_in_other_authorities(demo):
    in_care = demo.children_in_care()
    assert 50 <= len(in_care) <= 70
    home = {s.urn for s in schools.home_schools()}
    placed = {e.pupil_key for e in demo.enrolments if e.school_urn not in home}
    assert len(placed & {p.key for p in in_care}) >= 10
    others = [p for p in demo.pupils if p.looked_after and p.care_authority != schools.HOME.code]
    assert others, "children looked after by other authorities attend Kestermoor schools"


def _count(demo: Demo, symbol: str) -> int:
    wanted = codes.code(symbol).id
    return sum(int((r.marks == wanted).sum()) for r in demo.registers)


@pytest.mark.parametrize("symbol", ["I", "M", "L", "U", "G", "O", "N", "E", "V", "P", "B", "W", "R", "D", "#"])
def test_the_registers_use_the_codes_schools_use(demo, symbol):
    assert _count(demo, symbol) > 0


def test_some_holidays_meet_the_penalty_notice_threshold(demo):
    holiday = codes.code("G").id
    long_holidays = [r for r in demo.registers if (r.marks == holiday).sum() >= 10]
    assert len(long_holidays) >= 20


def test_late_marks_carry_minutes_within_the_register_window(demo):
    enrolments = {e.key: e for e in demo.enrolments}
    late, after_close = codes.code("L").id, codes.code("U").id
    for register in demo.registers[:500]:
        window = schools.BY_URN[enrolments[register.enrolment_key].school_urn].times.am_window_minutes
        for slot, minutes in register.minutes_late:
            if register.marks[slot] == late:
                assert 1 <= minutes < window
            else:
                assert register.marks[slot] == after_close and minutes > window


def test_pupils_join_leave_and_move_between_demo_schools(demo):
    by_pupil: dict[int, list] = {}
    for e in demo.enrolments:
        by_pupil.setdefault(e.pupil_key, []).append(e)
    home = {s.urn for s in schools.home_schools()}
    movers = [
        es for es in by_pupil.values()
        if len({e.school_urn for e in es} & home) >= 2 and es[0].end and es[0].end.month not in (7, 8)
    ]
    assert len(movers) >= 10
    assert sum(1 for e in demo.enrolments if e.end and dt.date(2025, 9, 8) < e.end < dt.date(2026, 7, 15)) >= 50
    assert sum(1 for e in demo.enrolments if dt.date(2025, 9, 8) < e.start < TODAY) >= 50


def test_dual_registered_pupils_are_marked_d_where_due_at_the_other_school(demo):
    dual = codes.code("D").id
    registers = {(r.enrolment_key, r.academic_year): r.marks for r in demo.registers}
    subsidiaries = [e for e in demo.enrolments if e.registration == "subsidiary"]
    assert len(subsidiaries) >= 5
    for sub in subsidiaries:
        main = next(e for e in demo.enrolments if e.pupil_key == sub.pupil_key and e.registration == "main")
        for year in (2025, 2026):
            if (sub.key, year) not in registers:
                continue
            at_unit, at_main = registers[(sub.key, year)], registers[(main.key, year)]
            assert (at_unit == dual).any() and (at_main == dual).any()
            both_present = PRESENT[at_unit] & PRESENT[at_main]
            assert not both_present.any()


def test_corrections_start_from_the_mark_first_recorded(demo):
    registers = {(r.enrolment_key, r.academic_year): r.marks for r in demo.registers}
    assert len(demo.corrections) >= 20
    for c in demo.corrections:
        first = registers[(c.enrolment_key, c.academic_year)][c.slot]
        assert codes.BY_ID[int(first)].symbol != c.symbol
        assert c.reason
    assert any(codes.BY_ID[int(registers[(c.enrolment_key, c.academic_year)][c.slot])].symbol == "N"
               for c in demo.corrections)
