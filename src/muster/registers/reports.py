"""The pupils and cohorts reports (formats.md, "The pupils report"), from the one figures engine."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from fractions import Fraction

import numpy as np
from django.db.models import Q, QuerySet

from muster.core import codes, figures, slots
from muster.core.policy.format import Policy
from muster.core.policy.placement import place
from muster.core.rules.penalty_notice import ThresholdRule
from muster.core.targets import UNREACHABLE, sessions_needed
from muster.registers import store
from muster.registers.models import Enrolment, Pupil, RegisterYear, School

TARGETS = {"90": Fraction(9, 10), "95": Fraction(19, 20)}
"""Attendance levels that pages and letters count towards (seed 000: plan below 90%, target 95%)."""

PUPIL_COLUMNS = (
    "upn", "name", "nc_year", "schools", "possible", "present", "late", "aea", "authorised",
    "unauthorised", "attendance_pct", "overall_absence_pct", "persistent_absence",
    "severe_absence", "pn_threshold_met_on", "remaining_sessions", "needed_for_90",
    "needed_for_95",
)


def enrolments_in_period(first: dt.date, last: dt.date) -> QuerySet[Enrolment]:
    return Enrolment.objects.filter(Q(end__isnull=True) | Q(end__gte=first), start__lte=last)


def _pct(value: float) -> float | None:
    return None if math.isnan(value) else round(float(value), 2)


def pupil_rows(
    first: dt.date,
    last: dt.date,
    *,
    pupils: QuerySet[Pupil] | None = None,
    school: School | None = None,
    rule: ThresholdRule | None = None,
    policy: Policy | None = None,
) -> list[dict]:
    """One row per pupil on roll in the period, pooling all their registers; with a policy,
    the band each pupil's figures fall in and why (formats.md: "when a policy is named, that
    policy's `band`"), measured over the report's period."""
    on_roll = enrolments_in_period(first, last)
    if school is not None:
        on_roll = on_roll.filter(school=school)
    if pupils is not None:
        on_roll = on_roll.filter(pupil__in=pupils)
    pupil_ids = on_roll.values("pupil_id")
    loaded = store.load(Enrolment.objects.filter(pupil_id__in=pupil_ids), first, last)
    rule = rule or ThresholdRule.national(last)
    result = figures.compute(loaded.matrix, first, last, rule)
    remaining = _remaining_sessions(loaded.unit_ids, last)
    needed = {
        k: sessions_needed(result.attended, result.possible, remaining, t) for k, t in TARGETS.items()
    }
    details = {
        p["pk"]: p
        for p in Pupil.objects.filter(pk__in=loaded.unit_ids.tolist()).values(
            "pk", "upn", "legal_forename", "preferred_name", "legal_surname", "nc_year"
        )
    }
    schools = _schools_of(loaded.unit_ids, first, last)
    attendance, absence = result.attendance_pct, result.overall_absence_pct
    persistent, severe, possible = result.persistent_absence, result.severe_absence, result.possible
    rows = []
    for i, pupil_id in enumerate(loaded.unit_ids.tolist()):
        p = details[pupil_id]
        met = int(result.pn_met_slot[i])
        rows.append(
            {
                "upn": p["upn"],
                "name": f"{p['preferred_name'] or p['legal_forename']} {p['legal_surname']}",
                "nc_year": p["nc_year"],
                "schools": ",".join(schools.get(pupil_id, [])),
                "possible": int(possible[i]),
                "present": int(result.present[i]),
                "late": int(result.late[i]),
                "aea": int(result.aea[i]),
                "authorised": int(result.authorised[i]),
                "unauthorised": int(result.unauthorised[i]),
                "attendance_pct": _pct(attendance[i]),
                "overall_absence_pct": _pct(absence[i]),
                "persistent_absence": bool(persistent[i]),
                "severe_absence": bool(severe[i]),
                "pn_threshold_met_on": (
                    loaded.matrix.day_of_slot(met).isoformat() if met >= 0 else None
                ),
                "remaining_sessions": int(remaining[i]),
                "needed_for_90": _needed(needed["90"][i]),
                "needed_for_95": _needed(needed["95"][i]),
            }
        )
        if policy is not None:
            placed = place(policy, attended=int(result.attended[i]), possible=int(possible[i]))
            rows[-1]["band"] = placed.band.id if placed.band else None
            rows[-1]["band_explanation"] = placed.explanation
    rows.sort(key=lambda r: r["upn"])
    return rows


def _needed(value: np.integer) -> int | None:
    return None if int(value) == UNREACHABLE else int(value)


def _schools_of(pupil_ids: np.ndarray, first: dt.date, last: dt.date) -> dict[int, list[str]]:
    out: dict[int, list[str]] = {}
    rows = enrolments_in_period(first, last).filter(pupil_id__in=pupil_ids.tolist()).values_list(
        "pupil_id", "school__urn"
    ).order_by("pupil_id", "start")
    for pupil_id, urn in rows:
        if urn not in out.setdefault(pupil_id, []):
            out[pupil_id].append(urn)
    return out


def _remaining_sessions(pupil_ids: np.ndarray, last: dt.date) -> np.ndarray:
    """Open sessions after `last` to the end of its academic year at the school each pupil is
    on roll at on `last` (main or single registration)."""
    year_end = slots.year_end(slots.academic_year(last))
    remaining = np.zeros(len(pupil_ids), dtype=np.int64)
    if last >= year_end:
        return remaining
    index = {pid: i for i, pid in enumerate(pupil_ids.tolist())}
    current = (
        enrolments_in_period(last, last)
        .filter(pupil_id__in=pupil_ids.tolist())
        .exclude(registration="subsidiary")
        .select_related("school")
    )
    calendars = {}
    for enrolment in current:
        if enrolment.school_id not in calendars:
            calendars[enrolment.school_id] = enrolment.school.calendar()
        until = min(year_end, enrolment.end or year_end)
        remaining[index[enrolment.pupil_id]] += calendars[enrolment.school_id].open_sessions_between(
            last + dt.timedelta(days=1), until
        )
    return remaining


COHORT_DIMENSIONS = {
    "all": None,
    "school": "school__urn",
    "la": "school__local_authority__code",
    "nc_year": "pupil__nc_year",
    "sex": "pupil__sex",
    "fsm": "pupil__fsm",
    "sen": "pupil__sen",
    "looked_after": "pupil__looked_after",
    "care_authority": "pupil__care_authority",
    "social_worker": "pupil__has_social_worker",
}

COHORT_COLUMNS = (
    "dimension", "group", "enrolments", "possible", "present", "late", "aea", "authorised",
    "unauthorised", "attendance_pct", "overall_absence_pct", "authorised_pct", "unauthorised_pct",
    "persistent_absentees", "persistent_absence_pct", "severe_absentees", "severe_absence_pct",
)


def cohort_rows(
    first: dt.date,
    last: dt.date,
    *,
    by: Sequence[str] = ("all",),
    school: School | None = None,
    enrolments: QuerySet[Enrolment] | None = None,
    with_codes: bool = False,
) -> list[dict]:
    """Pooled figures per group of enrolments (reference 3.1, 3.2: statistics count enrolments;
    PA and SA rates are over enrolments with at least one possible session). With
    `with_codes`, each code's sessions too, in columns named `code_<symbol>`."""
    on_roll = enrolments if enrolments is not None else enrolments_in_period(first, last)
    if school is not None:
        on_roll = on_roll.filter(school=school)
    loaded = store.load(on_roll, first, last, unit=store.Unit.ENROLMENT, look_back=False)
    result = figures.compute(loaded.matrix, first, last)
    per_code = figures.code_counts(loaded.matrix, first, last) if with_codes else None
    rows = []
    fields = list(dict.fromkeys(f for d in by if (f := COHORT_DIMENSIONS[d]) is not None))
    held = {pk: values for pk, *values in on_roll.order_by().values_list("pk", *fields)} if fields else {}
    ids = loaded.unit_ids.tolist()
    for dimension in by:
        field = COHORT_DIMENSIONS[dimension]
        if field is None:
            keys = np.zeros(len(loaded.unit_ids), dtype=np.int64)
            labels = ["all"]
        else:
            column = fields.index(field)  # every dimension's value read in one query, with the roll's
            raw = [held[e][column] if e in held else None for e in ids]
            labels = sorted({_label(v) for v in raw})
            position = {label: i for i, label in enumerate(labels)}
            keys = np.array([position[_label(v)] for v in raw], dtype=np.int64)
        pooled = figures.pool(result, keys, len(labels))
        code_totals = None if per_code is None else _pool_codes(per_code, keys, len(labels))
        for g, label in enumerate(labels):
            row = _cohort_row(dimension, label, pooled, g)
            if code_totals is not None:
                row.update({f"code_{c.symbol}": int(code_totals[g, c.id]) for c in codes.CODES})
            rows.append(row)
    return rows


