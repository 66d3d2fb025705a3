"""The local authority's and the Virtual School's lists: penalty-notice cases and returns to the
LA (muster.statutory), and the children in care with their figures and plan status (muster.care,
figures from the one engine, muster.registers.reports). Each is for the roles whose work it is
(403 for any other) and holds only the pupils the token's user may reach (muster.people.access)."""

import datetime as dt
from typing import Literal

from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from muster.api.common import Message, Page, Pages, Refused, holds_role_in
from muster.api.figures import Period
from muster.audit.log import record_event
from muster.care.models import AttendanceImprovementPlan, PepMeeting
from muster.core.roles import Action, OrganisationKind, RecordKind
from muster.people import access
from muster.registers import reports
from muster.statutory.models import LaReturn, PenaltyNoticeCase

router = Router(tags=["local authority"])

LA = {OrganisationKind.LOCAL_AUTHORITY}
VIRTUAL_SCHOOL = {OrganisationKind.VIRTUAL_SCHOOL}


def _gate(user, kinds: set[OrganisationKind], what: str) -> None:
    if not holds_role_in(user, kinds, RecordKind.FIGURES, Action.LIST):
        raise Refused(403, f"{what} are for {' or '.join(sorted(k.replace('_', ' ') for k in kinds))} roles")


def _ordering(fields: tuple[str, ...]):
    return Literal[tuple(f"{sign}{f}" for f in fields for sign in ("", "-"))]  # type: ignore[misc]


CASE_ORDER = ("opened_on", "threshold_met_on", "id")
RETURN_ORDER = ("due_on", "met_on", "id")


class CaseOut(Schema):
    id: int
    upn: str
    school_urn: str
    opened_on: dt.date
    threshold_met_on: dt.date
    stage: str
    improvement_ends_on: dt.date | None
    route: str
    decided_on: dt.date | None
    closed_on: dt.date | None


class CaseFilter(Schema):
    open: bool | None = Field(None, description="Only open (true) or closed (false) cases.")
    ordering: _ordering(CASE_ORDER) = "opened_on"  # type: ignore[valid-type]


class ReturnOut(Schema):
    id: int
    kind: str
    ground: str
    upn: str
    school_urn: str
    met_on: dt.date
    due_on: dt.date
    status: str
    exported_on: dt.date | None


class ReturnFilter(Schema):
    status: Literal["due", "exported", "any"] = "any"
    ordering: _ordering(RETURN_ORDER) = "due_on"  # type: ignore[valid-type]


def _order(ordering: str) -> tuple[str, ...]:
    sign, field = ("-", ordering[1:]) if ordering.startswith("-") else ("", ordering)
    return (f"{sign}{'pk' if field == 'id' else field}", f"{sign}pk")


def _case(c: PenaltyNoticeCase) -> dict:
    return {"id": c.pk, "upn": c.pupil.upn, "school_urn": c.school.urn, "opened_on": c.opened_on,
            "threshold_met_on": c.threshold_met_on, "stage": c.stage, "improvement_ends_on": c.improvement_ends_on,
            "route": c.route, "decided_on": c.decided_on, "closed_on": c.closed_on}


def _return(r: LaReturn) -> dict:
    return {"id": r.pk, "kind": r.kind, "ground": r.ground, "upn": r.pupil.upn, "school_urn": r.school.urn,
            "met_on": r.met_on, "due_on": r.due_on, "status": r.status, "exported_on": r.exported_on}


@router.get("/penalty-notice-cases", response={200: list[CaseOut], 403: Message},
            summary="Penalty-notice cases of the pupils the LA officer reaches")
@paginate(Pages)
def list_cases(request, filters: Query[CaseFilter]):
    user = request.auth
    _gate(user, LA, "penalty-notice cases")
    cases = PenaltyNoticeCase.objects.filter(
        pupil__in=access.pupils_visible_to(user, Action.LIST, RecordKind.PUPIL)).select_related("pupil", "school")
    if filters.open is not None:
        cases = cases.filter(closed_on__isnull=filters.open)
    record_event(user=user, action="list", record_kind="penalty_notice_case", summary="cases through the API",
                 source="api")
    return Page(cases.order_by(*_order(filters.ordering)), _case)


@router.get("/returns", response={200: list[ReturnOut], 403: Message},
            summary="Returns to the LA (children missing education, deletions, sickness)")
