"""Retention: removing audit entries older than the period the policy data sets.

The period is dated policy data, `policies/national/retention/audit_years.yaml` (six years, as
register entries are kept: SI 2024/208, domain reference 1 "Retention"). Removal is the only
way entries leave the log, and it leaves a trail: first a checkpoint with the sequence and hash
of the last entry removed (the triggers delete nothing a checkpoint does not cover), then the
removal itself, then a prune entry naming the checkpoint. Verification of what remains starts
from the checkpoint, so tampering with the kept entries is still found.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone

from muster.audit import log, triggers
from muster.audit.models import Action, AuditCheckpoint, AuditEvent
from muster.core.parameters import national


@dataclass(frozen=True)
class PruneResult:
    years: int
    older_than: dt.datetime
    removed: int
    first_sequence: int | None = None
    last_sequence: int | None = None
    dry_run: bool = False

    def report(self) -> str:
        kept = f"entries older than {self.older_than:%Y-%m-%d %H:%M} UTC ({self.years}-year retention)"
        if not self.removed:
            return f"Nothing to remove: no {kept}."
        verb = "Would remove" if self.dry_run else "Removed"
        return f"{verb} {self.removed} {kept}: #{self.first_sequence} to #{self.last_sequence}."


def retention_years(on: dt.date) -> int:
    entry = national("retention", "audit_years").entry_on(on)
    if entry is None:
        raise ValueError(f"no audit log retention period is in force on {on}")
    return int(entry.value)


def prune_expired(
    *, user=None, now: dt.datetime | None = None, dry_run: bool = False, source: str | None = None
) -> PruneResult:
    """Remove the entries past retention, leaving a checkpoint and a prune entry behind."""
    now = now or timezone.now()
    years = retention_years(timezone.localdate(now))
    older_than = years_before(now, years)
    with transaction.atomic():
        log.lock_head()  # one pruner at a time; writers of new entries wait a moment
        last = AuditEvent.objects.filter(occurred_at__lt=older_than).order_by("-sequence").first()
        if last is None:
            return PruneResult(years, older_than, 0, dry_run=dry_run)
        # Everything up to the newest expired entry goes, so the chain left is unbroken.
        expired = AuditEvent.objects.filter(sequence__lte=last.sequence)
        first = expired.order_by("sequence").values_list("sequence", flat=True)[0]
        result = PruneResult(years, older_than, expired.count(), first, last.sequence, dry_run)
        if dry_run:
            return result
        checkpoint = AuditCheckpoint.objects.create(
            last_sequence=last.sequence, last_hash=last.hash, last_occurred_at=last.occurred_at,
            older_than=older_than, removed=result.removed, created_at=now,
            created_by=log.identify(user)[1],
        )
        # The ORM refuses deletes; the triggers allow this one because the checkpoint covers it.
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {triggers.EVENTS} WHERE sequence <= %s", [last.sequence])
        log.record_event(
            user=user, action=Action.PRUNE, record_kind="audit", record_id=f"checkpoint {checkpoint.pk}",
            summary=result.report(), source=source,
            after={
                "checkpoint_sequence": checkpoint.last_sequence,
                "checkpoint_hash": checkpoint.last_hash,
                "removed": result.removed,
                "older_than": older_than,
                "retention_years": years,
            },
        )
    return result


def years_before(moment: dt.datetime, years: int) -> dt.datetime:
    """The same moment `years` earlier; 29 February becomes 28 February."""
    try:
        return moment.replace(year=moment.year - years)
    except ValueError:
        return moment.replace(year=moment.year - years, day=28)
