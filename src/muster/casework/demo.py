"""The demo's policies and their work: the home authority's schools use the school policy
(seed 002), its Virtual School the processes matrix (seed 001); every school day of the year so
far is evaluated, so the demo opens with band histories and tasks as a real year would have."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from muster.casework.actions import adopt_policy
from muster.casework.evaluation import RunSummary, evaluate_days
from muster.casework.models import BandSpell, PolicyAdoption, Task
from muster.core import slots
from muster.people.models import Organisation
from muster.registers.models import LocalAuthority

CASEWORK_TABLES = (Task, BandSpell, PolicyAdoption)
"""Casework tables, dependants first, for the demo to clear."""

SCHOOL_POLICY = "school-attendance-policy-model"
VIRTUAL_SCHOOL_POLICY = "vs-attendance-processes-matrix"


def adopt_demo_policies(authority: LocalAuthority) -> None:
    for school in Organisation.objects.filter(kind="school", school__local_authority=authority):
        adopt_policy(policy_id=SCHOOL_POLICY, organisation=school, starts=dt.date(2024, 9, 1))
    virtual_school = Organisation.objects.get(kind="virtual_school", local_authority=authority)
    adopt_policy(policy_id=VIRTUAL_SCHOOL_POLICY, organisation=virtual_school, starts=dt.date(2025, 6, 1))


def evaluate_demo_year(today: dt.date, echo: Callable[[str], object] = print) -> RunSummary:
    """Every weekday of the school year to today (days with no possible session change nothing)."""
    summary = evaluate_days(slots.weekdays(slots.year_start(slots.academic_year(today)), today))
    echo(f"Evaluated the policies on {summary.days} days: {summary.spells_opened:,} band spells, "
         f"{summary.tasks_created:,} tasks ({summary.tasks_superseded:,} superseded)")
    return summary
