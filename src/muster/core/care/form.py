"""The Virtual School's own data for children in care: dated parameters under
`policies/virtual_school/care/` and the sections of the attendance improvement plan form."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from muster.core.parameters import POLICY_ROOT, Parameter, ParameterError, load_parameter

CARE_ROOT = POLICY_ROOT / "virtual_school" / "care"


def care_parameter(name: str) -> Parameter:
    """A Virtual School parameter, e.g. ``care_parameter("escalation_margin_points")``."""
    path = CARE_ROOT / f"{name}.yaml"
    return load_parameter(path, name=f"virtual_school/care/{name}")


@dataclass(frozen=True)
class Section:
    id: str
    label: str
    source: str


@dataclass(frozen=True)
class PlanForm:
    responsibilities: tuple[Section, ...]
    """The checklist rows: one per `who` of seed 000, discussed yes/no with notes."""
    factors: tuple[Section, ...]
    action_columns: tuple[Section, ...]


def _sections(value: Any, at: str, label_key: str) -> tuple[Section, ...]:
    if not isinstance(value, list) or not value:
        raise ParameterError(f"{at}: expected a list of sections")
    sections = []
    for i, item in enumerate(value):
        if not isinstance(item, dict) or set(item) != {"id", label_key, "source"}:
            raise ParameterError(f"{at}[{i}]: expected id, {label_key} and source")
        if not all(isinstance(item[k], str) and item[k].strip() for k in item):
            raise ParameterError(f"{at}[{i}]: id, {label_key} and source must be text")
        sections.append(Section(item["id"], item[label_key], item["source"]))
    return tuple(sections)


def plan_form(on: dt.date) -> PlanForm:
    """The form in force on a day; a malformed file raises naming the file and the field."""
    parameter = care_parameter("attendance_improvement_plan_form")
    value = parameter.value_on(on)
    at = f"{CARE_ROOT / 'attendance_improvement_plan_form.yaml'}: values"
    if not isinstance(value, dict) or set(value) != {"responsibilities", "factors", "action_columns"}:
        raise ParameterError(f"{at}: expected responsibilities, factors and action_columns")
    return PlanForm(
        responsibilities=_sections(value["responsibilities"], f"{at}.responsibilities", "who"),
        factors=_sections(value["factors"], f"{at}.factors", "label"),
        action_columns=_sections(value["action_columns"], f"{at}.action_columns", "label"),
    )
