"""Checking the audit chain: is every entry as it was written, and none missing?

Issue "People, roles and trust": the log is tamper-evident, "each entry chained to the previous
by hash, with a verification command". Walking the entries in sequence from the latest
retention checkpoint (or from the first entry), each must come next in the sequence, link to
the hash before it and match its own hash; the last must be the head every writer updates. The
first entry that fails is named with the reason. A latest checkpoint must be announced by the
prune entry retention writes after it, so a checkpoint slipped in to cover deletions shows.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from muster.audit.chain import GENESIS
from muster.audit.models import Action, AuditCheckpoint, AuditEvent, AuditHead


class Problem(StrEnum):
    HASH_MISMATCH = "hash mismatch"
    BROKEN_LINK = "broken link"
    GAP = "gap in sequence"
    PRUNED_ENTRY_PRESENT = "entry before the checkpoint"
    MISSING_END = "entries missing at the end"
    HEAD_MISMATCH = "last entry replaced"
    UNANNOUNCED_CHECKPOINT = "checkpoint without a prune entry"


@dataclass(frozen=True)
class VerificationResult:
    ok: bool
    checked: int
    """Entries found intact before the first problem (all of them when ok)."""
    starts_after: int = 0
    """The checkpoint's last sequence number, or 0 when the chain starts at its first entry."""
    last_sequence: int = 0
    last_hash: str = GENESIS
    first_bad: int | None = None
    problem: Problem | None = None
    detail: str = ""

    def report(self) -> str:
        start = f"after checkpoint #{self.starts_after}" if self.starts_after else "from the first entry"
        if self.ok:
            return (
                f"The audit chain is intact: {self.checked} entries checked {start}.\n"
                f"Last entry #{self.last_sequence}, hash {self.last_hash}."
            )
        return (
            f"The audit chain is BROKEN at entry #{self.first_bad}: {self.problem}. {self.detail}\n"
            f"{self.checked} entries checked {start} were intact before it."
        )


def verify_chain() -> VerificationResult:
    # The head is read first: entries up to it were committed with it, and entries written
    # while the walk goes on are left for the next verification.
    head = AuditHead.objects.first()
    checkpoint = AuditCheckpoint.objects.order_by("-last_sequence").first()
    walk = _Walk(checkpoint)
    entries = AuditEvent.objects.order_by("sequence")
    if head is not None:
        entries = entries.filter(sequence__lte=head.sequence)
    for entry in entries.iterator(chunk_size=2000):
        failure = walk.step(entry)
        if failure is not None:
            return failure
    return walk.finish(head)


class _Walk:
    def __init__(self, checkpoint: AuditCheckpoint | None):
        self.checkpoint = checkpoint
        self.start = checkpoint.last_sequence if checkpoint else 0
        self.next_sequence = self.start + 1
        self.previous_hash = checkpoint.last_hash if checkpoint else GENESIS
        self.checked = 0
        self.announced = checkpoint is None

    def step(self, entry: AuditEvent) -> VerificationResult | None:
        if entry.sequence < self.next_sequence:
            return self.fail(entry.sequence, Problem.PRUNED_ENTRY_PRESENT, (
                f"Checkpoint #{self.start} says retention removed every entry up to it, "
                "but this one is in the table: it was put back or written around the chain."
            ))
        if entry.sequence > self.next_sequence:
            return self.fail(self.next_sequence, Problem.GAP, (
                f"Entries #{self.next_sequence} to #{entry.sequence - 1} are missing: deleted."
            ))
        if entry.computed_hash() != entry.hash:
            return self.fail(entry.sequence, Problem.HASH_MISMATCH, (
                "The stored entry does not match its hash: it was changed after it was written."
            ))
        if entry.previous_hash != self.previous_hash:
            before = f"entry #{entry.sequence - 1}" if entry.sequence - 1 > self.start else "the checkpoint"
            return self.fail(entry.sequence, Problem.BROKEN_LINK, (
                f"Its previous hash is not the hash of {before}: that was changed or replaced."
            ))
        if not self.announced and _announces(entry, self.checkpoint):
            self.announced = True
        self.checked += 1
        self.next_sequence += 1
        self.previous_hash = entry.hash
        return None

    def finish(self, head: AuditHead | None) -> VerificationResult:
        last = self.next_sequence - 1
        if head is not None and head.sequence > last:
            return self.fail(last + 1, Problem.MISSING_END, (
                f"The head of the chain records entry #{head.sequence}; the entries after "
                f"#{last} are missing: deleted."
            ))
        if head is not None and head.sequence == last and head.hash != self.previous_hash:
            return self.fail(last, Problem.HEAD_MISMATCH, (
                "The head of the chain records a different hash for it: it was replaced."
            ))
        if not self.announced:
            return self.fail(self.start, Problem.UNANNOUNCED_CHECKPOINT, (
                "No prune entry in the chain names this checkpoint: it was not made by retention."
            ))
        return VerificationResult(
            ok=True, checked=self.checked, starts_after=self.start,
            last_sequence=last, last_hash=self.previous_hash,
        )

    def fail(self, sequence: int, problem: Problem, detail: str) -> VerificationResult:
        return VerificationResult(
            ok=False, checked=self.checked, starts_after=self.start,
            last_sequence=self.next_sequence - 1, last_hash=self.previous_hash,
            first_bad=sequence, problem=problem, detail=detail,
        )


def _announces(entry: AuditEvent, checkpoint: AuditCheckpoint) -> bool:
    after = entry.after if isinstance(entry.after, dict) else {}
    return (
        entry.action == Action.PRUNE
        and after.get("checkpoint_sequence") == checkpoint.last_sequence
        and after.get("checkpoint_hash") == checkpoint.last_hash
    )
