"""Every role against every kind of record and every action, on the demo data.

Issue "People, roles and trust", Done when: "A test generates the full matrix of roles x record
kinds x actions (view, list, search, export, change) on the demo data and proves every allowed
cell works and every other is refused: the number of cells checked is printed and is in the
hundreds, with zero leaks." The expected pupils of each cell are worked out here from the raw
rows, independently of the scoping layer's queries.
"""

from __future__ import annotations

import pytest

from muster.core.roles import PUPIL_KINDS, ROLES, Action, RecordKind, Role, Scope, definition
from muster.people import access
from muster.people.models import Allocation, Involvement, RoleAssignment, TeachingGroup
from muster.registers.models import Enrolment, Pupil
from tests.people.conftest import TODAY

pytestmark = pytest.mark.django_db


def on(day, starts, ends):
    return starts <= day and (ends is None or day <= ends)


class Truth:
    """The pupils each scope reaches, from plain loops over every row."""

    def __init__(self):
        self.pupils = {p.pk: p for p in Pupil.objects.all()}
        self.enrolments = list(Enrolment.objects.select_related("school"))
        self.allocations = list(Allocation.objects.all())
        self.involvements = list(Involvement.objects.all())
        self.assignments = list(RoleAssignment.objects.select_related("organisation__school"))
        self.groups = [(set(g.pupils.values_list("pk", flat=True)), set(g.teachers.values_list("pk", flat=True)), g.school_id)
                       for g in TeachingGroup.objects.all()]

    def at_school(self, school_id):
        return {e.pupil_id for e in self.enrolments if e.school_id == school_id}

    def at_authority(self, authority_id):
        return {e.pupil_id for e in self.enrolments if e.school.local_authority_id == authority_id}

    def scope(self, scope: Scope, grant: RoleAssignment) -> set[int]:
        org = grant.organisation
        if scope is Scope.SCHOOL_ROLL:
            return self.at_school(org.school_id)
        if scope is Scope.TEACHING_GROUPS:
            return {p for pupils, teachers, school in self.groups
                    if grant.user_id in teachers and school == org.school_id for p in pupils}
        if scope is Scope.SCHOOL_CHILDREN_IN_CARE:
            return {p for p in self.at_school(org.school_id)
                    if self.pupils[p].looked_after or self.pupils[p].previously_looked_after}
        if scope is Scope.LA_INVOLVEMENT:
            involved = {i.pupil_id for i in self.involvements
                        if i.local_authority_id == org.local_authority_id and on(TODAY, i.starts, i.ends)}
            return involved & self.at_authority(org.local_authority_id)
        if scope is Scope.LA_CHILDREN_IN_CARE:
            code = org.local_authority.code
            return {p.pk for p in self.pupils.values() if p.looked_after and p.care_authority == code}
        if scope is Scope.ALLOCATED:
            return {a.pupil_id for a in self.allocations
                    if a.worker_id == grant.user_id and a.role == grant.role and on(TODAY, a.starts, a.ends)}
        if scope is Scope.TEAM_ALLOCATED:
            members = {a.user_id for a in self.assignments
                       if a.team_id == grant.team_id and grant.team_id and on(TODAY, a.starts, a.ends)}
            return {a.pupil_id for a in self.allocations
                    if a.worker_id in members and a.role == Role.SOCIAL_WORKER and on(TODAY, a.starts, a.ends)}
        if scope is Scope.LA_SCHOOLS:
            return self.at_authority(org.local_authority_id)
        return set()

    def expected(self, user, kind: RecordKind, action: Action) -> set[int]:
        found: set[int] = set()
        for grant in self.assignments:
            if grant.user_id != user.pk or not on(TODAY, grant.starts, grant.ends):
                continue
            if definition(grant.role).allows(kind, action):
                for scope in definition(grant.role).scopes:
                    found |= self.scope(scope, grant)
        return found

    def expected_enrolments(self, user, action: Action) -> set[int]:
        found: set[int] = set()
        for grant in self.assignments:
            if grant.user_id != user.pk or not on(TODAY, grant.starts, grant.ends):
                continue
            if not definition(grant.role).allows(RecordKind.REGISTER, action):
                continue
            for scope in definition(grant.role).scopes:
                pupils = self.scope(scope, grant)
                school_only = scope in (Scope.SCHOOL_ROLL, Scope.TEACHING_GROUPS, Scope.SCHOOL_CHILDREN_IN_CARE)
                found |= {e.pk for e in self.enrolments if e.pupil_id in pupils
                          and (not school_only or e.school_id == grant.organisation.school_id)}
        return found


