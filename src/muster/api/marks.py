"""POST /api/v1/marks: a batch of marks from a school's system, checked exactly as `marks.csv`
is (muster.core.exchange.marks_file), written all or nothing by the one writer of marks
(muster.registers.actions.record_marks), idempotent by the client's batch id."""



from django.db import transaction
from ninja import Field, Router, Schema
from pydantic import BaseModel

from muster.api import batches
from muster.api.batches import BatchKind, Rejected, receive
from muster.api.common import Message, schools_for
from muster.api.models import MarksReceipt
from muster.api.text import Text
from muster.audit.log import record_event
from muster.core.best_mark import OnConflict
from muster.core.exchange import marks_file
from muster.core.exchange.csv_file import RowError
from muster.core.roles import Action, RecordKind
from muster.people import access
from muster.registers.actions import MarksConflict, record_marks
from muster.registers.imports import DatabaseMarksContext
from muster.registers.models import Enrolment, MarkBatch

router = Router(tags=["marks"])

MAX_MARKS = 200_000
"""A whole local authority's morning is about 100,000 marks (issue 9, "Done when")."""


# A plain pydantic model, not a ninja Schema: a Schema also reads the attributes of ORM objects,
# which made parsing a 100,000-mark batch take seconds (issue 9).
class MarkIn(BaseModel):
    upn: Text = Field(description="The pupil's unique pupil number.")
    school_urn: Text = Field(description="The school's 6-digit URN.")
    date: Text = Field(description="The day, YYYY-MM-DD.")
    session: Text = Field(description="AM or PM.")
    mark: Text = Field(description="The attendance code (case-sensitive), as in marks.csv.")
    minutes_late: int | None = Field(None, description="Only with L or U.")
    comment: Text = ""


class MarksBatchIn(Schema):
    client_batch_id: Text = Field(min_length=1, max_length=100,
                                 description="The sender's id for this batch; sending it again with the "
                                 "same marks returns the same answer and changes nothing.")
    on_conflict: OnConflict = Field(OnConflict.REJECT, description="A session that already holds another "
                                    "mark: reject the batch, keep the best, or replace (history kept).")
    marks: list[MarkIn] = Field(max_length=MAX_MARKS)


class MarksBatchOut(Schema):
    client_batch_id: str
    batch_id: int | None = Field(description="Muster's batch (None when nothing changed).")
    received: int
    added: int
    changed: int
    kept: int
    unchanged: int


class RowProblem(Schema):
    index: int = Field(description="Position of the mark in `marks`, from 0.")
    field: str
    value: str
    reason: str


class MarksRejected(Schema):
    detail: str
    errors: list[RowProblem]


class ScopedMarksContext(DatabaseMarksContext):
    """The schools' calendars, and only those enrolments whose registers the user may change:
    a pupil beyond the user's reach reads as a pupil with no enrolment there.

    Where the user may change a school's whole roll (a school role with the school's roll as
    its scope, muster.core.roles) its enrolments are read by school directly, which is what
    muster.people.access would give for that school; any other school goes through access's
    own query. A whole authority's morning is one batch, so this stays linear."""

    def __init__(self, user, upns: set[str], urns: set[str]):
        whole = urns & schools_for(user, RecordKind.REGISTER, Action.CHANGE)
        super().__init__(upns, urns, Enrolment.objects.filter(school__urn__in=whole))
        if urns - whole:
            reachable = access.enrolments_visible_to(user, Action.CHANGE, RecordKind.REGISTER)
            self.read_enrolments(reachable, upns, urns - whole)


MARKS = BatchKind("marks", "register", "marks")


def _rows(batch: MarksBatchIn) -> list[tuple[int, dict[str, str]]]:
    """The marks as marks.csv rows, numbered from 0 (dumped by pydantic in one go: 5x faster
    than reading 100,000 models' attributes)."""
    rows = batch.model_dump(include={"marks"})["marks"]
    for row in rows:
        minutes = row["minutes_late"]
        row["minutes_late"] = "" if minutes is None else str(minutes)
    return list(enumerate(rows))


@router.post(
    "/marks",
    response={200: MarksBatchOut, 409: Message, 422: MarksRejected},
    summary="Push a batch of marks",
    description="Checked as marks.csv is; every bad mark is returned with its index, field and "
    "reason and nothing changes (422). The same client_batch_id with the same marks returns the first "
    "answer again; with other marks it is refused (409).",
)
def push_marks(request, batch: MarksBatchIn):
    user = request.auth
    digest = batches.digest(batch)

    def check() -> tuple[list[RowError], list[marks_file.MarkRow]]:
        rows = _rows(batch)
        errors: list[RowError] = []
        context = ScopedMarksContext(user, {r["upn"] for _, r in rows}, {r["school_urn"] for _, r in rows})
        return errors, marks_file.check_marks(rows, context, file="marks", errors=errors)

    return receive(user=user, kind=MARKS, client_batch_id=batch.client_batch_id, digest=digest,
                   check=check, record=lambda checked: _record(user, batch, checked, digest))


def _record(user, batch: MarksBatchIn, checked: list[marks_file.MarkRow], digest: str) -> dict:
    with transaction.atomic():
        try:
            recorded = record_marks(marks=checked, source=MarkBatch.Source.API, user=user,
                                    description=f"API batch {batch.client_batch_id}",
                                    on_conflict=batch.on_conflict)
        except MarksConflict as conflict:
            raise Rejected([
                RowError("marks", c.mark.line or 0, "mark", c.mark.code.symbol,
                         f"the register already holds {c.existing.symbol} for this session; send "
                         "on_conflict best or replace to change it (the old mark is kept in its history)")
                for c in conflict.conflicts
            ]) from None
        answer = {
            "client_batch_id": batch.client_batch_id,
            "batch_id": recorded.batch.pk if recorded.batch else None,
            "received": len(batch.marks), "added": recorded.added, "changed": recorded.changed,
            "kept": recorded.kept, "unchanged": recorded.unchanged,
        }
        MarksReceipt.objects.create(user=user, client_batch_id=batch.client_batch_id, body_sha256=digest,
                                    answer=answer, mark_batch=recorded.batch)
        record_event(user=user, action="change", record_kind="register",
                     record_id=f"batch {recorded.batch.pk}" if recorded.batch else batch.client_batch_id,
                     summary=f"API marks batch {batch.client_batch_id!r}: {recorded.added} added, "
                     f"{recorded.changed} changed, {recorded.kept} offered and not taken, "
                     f"{recorded.unchanged} unchanged ({batch.on_conflict})", source="api")
    return answer
