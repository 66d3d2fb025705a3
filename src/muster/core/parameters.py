"""Statutory and policy figures as dated data, each value with the source that set it.

A parameter file holds a description, a unit and a `values` map from the date a value takes
effect to the value and its reference; a `null` value retires the parameter from that date. So
figures for past dates replay under the rules then in force, and new guidance is a new entry,
never an edit. (Shape after PolicyEngine/OpenFisca parameter files: STYLE.md.)
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from muster.core.strict_yaml import YamlProblem, read_yaml

POLICY_ROOT = resources.files("muster") / "policies"

_FILE_KEYS = {"description", "label", "unit", "values", "documentation"}
_ENTRY_KEYS = {"value", "reference"}


class ParameterError(ValueError):
    """A parameter file that does not say exactly one thing: names the file and the key."""


@dataclass(frozen=True)
class DatedValue:
    start: dt.date
    value: Any
    reference: str


@dataclass(frozen=True)
class Parameter:
    name: str
    description: str
    unit: str
    entries: tuple[DatedValue, ...]

    def entry_on(self, day: dt.date) -> DatedValue | None:
        """The entry in force on a day, or None before the first or after a retirement."""
        current = None
        for entry in self.entries:
            if entry.start <= day:
                current = entry
        if current is None or current.value is None:
            return None
        return current

    def value_on(self, day: dt.date) -> Any:
        entry = self.entry_on(day)
        if entry is None:
            raise ParameterError(f"{self.name}: no value in force on {day}")
        return entry.value


def load_parameter(path: Path | Any, name: str | None = None) -> Parameter:
    """Read one parameter file, refusing anything the format does not allow."""
    label = str(path)
    try:
        document = read_yaml(path)
    except YamlProblem as problem:
        raise ParameterError(f"{label}: {problem}") from None
    if not isinstance(document, dict):
        raise ParameterError(f"{label}: expected a mapping with description, unit and values")
    unknown = set(document) - _FILE_KEYS
    if unknown:
        raise ParameterError(f"{label}: unknown key(s) {sorted(unknown, key=repr)}")
    for key in ("description", "unit", "values"):
        if key not in document:
            raise ParameterError(f"{label}: missing {key!r}")
    for key in ("description", "unit"):
        if not isinstance(document[key], str):
            raise ParameterError(f"{label}: {key!r} must be text")
    values = document["values"]
    if not isinstance(values, dict) or not values:
        raise ParameterError(f"{label}: 'values' must map dates to entries")
    entries = []
    for start, entry in values.items():
        if not isinstance(start, dt.date) or isinstance(start, dt.datetime):
            raise ParameterError(f"{label}: values key {start!r} is not a date (YYYY-MM-DD)")
        if not isinstance(entry, dict) or set(entry) - _ENTRY_KEYS or "value" not in entry:
            raise ParameterError(f"{label}: values.{start} must have 'value' and 'reference' only")
        reference = entry.get("reference") or ""
        if not isinstance(reference, str) or (entry["value"] is not None and not reference.strip()):
            raise ParameterError(f"{label}: values.{start} has no reference")
        entries.append(DatedValue(start, entry["value"], reference))
    entries.sort(key=lambda e: e.start)
    return Parameter(
        name=name or Path(str(path)).stem,
        description=document["description"],
        unit=document["unit"],
        entries=tuple(entries),
    )


def national(*parts: str) -> Parameter:
    """A shipped national parameter, e.g. ``national("penalty_notice", "school_weeks")``."""
    path = POLICY_ROOT.joinpath("national", *parts[:-1], f"{parts[-1]}.yaml")
    return _shipped(path, Path(str(path)).stat().st_mtime_ns, "/".join(parts))


@functools.lru_cache(maxsize=256)
def _shipped(path, modified: int, name: str) -> Parameter:
    """A shipped parameter, read once per process while its file is unchanged."""
    return load_parameter(path, name=name)
