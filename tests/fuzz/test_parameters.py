"""Fuzzing the dated-parameter loader (issue "People, roles and trust": "fuzz ... the policy loader
with malformed input: no crash other than a clear error").

`muster.core.parameters.load_parameter` either returns a parameter that keeps to the format (a
string description and unit; `values` mapping dates, not date-times, to a value and, for any value
that is not null, a reference) or raises `ParameterError` naming the file. Never another exception:
not for bytes that are not UTF-8, YAML that does not parse, wrong types, duplicate keys, impossible
dates (2025-02-30), explicit tags PyYAML cannot build (`!!float abc`), or a missing reference.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from muster.core.parameters import POLICY_ROOT, ParameterError, load_parameter
from muster.core.policy import shipped_policy_paths
from tests.fuzz.strategies import CHUNKS, TEXT
from tests.fuzz.support import fuzz

FILE = "unauthorised_sessions.yaml"

VALID = {
    "description": "Sessions of unauthorised absence that meet the threshold",
    "label": "Penalty-notice threshold",
    "unit": "sessions",
    "values": {
        dt.date(2024, 8, 19): {"value": 10, "reference": "SI 2024/210"},
        dt.date(2030, 9, 1): {"value": None},
    },
}


def check_load(path: Path) -> None:
    """A well-formed parameter or `ParameterError` naming the file; anything else fails."""
    try:
        parameter = load_parameter(path)
    except ParameterError as error:
        assert path.name in str(error), str(error)
        return
    assert isinstance(parameter.description, str), parameter.description
    assert isinstance(parameter.unit, str), parameter.unit
    assert parameter.entries
    starts = [entry.start for entry in parameter.entries]
    assert all(type(start) is dt.date for start in starts), starts
    assert starts == sorted(set(starts))
    for entry in parameter.entries:
        assert isinstance(entry.reference, str)
        assert entry.value is None or entry.reference.strip(), entry
    for day in (dt.date.min, starts[0], dt.date(2025, 9, 1), dt.date.max):
        parameter.entry_on(day)


def write(tmp_path: Path, data: bytes | str) -> Path:
    path = tmp_path / FILE
    path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    return path


YAML_TOKENS = st.sampled_from([
    "\n", "  ", "    ", "\t", ": ", ":", "- ", "-", "? ", "{", "}", "[", "]", ",", "&a ", "*a",
    "*b", "<<: *a", "!!float ", "!!int ", "!!bool ", "!!timestamp ", "!!binary ", "!!set ",
    "!!map ", "!!seq ", "!!str ", "!!null ", "!!python/object/apply:os.system ", "!custom ",
    "---\n", "...\n", "%YAML 1.1\n", "%TAG ! tag:x,2000:\n", "'", '"', "|\n", ">-\n", "# c\n",
    "description", "unit", "values", "value", "reference", "label", "documentation",
    "2024-08-19", "2025-02-30", "2025-13-01", "0000-01-01", "2024-08-19 10:00:00",
    "2024-08-19T10:00:00Z", "2024-8-19", "1e400", ".nan", "-.inf", "0x1F", "0o17", "~", "null",
    "yes", "no", "on", "\x00", "\ufeff", "\x85", "\u2028", "😀", "abc", "10",
])
"""Pieces of YAML, put together at random."""

SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(), TEXT, st.dates(),
    st.datetimes(), st.binary(max_size=8),
)
KEYS = st.one_of(st.none(), st.booleans(), st.integers(), TEXT, st.dates(), st.datetimes())
DOCUMENTS = st.recursive(
    SCALARS,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(KEYS, inner, max_size=4)),
    max_leaves=12,
)
"""Any data YAML can say."""


@fuzz(max_examples=150)
@given(raw=st.one_of(
    st.binary(max_size=200),
    st.lists(st.one_of(st.binary(max_size=20), CHUNKS), max_size=8).map(b"".join),
))
def test_any_bytes_given_as_a_parameter_file_are_refused_with_the_file_named(tmp_path, raw):
    check_load(write(tmp_path, raw))


@fuzz(max_examples=200)
@given(text=st.one_of(TEXT, st.lists(st.one_of(YAML_TOKENS, TEXT), max_size=25).map("".join)))
def test_any_text_given_as_a_parameter_file_is_refused_with_the_file_named(tmp_path, text):
    check_load(write(tmp_path, text))


@fuzz(max_examples=150)
@given(document=DOCUMENTS)
def test_any_yaml_document_is_a_parameter_only_if_it_keeps_to_the_format(tmp_path, document):
    check_load(write(tmp_path, yaml.safe_dump(document, allow_unicode=True)))


WRONG = st.one_of(SCALARS, st.lists(SCALARS, max_size=2), st.dictionaries(KEYS, SCALARS, max_size=2))


@st.composite
def near_valid_documents(draw) -> object:
    """The valid document with one to three parts taken out, added or of the wrong type."""
    document = {k: (dict(v) if isinstance(v, dict) else v) for k, v in VALID.items()}
    document["values"] = {k: dict(v) for k, v in VALID["values"].items()}
    for _ in range(draw(st.integers(1, 3))):
        action = draw(st.sampled_from([
            "drop key", "wrong type", "unknown key", "values key", "entry", "entry key",
            "drop entry key", "reference",
        ]))
        values = document.get("values")
        entries = list(values) if isinstance(values, dict) else []
        if action == "drop key":
            document.pop(draw(st.sampled_from(sorted(document, key=repr))), None)
        elif action == "wrong type":
            document[draw(st.sampled_from(sorted(VALID)))] = draw(WRONG)
        elif action == "unknown key":
            document[draw(KEYS)] = draw(WRONG)
        elif action == "values key" and entries:
            values[draw(st.one_of(KEYS, st.dates()))] = values.pop(draw(st.sampled_from(entries)))
        elif action == "entry" and entries:
            values[draw(st.sampled_from(entries))] = draw(WRONG)
        elif action == "entry key" and entries:
            entry = values[draw(st.sampled_from(entries))]
            if isinstance(entry, dict):
                entry[draw(KEYS)] = draw(WRONG)
        elif action == "drop entry key" and entries:
            entry = values[draw(st.sampled_from(entries))]
            if isinstance(entry, dict) and entry:
                entry.pop(draw(st.sampled_from(sorted(entry, key=repr))))
        elif action == "reference" and entries:
            entry = values[draw(st.sampled_from(entries))]
            if isinstance(entry, dict):
                entry["reference"] = draw(st.one_of(WRONG, st.sampled_from(["", " ", "\n"])))
    return document


@fuzz(max_examples=200)
@given(document=near_valid_documents())
def test_a_parameter_file_with_a_part_missing_or_of_the_wrong_type_is_refused_with_the_file_named(
    tmp_path, document
):
    check_load(write(tmp_path, yaml.safe_dump(document, allow_unicode=True, sort_keys=False)))


VALID_TEXT = """\
description: Sessions of unauthorised absence that meet the threshold
unit: sessions
values:
  2024-08-19:
    value: 10
    reference: SI 2024/210
  2030-09-01:
    value: null
