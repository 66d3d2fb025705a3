"""The policy validator (issue 3 part 3): gaps, overlaps, unreachable bands, unknown bands and
roles, task deadlines, dates out of order. Edges are compared exactly, with their sides."""

from __future__ import annotations

import datetime as dt

import pytest

from muster.core.policy import check_policy
from muster.core.policy.check import ERROR, WARNING
from tests.policy.support import band, document, load


def findings(tmp_path, **changes):
    return check_policy(load(tmp_path, document(**changes)))


def messages(found, severity=None):
    return [f.message for f in found if severity is None or f.severity == severity]


def test_the_base_policy_has_no_findings(tmp_path):
    assert findings(tmp_path) == []


def test_bands_that_meet_at_an_edge_included_on_one_side_leave_no_gap(tmp_path):
    bands = [band("a", 95, True, 100, True), band("b", 90, True, 95, False),
             band("c", 0, True, 90, False)]
    assert findings(tmp_path, bands=bands, interventions=[]) == []


@pytest.mark.parametrize("bands, expected", [
    # seed 001 written literally: 90-94.9 then 95-100 leaves (94.9, 95)
    ([band("good", 95, True, 100, True), band("poor", 90, True, "94.9", True),
      band("rest", 0, True, 90, False)],
     "attendance more than 94.9% below 95% (94.9%, 95%)"),
    ([band("a", 90, True, 100, True), band("b", 0, True, "89.9", True)],
     "attendance more than 89.9% below 90% (89.9%, 90%)"),
    # both sides exclude the meeting point: that one figure is in no band
    ([band("a", 50, False, 100, True), band("b", 0, True, 50, False)],
     "attendance exactly 50% [50%, 50%]"),
    # seed 003's shape: nothing for exactly 0, nothing above 10 up to 15
    ([band("a", 0, False, 10, True), band("b", 15, False, 100, True)],
     "attendance exactly 0% [0%, 0%]"),
    ([band("a", 0, False, 10, True), band("b", 15, False, 100, True)],
     "attendance more than 10% up to and including 15% (10%, 15%]"),
    # nothing reaches the top of the range
    ([band("a", 0, True, 80, True)], "attendance more than 80% up to and including 100% (80%, 100%]"),
    ([band("a", 0, True, 100, False)], "attendance exactly 100% [100%, 100%]"),
])
def test_a_gap_is_a_warning_naming_its_edges(tmp_path, bands, expected):
    found = findings(tmp_path, bands=bands, interventions=[])
    assert [f.severity for f in found] == [WARNING] * len(found)
    assert f"the source document defines no band for {expected}" in messages(found)


def test_a_gap_names_the_bands_either_side(tmp_path):
    found = findings(tmp_path, bands=[band("a", 0, False, 10, True), band("b", 15, False, 100, True)],
                     interventions=[])
    assert [f.location for f in found] == [
        "bands: before bands[0] 'a'", "bands: after bands[0] 'a', before bands[1] 'b'"]


@pytest.mark.parametrize("bands, expected", [
    ([band("a", 90, True, 100, True), band("b", 0, True, 90, True)],
     "bands 'a' and 'b' overlap: attendance exactly 90% [90%, 90%] falls in both"),
    ([band("a", 80, True, 100, True), band("b", 0, True, 90, False)],
     "bands 'a' and 'b' overlap: attendance from 80% below 90% [80%, 90%) falls in both"),
    ([band("a", 0, True, 100, True), band("b", 40, False, 60, True)],
     "bands 'a' and 'b' overlap: attendance more than 40% up to and including 60% (40%, 60%] falls in both"),
])
def test_an_overlap_is_an_error_naming_the_shared_range(tmp_path, bands, expected):
    found = findings(tmp_path, bands=bands, interventions=[])
    assert expected in messages(found, ERROR)


