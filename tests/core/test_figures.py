"""The figures engine against the DfE's formulas and published figures.

Sources: domain reference 3.1 (formulas), 3.4 (test vectors from DfE data), 2.4 (the Suffolk
2024/25 reconciliation), 0 (exact comparisons at 10% and 50%; aggregation by summing).
"""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from muster.core import codes, figures
from muster.core.register_matrix import RegisterMatrix
from muster.core.rules.penalty_notice import ThresholdRule
from tests.core.weeks import weeks_matrix

YEAR_START = dt.date(2024, 8, 1)

# Reference 2.4: DfE 2024/25 year-to-date, Suffolk, primary, sessions per code [DS25].
SUFFOLK_2024_25 = {
    "I": 505_513, "M": 46_057, "R": 3_548, "S": 29, "T": 1_147, "E": 10_328, "C": 60_241,
    "C1": 296, "J1": 1_847, "C2": 35_511,
    "B": 38_157, "P": 15_800, "V": 124_879, "W": 5, "K": 4_743,
    "G": 88_445, "U": 32_818, "O": 89_230, "N": 9_536,
    "/": 15_843_638, "L": 118_905,
}


def matrix_from_counts(counts: dict[str, int], slots_per_row: int = 500) -> RegisterMatrix:
    """Lay the sessions out in rows of one pooled unit: only the totals matter to the test."""
    ids = np.concatenate(
        [np.full(n, codes.code(symbol).id, dtype=np.uint8) for symbol, n in counts.items()]
    )
    rows = -(-len(ids) // slots_per_row)
    flat = np.zeros(rows * slots_per_row, dtype=np.uint8)
    flat[: len(ids)] = ids
    # Put the marks on weekdays of a year-long timeline only (the engine reads school days).
    weekday_slots = np.flatnonzero(
        np.repeat([(YEAR_START + dt.timedelta(days=d)).weekday() < 5 for d in range(366)], 2)
    )[:slots_per_row]
    marks = np.zeros((rows, 732), dtype=np.uint8)
    marks[:, weekday_slots] = flat.reshape(rows, slots_per_row)
    return RegisterMatrix(marks, YEAR_START, np.zeros(rows, dtype=np.int64), 1)


def whole_year(matrix: RegisterMatrix, rule=None) -> figures.Figures:
    return figures.compute(matrix, matrix.first_day, matrix.last_day, rule)


def test_suffolk_primary_2024_25_reconciles_exactly():
    result = whole_year(matrix_from_counts(SUFFOLK_2024_25))
    assert int(result.authorised[0]) == 664_517
    assert int(result.aea[0]) == 183_584
    assert int(result.unauthorised[0]) == 220_029
    assert int(result.present[0]) == 15_962_543  # present + L
    assert int(result.attended[0]) == 16_146_127  # overall attendance
    assert int(result.possible[0]) == 17_030_673
    assert int(result.overall_absence[0]) == 884_546
    assert result.attendance_pct[0] == pytest.approx(94.80615945, abs=5e-9)
    assert result.overall_absence_pct[0] == pytest.approx(5.193840549, abs=5e-9)


@pytest.mark.parametrize(
    "row,possible,attendance_pct,absence_pct",
    [
        ("202425 Warrington primary [DS25]", 5_496_602, 95.65780822, 4.342191776),
        ("202324 Staffordshire primary [DS24]", 17_549_262, 94.85772108, 5.142278917),
        ("202223 Sandwell primary [DS23]", 1_456_221, 94.6337128773723, 5.36628712262768),
    ],
)
def test_published_rates_are_reproduced_from_session_counts(row, possible, attendance_pct, absence_pct):
    # Reference 3.4 gives only totals for these rows: the attended count is the one whole
    # number that the published rate rounds from, split over present and absence codes.
    attended = round(possible * attendance_pct / 100)
    absent = possible - attended
    counts = {"/": attended - 1000, "V": 1000, "I": absent // 2, "O": absent - absent // 2}
    result = whole_year(matrix_from_counts(counts))
    assert int(result.possible[0]) == possible
    assert result.attendance_pct[0] == pytest.approx(attendance_pct, abs=5e-8)
    assert result.overall_absence_pct[0] == pytest.approx(absence_pct, abs=5e-8)


@pytest.mark.parametrize(
    "absent,possible,persistent,severe",
    [
        (14, 140, True, False),   # exactly 10%: persistent (reference 0)
        (13, 140, False, False),  # one session short of 10%
        (70, 140, True, True),    # exactly 50%: severe
        (69, 140, True, False),
        (1, 10, True, False),     # early in the year one absence can make a pupil PA (3.3)
        (0, 0, False, False),     # no possible session: no flags
    ],
)
def test_persistent_and_severe_absence_at_their_exact_edges(absent, possible, persistent, severe):
    counts = {"/": possible - absent, "I": absent}
    result = whole_year(matrix_from_counts({k: v for k, v in counts.items() if v} or {"X": 1}))
    assert bool(result.persistent_absence[0]) is persistent
    assert bool(result.severe_absence[0]) is severe


def test_ninety_percent_attendance_is_persistent_absence_and_ninety_five_is_not():
    # 90% attendance is 10% absence: persistent. 95% with approved activity counted is not.
    ninety = whole_year(matrix_from_counts({"/": 126, "I": 7, "O": 7}))
    ninety_five = whole_year(matrix_from_counts({"/": 126, "V": 7, "I": 7}))
    assert ninety.attendance_pct[0] == 90.0 and ninety.persistent_absence[0]
    assert ninety_five.attendance_pct[0] == 95.0 and not ninety_five.persistent_absence[0]


def test_not_possible_sessions_count_in_no_figure():
    result = whole_year(matrix_from_counts({"/": 10, "D": 5, "Y1": 3, "Q": 2, "X": 2, "Z": 1, "#": 4}))
    assert int(result.possible[0]) == 10 and int(result.present[0]) == 10


def test_late_counts_L_only_and_L_is_present():
    result = whole_year(matrix_from_counts({"/": 5, "L": 3, "U": 2}))
    assert int(result.late[0]) == 3
    assert int(result.present[0]) == 8
    assert int(result.unauthorised[0]) == 2


def test_a_period_counts_only_its_own_days():
    matrix = weeks_matrix([["IIIIIIIIII", "//////////"]])
    second_week = figures.compute(matrix, dt.date(2025, 9, 8), dt.date(2025, 9, 14))
    assert int(second_week.possible[0]) == 10 and int(second_week.authorised[0]) == 0


def test_cohorts_pool_sessions_and_never_average_percentages():
    # Reference 3.1 "Aggregation": 1 of 10 absent and 50 of 100 absent pool to 51/110, not 30%.
    matrix = weeks_matrix([["I/////////"], ["IIIII/////"] * 10], units=[0, 1])
    result = whole_year(matrix)
    pooled = figures.pool(result, np.array([0, 0]), 1)
    assert int(pooled.possible[0]) == 110
    assert Fraction(int(pooled.authorised[0]), int(pooled.possible[0])) == Fraction(51, 110)
    assert int(pooled.persistent[0]) == 2 and int(pooled.severe[0]) == 1


def test_pupils_with_no_possible_sessions_are_left_out_of_PA_rates():
    # Reference 3.2: enrolments with zero possible sessions are excluded.
    matrix = weeks_matrix([["DDDDDDDDDD"], ["I/////////"]])
    pooled = figures.pool(whole_year(matrix), np.array([0, 0]), 1)
    assert int(pooled.units[0]) == 2 and int(pooled.with_possible[0]) == 1


def test_code_counts_give_each_codes_sessions():
    matrix = weeks_matrix([["IIMG//////"]])
    counts = figures.code_counts(matrix, matrix.first_day, matrix.last_day)
    assert counts[0, codes.code("I").id] == 2 and counts[0, codes.code("G").id] == 1


# An independent, slow reference implementation, to check the engine on random registers.

def reference_figures(marks: np.ndarray, first_day: dt.date, rule: ThresholdRule):
    out = []
    for row in marks:
        categories = [codes.category_of_id(int(b)) for b in row if b]
        count = {c: categories.count(c) for c in codes.Category}
        week_of = [((first_day + dt.timedelta(days=j // 2)) - dt.date(1970, 1, 5)).days // 7
                   for j in range(len(row))]
        school_weeks = sorted({week_of[j] for j, b in enumerate(row) if b and b < 192})
        ordinal = {w: i for i, w in enumerate(school_weeks)}
        threshold = [j for j, b in enumerate(row) if b and codes.BY_ID[int(b)].symbol in rule.codes]
        met = -1
        for k in range(rule.sessions - 1, len(threshold)):
            j, j0 = threshold[k], threshold[k - rule.sessions + 1]
            if ordinal[week_of[j]] - ordinal[week_of[j0]] < rule.school_weeks:
                met = j
                break
        out.append((count[codes.Category.PRESENT], count[codes.Category.AEA],
                    count[codes.Category.AUTHORISED], count[codes.Category.UNAUTHORISED], met))
    return out


SYMBOLS = ["/", "\\", "L", "V", "I", "M", "G", "O", "U", "N", "D", "#", "Z"]


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.lists(st.sampled_from(SYMBOLS + ["."] * 3), min_size=10, max_size=10),
        min_size=2, max_size=40,
    ),
)
def test_the_engine_agrees_with_a_slow_reference_on_random_registers(weeks):
    rows = ["".join(w) for w in weeks]
    matrix = weeks_matrix([rows])
    rule = ThresholdRule.national(dt.date(2025, 9, 1))
    result = whole_year(matrix, rule)
    expected = reference_figures(matrix.marks, matrix.first_day, rule)[0]
    assert (int(result.present[0]), int(result.aea[0]), int(result.authorised[0]),
            int(result.unauthorised[0]), int(result.pn_met_slot[0])) == expected