def code_columns() -> tuple[str, ...]:
    return tuple(f"code_{c.symbol}" for c in codes.CODES)


def _pool_codes(per_code: np.ndarray, keys: np.ndarray, n_groups: int) -> np.ndarray:
    out = np.zeros((n_groups, per_code.shape[1]), dtype=np.int64)
    np.add.at(out, keys, per_code)
    return out


def _label(value) -> str:
    if isinstance(value, bool):
        return "Y" if value else "N"
    return "" if value is None else str(value)


def _cohort_row(dimension: str, label: str, pooled: figures.CohortFigures, g: int) -> dict:
    possible = int(pooled.possible[g])
    counted = int(pooled.with_possible[g])

    def pct(n: int, d: int) -> float | None:
        return round(n * 100 / d, 2) if d else None

    attended = int(pooled.present[g] + pooled.aea[g])
    authorised, unauthorised = int(pooled.authorised[g]), int(pooled.unauthorised[g])
    return {
        "dimension": dimension,
        "group": label,
        "enrolments": int(pooled.units[g]),
        "possible": possible,
        "present": int(pooled.present[g]),
        "late": int(pooled.late[g]),
        "aea": int(pooled.aea[g]),
        "authorised": authorised,
        "unauthorised": unauthorised,
        "attendance_pct": pct(attended, possible),
        "overall_absence_pct": pct(authorised + unauthorised, possible),
        "authorised_pct": pct(authorised, possible),
        "unauthorised_pct": pct(unauthorised, possible),
        "persistent_absentees": int(pooled.persistent[g]),
        "persistent_absence_pct": pct(int(pooled.persistent[g]), counted),
        "severe_absentees": int(pooled.severe[g]),
        "severe_absence_pct": pct(int(pooled.severe[g]), counted),
    }


