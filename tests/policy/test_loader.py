"""The policy loader refuses a file that does not keep to the format, naming the file and the
key path (issue 3 part 1: "validated against a schema with clear errors")."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

import pytest
import yaml

from muster.core.policy import AbsenceType, PolicyError, load_policy
from tests.policy.support import BASE, document, write

FILE = "policy_under_test.yaml"


def changed(path: tuple, value) -> dict:
    """The base document with the value at a key path replaced (or, for `...`, removed)."""
    data = document()
    target = data
    for key in path[:-1]:
        target = target[key]
    if value is ...:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return data


@pytest.mark.parametrize("path, value, expected", [
    (("colour",), "blue", "(top level): unknown key(s) ['colour']"),
    (("bands", 1, "colour"), "blue", "bands[1]: unknown key(s) ['colour']"),
    (("bands", 1, "upper", "exclusive"), True, "bands[1].upper: unknown key(s) ['exclusive']"),
    (("title",), ..., "title: missing"),
    (("bands", 0, "source"), ..., "bands[0].source: missing"),
    (("bands", 0, "lower", "inclusive"), ..., "bands[0].lower.inclusive: missing"),
    (("interventions", 0, "task", "recurs"), ..., "interventions[0].task.recurs: missing"),
    (("title",), ["a"], "title: must be text"),
    (("version",), "one", "version: must be a whole number"),
    (("version",), True, "version: must be a whole number"),
    (("bands",), [], "bands: must be a list with at least one entry"),
    (("bands",), {"good": 1}, "bands: must be a list"),
    (("bands", 1, "upper", "value"), 101, "bands[1].upper.value: 101 is not a percentage from 0 to 100"),
    (("bands", 1, "lower", "value"), -1, "bands[1].lower.value: -1 is not a percentage from 0 to 100"),
    (("bands", 1, "lower", "value"), "ninety", "bands[1].lower.value: 'ninety' is not a number"),
    (("bands", 1, "lower", "value"), True, "bands[1].lower.value: must be a number"),
    (("bands", 1, "lower", "value"), float("nan"), "bands[1].lower.value: must be a finite number"),
    (("bands", 1, "upper", "value"), None, "bands[1].upper.value: must be a number"),
    (("bands", 1, "upper", "inclusive"), "yes", "bands[1].upper.inclusive: must be true or false"),
    (("interventions", 0, "absence"), "excused", "interventions[0].absence: 'excused' is not one of: any, authorised, unauthorised"),
    (("interventions", 0, "task", "within_school_days"), 2.5, "interventions[0].task.within_school_days: must be a whole number"),
    (("applies", "from"), "September 2024", "applies.from: must be a date (YYYY-MM-DD)"),
    (("applies", "from"), dt.datetime(2024, 9, 1, 8, 0, tzinfo=dt.UTC), "applies.from: must be a date (YYYY-MM-DD)"),
    (("applies", "review"), "soon", "applies.review: must be a date (YYYY-MM-DD)"),
    (("owner", "kind"), "academy", "owner.kind: 'academy' is not one of"),
    (("measure", "period"), "rolling", "measure.rolling_school_weeks: missing"),
    (("covers", "kind"), "characteristic", "covers.characteristic: missing"),
])
def test_a_malformed_policy_is_refused_naming_the_file_and_the_key(tmp_path, path, value, expected):
    with pytest.raises(PolicyError) as refusal:
        load_policy(write(tmp_path, changed(path, value)))
    assert str(refusal.value).startswith(f"{tmp_path / FILE}: ")
    assert expected in str(refusal.value)


TEXT = yaml.safe_dump(BASE, sort_keys=False)


@pytest.mark.parametrize("text, expected", [
    (TEXT + "title: again\n", "duplicate key 'title'"),
    (TEXT.replace("2024-09-01", "2024-02-30"), "not a valid YAML value"),
    (TEXT.replace("title: A test policy", "title: [unclosed"), "not valid YAML"),
    ("- a list\n", "(top level): must be a mapping"),
    ("", "(top level): must be a mapping"),
    ("bands: " + "[" * 1500 + "]" * 1500 + "\n", "nested too deeply"),
])
def test_malformed_yaml_is_refused_naming_the_file(tmp_path, text, expected):
    with pytest.raises(PolicyError) as refusal:
        load_policy(write(tmp_path, text))
    assert FILE in str(refusal.value) and expected in str(refusal.value)


def test_bytes_that_are_not_utf8_are_refused(tmp_path):
    with pytest.raises(PolicyError, match="not UTF-8"):
        load_policy(write(tmp_path, TEXT.encode() + b"\xff"))


def test_edges_are_read_as_exact_fractions(tmp_path):
    data = document()
    data["bands"][1]["upper"]["value"] = 94.9
    data["bands"][0]["lower"]["value"] = "94.9"
    policy = load_policy(write(tmp_path, data))
    assert policy.bands[1].upper.value == Fraction(949, 10)
    assert policy.bands[0].lower.value == Fraction(949, 10)


def test_an_intervention_naming_several_bands_becomes_one_per_band(tmp_path):
    data = document()
    data["interventions"][0]["band"] = ["good", "poor"]
    policy = load_policy(write(tmp_path, data))
    assert [(i.band, i.absence_type, i.at) for i in policy.interventions] == [
        ("good", AbsenceType.ANY, "interventions[0]"), ("poor", AbsenceType.ANY, "interventions[0]")]
