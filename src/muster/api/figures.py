"""GET figures for a pupil or a school from the one figures engine (muster.registers.reports),
for the pupils and enrolments the token's user may reach; anything else answers 404."""


import datetime as dt

from ninja import Field, Query, Router, Schema, Status

from muster.api.common import Message
from muster.api.text import path_text
from muster.audit.log import record_event
from muster.core import slots
from muster.core.roles import Action, RecordKind
from muster.people import access
from muster.registers import reports
from muster.registers.models import School

router = Router(tags=["figures"])


class Period(Schema):
    first: dt.date | None = Field(None, alias="from", description="First day (default: 1 September "
                                  "of the current school year).")
    last: dt.date | None = Field(None, alias="to", description="Last day (default: today).")

    def bounds(self) -> tuple[dt.date, dt.date] | None:
        last = self.last or access.today()
        first = self.first or slots.year_start(slots.academic_year(last))
        return (first, last) if first <= last else None


class PupilFigures(Schema):
    upn: str
    first: dt.date
    last: dt.date
    on_roll: bool = Field(description="Whether the pupil was on roll in the period (no figures if not).")
    schools: list[str] = []
    nc_year: int | None = None
    possible: int | None = None
    present: int | None = None
    late: int | None = None
    aea: int | None = None
    authorised: int | None = None
    unauthorised: int | None = None
    attendance_pct: float | None = None
    overall_absence_pct: float | None = None
    persistent_absence: bool | None = None
    severe_absence: bool | None = None


class SchoolFigures(Schema):
    urn: str
    name: str
    first: dt.date
    last: dt.date
    enrolments: int
    possible: int
    present: int
    late: int
    aea: int
    authorised: int
    unauthorised: int
    attendance_pct: float | None
    overall_absence_pct: float | None
    authorised_pct: float | None
    unauthorised_pct: float | None
    persistent_absentees: int
    persistent_absence_pct: float | None
    severe_absentees: int
    severe_absence_pct: float | None


_PERIOD_PROBLEM = "'from' must not be after 'to'"


@router.get("/pupils/{upn}/figures", response={200: PupilFigures, 404: Message, 422: Message},
            summary="A pupil's attendance figures over a period")
def pupil_figures(request, period: Query[Period], upn: str = path_text()):
    user = request.auth
    pupil = access.access_pupil_by_upn(user, upn, Action.VIEW, RecordKind.FIGURES)
    bounds = period.bounds()
    if bounds is None:
        return Status(422, {"detail": _PERIOD_PROBLEM})
    first, last = bounds
    record_event(user=user, action="view", record_kind="figures", record_id=pupil.pk, pupil_id=pupil.pk,
                 summary=f"pupil figures {first} to {last} through the API", source="api")
    answer = {"upn": pupil.upn, "first": first, "last": last, "on_roll": False}
    if not reports.enrolments_in_period(first, last).filter(pupil_id=pupil.pk).exists():
        return Status(200, answer)
    visible = access.pupils_visible_to(user, Action.VIEW, RecordKind.FIGURES)
    rows = reports.pupil_rows(first, last, pupils=visible.filter(pk=pupil.pk))
    if rows:
        row = rows[0]
        answer.update({k: row[k] for k in PupilFigures.model_fields if k in row and k != "schools"},
                      schools=[s for s in row["schools"].split(",") if s], on_roll=True)
    return Status(200, answer)


@router.get("/schools/{urn}/figures", response={200: SchoolFigures, 404: Message, 422: Message},
            summary="A school's pooled attendance figures over a period (no names)")
def school_figures(request, period: Query[Period], urn: str = path_text()):
    user = request.auth
    visible = access.cohort_enrolments_visible_to(user).filter(school__urn=urn)
    school = School.objects.filter(urn=urn).first()
    if school is None or not visible.exists():
        raise access.NotFound("No such school")
    bounds = period.bounds()
    if bounds is None:
        return Status(422, {"detail": _PERIOD_PROBLEM})
    first, last = bounds
    record_event(user=user, action="view", record_kind="cohort_figures", record_id=urn,
                 summary=f"school {urn} figures {first} to {last} through the API", source="api")
    enrolments = reports.enrolments_in_period(first, last).filter(pk__in=visible.values("pk"))
    row = dict.fromkeys(SchoolFigures.model_fields, None)
    row.update(enrolments=0, possible=0, present=0, late=0, aea=0, authorised=0, unauthorised=0,
               persistent_absentees=0, severe_absentees=0)
    if enrolments.exists():
        row.update(reports.cohort_rows(first, last, by=("all",), enrolments=enrolments)[0])
    row.update(urn=school.urn, name=school.name, first=first, last=last)
    return Status(200, row)