MISSING_COLUMNS = ("school_urn", "upn", "name", "date", "session")


def missing_marks(
    first: dt.date, last: dt.date, *, school: School | None = None,
    enrolments: QuerySet[Enrolment] | None = None,
) -> list[dict]:
    """Open sessions on roll with no mark: they count in no figure, and the school must resolve
    them (reference 0, "An open session on roll with no mark"). The engine never guesses."""
    from muster.core.register_checks import on_roll_slots

    on_roll = enrolments_in_period(first, last).select_related("pupil", "school")
    if school is not None:
        on_roll = on_roll.filter(school=school)
    if enrolments is not None:
        on_roll = on_roll.filter(pk__in=enrolments.values("pk"))
    enrolments = list(on_roll.order_by("school__urn", "pupil__upn"))
    registers = {
        (r.enrolment_id, r.academic_year): r.codes()
        for r in RegisterYear.objects.filter(
            enrolment__in=on_roll, academic_year__in=list(slots.years_between(first, last))
        )
    }
    calendars: dict[int, object] = {}
    rows = []
    for enrolment in enrolments:
        if enrolment.school_id not in calendars:
            calendars[enrolment.school_id] = enrolment.school.calendar()
        calendar = calendars[enrolment.school_id]
        for year in slots.years_between(first, last):
            marks = registers.get((enrolment.pk, year))
            wanted = calendar.open_slots(year) & on_roll_slots(year, enrolment.start, enrolment.end)
            wanted &= on_roll_slots(year, first, last)
            empty = wanted if marks is None else wanted & (marks == 0)
            for slot in np.flatnonzero(empty).tolist():
                day, session = slots.date_of(year, slot)
                rows.append({
                    "school_urn": enrolment.school.urn,
                    "upn": enrolment.pupil.upn,
                    "name": enrolment.pupil.display_name,
                    "date": day.isoformat(),
                    "session": session.value,
                })
    return rows