def test_the_full_role_matrix_allows_every_granted_cell_and_leaks_nothing(demo, capsys):
    truth = Truth()
    everyone = set(truth.pupils)
    personas = list(demo.exclude(username="demo-admin").order_by("username"))
    held = {r for a in RoleAssignment.objects.all() for r in [Role(a.role)]}
    assert held == set(Role), "the demo holds every role"
    cells = leaks = refusals = allowed = 0
    failures = []
    for user in personas:
        for kind in RecordKind:
            for action in Action:
                cells += 1
                if kind in PUPIL_KINDS:
                    expected = truth.expected(user, kind, action)
                    got = set(access.pupils_visible_to(user, action, kind).values_list("pk", flat=True))
                    if got - expected:
                        leaks += 1
                        failures.append(f"{user.username} {kind} {action}: leaks {sorted(got - expected)[:5]}")
                    if expected - got:
                        failures.append(f"{user.username} {kind} {action}: misses {sorted(expected - got)[:5]}")
                    outside = sorted(everyone - expected)
                    if outside:
                        with pytest.raises(access.NotFound):
                            access.access_pupil_by_id(user, outside[0], action, kind)
                    if expected:
                        allowed += 1
                        inside = min(expected)
                        assert access.access_pupil_by_id(user, inside, action, kind).pk == inside
                    else:
                        refusals += 1
                    if kind is RecordKind.REGISTER:
                        want = truth.expected_enrolments(user, action)
                        have = set(access.enrolments_visible_to(user, action).values_list("pk", flat=True))
                        if have != want:
                            failures.append(f"{user.username} registers {action}: {len(have - want)} extra, {len(want - have)} missing")
                else:
                    wanted = any(definition(a.role).allows(kind, action) for a in access.assignments(user))
                    assert access.can(user, kind, action) is wanted
                    allowed += wanted
                    refusals += not wanted
    with capsys.disabled():  # the issue asks for the count to be printed
        print(f"\nrole matrix: {cells} cells checked ({len(personas)} people in {len(ROLES)} roles and "
              f"none, x {len(RecordKind)} kinds x {len(Action)} actions): {allowed} allowed, "
              f"{refusals} refused, {leaks} leaks")
    assert not failures, "\n".join(failures[:20])
    assert leaks == 0
    assert cells >= 400


def test_a_governor_sees_figures_for_the_school_and_no_child(demo):
    governor = demo.get(username="governor")
    assert access.can(governor, RecordKind.COHORT_FIGURES, Action.VIEW)
    for kind in PUPIL_KINDS:
        for action in Action:
            assert not access.pupils_visible_to(governor, action, kind).exists()


def test_a_teacher_does_not_read_care_or_social_work_status(demo):
    teacher = demo.get(username="teacher")
    assert access.pupils_visible_to(teacher, Action.VIEW).exists()
    assert "looked_after" not in access.visible_fields(teacher)
    assert "has_social_worker" not in access.visible_fields(teacher)
    assert "looked_after" in access.visible_fields(demo.get(username="vs-head"))


def test_a_role_that_has_ended_gives_nothing(demo):
    leaver = demo.get(username="leaver")
    assert not access.pupils_visible_to(leaver, Action.VIEW).exists()


def test_the_virtual_school_follows_its_children_to_schools_in_other_authorities(demo):
    head = demo.get(username="vs-head")
    away = Enrolment.objects.filter(pupil__looked_after=True, pupil__care_authority="938").exclude(
        school__local_authority__code="938")
    assert away.exists()
    visible = access.enrolments_visible_to(head, Action.VIEW)
    assert set(away.values_list("pk", flat=True)) <= set(visible.values_list("pk", flat=True))


def test_a_school_sees_its_own_registers_of_a_pupil_who_moved_not_the_other_schools(demo):
    head = demo.get(username="headteacher")
    school = head.roles.get().organisation.school
    moved = Enrolment.objects.filter(pupil__enrolments__school=school).exclude(school=school)
    visible = set(access.enrolments_visible_to(head, Action.VIEW).values_list("pk", flat=True))
    assert not visible & set(moved.values_list("pk", flat=True))


def test_an_outsider_gets_the_same_answer_as_for_a_pupil_that_does_not_exist(demo):
    outsider = demo.get(username="other-head")
    someone_else = Pupil.objects.exclude(pk__in=access.pupils_visible_to(outsider).values("pk")).first()
    with pytest.raises(access.NotFound) as hidden:
        access.access_pupil_by_id(outsider, someone_else.pk)
    with pytest.raises(access.NotFound) as missing:
        access.access_pupil_by_id(outsider, 10**9)
    assert str(hidden.value) == str(missing.value)
