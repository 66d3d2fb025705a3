"""POST /api/v1/marks: a batch of marks from a school's system, checked exactly as `marks.csv`
is (muster.core.exchange.marks_file), written all or nothing by the one writer of marks
(muster.registers.actions.record_marks), idempotent by the client's batch id."""


import hashlib
import json
from collections import defaultdict
from collections.abc import Sequence

from django.db import transaction
from ninja import Field, Router, Schema

from muster.api.batches import BatchKind, Rejected, receive
from muster.api.common import Message, schools_for
from muster.api.models import MarksReceipt
from muster.api.text import Text
from muster.audit.log import record_event
from muster.core.best_mark import OnConflict
from muster.core.calendar import SchoolCalendar
from muster.core.exchange import marks_file
from muster.core.exchange.csv_file import RowError
from muster.core.exchange.marks_file import EnrolmentSpan
from muster.core.roles import Action, RecordKind
from muster.people import access
from muster.registers.actions import MarkInput, MarksConflict, record_marks
from muster.registers.models import Enrolment, MarkBatch, School

router = Router(tags=["marks"])

MAX_MARKS = 200_000
"""A whole local authority's morning is about 100,000 marks (issue 9, "Done when")."""


class MarkIn(Schema):
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


class ScopedMarksContext:
    """The schools' calendars, and only those enrolments whose registers the user may change:
    a pupil beyond the user's reach reads as a pupil with no enrolment there.

    Where the user may change a school's whole roll (a school role with the school's roll as
    its scope, muster.core.roles) its enrolments are read by school and UPN directly, which is
    what muster.people.access would give for that school; any other school goes through
    access's own query. A whole authority's morning is one batch, so this stays linear."""

    def __init__(self, user, upns: set[str], urns: set[str]):
        self._calendars: dict[str, SchoolCalendar] = {
            school.urn: SchoolCalendar.build(e.as_core() for e in school.calendar_entries.all())
            for school in School.objects.filter(urn__in=urns).prefetch_related("calendar_entries")
        }
        self._spans: dict[tuple[str, str], list[EnrolmentSpan]] = defaultdict(list)
        whole = urns & schools_for(user, RecordKind.REGISTER, Action.CHANGE)
        self._read(Enrolment.objects.filter(school__urn__in=whole), upns)
        if urns - whole:
            reachable = access.enrolments_visible_to(user, Action.CHANGE, RecordKind.REGISTER)
            self._read(reachable.filter(school__urn__in=urns - whole), upns)

    def _read(self, enrolments, upns: set[str]) -> None:
        ordered = sorted(upns)
        for i in range(0, len(ordered), 5000):
            rows = enrolments.filter(pupil__upn__in=ordered[i : i + 5000]).values_list(
                "pk", "pupil__upn", "school__urn", "start", "end"
            )
            for pk, upn, urn, start, end in rows:
                self._spans[(upn, urn)].append(EnrolmentSpan(pk, start, end))

    def calendar(self, urn: str) -> SchoolCalendar | None:
        return self._calendars.get(urn)

    def enrolments(self, upn: str, urn: str) -> Sequence[EnrolmentSpan]:
        return self._spans.get((upn, urn), [])


MARKS = BatchKind("marks", "register", "marks")


def _rows(batch: MarksBatchIn) -> list[tuple[int, dict[str, str]]]:
    return [
        (i, {"upn": m.upn, "school_urn": m.school_urn, "date": m.date, "session": m.session, "mark": m.mark,
             "minutes_late": "" if m.minutes_late is None else str(m.minutes_late), "comment": m.comment})
        for i, m in enumerate(batch.marks)
    ]


def _body_hash(batch: MarksBatchIn) -> str:
    return hashlib.sha256(json.dumps(batch.model_dump(mode="json"), sort_keys=True).encode()).hexdigest()


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
    digest = _body_hash(batch)

    def check() -> tuple[list[RowError], list[marks_file.MarkRow]]:
        rows = _rows(batch)
        errors: list[RowError] = []
        context = ScopedMarksContext(user, {r["upn"] for _, r in rows}, {r["school_urn"] for _, r in rows})
        return errors, marks_file.check_marks(rows, context, file="marks", errors=errors)

    return receive(user=user, kind=MARKS, client_batch_id=batch.client_batch_id, digest=digest,
                   check=check, record=lambda checked: _record(user, batch, checked, digest))


def _record(user, batch: MarksBatchIn, checked: list[marks_file.MarkRow], digest: str) -> dict:
    marks = [MarkInput(m.enrolment, m.day, m.session, m.code, m.minutes_late, m.comment, m.line) for m in checked]
    with transaction.atomic():
        try:
            recorded = record_marks(marks=marks, source=MarkBatch.Source.API, user=user,
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