@paginate(Pages)
def list_returns(request, filters: Query[ReturnFilter]):
    user = request.auth
    _gate(user, LA, "returns to the LA")
    returns = LaReturn.objects.filter(
        pupil__in=access.pupils_visible_to(user, Action.LIST, RecordKind.PUPIL)).select_related("pupil", "school")
    if filters.status != "any":
        returns = returns.filter(status=filters.status)
    record_event(user=user, action="list", record_kind="la_return", summary="returns through the API", source="api")
    return Page(returns.order_by(*_order(filters.ordering)), _return)


class ChildInCareOut(Schema):
    upn: str
    care_authority: str
    nc_year: str
    schools: list[str]
    possible: int
    present: int
    unauthorised: int
    attendance_pct: float | None
    persistent_absence: bool
    severe_absence: bool
    last_pep_meeting: dt.date | None = Field(description="The latest PEP meeting recorded.")
    plan_status: str | None = Field(description="The latest attendance improvement plan's status, if any.")
    plan_agreed_on: dt.date | None


class ChildrenFilter(Period):
    ordering: Literal["upn", "-upn", "attendance_pct", "-attendance_pct"] = "upn"


class _Children:
    """Children in care, counted in the database; figures worked out for the page only, except
    when ordered by attendance, which needs them all."""

    def __init__(self, pupils, first: dt.date, last: dt.date, ordering: str):
        self.pupils, self.first, self.last, self.ordering = pupils.order_by("upn"), first, last, ordering

    def __len__(self) -> int:
        return self.pupils.count()

    def _rows(self, pupils) -> list[dict]:
        pupils = list(pupils)
        if not pupils:
            return []
        figures = {r["upn"]: r for r in reports.pupil_rows(self.first, self.last, pupils=self._by_pk(pupils))}
        peps, plans = {}, {}
        for meeting in PepMeeting.objects.filter(pupil__in=pupils).order_by("date"):
            peps[meeting.pupil_id] = meeting.date
        for plan in AttendanceImprovementPlan.objects.filter(pupil__in=pupils).order_by("agreed_on", "pk"):
            plans[plan.pupil_id] = plan
        rows = []
        for p in pupils:
            f = figures.get(p.upn, {})
            plan = plans.get(p.pk)
            rows.append({
                "upn": p.upn, "care_authority": p.care_authority, "nc_year": p.nc_year,
                "schools": [s for s in f.get("schools", "").split(",") if s], "possible": f.get("possible", 0),
                "present": f.get("present", 0), "unauthorised": f.get("unauthorised", 0),
                "attendance_pct": f.get("attendance_pct"), "persistent_absence": f.get("persistent_absence", False),
                "severe_absence": f.get("severe_absence", False), "last_pep_meeting": peps.get(p.pk),
                "plan_status": plan.status if plan else None, "plan_agreed_on": plan.agreed_on if plan else None,
            })
        return rows

    def _by_pk(self, pupils):
        return self.pupils.model.objects.filter(pk__in=[p.pk for p in pupils])

    def __getitem__(self, window: slice) -> list[dict]:
        if self.ordering in ("upn", "-upn"):
            ordered = self.pupils.order_by(self.ordering)
            return self._rows(ordered[window])
        rows = self._rows(self.pupils)
        rows.sort(key=lambda r: (r["attendance_pct"] is None, r["attendance_pct"] or 0, r["upn"]),
                  reverse=self.ordering.startswith("-"))
        return rows[window]


@router.get("/children-in-care", response={200: list[ChildInCareOut], 403: Message, 422: Message},
            summary="Children in care the Virtual School reaches, with figures and plan status")
@paginate(Pages)
def list_children_in_care(request, filters: Query[ChildrenFilter]):
    user = request.auth
    _gate(user, VIRTUAL_SCHOOL, "children in care")
    bounds = filters.bounds()
    if bounds is None:
        raise Refused(422, "'from' must not be after 'to'")
    pupils = access.pupils_visible_to(user, Action.LIST, RecordKind.FIGURES).filter(looked_after=True)
    record_event(user=user, action="list", record_kind="figures",
                 summary=f"children in care {bounds[0]} to {bounds[1]} through the API", source="api")
    return _Children(pupils, *bounds, filters.ordering)
