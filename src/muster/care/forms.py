"""Reading the care pages' forms (GOV.UK patterns: each problem names its field, so the error
summary links to it) into the keywords of `muster.care.actions`. No writes here."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from muster.core.care.form import PlanForm
from muster.core.care.plan_quality import ActionRow

ACTION_ROWS = 5
"""Rows of seed 004's action table offered on the form; blank rows are left out."""
ACTION_FIELDS = ("barrier", "action", "by_when", "responsible", "measure")
FACTORS = ("push_inside", "push_outside", "pull_inside", "pull_outside")
TEXTS = (*FACTORS, "pupil_voice", "going_well", "incentive")


@dataclass(frozen=True)
class Problem:
    field: str
    message: str


def date_field(data, name: str, label: str, problems: list[Problem], *, required: bool = False,
               latest: dt.date | None = None) -> dt.date | None:
    raw = (data.get(name) or "").strip()
    if not raw:
        if required:
            problems.append(Problem(name, f"Enter {label}"))
        return None
    try:
        day = dt.date.fromisoformat(raw)
    except ValueError:
        problems.append(Problem(name, f"Enter {label} as a real date, for example 2026-11-02"))
        return None
    if latest is not None and day > latest:
        problems.append(Problem(name, f"{label[0].upper()}{label[1:]} must be today or earlier"))
        return None
    return day


def action_rows(data, problems: list[Problem], prefix: str = "action") -> list[ActionRow]:
    """The filled rows of the action table; a row's missing parts are for the quality check to
    find, not errors, except a date that is not a date."""
    rows = []
    for i in range(1, ACTION_ROWS + 1):
        values = {f: (data.get(f"{prefix}-{i}-{f}") or "").strip() for f in ACTION_FIELDS}
        if not any(values.values()):
            continue
        by_when = date_field(data, f"{prefix}-{i}-by_when", f"the date for action {i}", problems)
        rows.append(ActionRow(values["barrier"], values["action"], by_when, values["responsible"], values["measure"]))
    return rows


def plan_meeting(data, form: PlanForm, today: dt.date) -> tuple[dict, list[Problem]]:
    """The keywords of `actions.record_plan_meeting` from the PEP meeting and plan form."""
    problems: list[Problem] = []
    date = date_field(data, "date", "the date of the PEP meeting", problems, required=True, latest=today)
    attendees = [line.strip() for line in (data.get("attendees") or "").splitlines() if line.strip()]
    if not attendees:
        problems.append(Problem("attendees", "Enter who attended the meeting, one per line"))
    responsibilities = {}
    for row in form.responsibilities:
        answer = data.get(f"resp-{row.id}")
        if answer not in ("yes", "no"):
            problems.append(Problem(f"resp-{row.id}", f"Say whether the responsibilities of {row.label} were "
                                    "discussed"))
            continue
        responsibilities[row.id] = (answer == "yes", (data.get(f"resp-{row.id}-notes") or "").strip())
    aim_percent = None
    raw_aim = (data.get("aim_percent") or "").strip().rstrip("%")
    if raw_aim:
        try:
            aim_percent = Decimal(raw_aim)
        except InvalidOperation:
            problems.append(Problem("aim_percent", "Enter the target attendance as a number, for example 95"))
        else:
            if not Decimal(0) < aim_percent <= Decimal(100):
                problems.append(Problem("aim_percent", "The target attendance must be more than 0 and at most 100"))
                aim_percent = None
    aim_date = date_field(data, "aim_date", "the date to reach the aim", problems)
    reduced = data.get("reduced_timetable") == "yes"
    ends = date_field(data, "reduced_timetable_ends", "the date the reduced timetable ends", problems)
    values = dict(
        date=date, attendees=attendees, notes=(data.get("notes") or "").strip(), responsibilities=responsibilities,
        actions=action_rows(data, problems), aim_percent=aim_percent, aim_date=aim_date,
        reduced_timetable=reduced, reduced_timetable_ends=ends if reduced else None,
        **{name: (data.get(name) or "").strip() for name in TEXTS},
    )
    return values, problems


def money(data, name: str, problems: list[Problem]) -> Decimal | None:
    raw = (data.get(name) or "").strip().lstrip("£").replace(",", "")
    try:
        amount = Decimal(raw)
    except InvalidOperation:
        problems.append(Problem(name, "Enter the amount in pounds, for example 360 or 120.50"))
        return None
    if amount <= 0 or amount.as_tuple().exponent < -2:
        problems.append(Problem(name, "The amount must be more than £0, in pounds and pence"))
        return None
    return amount
