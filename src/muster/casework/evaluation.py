"""The daily evaluation: every policy in force, every pupil it covers, band spells and tasks.

For each day, each policy in force (`applies`) and each adopter (national policies: everyone),
the pupils the policy covers that day are placed in a band from their figures over the policy's
period (`core.policy.evaluate`), read from the one figures engine over registers loaded once.
Then, pupil by pupil, only where something changed:

- a new band, or a new absence column, closes the current spell on the weekday before and opens a new
  one, with the explanation of that day; the open tasks of interventions that no longer apply
  are marked superseded (never deleted), at once for a move to a worse band and only once a
  move to a better band has held (`core.rules.band_hysteresis`);
- each intervention with a task template that applies has its task, once per band entry
  (`recurs: none`), once per day of absence (`each_day_of_absence`) or once per week
  (`while_in_band`): the task's key (pupil, policy, rule, occurrence) is unique, so running a
  day again creates nothing.

Work waits for enough figures: below the possible sessions set in
`policies/national/casework/work_from_possible_sessions.yaml` the band is recorded but creates
no task (early in a year one absence moves a pupil across several bands and back). At a band
edge the casework has hysteresis (`core.rules.band_hysteresis`): the band whose tasks apply is
the latest spell with `tasks_made`; a move to a worse one makes its tasks the same day, a move
to a better one waits `better_band_after_school_days.yaml` (the old tasks stay open meanwhile),
and a return to a band within `return_within_school_days.yaml` continues its run (the same
`band_since`), so its superseded tasks are reopened instead of made again.

Days are history: evaluating a day earlier than a pupil's current spell compares with the spell
that covered that day and rewrites nothing (a difference, after a correction to old marks, is
counted in `history_kept`). So `muster evaluate` may run again over any days, in any order of
runs, and leaves the same spells and tasks.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
from django.db import transaction
from django.db.models import Q

from muster.casework.holders import Holders
from muster.casework.models import BandSpell, PolicyAdoption, Task
from muster.core import figures, slots
from muster.core.parameters import national
from muster.core.policy.evaluate import (
    IN_GAP,
    NO_POSSIBLE,
    applies_on,
    band_indices,
    evaluate,
    period,
    required,
    school_week_mondays,
)
from muster.core.policy.format import (
    AbsenceType,
    CoverageKind,
    Intervention,
    OwnerKind,
    Policy,
    Recurrence,
)
from muster.core.policy.loader import load_all
from muster.core.rules.band_hysteresis import (
    better_than,
    continues_run,
    improvement_held,
    school_days_between,
)
from muster.people.models import Organisation
from muster.registers import store
from muster.registers.models import Enrolment, LocalAuthority, Pupil, School

CHARACTERISTICS = {
    "looked_after": "looked_after", "previously_looked_after": "previously_looked_after",
    "has_social_worker": "has_social_worker", "fsm": "fsm", "sen": "sen",
}
"""Characteristics a policy may cover (`covers.characteristic`), as Pupil fields."""


GAP_LABEL = "In no band (policy gap)"
Use = tuple[Policy, Organisation | None, dt.date, dt.date | None]
"""A policy, the organisation that uses it (None: national) and the days it does so."""


@dataclass
class RunSummary:
    days: int = 0
    placements: int = 0
    """Pupil x policy x day evaluations with a possible session."""
    spells_opened: int = 0
    spells_closed: int = 0
    tasks_created: int = 0
    tasks_superseded: int = 0
    tasks_reopened: int = 0
    """Superseded tasks opened again: the pupil returned to their band (`return_within_school_days`)."""
    history_kept: int = 0
    bands: Counter = field(default_factory=Counter)
    """(policy id, band label) -> pupils on the last day evaluated."""
    final: dict[tuple[str, int], str] = field(default_factory=dict)
    """(policy id, pupil id) -> band label on the last day evaluated."""
    new_tasks: list[Task] = field(default_factory=list)
    movers: list[tuple[int, str, str, str, dt.date]] = field(default_factory=list)
    """(pupil id, policy id, from band, to band, day) for every band change."""


def adopted(policies: list[Policy], first: dt.date, last: dt.date) -> list[Use]:
    """(policy, adopter, from, to) for each policy in use between the days; national ones for all."""
    by_id = {p.id: p for p in policies}
    uses: list[tuple[Policy, Organisation | None, dt.date, dt.date | None]] = [
        (p, None, p.applies.start, p.applies.end) for p in policies
        if p.owner.kind is OwnerKind.NATIONAL and p.coverage.kind is CoverageKind.ALL_PUPILS
    ]
    rows = PolicyAdoption.objects.filter(Q(ends__isnull=True) | Q(ends__gte=first), starts__lte=last,
                                         policy_id__in=list(by_id)).select_related("organisation")
    uses += [(by_id[a.policy_id], a.organisation, a.starts, a.ends) for a in rows.order_by("pk")]
    return uses


def evaluate_days(days: Iterable[dt.date], *, policies: list[Policy] | None = None,
                  uses: list[Use] | None = None, save: bool = True) -> RunSummary:
    """Evaluate each day (see the module docstring) for the policies in use, or for the `uses`
    given: a what-if passes a draft and its adopter, with `save=False`, and starts from no
    history (a draft has none) and writes nothing."""
    chosen = [p for p in (policies if policies is not None else load_all()) if p.measure.quantity.is_percent]
    summary = RunSummary()
    for year, year_days in itertools.groupby(sorted(set(days)), key=slots.academic_year):
        year_days = list(year_days)
        year_uses = uses if uses is not None else adopted(chosen, slots.year_start(year), year_days[-1])
        year_uses = [u for u in year_uses if u[0].measure.quantity.is_percent]
        _Year(year, year_days, year_uses, summary, save=save, fresh=uses is not None).run()
    return summary


@dataclass(frozen=True)
class _Counts:
    """The figures the evaluation reads, each summed once (`Figures.possible` is a sum)."""

    attended: np.ndarray
    possible: np.ndarray
    authorised: np.ndarray
    unauthorised: np.ndarray

    @classmethod
    def of(cls, result: figures.Figures) -> _Counts:
        return cls(result.attended, result.possible, result.authorised, result.unauthorised)


@dataclass
class _SpellRow:
    band: str
    absence_type: str
    band_since: dt.date
    starts: dt.date
    ends: dt.date | None
    model: BandSpell


class _Year:
    def __init__(self, year: int, days: list[dt.date], uses: list[Use], summary: RunSummary,
                 *, save: bool, fresh: bool) -> None:
        self.year, self.days, self.summary, self.save, self.fresh = year, days, summary, save, fresh
        self.first = slots.year_start(year)
        self.uses = [u for u in uses if any(applies_on(u[0], d) for d in days)]

    # -- loading -----------------------------------------------------------------------------

    def _load(self) -> None:
        first, last = self.first, self.days[-1]
        on_roll = Enrolment.objects.filter(Q(end__isnull=True) | Q(end__gte=first), start__lte=last)
        rows = list(on_roll.order_by("pk").values_list(
            "pk", "pupil_id", "school_id", "school__local_authority_id", "start", "end", "registration"))
        self.loaded = store.load(on_roll, first, last, look_back=False)
        units = self.loaded.unit_ids
        self.unit_of_pupil = {int(p): i for i, p in enumerate(units.tolist())}
        n = len(rows)
        self.e_unit = np.array([self.unit_of_pupil[r[1]] for r in rows], dtype=np.int64).reshape(n)
        self.e_school = np.array([r[2] for r in rows], dtype=np.int64).reshape(n)
        self.e_authority = np.array([r[3] or 0 for r in rows], dtype=np.int64).reshape(n)
        self.e_start = np.array([r[4] for r in rows], dtype="datetime64[D]").reshape(n)
        self.e_end = np.array([r[5] or dt.date(9999, 12, 31) for r in rows], dtype="datetime64[D]").reshape(n)
        self.e_subsidiary = np.array([r[6] == "subsidiary" for r in rows], dtype=bool).reshape(n)
        codes = dict(LocalAuthority.objects.values_list("code", "pk"))
        pupils = Pupil.objects.filter(pk__in=units.tolist()).values(
            "pk", "care_authority", *CHARACTERISTICS.values())
        self.p_care = np.zeros(len(units), dtype=np.int64)
        self.p_flag = {name: np.zeros(len(units), dtype=bool) for name in CHARACTERISTICS}
        for p in pupils:
            i = self.unit_of_pupil[p["pk"]]
            self.p_care[i] = codes.get(p["care_authority"], 0) if p["looked_after"] else 0
            for name, field_name in CHARACTERISTICS.items():
                value = p[field_name]
                self.p_flag[name][i] = bool(value) and value != "N"
        self.school_authority = dict(School.objects.values_list("pk", "local_authority_id"))
        self.calendars: dict[int, object] = {}
        self.spells: dict[tuple, list[_SpellRow]] = defaultdict(list)
        self.tasks: dict[tuple, Task] = {}
        self.open_tasks: dict[tuple, list[Task]] = defaultdict(list)
        self.work_of: dict[tuple, list[Intervention]] = {}
        self.band_work: dict[str, frozenset[int]] = {}
        if not self.fresh:
            self._load_history()

    def _load_history(self) -> None:
        ids = [p.id for p, *_ in self.uses]
        for spell in BandSpell.objects.filter(policy_id__in=ids).order_by("starts", "pk"):
            self.spells[(spell.policy_id, spell.organisation_id, spell.pupil_id)].append(
                _SpellRow(spell.band, spell.absence_type, spell.band_since, spell.starts, spell.ends, spell))
        for task in Task.objects.filter(policy_id__in=ids).select_related("spell").order_by("pk"):
            self.tasks[(task.pupil_id, task.policy_id, task.rule, task.occurrence)] = task
            if task.status == Task.Status.OPEN:
                owner = task.spell.organisation_id if task.spell_id else None
                self.open_tasks[(task.policy_id, owner, task.pupil_id)].append(task)

    # -- evaluating ----------------------------------------------------------------------------

    def run(self) -> None:
        if not self.uses:
            return
        self._load()
        matrix = self.loaded.matrix
        daily = any(i.task and i.task.recurs is Recurrence.EACH_DAY_OF_ABSENCE
                    for p, *_ in self.uses for i in p.interventions)
        for day in self.days:
            self.summary.days += 1
            if day < matrix.first_day or day > matrix.last_day:
                continue
            counts_from: dict[dt.date, figures.Figures] = {}
            absent_today = figures.compute(matrix, day, day).overall_absence > 0 if daily else None
            self.holders = Holders(day)
            self.work_from = int(national("casework", "work_from_possible_sessions").value_on(day))
            self.better_after = int(national("casework", "better_band_after_school_days").value_on(day))
            self.return_within = int(national("casework", "return_within_school_days").value_on(day))
            self.pending_spells: list[BandSpell] = []
            self.pending_closed: list[BandSpell] = []
            self.pending_tasks: list[Task] = []
            self.pending_superseded: list[Task] = []
            self.pending_reopened: list[Task] = []
            self.pending_made: list[int] = []
            for policy, adopter, starts, ends in self.uses:
                if applies_on(policy, day) and starts <= day and (ends is None or day <= ends):
                    first = period(policy, day, self._school_weeks())[0]
                    if first not in counts_from:
                        counts_from[first] = _Counts.of(figures.compute(matrix, first, day))
                    self._place(policy, adopter, day, first, counts_from[first], absent_today)
            if self.save:
                self._write()

    def _covered(self, policy: Policy, adopter: Organisation | None, day: dt.date) -> tuple[np.ndarray, np.ndarray]:
        """Units covered on the day, and the enrolment row that ties each to a school."""
        when = np.datetime64(day)
        on_roll = (self.e_start <= when) & (self.e_end >= when)
        kind = policy.coverage.kind
        if kind is CoverageKind.SCHOOL_ROLL:
            on_roll &= self.e_school == (adopter.school_id if adopter else -1)
        elif kind is CoverageKind.LA_SCHOOLS:
            on_roll &= self.e_authority == (adopter.local_authority_id if adopter else -1)
        elif kind is CoverageKind.LA_CHILDREN_IN_CARE:
            on_roll &= self.p_care[self.e_unit] == (adopter.local_authority_id if adopter else -1)
        elif kind is CoverageKind.CHARACTERISTIC:
            on_roll &= self.p_flag.get(policy.coverage.characteristic, np.zeros(len(self.p_care), bool))[self.e_unit]
            if adopter is not None and adopter.school_id:
                on_roll &= self.e_school == adopter.school_id
            elif adopter is not None:
                on_roll &= self.e_authority == adopter.local_authority_id
        rows = np.flatnonzero(on_roll)
        rows = rows[np.argsort(self.e_subsidiary[rows], kind="stable")]  # main or single first
        units, first_row = np.unique(self.e_unit[rows], return_index=True)
        return units, rows[first_row]

    def _school_weeks(self) -> np.ndarray:
        if not hasattr(self, "_weeks"):
            self._weeks = school_week_mondays(self.loaded.matrix)
        return self._weeks

    def _place(self, policy, adopter, day, first, counts, absent_today) -> None:
        units, rows = self._covered(policy, adopter, day)
        if not len(units):
            return
        attended, possible = counts.attended[units], counts.possible[units]
        index = band_indices(policy, attended, possible)
        unauthorised = counts.unauthorised[units] > 0
        org_id = adopter.pk if adopter else None
        placed = index != NO_POSSIBLE
        self.summary.placements += int(placed.sum())
        if day == self.days[-1]:
            for unit, i in zip(units[placed].tolist(), index[placed].tolist(), strict=True):
                label = policy.bands[i].label if i != IN_GAP else GAP_LABEL
                self.summary.bands[(policy.id, label)] += 1
                self.summary.final[(policy.id, int(self.loaded.unit_ids[unit]))] = label
        if policy.id not in self.band_work:
            self.band_work[policy.id] = _bands_with_daily_work(policy)
        daily_bands = self.band_work[policy.id]
        pupil_ids = self.loaded.unit_ids[units].tolist()
        absent = absent_today[units].tolist() if absent_today is not None else None
        for k, unit, pupil_id, i, unauth, possible_k in zip(
            np.flatnonzero(placed).tolist(), units[placed].tolist(),
            np.asarray(pupil_ids, dtype=np.int64)[placed].tolist(), index[placed].tolist(),
            unauthorised[placed].tolist(), possible[placed].tolist(), strict=True,
        ):
            band = policy.bands[i].id if i != IN_GAP else ""
            absence = "unauthorised" if unauth else "authorised"
            key = (policy.id, org_id, pupil_id)
            spells = self.spells.get(key)
            latest = spells[-1] if spells else None
            today_absent = absent is not None and absent[k] and i in daily_bands
            if latest is not None and not today_absent:
                if day < latest.starts:  # a past day: history is not rewritten
                    covering = _covering(spells, day)
                    if covering is None or (covering.band, covering.absence_type) != (band, absence):
                        self.summary.history_kept += 1
                    continue
                if (latest.band, latest.absence_type) == (band, absence) and (
                        possible_k < self.work_from or latest.model.tasks_made):
                    continue
            self._pupil(policy, adopter, day, first, pupil_id, int(rows[k]), band, absence, counts,
                        unit, today_absent)

    def _pupil(self, policy, adopter, day, first, pupil_id, row, band, absence, counts, unit,
               today_absent) -> None:
        org_id = adopter.pk if adopter else None
        key = (policy.id, org_id, pupil_id)
        spells = self.spells[key]
        latest = spells[-1] if spells else None
        if latest is not None and (day < latest.starts or (latest.ends is not None and day <= latest.ends)):
            covering = _covering(spells, day)
            if covering is None or (covering.band, covering.absence_type) != (band, absence):
                self.summary.history_kept += 1
                return
            current, past = covering, True
        elif latest is None or (latest.band, latest.absence_type) != (band, absence):
            current = self._open_spell(policy, adopter, day, first, pupil_id, row, band, absence, counts,
                                       unit, latest)
            past = False
        else:
            current, past = latest, False
        enough = counts.possible[unit] >= self.work_from
        if enough and not past and not current.model.tasks_made:
            self._settle(policy, key, day, row, current, counts, unit)
        if not band:
            return
        if (policy.id, band, absence) not in self.work_of:
            self.work_of[(policy.id, band, absence)] = [
                i for i in required(policy, band, AbsenceType(absence)) if i.task]
        work = self.work_of[(policy.id, band, absence)]
        rules = {_rule(i) for i in work}
        held = None if past or current.model.tasks_made else _band_held(spells)
        for task in [] if past else list(self.open_tasks.get(key, [])):
            if task.created_on <= day and task.rule not in rules and _band_of(task) != held:
                self._supersede(key, task, day, f"now {current.model.band_label} ({absence} absence)")
        if not enough:
            return
        for intervention in work:
            if not current.model.tasks_made and intervention.task.recurs is not Recurrence.EACH_DAY_OF_ABSENCE:
                continue  # a move to a better band that has not held yet: the old band's tasks stand
            occurrence = _occurrence(intervention, current.band_since, day, today_absent)
            if occurrence is None:
                continue
            made = self.tasks.get((pupil_id, policy.id, _rule(intervention), occurrence))
            if made is None:
                self._create_task(policy, adopter, day, pupil_id, row, intervention, occurrence, current, key)
            elif made.status == Task.Status.SUPERSEDED and not past:
                self._reopen(key, made, day, current)

    def _settle(self, policy, key, day, row, current: _SpellRow, counts, unit) -> None:
        """Make the current spell's band the one whose tasks apply (`tasks_made`), unless it is a
        move to a better band than the band whose tasks apply that has not held yet; when it has
        held, the old band's open tasks are superseded."""
        spells = self.spells[key]
        work = _work_spell(spells)
        if work is not None and current.band != work.band and _better(policy, work, counts, unit):
            moved = spells[next(k for k, s in enumerate(spells) if s is work) + 1].starts
            better_days = school_days_between(self._calendar(int(self.e_school[row])),
                                              moved - dt.timedelta(days=1), day)
            if not improvement_held(better_days, self.better_after):
                return
            for task in list(self.open_tasks.get(key, [])):
                if _band_of(task) == work.band:
                    self._supersede(key, task, day, f"moved from {work.model.band_label} on {moved}; "
                                    f"better for {better_days} school days")
        current.model.tasks_made = True
        if current.model.pk is not None:
            self.pending_made.append(current.model.pk)

    def _open_spell(self, policy, adopter, day, first, pupil_id, row, band, absence, counts, unit,
                    latest) -> _SpellRow:
        org_id = adopter.pk if adopter else None
        key = (policy.id, org_id, pupil_id)
        spells = self.spells[key]
        work = _work_spell(spells)
        if latest is not None:
            latest.ends = latest.model.ends = _weekday_before(day)
            self.pending_closed.append(latest.model)
            self.summary.spells_closed += 1
            if latest.band != band:
                self.summary.movers.append((pupil_id, policy.id, latest.band, band, day))
        left = work if work is not None else latest
        if left is not None and left.band != band:
            held = work is not None and _better(policy, work, counts, unit)
            for task in [] if held else list(self.open_tasks.get(key, [])):
                self._supersede(key, task, day, f"moved from {left.model.band_label} on {day}")
        result = evaluate(policy, day, first, attended=int(counts.attended[unit]),
                          possible=int(counts.possible[unit]), authorised=int(counts.authorised[unit]),
                          unauthorised=int(counts.unauthorised[unit]))
        model = BandSpell(
            pupil_id=pupil_id, policy_id=policy.id, policy_version=policy.version, organisation=adopter,
            band=band, band_label=policy.band(band).label if band else GAP_LABEL,
            absence_type=absence, band_since=self._band_since(spells, work, band, day, row),
            starts=day, explanation=result.explanation,
        )
        spell = _SpellRow(band, absence, model.band_since, day, None, model)
        spells.append(spell)
        self.pending_spells.append(model)
        self.summary.spells_opened += 1
        return spell

    def _band_since(self, spells: list[_SpellRow], work: _SpellRow | None, band: str, day: dt.date,
                    row: int) -> dt.date:
        """The first day of the run a new spell belongs to: the run goes on across a change of
        absence column, a move to a better band that has not held, and a short time away."""
        if spells and spells[-1].band == band:
            return spells[-1].band_since
        if work is not None and work.band == band:
            return work.band_since
        last = next((s for s in reversed(spells) if s.band == band), None) if band else None
        if last is not None and last.ends is not None and continues_run(
                school_days_between(self._calendar(int(self.e_school[row])), last.ends, day), self.return_within):
            return last.band_since
        return day

    def _reopen(self, key, task: Task, day: dt.date, spell: _SpellRow) -> None:
        """Open a superseded task again: the pupil is back in the run it was made for. Its record
        keeps when and why it was superseded."""
        task.status = Task.Status.OPEN
        task.superseded_reason = (f"reopened on {day}, back in {spell.model.band_label}; superseded "
                                  f"on {task.superseded_on}: {task.superseded_reason}")[:300]
        self.open_tasks[key].append(task)
        self.pending_reopened.append(task)
        self.summary.tasks_reopened += 1

    def _supersede(self, key, task: Task, day: dt.date, reason: str) -> None:
        task.status, task.superseded_on, task.superseded_reason = Task.Status.SUPERSEDED, day, reason[:300]
        self.open_tasks[key].remove(task)
        self.pending_superseded.append(task)
        self.summary.tasks_superseded += 1

    def _create_task(self, policy, adopter, day, pupil_id, row, intervention: Intervention, occurrence,
                     spell: _SpellRow, key) -> None:
        school_id = int(self.e_school[row])
        holder = self.holders.find(
            intervention.role, pupil_id=pupil_id, school_id=school_id,
            school_authority_id=self.school_authority.get(school_id),
            care_authority_id=int(self.p_care[self.e_unit[row]]) or None,
            adopter_id=adopter.pk if adopter else None,
        )
        within = intervention.task.within_school_days
        task = Task(
            pupil_id=pupil_id, title=intervention.task.title, instruction=intervention.instruction,
            source=intervention.task.source, policy_id=policy.id, rule=_rule(intervention),
            occurrence=occurrence, role=intervention.role, organisation_id=holder.organisation_id,
            assignee_id=holder.user_id, spell=spell.model, created_on=day,
            due=self._due(school_id, day, within) if within else None,
        )
        self.tasks[(pupil_id, policy.id, task.rule, occurrence)] = task
        self.open_tasks[key].append(task)
        self.pending_tasks.append(task)
        self.summary.tasks_created += 1
        self.summary.new_tasks.append(task)

    def _calendar(self, school_id: int):
        if school_id not in self.calendars:
            self.calendars[school_id] = School.objects.get(pk=school_id).calendar()
        return self.calendars[school_id]

    def _due(self, school_id: int, day: dt.date, within: int) -> dt.date:
        try:
            return self._calendar(school_id).school_day_after(day, within)
        except ValueError:  # no calendar entered: count weekdays
            return np.busday_offset(np.datetime64(day), within, roll="forward").astype(dt.date)

    def _write(self) -> None:
        with transaction.atomic():
            closed: dict[dt.date, list[int]] = defaultdict(list)
            for spell in self.pending_closed:
                closed[spell.ends].append(spell.pk)
            for ends, ids in closed.items():
                BandSpell.objects.filter(pk__in=ids).update(ends=ends)
            BandSpell.objects.filter(pk__in=self.pending_made).update(tasks_made=True)
            BandSpell.objects.bulk_create(self.pending_spells, batch_size=2000)
            superseded: dict[tuple, list[int]] = defaultdict(list)
            for task in self.pending_superseded:
                if task.pk is not None:
                    superseded[(task.superseded_on, task.superseded_reason)].append(task.pk)
            Task.objects.bulk_create(self.pending_tasks, batch_size=2000)
            for (on, reason), ids in superseded.items():
                Task.objects.filter(pk__in=ids).update(
                    status=Task.Status.SUPERSEDED, superseded_on=on, superseded_reason=reason)
            reopened = [task for task in self.pending_reopened if task.pk is not None]
            Task.objects.bulk_update(reopened, ["status", "superseded_reason"], batch_size=2000)


