"""Fuzzing the policy loader with malformed input: it returns a policy or raises `PolicyError`
naming the file, never another exception (as tests/fuzz/test_parameters.py does for parameters).
"""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from muster.core.policy import Policy, PolicyError, check_policy, load_policy
from tests.policy.support import BASE, document

FILE = "fuzzed_policy.yaml"
FUZZ = settings(max_examples=150, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture])

TEXT = st.text(max_size=20)
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), TEXT, st.dates(),
                    st.datetimes())
KEYS = st.one_of(st.none(), st.booleans(), st.integers(), TEXT, st.dates())
DOCUMENTS = st.recursive(
    SCALARS,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(KEYS, inner, max_size=4)),
    max_leaves=12,
)
YAML_TOKENS = st.sampled_from([
    "\n", "  ", ": ", "- ", "{", "}", "[", "]", ",", "&a ", "*a", "!!float ", "!!int ",
    "!!timestamp ", "!!binary ", "!!python/object/apply:os.system ", "---\n", "'", '"', "|\n",
    "id", "bands", "lower", "upper", "value", "inclusive", "interventions", "2024-09-01",
    "2025-02-30", "1e400", ".nan", "-.inf", "~", "yes", "\x00", "\ufeff", "94.9", "1e9999999",
])


def check_load(tmp_path, data: bytes | str) -> None:
    path = tmp_path / FILE
    path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    try:
        policy = load_policy(path)
    except PolicyError as error:
        assert FILE in str(error), str(error)
        return
    assert isinstance(policy, Policy)
    assert isinstance(policy.applies.start, dt.date)
    for band in policy.bands:
        assert isinstance(band.lower.value, Fraction)
    check_policy(policy)  # findings, never a crash


@settings(parent=FUZZ)
@given(raw=st.binary(max_size=200))
def test_any_bytes_are_a_policy_or_refused_naming_the_file(tmp_path, raw):
    check_load(tmp_path, raw)


@settings(parent=FUZZ)
@given(text=st.lists(st.one_of(YAML_TOKENS, TEXT), max_size=25).map("".join))
def test_any_text_is_a_policy_or_refused_naming_the_file(tmp_path, text):
    check_load(tmp_path, text)


@settings(parent=FUZZ)
@given(data=DOCUMENTS)
def test_any_yaml_document_is_a_policy_or_refused_naming_the_file(tmp_path, data):
    check_load(tmp_path, yaml.safe_dump(data, allow_unicode=True))


def _paths(value, prefix=()):
    yield prefix
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _paths(item, (*prefix, index))


PATHS = [p for p in _paths(BASE) if p]


@settings(parent=FUZZ)
@given(data=st.data())
def test_a_policy_with_parts_replaced_or_removed_is_a_policy_or_refused(tmp_path, data):
    doc = document()
    for _ in range(data.draw(st.integers(1, 3))):
        path = data.draw(st.sampled_from(PATHS))
        target = doc
        try:
            for key in path[:-1]:
                target = target[key]
            if data.draw(st.booleans()) and isinstance(target, dict):
                target.pop(path[-1], None)
            else:
                target[path[-1]] = data.draw(st.one_of(SCALARS, DOCUMENTS))
        except (KeyError, IndexError, TypeError):
            continue
    check_load(tmp_path, yaml.safe_dump(doc, allow_unicode=True, sort_keys=False))


@settings(parent=FUZZ)
@given(data=st.data())
def test_a_policy_with_a_few_characters_changed_is_a_policy_or_refused(tmp_path, data):
    lines = yaml.safe_dump(BASE, sort_keys=False).splitlines(keepends=True)
    for _ in range(data.draw(st.integers(1, 3))):
        i = data.draw(st.integers(0, len(lines) - 1))
        action = data.draw(st.sampled_from(["repeat", "insert", "delete"]))
        if action == "repeat":
            lines.insert(data.draw(st.integers(0, len(lines))), lines[i])
        elif action == "insert":
            lines.insert(i, data.draw(st.lists(YAML_TOKENS, min_size=1, max_size=6).map("".join)))
        elif len(lines) > 1:
            lines.pop(i)
    check_load(tmp_path, "".join(lines))
