"""Cohort figures by year group and characteristic, and the pupils behind each number."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from muster.core import cohort_groups
from muster.core.cohort_groups import year_order
from muster.people.access import SENSITIVE_FIELDS
from muster.registers import reports
from muster.registers.models import SEN, Enrolment, Pupil, Sex

DIMENSIONS = {
    "all": ("All pupils", None),
    "nc_year": ("Year group", None),
    "sex": ("Sex", None),
    "fsm": ("Free school meals", "fsm"),
    "sen": ("Special educational needs", "sen"),
    "looked_after": ("Looked after", "looked_after"),
    "social_worker": ("Has a social worker", "has_social_worker"),
}
"""Dimension (reports.COHORT_DIMENSIONS) -> (heading, pupil field that makes it sensitive)."""

CODED = {"sex": dict(Sex.choices), "sen": dict(SEN.choices)}
"""The groups of coded characteristics by name; the others' are `muster.core.cohort_groups`'."""


@dataclass(frozen=True)
class Table:
    dimension: str
    heading: str
    rows: list[dict]


def dimensions_for(fields: frozenset[str]) -> list[str]:
    """Dimensions a person may see: characteristics that need to be known only with the fields."""
    return [d for d, (_, field) in DIMENSIONS.items() if field is None or field in fields]


def tables(first, last, enrolments: QuerySet[Enrolment], dimensions: list[str]) -> list[Table]:
    rows = reports.cohort_rows(first, last, by=dimensions, enrolments=enrolments)
    out = []
    for dimension in dimensions:
        mine = [dict(r, label=label(dimension, r["group"])) for r in rows if r["dimension"] == dimension]
        if dimension == "nc_year":
            mine.sort(key=lambda r: year_order(r["group"]))
        out.append(Table(dimension, DIMENSIONS[dimension][0], mine))
    return out


def label(dimension: str, group: str) -> str:
    return cohort_groups.label(dimension, group, CODED)


def behind(dimension: str, group: str, enrolments: QuerySet[Enrolment], pupils: QuerySet[Pupil]) -> QuerySet[Pupil]:
    """The pupils the person may see among those counted in one group's figures."""
    field = reports.COHORT_DIMENSIONS[dimension]
    chosen = enrolments
    if field is not None:
        value: object = group
        if dimension in cohort_groups.YES_NO:
            value = group == "Y"
        chosen = enrolments.filter(**{field: value})
    return pupils.filter(pk__in=chosen.values("pupil_id"))


def is_sensitive(dimension: str) -> bool:
    return DIMENSIONS.get(dimension, ("", None))[1] in SENSITIVE_FIELDS
