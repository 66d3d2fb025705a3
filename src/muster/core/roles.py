"""Who may see and do what: the roles of the people who use Muster, as data.

Issue "People, roles and trust": each role is held in an organisation and gives its holder a
set of pupils (the scope) and, for each kind of record, the actions allowed on it. Everything
else is refused. The scoping layer (`muster.people.access`) turns these definitions into
queries; pages, admin, CLI and API all ask it, so the rules live here once.

Muster's decisions where the issue is silent are marked "Muster decision" beside the role.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    HEADTEACHER = "headteacher"
    ATTENDANCE_LEAD = "attendance_lead"
    TEACHER = "teacher"
    DESIGNATED_TEACHER = "designated_teacher"
    GOVERNOR = "governor"
    LA_ATTENDANCE_OFFICER = "la_attendance_officer"
    VIRTUAL_SCHOOL_HEAD = "virtual_school_head"
    EDUCATION_ADVISOR = "education_advisor"
    SOCIAL_WORKER = "social_worker"
    IRO = "iro"
    CHILD_IN_CARE_NURSE = "child_in_care_nurse"
    TEAM_MANAGER = "team_manager"
    DATA_PROTECTION_OFFICER = "data_protection_officer"
    ADMINISTRATOR = "administrator"


class OrganisationKind(StrEnum):
    SCHOOL = "school"
    LOCAL_AUTHORITY = "local_authority"
    VIRTUAL_SCHOOL = "virtual_school"
    CHILDRENS_SERVICES = "childrens_services"


class Scope(StrEnum):
    """Which pupils a role reaches."""

    SCHOOL_ROLL = "school_roll"
    """Pupils enrolled at the role's school."""
    TEACHING_GROUPS = "teaching_groups"
    """Pupils in the holder's own teaching groups (classes)."""
    SCHOOL_CHILDREN_IN_CARE = "school_children_in_care"
    """Looked-after and previously looked-after pupils enrolled at the role's school."""
    LA_INVOLVEMENT = "la_involvement"
    """Pupils of the authority's schools with a current involvement of the authority: referred,
    persistently or severely absent, or in a statutory workflow."""
    LA_CHILDREN_IN_CARE = "la_children_in_care"
    """Every child looked after by the authority, at any school in any authority."""
    ALLOCATED = "allocated"
    """Pupils allocated to the holder by name."""
    TEAM_ALLOCATED = "team_allocated"
    """Pupils allocated to the members of the holder's teams."""
    LA_SCHOOLS = "la_schools"
    """Every pupil enrolled at the authority's schools."""
    NONE = "none"
    """No pupil records."""


class Action(StrEnum):
    VIEW = "view"
    LIST = "list"
    SEARCH = "search"
    EXPORT = "export"
    CHANGE = "change"


class RecordKind(StrEnum):
    PUPIL = "pupil"
    """A pupil's identity, characteristics and enrolments."""
    REGISTER = "register"
    """A pupil's session marks, with their notes and history."""
    FIGURES = "figures"
    """A named pupil's attendance figures and flags."""
    COHORT_FIGURES = "cohort_figures"
    """Figures for groups of pupils, with no names."""
    AUDIT_LOG = "audit_log"
    ACCOUNTS = "accounts"
    """Staff accounts, their roles and allocations."""


PUPIL_KINDS = frozenset({RecordKind.PUPIL, RecordKind.REGISTER, RecordKind.FIGURES})
"""Kinds of record that belong to one pupil, and so follow the role's scope."""

_ALL = frozenset(Action)
_READ = frozenset({Action.VIEW, Action.LIST, Action.SEARCH})
_READ_EXPORT = _READ | {Action.EXPORT}
_LOOK = frozenset({Action.VIEW, Action.LIST})


@dataclass(frozen=True)
class RoleDefinition:
    role: Role
    label: str
    organisation: OrganisationKind
    scopes: tuple[Scope, ...]
    grants: dict[RecordKind, frozenset[Action]]
    sensitive_fields: bool
    """Whether the role reads care status, social worker and SEN/FSM details (need to know)."""
    basis: str

    def allows(self, kind: RecordKind, action: Action) -> bool:
        return action in self.grants.get(kind, frozenset())


def _define(role, label, organisation, scopes, grants, sensitive, basis) -> RoleDefinition:
    return RoleDefinition(role, label, organisation, tuple(scopes), grants, sensitive, basis)


_SCHOOL_LEADER_GRANTS = {
    RecordKind.PUPIL: _ALL,
    RecordKind.REGISTER: _ALL,
    RecordKind.FIGURES: _READ_EXPORT,
    RecordKind.COHORT_FIGURES: _LOOK | {Action.EXPORT},
}
_ALLOCATED_GRANTS = {
    RecordKind.PUPIL: _READ,
    RecordKind.REGISTER: _LOOK,
    RecordKind.FIGURES: _READ,
}

