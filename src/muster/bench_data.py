"""A synthetic local-authority year for the benchmark: invented registers, realistic in shape.

One school calendar for academic year 2025/26 (six terms, half terms, INSET days, a bank holiday,
two early closes: 190 open days, 380 sessions, performance.md) and, for each invented pupil, a
register row of 732 code ids (`muster.core.slots`): present `/` and `\\`, lateness `L`, illness
runs, term-time holidays `G` (mostly next to a school holiday), unauthorised `O`, `U`, `N`, leave
(`M`, `C`, `C2`, `R`, `S`, `T`), suspensions `E`, approved activities (`V`, `P`, `B`, `K`), a few
`D`, `X` and `Y` codes, `#` on planned closures, a tail of persistent and severe absence, some
pupils joining or leaving during the year and a sprinkling of sessions not yet marked.

Most pupils attend 94-98% of sessions; about a fifth are persistently absent and about 1 in 60
severely; a few percent meet the penalty-notice threshold. The same seed gives the same year.
No names or numbers of real people are used.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from muster.core import slots
from muster.core.calendar import CalendarEntry, SchoolCalendar
from muster.core.codes import NO_MARK, code

YEAR = 2025
FIRST_DAY = slots.year_start(YEAR)
LAST_DAY = slots.year_end(YEAR)

TERMS = (
    ("2025-09-01", "2025-10-24", "Autumn 1"),
    ("2025-11-03", "2025-12-19", "Autumn 2"),
    ("2026-01-05", "2026-02-13", "Spring 1"),
    ("2026-02-23", "2026-03-27", "Spring 2"),
    ("2026-04-13", "2026-05-22", "Summer 1"),
    ("2026-06-01", "2026-07-21", "Summer 2"),
)
CLOSURES = (
    ("2025-09-01", None, "INSET"),
    ("2025-09-02", None, "INSET"),
    ("2025-11-03", None, "INSET"),
    ("2026-01-05", None, "INSET"),
    ("2026-02-23", None, "INSET"),
    ("2026-05-04", None, "Early May bank holiday"),
    ("2025-12-19", "PM", "Early close"),
    ("2026-07-21", "PM", "Early close"),
)


def calendar_entries() -> tuple[CalendarEntry, ...]:
    terms = [
        CalendarEntry(dt.date.fromisoformat(a), dt.date.fromisoformat(b), "term", None, label)
        for a, b, label in TERMS
    ]
    closures = [
        CalendarEntry(
            dt.date.fromisoformat(day), dt.date.fromisoformat(day), "closure",
            slots.Session(session) if session else None, label,
        )
        for day, session, label in CLOSURES
    ]
    return tuple(terms + closures)


def open_sessions() -> int:
    """Open sessions on the benchmark calendar: 380 (190 days)."""
    return int(SchoolCalendar.build(calendar_entries()).open_slots(YEAR).sum())


@dataclass(frozen=True)
class LocalAuthorityYear:
    marks: np.ndarray
    """uint8 (pupils, 732): code ids, slot = day * 2 + (0 AM, 1 PM) from 1 August 2025."""
    calendar: tuple[CalendarEntry, ...]
    on_roll_from: np.ndarray
    """Per pupil, the first day on roll (days since FIRST_DAY)."""
    on_roll_to: np.ndarray
    """Per pupil, the last day on roll (days since FIRST_DAY, inclusive)."""
    first_day: dt.date = FIRST_DAY
    last_day: dt.date = LAST_DAY

    @property
    def n_pupils(self) -> int:
        return int(self.marks.shape[0])

    @property
    def marked_sessions(self) -> int:
        return int(np.count_nonzero(self.marks))

    def start_date(self, pupil: int) -> dt.date:
        return self.first_day + dt.timedelta(days=int(self.on_roll_from[pupil]))

    def end_date(self, pupil: int) -> dt.date | None:
        """None when the pupil stays on roll after the year."""
        last = int(self.on_roll_to[pupil])
        if self.first_day + dt.timedelta(days=last) >= self.last_day:
            return None
        return self.first_day + dt.timedelta(days=last)


def _id(symbol: str) -> np.uint8:
    return np.uint8(code(symbol).id)


# Pupil groups: share of pupils and the range of their share of sessions absent.
GROUPS = (
    ("regular", 0.80, None),
    ("persistent", 0.155, (0.09, 0.22)),
    ("high", 0.03, (0.22, 0.50)),
    ("severe", 0.015, (0.50, 0.95)),
)
ILLNESS_SHARE = np.array([0.62, 0.50, 0.35, 0.30])
UNAUTHORISED_SHARE = np.array([0.10, 0.15, 0.15, 0.12])
"""The rest of each pupil's absence is leave and other authorised reasons."""


