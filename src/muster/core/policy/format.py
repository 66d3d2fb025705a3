"""The shapes of an attendance policy, as read from a policy file (see `loader` for the format).

Band edges are `Fraction`s, never floats, so that a figure exactly on an edge (10%, 95%) is
compared exactly (domain reference 0: "exact integer/rational arithmetic ... band edges
likewise").
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum
from fractions import Fraction


class OwnerKind(StrEnum):
    NATIONAL = "national"
    SCHOOL = "school"
    LOCAL_AUTHORITY = "local_authority"
    VIRTUAL_SCHOOL = "virtual_school"


class CoverageKind(StrEnum):
    ALL_PUPILS = "all_pupils"
    """Every pupil of compulsory school age in England (national rules)."""
    SCHOOL_ROLL = "school_roll"
    LA_SCHOOLS = "la_schools"
    LA_CHILDREN_IN_CARE = "la_children_in_care"
    """Children looked after by the authority, wherever they are at school."""
    CHARACTERISTIC = "characteristic"


class Quantity(StrEnum):
    ATTENDANCE_PERCENT = "attendance_percent"
    ABSENCE_PERCENT = "absence_percent"
    UNAUTHORISED_SESSIONS = "unauthorised_sessions"
    """A count of sessions with the measure's codes (the penalty-notice threshold)."""

    @property
    def is_percent(self) -> bool:
        return self is not Quantity.UNAUTHORISED_SESSIONS


class Period(StrEnum):
    YEAR_TO_DATE = "year_to_date"
    ROLLING = "rolling"


class AbsenceType(StrEnum):
    ANY = "any"
    AUTHORISED = "authorised"
    UNAUTHORISED = "unauthorised"


class Recurrence(StrEnum):
    NONE = "none"
    EACH_DAY_OF_ABSENCE = "each_day_of_absence"
    WHILE_IN_BAND = "while_in_band"


class StageKind(StrEnum):
    """What places a pupil in a stage that is not a band of the policy's measure (Annex A)."""

    ALL_PUPILS = "all_pupils"
    """Every pupil the policy covers, whatever their figures."""
    AT_RISK = "at_risk"
    """Pupils the at-risk rules flag (DfE sets no figure: seed 002 line 236)."""
    COHORT = "cohort"
    """A group of pupils with lower attendance than their peers, not one pupil."""
    CHARACTERISTIC = "characteristic"
    """Pupils with a characteristic (SEND, a social worker, looked after), named by the stage."""
    MONITORING = "monitoring"
    """Oversight of the whole system rather than work with pupils."""


@dataclass(frozen=True)
class Owner:
    kind: OwnerKind
    name: str


@dataclass(frozen=True)
class SourceDocument:
    title: str
    reference: str
    """Where the text is kept, e.g. `seeds/001_33e89aacaa73b7df.txt`."""
    published: str | None = None


@dataclass(frozen=True)
class Applies:
    start: dt.date
    end: dt.date | None
    review: dt.date | None


@dataclass(frozen=True)
class Coverage:
    kind: CoverageKind
    characteristic: str | None = None
    description: str = ""


@dataclass(frozen=True)
class Measure:
    quantity: Quantity
    period: Period
    rolling_school_weeks: int | None = None
    codes: tuple[str, ...] = ()
    source: str = ""


@dataclass(frozen=True)
class Edge:
    value: Fraction | None
    """None only for an upper edge with no limit (a count measure)."""
    inclusive: bool


@dataclass(frozen=True)
class Band:
    id: str
    label: str
    lower: Edge
    upper: Edge
    source: str
    written: str = ""
    """The band as the source document writes it, verbatim."""
    note: str = ""
    at: str = ""
    """Where the band is in its file, e.g. `bands[2]`."""

    def contains(self, value: Fraction) -> bool:
        above = value >= self.lower.value if self.lower.inclusive else value > self.lower.value
        if self.upper.value is None:
            return above
        below = value <= self.upper.value if self.upper.inclusive else value < self.upper.value
        return above and below


@dataclass(frozen=True)
class Stage:
    """A stage of a policy that is not a band of its measure: Annex A's "all pupils", "at risk
    of becoming persistently absent", cohorts, pupils with a characteristic."""

    id: str
    label: str
    kind: StageKind
    source: str
    characteristic: str = ""
    written: str = ""
    """The stage as the source document heads it, verbatim."""
    note: str = ""
    at: str = ""


@dataclass(frozen=True)
class TaskTemplate:
    title: str
    within_school_days: int | None
    """None when the source sets no deadline."""
    recurs: Recurrence
    source: str


@dataclass(frozen=True)
class Intervention:
    band: str
    absence_type: AbsenceType
    role: str
    instruction: str
    source: str
    who: str = ""
    """The role as the source document names it, verbatim."""
    task: TaskTemplate | None = None
    at: str = ""
    stage: str = ""
    """The stage the intervention belongs to, when it names a stage rather than a band (then
    `band` is empty)."""


@dataclass(frozen=True)
class PolicyRole:
    """A role a policy declares beyond Muster's own (seed 003's Inclusion Lead)."""

    id: str
    label: str
    source: str


@dataclass(frozen=True)
class Trigger:
    """Work that follows a day of absence rather than a band (seed 002's first-day call)."""

    id: str
    label: str
    day_of_absence: int
    role: str
    instruction: str
    source: str
    task: TaskTemplate | None = None
    at: str = ""


@dataclass(frozen=True)
class PenaltyAmount:
    amount_pence: int
    paid_within_days: int
    source: str


@dataclass(frozen=True)
class Offence:
    number: int
    notice: bool
    amounts: tuple[PenaltyAmount, ...]
    instruction: str
    source: str


@dataclass(frozen=True)
class PenaltyNotices:
    within_years: int
    offences: tuple[Offence, ...]
    source: str


@dataclass(frozen=True)
class Policy:
    id: str
    title: str
    version: int
    owner: Owner
    source_document: SourceDocument
    applies: Applies
    coverage: Coverage
    measure: Measure
    bands: tuple[Band, ...]
    interventions: tuple[Intervention, ...]
    roles: tuple[PolicyRole, ...] = ()
    triggers: tuple[Trigger, ...] = ()
    penalty_notices: PenaltyNotices | None = None
    path: str = ""
    notes: tuple[str, ...] = field(default=())
    stages: tuple[Stage, ...] = ()

    def stage(self, stage_id: str) -> Stage:
        for stage in self.stages:
            if stage.id == stage_id:
                return stage
        raise KeyError(stage_id)

    def interventions_for_stage(self, stage_id: str) -> tuple[Intervention, ...]:
        return tuple(i for i in self.interventions if i.stage == stage_id)

    def band(self, band_id: str) -> Band:
        for band in self.bands:
            if band.id == band_id:
                return band
        raise KeyError(band_id)

    def interventions_for(self, band_id: str) -> tuple[Intervention, ...]:
        return tuple(i for i in self.interventions if i.band == band_id)