def _bands_with_daily_work(policy: Policy) -> frozenset[int]:
    """Indices of the bands with a task for each day of absence: read once per policy in a
    run, not on every day."""
    return frozenset(b for b, band in enumerate(policy.bands) if any(
        i.task and i.task.recurs is Recurrence.EACH_DAY_OF_ABSENCE for i in policy.interventions_for(band.id)))


def _work_spell(spells: list[_SpellRow]) -> _SpellRow | None:
    """The latest spell whose band's tasks apply (`tasks_made`): the band the casework is in,
    which a move to a better band leaves only once it has held."""
    return next((s for s in reversed(spells) if s.model.tasks_made), None)


def _band_held(spells: list[_SpellRow]) -> str | None:
    """While a move to a better band has not held, the band whose open tasks stand."""
    work = _work_spell(spells)
    return work.band if work is not None else None


def _better(policy: Policy, work: _SpellRow, counts: _Counts, unit: int) -> bool:
    """Whether the pupil's figure is beyond the better edge of the band whose tasks apply. A
    gap, or a band a later version of the policy no longer has, holds nothing."""
    band = next((b for b in policy.bands if b.id == work.band), None)
    return band is not None and better_than(band, policy.measure.quantity,
                                            attended=int(counts.attended[unit]),
                                            possible=int(counts.possible[unit]))


def _band_of(task: Task) -> str:
    return task.rule.split("/", 1)[0]


def _weekday_before(day: dt.date) -> dt.date:
    """The last day of a spell that ends because of a change on `day`: the weekday before."""
    return np.busday_offset(np.datetime64(day), -1, roll="forward").astype(dt.date)


def _covering(spells: list[_SpellRow], day: dt.date) -> _SpellRow | None:
    return next((s for s in spells if s.starts <= day and (s.ends is None or day <= s.ends)), None)


def _rule(intervention: Intervention) -> str:
    return f"{intervention.band}/{intervention.absence_type.value}/{intervention.role}/{intervention.task.title}"[:300]


def _occurrence(intervention: Intervention, band_since: dt.date, day: dt.date, absent_today: bool) -> dt.date | None:
    recurs = intervention.task.recurs
    if recurs is Recurrence.EACH_DAY_OF_ABSENCE:
        return day if absent_today else None
    if recurs is Recurrence.WHILE_IN_BAND:
        return max(band_since, day - dt.timedelta(days=day.weekday()))
    return band_since
