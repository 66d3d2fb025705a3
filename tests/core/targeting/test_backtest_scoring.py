"""Scoring the at-risk rules against the year's outcome (issue 10 part 2): precision and recall
by date, overall and by group, with flags carried forward from earlier dates."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from muster.core.targeting.backtest import flagged_by, score

OCT, DEC = dt.date(2025, 10, 1), dt.date(2025, 12, 1)


def test_a_pupil_flagged_earlier_is_still_flagged_by_a_later_date():
    result = flagged_by({DEC: np.array([0, 1, 0], bool), OCT: np.array([1, 0, 0], bool)})
    assert list(result) == [OCT, DEC]
    assert result[DEC].tolist() == [True, True, False]


def test_precision_and_recall_by_date_and_by_group():
    #            pupil: 0  1  2  3  4  5
    persistent = np.array([1, 1, 1, 0, 0, 0], bool)
    flags = flagged_by({OCT: np.array([1, 0, 0, 1, 0, 0], bool),
                        DEC: np.array([0, 1, 0, 0, 1, 0], bool)})
    sex = np.array(["female", "male", "male", "female", "male", "female"])
    rows = {(s.on, s.dimension, s.group): s for s in score(flags, persistent, {"sex": sex})}
    october = rows[OCT, "all", "all"]
    assert (october.pupils, october.flagged, october.persistent, october.flagged_persistent) == (
        6, 2, 3, 1)
    assert october.precision == 1 / 2 and october.recall == 1 / 3
    december = rows[DEC, "all", "all"]  # pupils 0, 1, 3, 4 flagged by December; 0 and 1 are PA
    assert (december.flagged, december.flagged_persistent) == (4, 2)
    assert december.precision == 2 / 4 and december.recall == 2 / 3
    male = rows[DEC, "sex", "male"]  # pupils 1, 2, 4: 1 and 4 flagged, 1 and 2 PA
    assert (male.pupils, male.flagged, male.persistent, male.flagged_persistent) == (3, 2, 2, 1)
    female_oct = rows[OCT, "sex", "female"]  # pupils 0, 3, 5: 0 and 3 flagged, 0 PA
    assert (female_oct.precision, female_oct.recall) == (1 / 2, 1.0)


def test_a_share_with_nothing_to_divide_by_is_none_not_zero():
    [row] = score({OCT: np.zeros(2, bool)}, np.zeros(2, bool))
    assert row.precision is None and row.recall is None
    assert row.as_row()["precision_pct"] is None


def test_only_the_included_pupils_are_scored():
    rows = score({OCT: np.array([1, 1], bool)}, np.array([1, 1], bool),
                 {"fsm": np.array(["FSM", "not FSM"])}, included=np.array([True, False]))
    assert [(r.group, r.pupils, r.flagged) for r in rows] == [("all", 1, 1), ("FSM", 1, 1)]


def test_labels_and_flags_must_cover_every_pupil():
    with pytest.raises(ValueError, match="sex: one label per pupil"):
        score({OCT: np.zeros(2, bool)}, np.zeros(2, bool), {"sex": np.array(["F"])})
    with pytest.raises(ValueError, match="one flag per pupil"):
        score({OCT: np.zeros(3, bool)}, np.zeros(2, bool))