def generate(n_pupils: int, *, seed: int = 2025) -> LocalAuthorityYear:
    """A deterministic local-authority year of `n_pupils` registers."""
    rng = np.random.default_rng(seed)
    entries = calendar_entries()
    open_slots = SchoolCalendar.build(entries).open_slots(YEAR)
    open_days = np.flatnonzero(open_slots[0::2] | open_slots[1::2])
    sessions = _Sessions(rng, n_pupils, open_days, open_slots)
    sessions.fill()
    marks = np.zeros((n_pupils, slots.SLOTS_PER_YEAR), dtype=np.uint8)
    marks[:, 2 * open_days] = sessions.codes[:, 0::2]
    marks[:, 2 * open_days + 1] = sessions.codes[:, 1::2]
    weekday = np.array(
        [(FIRST_DAY + dt.timedelta(days=d)).weekday() < 5 for d in range(slots.DAYS_PER_YEAR_MAX)]
    )
    term = np.zeros(slots.DAYS_PER_YEAR_MAX, dtype=np.bool_)
    for entry in entries:
        if entry.kind == "term":
            term[(entry.start - FIRST_DAY).days : (entry.end - FIRST_DAY).days + 1] = True
    closed_in_term = np.repeat(term & weekday, 2) & ~open_slots
    marks[:, closed_in_term] = _id("#")
    start, end = _rolls(rng, n_pupils, open_days)
    day_of_slot = np.arange(slots.SLOTS_PER_YEAR) // 2
    off_roll = (day_of_slot[None, :] < start[:, None]) | (day_of_slot[None, :] > end[:, None])
    marks[off_roll] = NO_MARK
    return LocalAuthorityYear(marks, entries, start, end)


