"""The demo's staff: one invented person for each role, with their classes and children.

Each gets an account with the same demo password, so a person trying Muster can sign in as a
headteacher, a Virtual School advisor or a social worker and see what that role sees.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db.models import Q
from faker import Faker

from muster.core import slots
from muster.core.roles import OrganisationKind, Role, definition
from muster.people.actions import allocate, assign_role, refresh_absence_involvements
from muster.people.models import Involvement, Organisation, TeachingGroup, Team
from muster.registers.models import Enrolment, LocalAuthority, Pupil, School

CHILDREN_PER_WORKER = 12


@dataclass(frozen=True)
class DemoPerson:
    username: str
    role: Role
    where: str


def create_demo_people(
    *, authority: LocalAuthority, today: dt.date, password: str, seed: int
) -> list[DemoPerson]:
    """Staff for one school of the authority, the authority, its Virtual School and children's
    services. Returns who was created, for the printed sign-in."""
    fake = Faker("en_GB")
    fake.seed_instance(seed)
    year_start = slots.year_start(slots.academic_year(today))
    schools = list(School.objects.filter(local_authority=authority).order_by("urn"))
    primary = next((s for s in schools if s.phase == "primary"), schools[0])
    organisations = _organisations(authority, primary)
    team = Team.objects.create(organisation=organisations[OrganisationKind.CHILDRENS_SERVICES],
                               name="Children in care team 1")
    people: list[DemoPerson] = []

    def person(username: str, role: Role, organisation: Organisation, team: Team | None = None):
        user = get_user_model().objects.create_user(
            username, f"{username}@example.invalid", password,
            first_name=fake.first_name(), last_name=fake.last_name(),
        )
        assign_role(user=user, role=role, organisation=organisation, starts=year_start, team=team)
        people.append(DemoPerson(username, role, organisation.name))
        return user

    school_org = organisations[OrganisationKind.SCHOOL]
    la_org = organisations[OrganisationKind.LOCAL_AUTHORITY]
    vs_org = organisations[OrganisationKind.VIRTUAL_SCHOOL]
    cs_org = organisations[OrganisationKind.CHILDRENS_SERVICES]
    person("headteacher", Role.HEADTEACHER, school_org)
    person("attendance-lead", Role.ATTENDANCE_LEAD, school_org)
    teacher = person("teacher", Role.TEACHER, school_org)
    person("designated-teacher", Role.DESIGNATED_TEACHER, school_org)
    person("governor", Role.GOVERNOR, school_org)
    person("la-officer", Role.LA_ATTENDANCE_OFFICER, la_org)
    person("vs-head", Role.VIRTUAL_SCHOOL_HEAD, vs_org)
    advisor = person("vs-advisor", Role.EDUCATION_ADVISOR, vs_org)
    social_worker = person("social-worker", Role.SOCIAL_WORKER, cs_org, team)
    colleague = person("social-worker-2", Role.SOCIAL_WORKER, cs_org, team)
    iro = person("iro", Role.IRO, cs_org)
    nurse = person("cic-nurse", Role.CHILD_IN_CARE_NURSE, cs_org)
    person("team-manager", Role.TEAM_MANAGER, cs_org, team)
    person("dpo", Role.DATA_PROTECTION_OFFICER, la_org)
    person("administrator", Role.ADMINISTRATOR, la_org)

    _teaching_group(primary, teacher, today)
    in_care = list(
        Pupil.objects.filter(looked_after=True, care_authority=authority.code).order_by("upn")
    )
    with_social_worker = list(
        Pupil.objects.filter(has_social_worker=True, looked_after=False)
        .filter(enrolments__school__local_authority=authority).distinct().order_by("upn")
    )
    share = CHILDREN_PER_WORKER
    for worker, role, children in (
        (advisor, Role.EDUCATION_ADVISOR, in_care[:share]),
        (social_worker, Role.SOCIAL_WORKER, in_care[: share // 2] + with_social_worker[: share // 2]),
        (colleague, Role.SOCIAL_WORKER, in_care[share // 2 : share] + with_social_worker[share // 2 : share]),
        (iro, Role.IRO, in_care[:share]),
        (nurse, Role.CHILD_IN_CARE_NURSE, in_care[share : 2 * share]),
    ):
        for child in children:
            allocate(worker=worker, pupil=child, role=role, starts=year_start)
    refresh_absence_involvements(local_authority=authority, on=today)
    _referrals(authority, today)
    return people


def _organisations(authority: LocalAuthority, school: School) -> dict[OrganisationKind, Organisation]:
    kinds = {
        OrganisationKind.LOCAL_AUTHORITY: f"{authority.name} Council attendance service",
        OrganisationKind.VIRTUAL_SCHOOL: f"{authority.name} Virtual School",
        OrganisationKind.CHILDRENS_SERVICES: f"{authority.name} Children's Services",
    }
    made = {
        kind: Organisation.objects.create(kind=kind.value, name=name, local_authority=authority)
        for kind, name in kinds.items()
    }
    for other in School.objects.exclude(organisation__isnull=False):
        Organisation.objects.create(kind=OrganisationKind.SCHOOL.value, name=other.name, school=other)
    made[OrganisationKind.SCHOOL] = Organisation.objects.get(school=school)
    return made


def _teaching_group(school: School, teacher, today: dt.date) -> None:
    """The teacher's class: one year group of the school on roll today."""
    on_roll = Enrolment.objects.filter(Q(end__isnull=True) | Q(end__gte=today), school=school, start__lte=today)
    years = set(on_roll.values_list("pupil__nc_year", flat=True))
    year = "3" if "3" in years else min(years)
    group = TeachingGroup.objects.create(
        school=school, name=f"Year {year} Oak", academic_year=slots.academic_year(today)
    )
    group.pupils.set(Pupil.objects.filter(enrolments__in=on_roll, nc_year=year).distinct())
    group.teachers.add(teacher)


def _referrals(authority: LocalAuthority, today: dt.date) -> None:
    """A few pupils referred by their schools, not (yet) persistently absent."""
    involved = Involvement.objects.filter(local_authority=authority).values("pupil_id")
    candidates = (
        Pupil.objects.filter(enrolments__school__local_authority=authority)
        .exclude(pk__in=involved).distinct().order_by("upn")[:3]
    )
    for pupil in candidates:
        Involvement.objects.create(
            pupil=pupil, local_authority=authority, reason=Involvement.Reason.REFERRAL,
            starts=today - dt.timedelta(days=14), note="Referred by the school after home visits",
        )


def describe(people: list[DemoPerson]) -> str:
    width = max(len(p.username) for p in people)
    return "\n".join(f"  {p.username.ljust(width)}  {definition(p.role).label}, {p.where}" for p in people)
