"""What the API's parts share: the error message, pages of a list, and which schools a token's
user may push pupils to (muster.core.roles; the school's own staff, or the LA's administrator
for its schools)."""

from __future__ import annotations

from ninja import Field, Schema
from ninja.pagination import LimitOffsetPagination

from muster.core.roles import Action, OrganisationKind, RecordKind, Scope, definition
from muster.people import access
from muster.registers.models import School


class Message(Schema):
    detail: str


class Refused(Exception):
    """Answered with `status` and the detail (muster.api.api): a call the caller's roles do not
    allow (403), or a request that makes no sense (422)."""

    def __init__(self, status: int, detail: str):
        super().__init__(detail)
        self.status, self.detail = status, detail


class Pages(LimitOffsetPagination):
    """limit (1 to 500, default 100) and offset (bounded, so the database is never asked for an
    out-of-range row number)."""

    class Input(Schema):
        limit: int = Field(100, ge=1, le=500)
        offset: int = Field(0, ge=0, le=1_000_000_000)

    def __init__(self, **kwargs):
        super().__init__(max_limit=500, **kwargs)


class Page:
    """A queryset as the paginator slices it: counted in the database, only one page read, each
    row shaped by `out`."""

    def __init__(self, rows, out):
        self.rows, self.out = rows, out

    def __len__(self) -> int:
        return self.rows.count()

    def __getitem__(self, window: slice) -> list[dict]:
        return [self.out(r) for r in self.rows[window]]


def schools_for(user, kind: RecordKind, action: Action) -> set[str]:
    """URNs of the schools whose whole roll the user may `action` (SCHOOL_ROLL or LA_SCHOOLS)."""
    urns: set[str] = set()
    for grant in access.assignments(user):
        role = definition(grant.role)
        if not role.allows(kind, action):
            continue
        organisation = grant.organisation
        if Scope.SCHOOL_ROLL in role.scopes and organisation.school_id is not None:
            urns.add(organisation.school.urn)
        if Scope.LA_SCHOOLS in role.scopes and organisation.local_authority_id is not None:
            urns.update(School.objects.filter(local_authority_id=organisation.local_authority_id)
                        .values_list("urn", flat=True))
    return urns


def holds_role_in(user, kinds: set[OrganisationKind], record: RecordKind, action: Action) -> bool:
    """Whether the user holds, in an organisation of one of `kinds`, a role allowing `action`."""
    return any(
        definition(g.role).organisation in kinds and definition(g.role).allows(record, action)
        for g in access.assignments(user)
    )