"""


@fuzz(max_examples=200)
@given(data=st.data())
def test_a_parameter_file_with_a_few_characters_changed_is_refused_with_the_file_named(
    tmp_path, data
):
    """Duplicate keys, impossible dates, explicit tags, aliases and stray characters."""
    lines = VALID_TEXT.splitlines(keepends=True)
    for _ in range(data.draw(st.integers(1, 3))):
        action = data.draw(st.sampled_from(["repeat line", "insert", "replace", "delete"]))
        i = data.draw(st.integers(0, len(lines) - 1)) if lines else 0
        if action == "repeat line" and lines:
            lines.insert(data.draw(st.integers(0, len(lines))), lines[i])
        elif action == "insert":
            lines.insert(i, data.draw(st.lists(YAML_TOKENS, min_size=1, max_size=6).map("".join)))
        elif action == "replace" and lines:
            old = data.draw(st.sampled_from(["2024-08-19", "10", "sessions", "null", "value",
                                             "reference", "SI 2024/210", ":", "  "]))
            new = data.draw(st.one_of(YAML_TOKENS, TEXT))
            lines[i] = lines[i].replace(old, new)
        elif lines:
            lines.pop(i)
    check_load(write(tmp_path, "".join(lines)))


@pytest.mark.parametrize("text, reason", [
    (VALID_TEXT.replace("2030-09-01", "2024-08-19"), "duplicate key"),
    (VALID_TEXT.replace("2030-09-01", "2025-02-30"), "day is out of range"),
    (VALID_TEXT.replace("2030-09-01", "2030-09-01 08:00:00"), "not a date"),
    (VALID_TEXT.replace("    reference: SI 2024/210\n", ""), "no reference"),
    (VALID_TEXT.replace("SI 2024/210", "[1, 2]"), "no reference"),
    (VALID_TEXT.replace("unit: sessions", "unit: [sessions]"), "unit"),
    (VALID_TEXT.replace("value: 10", "value: !!float ten"), "not a valid YAML value"),
    (VALID_TEXT.replace("value: 10", "value: !!timestamp soon"), "not a valid YAML value"),
    (VALID_TEXT.replace("value: 10", "value: !!bool maybe"), "not a valid YAML value"),
    (VALID_TEXT + "? [a, b]\n: 1\n", "unhashable"),
    (VALID_TEXT + "1: one\n~: none\n", "unknown key"),
    ("values: " + "[" * 1500 + "]" * 1500 + "\n", "nested too deeply"),
    (VALID_TEXT.replace("value: 10", "value: !!float"), "not a valid YAML value"),
    (VALID_TEXT.encode("utf-8") + b"\xff\xfe", "UTF-8"),
])
def test_each_kind_of_bad_parameter_file_is_refused_with_the_file_named(tmp_path, text, reason):
    path = write(tmp_path, text)
    with pytest.raises(ParameterError) as refusal:
        load_parameter(path)
    assert FILE in str(refusal.value) and reason in str(refusal.value)


def test_the_valid_parameter_file_and_the_shipped_national_ones_load(tmp_path):
    check_load(write(tmp_path, VALID_TEXT))
    policies = set(shipped_policy_paths())  # band policies: another format (core/policy)
    shipped = sorted(set(Path(str(POLICY_ROOT)).rglob("*.yaml")) - policies)
    assert shipped
    for path in shipped:
        check_load(path)
        load_parameter(path)
