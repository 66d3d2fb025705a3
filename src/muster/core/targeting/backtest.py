"""How well the at-risk rules would have done on a past year: of the pupils flagged by a date,
how many went on to be persistently absent at the end of the year (issue 10 part 2).

For each date: precision is the share of flagged pupils who ended the year persistently absent;
recall is the share of the year's persistently absent pupils who had been flagged by then. The
same split by group (sex, FSM, SEN, looked-after status) shows a local authority whether the
rules treat groups differently: a group with lower recall has more of its persistently absent
pupils found late or never. A pupil "flagged by" a date was flagged on that evaluation date or an
earlier one.

Counts are whole numbers; a share with nothing to divide by is None, never 0.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

ALL = "all"


@dataclass(frozen=True)
class Score:
    on: dt.date
    dimension: str
    group: str
    pupils: int
    flagged: int
    persistent: int
    """Pupils of the group persistently absent at the end of the year."""
    flagged_persistent: int

    @property
    def precision(self) -> float | None:
        return self.flagged_persistent / self.flagged if self.flagged else None

    @property
    def recall(self) -> float | None:
        return self.flagged_persistent / self.persistent if self.persistent else None

    def as_row(self) -> dict:
        def pct(value: float | None) -> float | None:
            return None if value is None else round(100 * value, 1)

        return {"date": self.on.isoformat(), "dimension": self.dimension, "group": self.group,
                "pupils": self.pupils, "flagged": self.flagged, "persistent": self.persistent,
                "flagged_and_persistent": self.flagged_persistent,
                "precision_pct": pct(self.precision), "recall_pct": pct(self.recall)}


COLUMNS = ("date", "dimension", "group", "pupils", "flagged", "persistent",
           "flagged_and_persistent", "precision_pct", "recall_pct")


def flagged_by(flags_on: Mapping[dt.date, np.ndarray]) -> dict[dt.date, np.ndarray]:
    """Flags on each evaluation date -> pupils flagged on that date or any earlier one."""
    out: dict[dt.date, np.ndarray] = {}
    running: np.ndarray | None = None
    for on in sorted(flags_on):
        flags = np.asarray(flags_on[on], dtype=bool)
        running = flags.copy() if running is None else running | flags
        out[on] = running.copy()
    return out


def score(
    flagged: Mapping[dt.date, np.ndarray],
    persistent: np.ndarray,
    groups: Mapping[str, np.ndarray] | None = None,
    included: np.ndarray | None = None,
) -> list[Score]:
    """Scores by date, for all pupils and then for each value of each grouping.

    `flagged[on]`: pupils flagged by `on` (see `flagged_by`); `persistent`: persistently absent
    at the end of the year; `groups[dimension]`: each pupil's label; `included`: the pupils
    scored (those with a possible session in the year), all when None.
    """
    persistent = np.asarray(persistent, dtype=bool)
    included = np.ones(len(persistent), bool) if included is None else np.asarray(included, bool)
    splits: list[tuple[str, str, np.ndarray]] = [(ALL, ALL, included)]
    for dimension, labels in (groups or {}).items():
        labels = np.asarray(labels).astype(str)
        if labels.shape != persistent.shape:
            raise ValueError(f"{dimension}: one label per pupil is needed")
        for value in sorted(set(labels[included].tolist())):
            splits.append((dimension, value, included & (labels == value)))
    scores = []
    for on in sorted(flagged):
        flags = np.asarray(flagged[on], dtype=bool)
        if flags.shape != persistent.shape:
            raise ValueError(f"{on}: one flag per pupil is needed")
        for dimension, group, members in splits:
            scores.append(Score(
                on=on, dimension=dimension, group=group, pupils=int(members.sum()),
                flagged=int((flags & members).sum()),
                persistent=int((persistent & members).sum()),
                flagged_persistent=int((flags & persistent & members).sum()),
            ))
    return scores