def _rolls(rng, n: int, open_days: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """First and last day on roll: 3% join during the year, 3% leave during it."""
    start = np.zeros(n, dtype=np.int64)
    end = np.full(n, slots.days_in_year(YEAR) - 1, dtype=np.int64)
    joiners = rng.random(n) < 0.03
    start[joiners] = open_days[rng.integers(10, 150, joiners.sum())]
    leavers = rng.random(n) < 0.03
    end[leavers] = np.maximum(
        open_days[rng.integers(30, 185, leavers.sum())], start[leavers] + 14
    )
    return start, end


class _Sessions:
    """Codes for each pupil's open sessions, (pupils, 2 * open days), AM then PM each day."""

    def __init__(self, rng, n: int, open_days: np.ndarray, open_slots: np.ndarray):
        self.rng = rng
        self.n = n
        self.days = len(open_days)
        self.open_days = open_days
        self.am_open = open_slots[2 * open_days]
        self.pm_open = open_slots[2 * open_days + 1]
        self.codes = np.empty((n, 2 * self.days), dtype=np.uint8)
        self.codes[:, 0::2] = _id("/")
        self.codes[:, 1::2] = _id("\\")
        self.group = rng.choice(len(GROUPS), size=n, p=[g[1] for g in GROUPS])
        absence = rng.beta(8.0, 200.0, size=n)
        for g, (_, _, span) in enumerate(GROUPS):
            if span is not None:
                members = self.group == g
                absence[members] = rng.uniform(*span, size=members.sum())
        self.absence = absence

    def fill(self) -> None:
        self._session_singles()
        self._whole_days()
        self._runs()
        self._patterns()
        self._unavoidable()
        self._missing()
        # Half-day closures: the closed half of those days is not an open session.
        self.codes[:, 0::2][:, ~self.am_open] = _id("#")
        self.codes[:, 1::2][:, ~self.pm_open] = _id("#")

    def _per_pupil(self, share: np.ndarray) -> np.ndarray:
        return (self.absence * share[self.group]).astype(np.float32)[:, None]

    def _session_singles(self) -> None:
        """Single sessions: L and U on mornings, M and O on any session, P and B rarely."""
        rng, c = self.rng, self.codes
        u = rng.random(c.shape, dtype=np.float32)
        late_rate = np.where(rng.random(self.n) < 0.1, 0.08, 0.015).astype(np.float32)[:, None]
        am = np.zeros(c.shape[1], dtype=np.bool_)
        am[0::2] = True
        unauth = self._per_pupil(UNAUTHORISED_SHARE)
        other = self._per_pupil(1 - ILLNESS_SHARE - UNAUTHORISED_SHARE)
        c[(u < late_rate) & am] = _id("L")
        edge = late_rate + unauth * 0.5
        c[(u >= late_rate) & (u < edge) & am] = _id("U")
        o_edge = edge + unauth * 0.3
        c[(u >= edge) & (u < o_edge)] = _id("O")
        m_edge = o_edge + other * 0.5
        c[(u >= o_edge) & (u < m_edge)] = _id("M")
        c[(u >= 0.9990) & (u < 0.9996)] = _id("P")
        c[u >= 0.9996] = _id("B")

    def _set_days(self, mask: np.ndarray, symbol: str) -> None:
        """Whole days (pupils, days) -> both sessions."""
        self.codes[:, 0::2][mask] = _id(symbol)
        self.codes[:, 1::2][mask] = _id(symbol)

    def _whole_days(self) -> None:
        rng = self.rng
        v = rng.random((self.n, self.days), dtype=np.float32)
        unauth = self._per_pupil(UNAUTHORISED_SHARE)
        other = self._per_pupil(1 - ILLNESS_SHARE - UNAUTHORISED_SHARE)
        o_edge = unauth * 0.45
        self._set_days(v < o_edge, "O")
        n_edge = o_edge + unauth * 0.05
        self._set_days((v >= o_edge) & (v < n_edge), "N")
        c_edge = n_edge + other * 0.3
        self._set_days((v >= n_edge) & (v < c_edge), "C")
        self._set_days((v >= c_edge) & (v < c_edge + 0.0004), "R")
        self._set_days(v > 0.9998, "T")

    def _runs(self) -> None:
        """Runs of whole days: illness, term-time holidays, trips, study leave, suspensions."""
        rng, n = self.rng, self.n
        illness_days = self.absence * ILLNESS_SHARE[self.group] * self.days
        episodes = rng.poisson(illness_days / 1.6)
        pupils = np.repeat(np.arange(n), episodes)
        self._run(pupils, rng.integers(0, self.days, len(pupils)), rng.geometric(0.6, len(pupils)), "I")
        holiday = np.flatnonzero(rng.random(n) < 0.03)
        lengths = rng.choice([1, 2, 3, 4, 5, 5, 7, 10], size=len(holiday))
        self._run(holiday, self._next_to_breaks(lengths), lengths, "G")
        trips = np.flatnonzero(rng.random(n) < 0.35)
        self._run(trips, rng.integers(0, self.days, len(trips)), rng.choice([1, 1, 2, 3], len(trips)), "V")
        study = np.flatnonzero(rng.random(n) < 0.07)
        self._run(study, rng.integers(165, 175, len(study)), np.full(len(study), 8), "S")
        suspended = np.flatnonzero(rng.random(n) < 0.012 * (1 + 3 * (self.group > 0)))
        self._run(suspended, rng.integers(0, self.days, len(suspended)), rng.integers(1, 4, len(suspended)), "E")

    def _next_to_breaks(self, lengths: np.ndarray) -> np.ndarray:
        """Holiday starts: most just before or just after a school holiday, some at random."""
        rng = self.rng
        gaps = np.flatnonzero(np.diff(self.open_days) > 3)
        last_before = gaps
        first_after = gaps + 1
        which = rng.integers(0, len(gaps), len(lengths))
        start = np.where(
            rng.random(len(lengths)) < 0.5,
            last_before[which] - lengths + 1,
            first_after[which],
        )
        anywhere = rng.random(len(lengths)) < 0.4
        start[anywhere] = rng.integers(0, self.days, anywhere.sum())
        return np.clip(start, 0, self.days - 1)

    def _run(self, pupils, starts, lengths, symbol: str) -> None:
        lengths = np.minimum(np.asarray(lengths, dtype=np.int64), self.days - starts)
        total = int(lengths.sum())
        if total == 0:
            return
        offsets = np.arange(total) - np.repeat(np.cumsum(lengths) - lengths, lengths)
        rows = np.repeat(pupils, lengths)
        days = np.repeat(starts, lengths) + offsets
        self.codes[rows, 2 * days] = _id(symbol)
        self.codes[rows, 2 * days + 1] = _id(symbol)

    def _patterns(self) -> None:
        """Weekly patterns: alternative provision (K), dual registration (D), non-compulsory
        school age afternoons (X), part-time timetables for some severe absentees (C2)."""
        rng, n = self.rng, self.n
        weekday = np.array([(FIRST_DAY + dt.timedelta(days=int(d))).weekday() for d in self.open_days])
        for share, symbol, days_of_week, pm_only in (
            (0.004, "K", (1, 3), False),
            (0.003, "D", (2, 3), False),
            (0.015, "X", (0, 1, 2, 3, 4), True),
        ):
            pupils = np.flatnonzero(rng.random(n) < share)
            on = np.isin(weekday, days_of_week)
            block = self.codes[pupils]
            block[:, 1::2][:, on] = _id(symbol)
            if not pm_only:
                block[:, 0::2][:, on] = _id(symbol)
            self.codes[pupils] = block
        part_time = np.flatnonzero((self.group == 3) & (rng.random(n) < 0.3))
        first = rng.integers(0, self.days - 40, len(part_time))
        for pupil, day in zip(part_time, first, strict=True):
            self.codes[pupil, 2 * day + 1 : 2 * (day + 40) : 2] = _id("C2")

    def _unavoidable(self) -> None:
        """A snow day for pupils who live far out (Y2), transport failures (Y1), rare Y7, Q."""
        rng, n = self.rng, self.n
        snow_day = int(np.searchsorted(self.open_days, (dt.date(2026, 1, 20) - FIRST_DAY).days))
        rural = rng.random(n) < 0.08
        self.codes[rural, 2 * snow_day] = _id("Y2")
        self.codes[rural, 2 * snow_day + 1] = _id("Y2")
        for share, symbol in ((0.002, "Y1"), (0.001, "Y7"), (0.0005, "Q")):
            pupils = np.flatnonzero(rng.random(n) < share)
            self._run(pupils, rng.integers(0, self.days, len(pupils)), rng.integers(1, 4, len(pupils)), symbol)

    def _missing(self) -> None:
        """About 1 session in 2,000 left unmarked (a missing mark for the school to resolve)."""
        missing = self.rng.random(self.codes.shape, dtype=np.float32) < 0.0005
        self.codes[missing] = NO_MARK
