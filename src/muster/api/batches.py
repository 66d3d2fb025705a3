"""What every pushed batch (marks, pupils) shares: the client's batch id makes it idempotent (the
same id with the same content answers as the first time; with other content, 409), a bad batch is
answered 422 with every bad item and changes nothing, and each outcome is in the audit log."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass

from django.db import IntegrityError
from ninja import Status
from pydantic import BaseModel

from muster.api.models import MarksReceipt
from muster.audit.log import record_event
from muster.core.exchange.csv_file import RowError


def digest(batch: BaseModel, *, sent_only: bool = False) -> str:
    """What makes two batches the same: the batch as parsed, fields in the schema's order, so
    spacing and key order do not count; with `sent_only`, a field left out differs from one sent
    with its default (where leaving a column out means keeping what is held)."""
    return hashlib.sha256(batch.model_dump_json(exclude_unset=sent_only).encode()).hexdigest()


class Rejected(Exception):
    """Bad items: nothing of the batch is written."""

    def __init__(self, errors: list[RowError]):
        self.errors = sorted(errors)


@dataclass(frozen=True)
class BatchKind:
    kind: str
    """As stored on the receipt: marks or pupils."""
    record_kind: str
    """The audit log's kind of record."""
    items: str
    """What the batch's items are called in messages."""


def receive[Checked](*, user, kind: BatchKind, client_batch_id: str, digest: str,
            check: Callable[[], tuple[list[RowError], Checked]], record: Callable[[Checked], dict]) -> Status:
    """Answer a pushed batch: replay the receipt of one already taken, else `check` it and, with
    no errors, `record` what the check gave (writing its receipt in the same transaction; it may
    still raise Rejected)."""
    held = MarksReceipt.objects.filter(user=user, kind=kind.kind, client_batch_id=client_batch_id).first()
    if held is not None:
        return _replay(user, kind, held, digest)
    try:
        errors, checked = check()
        if errors:
            raise Rejected(errors)
        answer = record(checked)
    except Rejected as rejected:
        record_event(user=user, action="change", record_kind=kind.record_kind, record_id=client_batch_id,
                     summary=f"API {kind.kind} batch {client_batch_id!r} refused: {len(rejected.errors)} "
                     f"bad {kind.items}, nothing changed", source="api")
        return Status(422, {
            "detail": f"{len(rejected.errors)} bad {kind.items[:-1]}(s); nothing was changed",
            "errors": [{"index": e.line, "field": e.column, "value": e.value, "reason": e.reason}
                       for e in rejected.errors],
        })
    except IntegrityError:  # the same batch id arrived twice at once: the first one won
        held = MarksReceipt.objects.get(user=user, kind=kind.kind, client_batch_id=client_batch_id)
        return _replay(user, kind, held, digest)
    return Status(200, answer)


def _replay(user, kind: BatchKind, held: MarksReceipt, digest: str) -> Status:
    if held.body_sha256 != digest:
        record_event(user=user, action="change", record_kind=kind.record_kind, record_id=held.client_batch_id,
                     summary=f"API {kind.kind} batch {held.client_batch_id!r} refused: id already used for "
                     f"other {kind.items}", source="api")
        return Status(409, {"detail": f"client_batch_id {held.client_batch_id!r} was already used for a "
                            "different batch; nothing was changed"})
    record_event(user=user, action="view", record_kind=kind.record_kind, record_id=held.client_batch_id,
                 summary=f"API {kind.kind} batch {held.client_batch_id!r} sent again: the first answer "
                 "returned, nothing changed", source="api")
    return Status(200, held.answer)
