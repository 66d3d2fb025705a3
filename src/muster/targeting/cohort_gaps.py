"""Cohorts of a school with lower attendance than their peers (seed 002 line 248, Annex A), read
from the registers: each pupil's attended and possible sessions per school week at the school,
and their characteristics, handed to the rules in `muster.core.targeting.cohort_gaps`.

Only the enrolments the reader may see pooled in figures are read (`visible`, from
`muster.people.access.cohort_enrolments_visible_to`), and characteristics that need to be known
(free school meals, SEN, looked after) only when the reader may see those fields.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
from django.db.models import QuerySet

from muster.core import cohort_groups
from muster.core.targeting.cohort_gaps import CohortGap, GapRules, SchoolGaps, school_gaps
from muster.core.targeting.cohort_gaps import weekly_by_pupil as weekly
from muster.registers import store
from muster.registers.models import SEN, Enrolment, Pupil, School, Sex
from muster.registers.reports import enrolments_in_period

CHARACTERISTICS = {
    "fsm": ("Free school meals", "fsm"),
    "sen": ("Special educational needs", "sen"),
    "looked_after": ("Looked after", "looked_after"),
    "sex": ("Sex", "sex"),
    "nc_year": ("Year group", "nc_year"),
}
"""Characteristic -> (heading, the pupil field it is read from)."""

CODED = {"sex": dict(Sex.choices), "sen": dict(SEN.choices)}
"""The groups of coded characteristics by name; the others' are `muster.core.cohort_groups`'."""


def label(characteristic: str, group: str) -> str:
    return cohort_groups.label(characteristic, group, CODED)


def _order(gap: CohortGap) -> tuple:
    return (list(CHARACTERISTICS).index(gap.characteristic), *cohort_groups.year_order(gap.group))


@dataclass(frozen=True)
class GapRow:
    heading: str
    label: str
    gap: CohortGap

    @property
    def gap_points(self) -> float:
        return float(self.gap.gap)


@dataclass(frozen=True)
class SchoolCohortGaps:
    school: School
    first: dt.date
    last: dt.date
    rules: GapRules
    rows: list[GapRow]
    suppressed: int


def school_cohort_gaps(school: School, first: dt.date, last: dt.date, *,
                       visible: QuerySet[Enrolment], fields: frozenset[str],
                       rules: GapRules | None = None) -> SchoolCohortGaps:
    """Each shown group of each characteristic the reader may see, against its peers at the
    school from `first` to `last`."""
    rules = rules or GapRules.national(last)
    enrolments = enrolments_in_period(first, last).filter(
        school=school, pk__in=visible.values("pk"))
    loaded = store.load(enrolments, first, last, unit=store.Unit.PUPIL, look_back=False)
    series = weekly(loaded.matrix, first, last)
    chosen = {name: field for name, (_, field) in CHARACTERISTICS.items()
              if field in fields}
    details = {row[0]: row[1:] for row in Pupil.objects.filter(
        pk__in=loaded.unit_ids.tolist()).values_list("pk", *chosen.values())}
    characteristics = {
        name: np.array([str(details[int(p)][i]) for p in loaded.unit_ids], dtype=object)
        for i, name in enumerate(chosen)
    }
    found: SchoolGaps = school_gaps(series.attended, series.possible, characteristics, rules,
                                    weeks=[w.isoformat() for w in series.weeks])
    rows = [GapRow(CHARACTERISTICS[g.characteristic][0], label(g.characteristic, g.group), g)
            for g in sorted(found.shown, key=_order)]
    return SchoolCohortGaps(school, first, last, rules, rows, found.suppressed)
