"""Who wrote each mark: the batch behind every slot a register year holds.

Every write appends to the `MarkSource` log the slots it wrote; `RegisterYearSource` holds the
log folded into one batch id per slot. A slot's writer is the last batch to write it: batch ids
rise with time, and writers of one register year take turns (its version is checked on write).
Folding, daily after the registers close (`muster records fold-sources`), keeps the log short:
without it, an authority's year would keep 38 million log rows.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
from django.db import transaction

from muster.core import slots
from muster.registers import bulk
from muster.registers.models import MarkSource, RegisterYearSource

CHUNK = 5000


def writers(register_year_ids: Iterable[int]) -> dict[int, np.ndarray]:
    """For each register year, the id of the batch that wrote each slot's mark (0: none)."""
    ids = sorted(set(register_year_ids))
    found: dict[int, np.ndarray] = {}
    for lo in range(0, len(ids), CHUNK):
        chunk = ids[lo : lo + CHUNK]
        log = MarkSource.objects.filter(register_year_id__in=chunk).values_list("register_year_id", "batch_id", "slots")
        found.update(_replay(chunk, log.order_by("register_year_id", "batch_id", "id")))
    return found


def _replay(ids: list[int], log: Iterable[tuple[int, int, bytes]]) -> dict[int, np.ndarray]:
    """The folded ids of these register years with the log rows (register year, batch, slots)
    written over them in order: the last batch to write a slot is its writer."""
    found = {pk: np.frombuffer(bytes(batches), dtype="<u4").copy() for pk, batches in
             RegisterYearSource.objects.filter(register_year_id__in=ids).values_list("register_year_id", "batches")}
    for pk, batch, written in log:
        batches = found.setdefault(pk, np.zeros(slots.SLOTS_PER_YEAR, dtype="<u4"))
        batches[np.frombuffer(bytes(written), dtype="<u2")] = batch
    return found


def fold(register_year_ids: Iterable[int] | None = None) -> int:
    """Fold the log into `RegisterYearSource` (all of it, or these register years'); how many
    log rows were folded. Each chunk is one transaction; writes meanwhile append after it."""
    pending = MarkSource.objects.all()
    if register_year_ids is not None:
        pending = pending.filter(register_year_id__in=list(register_year_ids))
    ids = sorted(set(pending.values_list("register_year_id", flat=True)))
    folded = 0
    for lo in range(0, len(ids), CHUNK):
        with transaction.atomic():
            folded += _fold_chunk(ids[lo : lo + CHUNK])
    return folded


def _fold_chunk(ids: list[int]) -> int:
    log = list(MarkSource.objects.select_for_update().filter(register_year_id__in=ids)
               .order_by("register_year_id", "batch_id", "id").values_list("id", "register_year_id", "batch_id", "slots"))
    if not log:
        return 0
    folded = _replay(sorted({pk for _, pk, _, _ in log}), (row[1:] for row in log))
    bulk.write_folded_sources([(pk, batches.tobytes()) for pk, batches in folded.items()])
    read = [row[0] for row in log]
    for lo in range(0, len(read), CHUNK):
        MarkSource.objects.filter(id__in=read[lo : lo + CHUNK]).delete()  # only rows folded here
    return len(log)
