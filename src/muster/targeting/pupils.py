"""`muster at-risk`: the pupils the at-risk rules flag on a day, each with the drivers that
raised the flag and their Annex A stages (rules: `muster.core.targeting`)."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet

from muster.core import slots
from muster.core.policy.loader import load_all
from muster.core.targeting.at_risk import AtRiskRules, detect
from muster.core.targeting.stages import PupilFacts, stages_of
from muster.registers import store
from muster.registers.models import SEN, Enrolment, Pupil, School
from muster.registers.reports import enrolments_in_period
from muster.targeting.backtest import Roll

ANNEX_A = "national-annex-a-responsibilities"
COLUMNS = ("upn", "name", "nc_year", "schools", "absent", "possible", "absence_pct", "stages",
           "rules", "drivers")


def at_risk_rows(
    on: dt.date,
    *,
    pupils: QuerySet[Pupil] | None = None,
    school: School | None = None,
    sensitive: bool = True,
) -> list[dict]:
    """One row per pupil on roll on `on` whom the at-risk rules flag, sorted by UPN.

    `sensitive`: whether the reader may see care, social-work and SEN details; without them
    the characteristic stages (social worker, looked after, SEND) are left out.
    """
    year = slots.academic_year(on)
    on_roll = enrolments_in_period(on, on)
    if school is not None:
        on_roll = on_roll.filter(school=school)
    if pupils is not None:
        on_roll = on_roll.filter(pupil__in=pupils)
    enrolments = Enrolment.objects.filter(pupil_id__in=on_roll.values("pupil_id"))
    loaded = store.load(enrolments, slots.year_start(year - 1), on, look_back=False)
    roll = Roll(enrolments, loaded.unit_ids, year)
    rules = AtRiskRules.national(on)
    result = detect(loaded.matrix, on, rules, sessions_left=roll.sessions_left(on),
                    school_changed=roll.school_changed(on))
    flagged = result.flagged.nonzero()[0]
    ids = loaded.unit_ids[flagged].tolist()
    details = {p["pk"]: p for p in Pupil.objects.filter(pk__in=ids).values(
        "pk", "upn", "legal_forename", "preferred_name", "legal_surname", "nc_year", "sen",
        "has_social_worker", "looked_after", "previously_looked_after")}
    schools: dict[int, list[str]] = {}
    for pupil_id, urn in on_roll.filter(pupil_id__in=ids).order_by("pupil_id", "start") \
            .values_list("pupil_id", "school__urn"):
        schools.setdefault(pupil_id, []).append(urn)
    annex_a = next(p for p in load_all() if p.id == ANNEX_A)
    rows = []
    for unit, pupil_id in zip(flagged.tolist(), ids, strict=True):
        p = details[pupil_id]
        absent, possible = int(result.absent[unit]), int(result.possible[unit])
        facts = PupilFacts(
            absent=absent, possible=possible, at_risk=True,
            sen=sensitive and p["sen"] != SEN.NONE,
            has_social_worker=sensitive and p["has_social_worker"],
            looked_after=sensitive and (p["looked_after"] or p["previously_looked_after"]),
        )
        drivers = result.drivers(unit)
        rows.append({
            "upn": p["upn"],
            "name": f"{p['preferred_name'] or p['legal_forename']} {p['legal_surname']}",
            "nc_year": p["nc_year"],
            "schools": ",".join(schools.get(pupil_id, [])),
            "absent": absent,
            "possible": possible,
            "absence_pct": round(100 * absent / possible, 2) if possible else None,
            "stages": ",".join(stages_of(annex_a, facts)),
            "rules": ",".join(d.rule.value for d in drivers),
            "drivers": "; ".join(d.text for d in drivers),
        })
    rows.sort(key=lambda r: r["upn"])
    return rows
