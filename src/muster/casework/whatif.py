"""What-if: a draft policy run over a past period without saving anything.

The draft is evaluated day by day exactly as `muster evaluate` would (same engine, same task
rules), from no history and writing nothing, as if it had applied throughout the period. The
policy it would replace is evaluated on the last day alike, so the report shows how many pupils
land in each band, who moves between bands, and how many tasks the draft would have created.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import Counter
from dataclasses import dataclass

from muster.casework.evaluation import RunSummary, evaluate_days
from muster.core import slots
from muster.core.policy.format import Applies, CoverageKind, Policy
from muster.core.policy.loader import load_all
from muster.people.models import Organisation
from muster.registers.models import Pupil


@dataclass(frozen=True)
class WhatIf:
    draft: Policy
    baseline: Policy | None
    first: dt.date
    last: dt.date
    draft_run: RunSummary
    baseline_run: RunSummary | None
    moves: Counter
    """(band under the baseline, band under the draft) -> pupils, for pupils whose band differs."""
    movers: list[tuple[str, str, str]]
    """(UPN, from band, to band), at most `SHOWN` of them."""

    def report(self) -> str:
        lines = [f"What if {self.draft.title} ({self.draft.id}, version {self.draft.version}) had "
                 f"applied from {self.first} to {self.last}? Nothing was saved.",
                 f"Bands on {self.last}:"]
        for (policy_id, label), count in sorted(self.draft_run.bands.items()):
            if policy_id == self.draft.id:
                lines.append(f"  {label}: {count:,} pupils")
        lines.append(f"Tasks it would have created over the period: {self.draft_run.tasks_created:,} "
                     f"({self.draft_run.tasks_superseded:,} of them superseded by a later band)")
        if self.baseline is None:
            lines.append("No policy in use to compare with (give --against ID).")
            return "\n".join(lines)
        moved = sum(self.moves.values())
        lines.append(f"Compared with {self.baseline.title} ({self.baseline.id}, version "
                     f"{self.baseline.version}) on {self.last}: {moved:,} pupils would be in "
                     "another band")
        for (before, after), count in sorted(self.moves.items()):
            lines.append(f"  {before} -> {after}: {count:,}")
        for upn, before, after in self.movers:
            lines.append(f"    {upn}: {before} -> {after}")
        if moved > len(self.movers):
            lines.append(f"    ... and {moved - len(self.movers):,} more")
        return "\n".join(lines)


SHOWN = 30


def run_whatif(draft: Policy, *, organisation: Organisation | None, first: dt.date, last: dt.date,
               baseline_id: str | None = None) -> WhatIf:
    if not draft.measure.quantity.is_percent:
        raise ValueError(f"{draft.id} is not measured as a percentage: no bands to try")
    if organisation is None and draft.coverage.kind is not CoverageKind.ALL_PUPILS:
        raise ValueError(f"{draft.id} covers {draft.coverage.kind.value.replace('_', ' ')}: name the "
                         "organisation whose pupils it would cover")
    as_if = dataclasses.replace(draft, applies=Applies(first, None, None))
    days = slots.weekdays(first, last)
    if not days:
        raise ValueError(f"no weekday from {first} to {last}")
    draft_run = evaluate_days(days, uses=[(as_if, organisation, first, None)], save=False)
    shipped = {p.id: p for p in load_all()}
    baseline = shipped.get(baseline_id or draft.id)
    if baseline_id and baseline is None:
        raise ValueError(f"no shipped policy {baseline_id!r}")
    if baseline is None:
        return WhatIf(draft, None, first, last, draft_run, None, Counter(), [])
    baseline_as_if = dataclasses.replace(baseline, applies=Applies(first, None, None))
    baseline_run = evaluate_days([days[-1]], uses=[(baseline_as_if, organisation, first, None)], save=False)
    before = {pupil: band for (policy_id, pupil), band in baseline_run.final.items() if policy_id == baseline.id}
    after = {pupil: band for (policy_id, pupil), band in draft_run.final.items() if policy_id == draft.id}
    changed = sorted(p for p in before.keys() & after.keys() if before[p] != after[p])
    moves = Counter((before[p], after[p]) for p in changed)
    upns = dict(Pupil.objects.filter(pk__in=changed[:SHOWN]).values_list("pk", "upn"))
    movers = [(upns[p], before[p], after[p]) for p in changed[:SHOWN]]
    return WhatIf(draft, baseline, first, last, draft_run, baseline_run, moves, movers)
