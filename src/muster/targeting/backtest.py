"""`muster backtest`: the at-risk rules replayed on a finished school year, scored against who
went on to be persistently absent (rules and scoring: `muster.core.targeting`).

The history must hold two or more school years. The year scored has ended; the year before it,
when held, feeds the last-year rule. On each evaluation date the rules read only the marks up to
that day, the sessions each pupil's school had left in the year (its calendar) and the changes of
school known by then (a new main or single enrolment at a different school). Care placements are
not held, so the placement rule raises nothing here. Pupils are scored when they had a possible
session in the year. Groups are the pupils' characteristics as recorded now, not as they were on
each date. A change of school counts when the pupil joined the new school after its first open
day of the school year (an in-year move), not at the start of one (a move up to secondary school).
Rows by rule score each rule alone (a pupil may be flagged by several), so a local authority sees
which rules find the pupils and which only add noise.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

import numpy as np
from django.db.models import QuerySet

from muster.core import figures, slots
from muster.core.targeting import backtest as scoring
from muster.core.targeting.at_risk import AtRiskRules, Rule, detect
from muster.registers import store
from muster.registers.models import SEN, Enrolment, Pupil, RegisterYear, Registration, School
from muster.registers.reports import enrolments_in_period

GROUPS = ("sex", "fsm", "sen", "looked_after")
DEFAULT_MONTHS = (10, 11, 12, 1, 2, 3, 4, 5, 6)
"""Evaluation dates when none are given: the first weekday of each month, October to June."""


class BacktestError(ValueError):
    """The history cannot be scored: says what is missing."""


@dataclass(frozen=True)
class Backtest:
    year: int
    dates: tuple[dt.date, ...]
    pupils: int
    persistent: int
    scores: list[scoring.Score]
    rules: AtRiskRules
    years_held: tuple[int, ...]


def default_dates(year: int) -> tuple[dt.date, ...]:
    out = []
    for month in DEFAULT_MONTHS:
        day = dt.date(year if month >= 8 else year + 1, month, 1)
        while day.weekday() >= 5:
            day += dt.timedelta(days=1)
        out.append(day)
    return tuple(out)


def run_backtest(
    *,
    today: dt.date,
    year: int | None = None,
    dates: tuple[dt.date, ...] | None = None,
    enrolments: QuerySet[Enrolment] | None = None,
    school: School | None = None,
) -> Backtest:
    """Score the at-risk rules on `year` (default: the latest school year ended before today).

    `enrolments`: the enrolments the caller may read (the trust layer's), all when None.
    """
    scope = Enrolment.objects.all() if enrolments is None else enrolments
    held = tuple(sorted(set(RegisterYear.objects.filter(enrolment__in=scope.values("pk"))
                            .values_list("academic_year", flat=True))))
    if len(held) < 2:
        raise BacktestError(f"a backtest needs two or more school years of registers; held: "
                            f"{', '.join(map(str, held)) or 'none'}")
    finished = [y for y in held if slots.year_end(y) < today]
    if year is None:
        if not finished:
            raise BacktestError(f"no school year held has ended before {today}")
        year = finished[-1]
    elif year not in held:
        raise BacktestError(f"no registers for the school year {year}; held: "
                            f"{', '.join(map(str, held))}")
    elif slots.year_end(year) >= today:
        raise BacktestError(f"the school year {year} ends on {slots.year_end(year)}: its "
                            "outcome is not known yet")
    first, last = slots.year_start(year), slots.year_end(year)
    dates = tuple(sorted(dates or default_dates(year)))
    outside = [d for d in dates if not first <= d <= last]
    if outside:
        raise BacktestError(f"dates outside the school year {year} ({first} to {last}): "
                            f"{', '.join(map(str, outside))}")

    on_roll = enrolments_in_period(first, last).filter(pk__in=scope.values("pk"))
    if school is not None:
        on_roll = on_roll.filter(school=school)
    pupil_rows = Enrolment.objects.filter(pupil_id__in=on_roll.values("pupil_id"),
                                          pk__in=scope.values("pk"))
    loaded = store.load(pupil_rows, slots.year_start(year - 1), last, look_back=False)
    matrix, pupil_ids = loaded.matrix, loaded.unit_ids
    outcome = figures.compute(matrix, first, last)
    included = outcome.possible > 0
    persistent = outcome.persistent_absence

    roll = Roll(pupil_rows, pupil_ids, year)
    flags_on: dict[dt.date, np.ndarray] = {}
    rule_flags_on: dict[Rule, dict[dt.date, np.ndarray]] = {rule: {} for rule in Rule}
    rules = AtRiskRules.national(dates[0])
    for on in dates:
        rules = AtRiskRules.national(on)
        result = detect(matrix, on, rules, sessions_left=roll.sessions_left(on),
                        school_changed=roll.school_changed(on))
        flags_on[on] = result.flagged
        for rule, raised in result.by_rule.items():
            rule_flags_on[rule][on] = raised
    scores = scoring.score(scoring.flagged_by(flags_on), persistent, _groups(pupil_ids), included)
    for rule, by_date in rule_flags_on.items():
        scores += [replace(s, dimension="rule", group=rule.value) for s in
                   scoring.score(scoring.flagged_by(by_date), persistent, None, included)]
    scores.sort(key=lambda s: s.on)  # stable: all, the groups, then the rules, date by date
    return Backtest(year=year, dates=dates, pupils=int(included.sum()),
                    persistent=int((persistent & included).sum()), scores=scores, rules=rules,
                    years_held=held)


def _groups(pupil_ids: np.ndarray) -> dict[str, np.ndarray]:
    index = {pid: i for i, pid in enumerate(pupil_ids.tolist())}
    labels = {g: np.full(len(pupil_ids), "unknown", dtype=object) for g in GROUPS}
    sen_names = {SEN.NONE: "no SEN", SEN.SUPPORT: "SEN support", SEN.EHC_PLAN: "EHC plan"}
    for pk, sex, fsm, sen, looked_after in Pupil.objects.filter(
            pk__in=pupil_ids.tolist()).values_list("pk", "sex", "fsm", "sen", "looked_after"):
        i = index[pk]
        labels["sex"][i] = {"F": "female", "M": "male"}.get(sex, "unknown")
        labels["fsm"][i] = "FSM" if fsm else "not FSM"
        labels["sen"][i] = sen_names.get(sen, sen)
        labels["looked_after"][i] = "looked after" if looked_after else "not looked after"
    return labels


class Roll:
    """Each pupil's enrolments as arrays: the sessions their school has left after a day, and
    their latest in-year change of school by a day (see the module docstring)."""

    def __init__(self, enrolments: QuerySet[Enrolment], pupil_ids: np.ndarray, year: int) -> None:
        rows = list(enrolments.order_by("pupil_id", "start").values_list(
            "pupil_id", "school_id", "start", "end", "registration"))
        index = {pid: i for i, pid in enumerate(pupil_ids.tolist())}
        self.n = len(pupil_ids)
        self.first = slots.year_start(year)
        self.last = slots.year_end(year)
        school_ids = sorted({r[1] for r in rows})
        school_index = {s: k for k, s in enumerate(school_ids)}
        n_days = (self.last - self.first).days + 1
        self.open_by_day = np.zeros((len(school_ids), n_days + 1), dtype=np.int64)
        first_open: dict[tuple[int, int], dt.date] = {}
        for school in School.objects.filter(pk__in=school_ids):
            calendar = school.calendar()
            mask = calendar.open_slots(year)[: 2 * n_days]
            per_day = mask[0::2].astype(np.int64) + mask[1::2]
            self.open_by_day[school_index[school.pk], 1:] = np.cumsum(per_day)
            for y in (year - 1, year):
                open_slots = np.flatnonzero(calendar.open_slots(y))
                if len(open_slots):
                    first_open[school.pk, y] = slots.date_of(y, int(open_slots[0]))[0]
        main = [r for r in rows if r[4] != Registration.SUBSIDIARY]
        self.pupil = np.array([index[r[0]] for r in main], dtype=np.int64)
        self.school = np.array([school_index[r[1]] for r in main], dtype=np.int64)
        self.start = np.array([r[2] for r in main], dtype="datetime64[D]")
        self.end = np.array([r[3] or dt.date.max for r in main], dtype="datetime64[D]")
        moved = [k for k in range(1, len(main))
                 if main[k][0] == main[k - 1][0] and main[k][1] != main[k - 1][1]
                 and main[k][2] > first_open.get((main[k][1], slots.academic_year(main[k][2])),
                                                 dt.date.min)]
        self.change_pupil = self.pupil[moved] if moved else np.zeros(0, np.int64)
        self.change_day = self.start[moved] if moved else np.zeros(0, "datetime64[D]")

    def _day(self, days: np.ndarray) -> np.ndarray:
        """Day offsets in the year, clipped to it."""
        offsets = (days - np.datetime64(self.first, "D")).astype(np.int64)
        return np.clip(offsets, -1, (self.last - self.first).days)

    def sessions_left(self, on: dt.date) -> np.ndarray:
        """Open sessions after `on` to the year's end (or the enrolment's) at the school each
        pupil is on roll at on `on`."""
        day = np.datetime64(on, "D")
        current = (self.start <= day) & (self.end >= day)
        left = np.zeros(self.n, dtype=np.int64)
        until = self._day(self.end[current]) + 1
        today = (on - self.first).days + 1
        counts = (self.open_by_day[self.school[current], until]
                  - self.open_by_day[self.school[current], today])
        np.add.at(left, self.pupil[current], np.maximum(counts, 0))
        return left

    def school_changed(self, on: dt.date) -> np.ndarray:
        """Each pupil's latest change of school on or before `on`, NaT when none."""
        latest = np.full(self.n, np.iinfo(np.int64).min, dtype=np.int64)
        known = self.change_day <= np.datetime64(on, "D")
        np.maximum.at(latest, self.change_pupil[known], self.change_day[known].astype(np.int64))
        out = latest.astype("datetime64[D]")
        out[latest == np.iinfo(np.int64).min] = np.datetime64("NaT", "D")
        return out