ROLES: dict[Role, RoleDefinition] = {
    d.role: d
    for d in (
        _define(Role.HEADTEACHER, "Headteacher", OrganisationKind.SCHOOL, [Scope.SCHOOL_ROLL],
                _SCHOOL_LEADER_GRANTS, True, "issue: their school's pupils"),
        _define(Role.ATTENDANCE_LEAD, "Attendance lead", OrganisationKind.SCHOOL,
                [Scope.SCHOOL_ROLL], _SCHOOL_LEADER_GRANTS, True, "issue: their school's pupils"),
        _define(Role.TEACHER, "Teacher", OrganisationKind.SCHOOL, [Scope.TEACHING_GROUPS],
                {RecordKind.PUPIL: _READ, RecordKind.REGISTER: _LOOK | {Action.CHANGE},
                 RecordKind.FIGURES: _LOOK},
                False, "issue: their classes' registers; Muster decision: no exports, no care "
                "or social-work status"),
        _define(Role.DESIGNATED_TEACHER, "Designated teacher", OrganisationKind.SCHOOL,
                [Scope.SCHOOL_CHILDREN_IN_CARE],
                {RecordKind.PUPIL: _READ, RecordKind.REGISTER: _LOOK,
                 RecordKind.FIGURES: _READ_EXPORT},
                True, "issue: children in care at their school and their PEPs"),
        _define(Role.GOVERNOR, "Governor", OrganisationKind.SCHOOL, [Scope.NONE],
                {RecordKind.COHORT_FIGURES: _LOOK}, False, "issue: figures only, no names"),
        _define(Role.LA_ATTENDANCE_OFFICER, "Local authority attendance officer",
                OrganisationKind.LOCAL_AUTHORITY, [Scope.LA_INVOLVEMENT],
                {RecordKind.PUPIL: _READ_EXPORT, RecordKind.REGISTER: _READ_EXPORT,
                 RecordKind.FIGURES: _READ_EXPORT,
                 RecordKind.COHORT_FIGURES: _LOOK | {Action.EXPORT}},
                True, "issue: pupils of the LA's schools who are referred, PA/SA or in a "
                "statutory workflow; area-wide figures"),
        _define(Role.VIRTUAL_SCHOOL_HEAD, "Virtual School head", OrganisationKind.VIRTUAL_SCHOOL,
                [Scope.LA_CHILDREN_IN_CARE],
                {RecordKind.PUPIL: _READ_EXPORT, RecordKind.REGISTER: _READ_EXPORT,
                 RecordKind.FIGURES: _READ_EXPORT,
                 RecordKind.COHORT_FIGURES: _LOOK | {Action.EXPORT}},
                True, "issue: every child looked after by the LA"),
        _define(Role.EDUCATION_ADVISOR, "Virtual School education advisor",
                OrganisationKind.VIRTUAL_SCHOOL, [Scope.ALLOCATED],
                {RecordKind.PUPIL: _READ, RecordKind.REGISTER: _LOOK,
                 RecordKind.FIGURES: _READ_EXPORT},
                True, "issue: allocated children"),
        _define(Role.SOCIAL_WORKER, "Social worker", OrganisationKind.CHILDRENS_SERVICES,
                [Scope.ALLOCATED], _ALLOCATED_GRANTS, True, "issue: allocated children"),
        _define(Role.IRO, "Independent reviewing officer", OrganisationKind.CHILDRENS_SERVICES,
                [Scope.ALLOCATED], _ALLOCATED_GRANTS, True, "issue: allocated children"),
        _define(Role.CHILD_IN_CARE_NURSE, "Child in care nurse",
                OrganisationKind.CHILDRENS_SERVICES, [Scope.ALLOCATED], _ALLOCATED_GRANTS, True,
                "issue: allocated children"),
        _define(Role.TEAM_MANAGER, "Social work team manager", OrganisationKind.CHILDRENS_SERVICES,
                [Scope.TEAM_ALLOCATED], _ALLOCATED_GRANTS, True, "issue: the team's children"),
        _define(Role.DATA_PROTECTION_OFFICER, "Data protection officer",
                OrganisationKind.LOCAL_AUTHORITY, [Scope.LA_SCHOOLS, Scope.LA_CHILDREN_IN_CARE],
                {RecordKind.AUDIT_LOG: _READ_EXPORT,
                 RecordKind.PUPIL: frozenset({Action.SEARCH, Action.EXPORT})},
                True, "issue: the audit log; Muster decision: finds and exports one child's "
                "record to answer a subject access request, reads no record otherwise"),
        _define(Role.ADMINISTRATOR, "Administrator", OrganisationKind.LOCAL_AUTHORITY,
                [Scope.LA_SCHOOLS],
                {RecordKind.ACCOUNTS: _ALL - {Action.EXPORT},
                 RecordKind.PUPIL: _READ | {Action.CHANGE}, RecordKind.REGISTER: _READ,
                 RecordKind.COHORT_FIGURES: _LOOK},
                False, "issue: administrator; Muster decision: manages accounts and keeps pupil "
                "details right for the LA's schools, exports nothing, changes no mark"),
    )
}


def definition(role: Role | str) -> RoleDefinition:
    return ROLES[Role(role)]


def roles_allowing(kind: RecordKind, action: Action) -> frozenset[Role]:
    return frozenset(r for r, d in ROLES.items() if d.allows(kind, action))
