"""The Virtual School's process pathways (seed 001 lines 5-61) as data: ordered steps, each with
the role that owns it, the seed's words and line, and whether it needs someone's approval.

Each pathway is a dated parameter under `policies/virtual_school/pathways/` whose value is the
pathway, so a revised process (seed 001 line 77: "next be reviewed in June 2026") is a new dated
entry. A file that does not keep to the shape is refused naming the file, the step and the field.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from muster.core.parameters import POLICY_ROOT, ParameterError, load_parameter
from muster.core.roles import Role

PATHWAY_ROOT = POLICY_ROOT / "virtual_school" / "pathways"
PARTIES = frozenset({"carer"})
"""Parties a step may name beside Muster roles: they hold no account, so own no task."""


@dataclass(frozen=True)
class Approval:
    by: Role
    what: str
    source: str


@dataclass(frozen=True)
class Step:
    id: str
    text: str
    who: str | None
    """The seed's words for who does it; None where the seed names nobody."""
    owner: Role
    with_: tuple[str, ...]
    escalate_to: tuple[Role, ...]
    approval: Approval | None
    source: str


@dataclass(frozen=True)
class Pathway:
    id: str
    title: str
    heading: str
    steps: tuple[Step, ...]
    version: dt.date
    reference: str

    def step(self, step_id: str) -> Step:
        for step in self.steps:
            if step.id == step_id:
                return step
        raise KeyError(f"pathway {self.id} has no step {step_id!r}")


def _role(value: Any, at: str) -> Role:
    try:
        return Role(value)
    except ValueError:
        raise ParameterError(f"{at}: {value!r} is not a Muster role") from None


def _text(item: dict, key: str, at: str, optional: bool = False) -> str | None:
    value = item.get(key)
    if value is None and optional:
        return None
    if not isinstance(value, str) or not value.strip():
        raise ParameterError(f"{at}.{key}: expected text")
    return value


_STEP_KEYS = {"id", "text", "who", "owner", "with", "escalate_to", "approval", "source"}


def _step(item: Any, at: str) -> Step:
    if not isinstance(item, dict):
        raise ParameterError(f"{at}: expected a mapping")
    unknown = set(item) - _STEP_KEYS
    if unknown:
        raise ParameterError(f"{at}: unknown key(s) {sorted(unknown)}")
    with_ = item.get("with", [])
    if not isinstance(with_, list):
        raise ParameterError(f"{at}.with: expected a list")
    for party in with_:
        if party not in PARTIES:
            _role(party, f"{at}.with")
    approval = item.get("approval")
    if approval is not None:
        if not isinstance(approval, dict) or set(approval) != {"by", "what", "source"}:
            raise ParameterError(f"{at}.approval: expected by, what and source")
        approval = Approval(_role(approval["by"], f"{at}.approval.by"), _text(approval, "what", f"{at}.approval"),
                            _text(approval, "source", f"{at}.approval"))
    escalate_to = item.get("escalate_to", [])
    if not isinstance(escalate_to, list):
        raise ParameterError(f"{at}.escalate_to: expected a list")
    return Step(
        id=_text(item, "id", at), text=_text(item, "text", at), who=_text(item, "who", at, optional=True),
        owner=_role(item.get("owner"), f"{at}.owner"), with_=tuple(with_),
        escalate_to=tuple(_role(r, f"{at}.escalate_to") for r in escalate_to),
        approval=approval, source=_text(item, "source", at),
    )


def load_pathway(path: Path | Any, on: dt.date) -> Pathway:
    """The pathway a file sets on a day."""
    parameter = load_parameter(path)
    entry = parameter.entry_on(on)
    if entry is None:
        raise ParameterError(f"{path}: no pathway in force on {on}")
    value = entry.value
    at = f"{path}: values.{entry.start}.value"
    if not isinstance(value, dict) or set(value) != {"id", "title", "heading", "steps"}:
        raise ParameterError(f"{at}: expected id, title, heading and steps")
    if not isinstance(value["steps"], list) or not value["steps"]:
        raise ParameterError(f"{at}.steps: expected a list of steps")
    steps = tuple(_step(item, f"{at}.steps[{i}]") for i, item in enumerate(value["steps"]))
    ids = [s.id for s in steps]
    if len(set(ids)) != len(ids):
        raise ParameterError(f"{at}.steps: a step id is given twice")
    return Pathway(id=_text(value, "id", at), title=_text(value, "title", at), heading=_text(value, "heading", at),
                   steps=steps, version=entry.start, reference=entry.reference)


def pathway_paths() -> list[Path]:
    return sorted(Path(str(PATHWAY_ROOT)).glob("*.yaml"))


def pathways(on: dt.date) -> dict[str, Pathway]:
    """Every shipped pathway in force on a day, by id."""
    found = {}
    for path in pathway_paths():
        pathway = load_pathway(path, on)
        found[pathway.id] = pathway
    return found
