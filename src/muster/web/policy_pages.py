"""Each shipped policy as a person reads it: its bands, the interventions per band or stage
(the matrix), and what the validator finds (muster.core.policy)."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field, replace
from fractions import Fraction

from muster.core.policy import (
    Finding,
    Policy,
    PolicyError,
    check_policy,
    load_policy,
    shipped_policy_paths,
)
from muster.core.policy.check import describe_range


@dataclass(frozen=True)
class Step:
    """One row of the intervention matrix: a band or stage, and what to do for it."""

    heading: str
    absence: str
    who: str
    instruction: str
    task: str
    source: str


@dataclass
class PolicyPage:
    path: str
    policy: Policy | None = None
    error: str = ""
    bands: list[tuple] = field(default_factory=list)
    steps: list[Step] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)

    @property
    def anchor(self) -> str:
        return "policy-" + (self.policy.id if self.policy else self.path.rsplit("/", 1)[-1]).replace(".", "-")


@functools.cache
def shipped() -> list[PolicyPage]:
    """Read and checked once per process: the shipped files change only with a new release."""
    pages = []
    for path in shipped_policy_paths():
        page = PolicyPage(path.name)
        try:
            page.policy = load_policy(path)
        except PolicyError as error:
            page.error = str(error)
            pages.append(page)
            continue
        policy = page.policy
        percent = policy.measure.quantity.is_percent
        page.bands = [
            (band, describe_range(band.lower.value, band.lower.inclusive, band.upper.value,
                                  band.upper.inclusive, percent))
            for band in policy.bands
        ]
        labels = {b.id: b.label for b in policy.bands} | {s.id: s.label for s in policy.stages}
        page.steps = [
            Step(
                labels.get(i.band or i.stage, i.band or i.stage), i.absence_type.value, i.who or i.role,
                i.instruction, _task(i.task), i.source,
            )
            for i in policy.interventions
        ]
        page.findings = check_policy(policy)
        pages.append(page)
    return pages


def _task(task) -> str:
    if task is None:
        return ""
    due = "" if task.within_school_days is None else f", within {task.within_school_days} school days"
    return f"{task.title}{due}"


def percent_policies() -> list[Policy]:
    """The policies a what-if can try: those with bands of a percentage."""
    return [p.policy for p in shipped() if p.policy is not None and p.policy.measure.quantity.is_percent]


def with_lower_edges(policy: Policy, edges: dict[str, Fraction]) -> Policy:
    """A draft of `policy` with some bands' lower edges moved; the band below each moved edge
    keeps meeting it (its upper edge moves too), so the draft has no new gap or overlap."""
    bands = list(policy.bands)
    for band_id, value in edges.items():
        index = next(i for i, b in enumerate(bands) if b.id == band_id)
        old = bands[index].lower.value
        if value == old:
            continue
        bands[index] = replace(bands[index], lower=replace(bands[index].lower, value=value))
        for j, other in enumerate(bands):
            if j != index and other.upper.value == old:
                bands[j] = replace(other, upper=replace(other.upper, value=value))
    return replace(policy, bands=tuple(bands), version=policy.version + 1)
