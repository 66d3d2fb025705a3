"""POST /api/v1/pupils: pupils and their enrolments from a school's system, one item per
enrolment as in `pupils.csv`, checked exactly as the file is (muster.core.exchange.pupils_file)
and written all or nothing by the same import (muster.registers.imports.import_pupils),
idempotent by the client's batch id. A token reaches only the schools whose roll its user may
change (muster.core.roles): an enrolment at any other school is a bad item, and nothing changes.

Columns a batch leaves out on every item are left as held, so an MIS that does not know a
pupil's care status does not wipe what the children-looked-after import set."""

import csv
import tempfile
from pathlib import Path

from django.db import transaction
from ninja import Field, Router, Schema

from muster.api import batches
from muster.api.batches import BatchKind, Rejected, receive
from muster.api.common import Message, schools_for
from muster.api.models import MarksReceipt
from muster.api.text import Text
from muster.core.exchange import pupils_file
from muster.core.exchange.csv_file import FileRejected, RowError
from muster.core.roles import Action, RecordKind
from muster.registers.imports import import_pupils
from muster.registers.models import School

router = Router(tags=["pupils"])

MAX_ITEMS = 50_000


class EnrolmentIn(Schema):
    upn: Text = Field(description="The pupil's unique pupil number.")
    legal_surname: Text
    legal_forename: Text
    preferred_name: Text | None = None
    date_of_birth: Text = Field(description="YYYY-MM-DD.")
    sex: Text | None = Field(None, description="M, F or blank, as in the school census.")
    nc_year: Text = Field(description="N1, N2, R or 1 to 14.")
    school_urn: Text
    enrolment_start: Text = Field(description="YYYY-MM-DD.")
    enrolment_end: Text | None = None
    registration: Text | None = Field(None, description="single (default), main or subsidiary.")
    looked_after: Text | None = Field(None, description="Y or N.")
    care_authority: Text | None = None
    previously_looked_after: Text | None = None
    social_worker: Text | None = None
    sen: Text | None = Field(None, description="N, K or E.")
    fsm: Text | None = None


class PupilsBatchIn(Schema):
    client_batch_id: Text = Field(min_length=1, max_length=100,
                                 description="The sender's id for this batch; sending it again with the "
                                 "same items returns the same answer and changes nothing.")
    enrolments: list[EnrolmentIn] = Field(max_length=MAX_ITEMS)


class PupilsBatchOut(Schema):
    client_batch_id: str
    received: int
    added: int
    changed: int
    unchanged: int


class ItemProblem(Schema):
    index: int = Field(description="Position of the item in `enrolments`, from 0.")
    field: str
    value: str
    reason: str


class PupilsRejected(Schema):
    detail: str
    errors: list[ItemProblem]


def _columns(batch: PupilsBatchIn) -> list[str]:
    """The required columns and every optional one that some item sets."""
    given = set().union(*(item.model_fields_set for item in batch.enrolments)) if batch.enrolments else set()
    return [*pupils_file.COLUMNS.required, *(c for c in pupils_file.COLUMNS.optional if c in given)]


def _rows(batch: PupilsBatchIn, columns: list[str]) -> list[tuple[int, dict[str, str]]]:
    return [(i, {c: getattr(item, c) or "" for c in columns}) for i, item in enumerate(batch.enrolments)]


PUPILS = BatchKind("pupils", "pupil", "items")


@router.post(
    "/pupils", response={200: PupilsBatchOut, 409: Message, 422: PupilsRejected},
    summary="Push pupils and their enrolments",
    description="One item per enrolment, as a row of pupils.csv. Checked as the file is; every bad "
    "item is returned with its index, field and reason and nothing changes (422). The same "
    "client_batch_id with the same items returns the first answer again; with others, 409.",
)
def push_pupils(request, batch: PupilsBatchIn):
    user = request.auth
    digest = batches.digest(batch, sent_only=True)  # a column left out keeps what is held
    columns = _columns(batch)
    rows = _rows(batch, columns)

    def check() -> tuple[list[RowError], None]:
        reachable = schools_for(user, RecordKind.PUPIL, Action.CHANGE)
        known = set(School.objects.filter(urn__in={r["school_urn"] for _, r in rows}).values_list("urn", flat=True))
        errors: list[RowError] = []
        pupils_file.check_pupils(rows, known.__contains__, file="pupils", errors=errors)
        errors += [RowError("pupils", i, "school_urn", r["school_urn"], "your token may not change this school's roll")
                   for i, r in rows if r["school_urn"] in known and r["school_urn"] not in reachable]
        return errors, None

    return receive(user=user, kind=PUPILS, client_batch_id=batch.client_batch_id, digest=digest,
                   check=check, record=lambda _: _record(user, batch, columns, rows, digest))


def _record(user, batch: PupilsBatchIn, columns: list[str], rows, digest: str) -> dict:
    """Write through the pupils.csv import itself, so the checks against what is held (an
    enrolment shortened past its marks, overlaps with stored ones) are the file's own."""
    with tempfile.TemporaryDirectory() as folder, transaction.atomic():
        path = Path(folder) / "pupils.csv"
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=columns, lineterminator="\n")
            writer.writeheader()
            writer.writerows(r for _, r in rows)
        try:
            result = import_pupils(path, user=user, name=f"API batch {batch.client_batch_id}")
        except FileRejected as rejected:  # file lines: the header is line 1
            raise Rejected([RowError("pupils", e.line - 2, e.column, e.value, e.reason)
                            for e in rejected.errors]) from None
        answer = {"client_batch_id": batch.client_batch_id, "received": len(rows), "added": result.added,
                  "changed": result.changed, "unchanged": result.unchanged}
        MarksReceipt.objects.create(user=user, kind="pupils", client_batch_id=batch.client_batch_id,
                                    body_sha256=digest, answer=answer)
    return answer