def test_edges_are_compared_exactly_not_as_floats(tmp_path):
    # 0.1 + 0.2 != 0.3 in floats; as decimals read exactly the bands meet
    bands = [band("a", "0.3", True, 100, True), band("b", 0, True, "0.3", False)]
    assert findings(tmp_path, bands=bands, interventions=[]) == []


@pytest.mark.parametrize("lower, lower_inclusive, upper, upper_inclusive", [
    (60, True, 50, True), (50, False, 50, True), (50, True, 50, False), (50, False, 50, False),
])
def test_a_band_no_figure_can_fall_in_is_unreachable(tmp_path, lower, lower_inclusive, upper,
                                                     upper_inclusive):
    bands = [*document()["bands"], band("empty", lower, lower_inclusive, upper, upper_inclusive)]
    found = findings(tmp_path, bands=bands, interventions=[])
    assert [f.location for f in found if f.severity == ERROR] == ["bands[2]"]
    assert "band 'empty' is unreachable" in messages(found, ERROR)[0]


def test_a_band_of_one_figure_is_reachable(tmp_path):
    bands = [band("a", 50, False, 100, True), band("b", 0, True, 50, False), band("c", 50, True, 50, True)]
    assert findings(tmp_path, bands=bands, interventions=[]) == []


def test_a_band_id_used_twice_is_an_error(tmp_path):
    bands = [band("a", 50, True, 100, True), band("a", 0, True, 50, False)]
    assert "band id 'a' is used more than once" in messages(findings(tmp_path, bands=bands), ERROR)


def test_an_intervention_for_a_band_that_does_not_exist_is_an_error(tmp_path):
    data = document()
    data["interventions"][0]["band"] = "dreadful"
    found = check_policy(load(tmp_path, data))
    assert [(f.severity, f.location) for f in found] == [(ERROR, "interventions[0].band")]
    assert "band 'dreadful'" in found[0].message


def test_a_role_neither_musters_nor_declared_is_an_error(tmp_path):
    data = document()
    data["interventions"][0]["role"] = "inclusion_lead"
    found = check_policy(load(tmp_path, data))
    assert [(f.severity, f.location) for f in found] == [(ERROR, "interventions[0].role")]
    data["roles"] = [{"id": "inclusion_lead", "label": "Inclusion Lead", "source": "test"}]
    assert check_policy(load(tmp_path, data)) == []


@pytest.mark.parametrize("days", [0, -3])
def test_a_task_due_within_no_school_days_is_an_error(tmp_path, days):
    data = document()
    data["interventions"][0]["task"]["within_school_days"] = days
    found = check_policy(load(tmp_path, data))
    assert [(f.severity, f.location) for f in found] == [
        (ERROR, "interventions[0].task.within_school_days")]


@pytest.mark.parametrize("applies, location", [
    ({"from": dt.date(2025, 9, 1), "to": dt.date(2025, 8, 31)}, "applies.to"),
    ({"from": dt.date(2025, 9, 1), "review": dt.date(2024, 9, 1)}, "applies.review"),
])
def test_dates_out_of_order_are_errors(tmp_path, applies, location):
    found = findings(tmp_path, applies=applies)
    assert [(f.severity, f.location) for f in found] == [(ERROR, location)]


def test_a_count_measure_runs_without_limit(tmp_path):
    measure = {"quantity": "unauthorised_sessions", "period": "rolling", "rolling_school_weeks": 10,
               "codes": ["G", "O", "U"], "source": "test"}
    bands = [band("below", 0, True, 10, False), band("met", 10, True, None, True)]
    assert findings(tmp_path, measure=measure, bands=bands, interventions=[]) == []
    found = findings(tmp_path, measure=measure, bands=bands[:1], interventions=[])
    assert messages(found) == [
        "the source document defines no band for unauthorised sessions from 10 with no upper "
        "limit [10, no limit)"]


def test_errors_come_before_warnings(tmp_path):
    bands = [band("a", 0, False, 100, True)]
    data = document(bands=bands)
    found = check_policy(load(tmp_path, data))
    assert [f.severity for f in found] == [ERROR, WARNING]
