"""Which penalty notice, if any, a parent may receive for a child: the 2-in-3-years rule.

Sources: seed 002 line 191 ("£160, reduced to £80 if paid within 21 days (for the first
offence). A second Penalty Notice issued within a three year period will result in a fine of
£160 per parent, per child. If a third offence is committed the matter may be referred to the
local authority for consideration of prosecution"); domain reference 4.4 (at most 2 notices per
parent per child in a rolling 3-year period counted from the date of issue of the first; paid
and unpaid notices count, withdrawn ones do not; notices go to each parent, per child).

The amounts, payment periods and the 3 years are the `penalty_notices` section of the national
framework policy (`policies/national/penalty_notice_framework.yaml`, read by
`muster.core.policy.loader`); nothing here repeats them.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable
from dataclasses import dataclass

from muster.core.parameters import POLICY_ROOT
from muster.core.policy.format import Offence, PenaltyNotices
from muster.core.policy.loader import load_policy

FRAMEWORK_PATH = ("national", "penalty_notice_framework.yaml")


@functools.cache
def national_penalty_notices() -> PenaltyNotices:
    """The amounts and escalation of the National Framework for Penalty Notices."""
    policy = load_policy(POLICY_ROOT.joinpath(*FRAMEWORK_PATH))
    if policy.penalty_notices is None:
        raise ValueError(f"{policy.path}: the framework has no penalty_notices section")
    return policy.penalty_notices


@dataclass(frozen=True)
class IssuedNotice:
    """A notice already issued to one parent for one child (reference 4.4)."""

    parent: str
    child: str
    issued_on: dt.date
    withdrawn: bool = False


@dataclass(frozen=True)
class PaymentDue:
    amount_pence: int
    pay_by: dt.date
    source: str


@dataclass(frozen=True)
class NextNotice:
    offence: Offence
    counted: tuple[IssuedNotice, ...]
    """The earlier notices, in the rolling period, that make this the offence it is."""

    @property
    def notice(self) -> bool:
        return self.offence.notice

    @property
    def number(self) -> int:
        return self.offence.number

    def payments(self, issued_on: dt.date) -> list[PaymentDue]:
        """What the parent pays and by when if the notice is issued on `issued_on`."""
        return [
            PaymentDue(a.amount_pence, issued_on + dt.timedelta(days=a.paid_within_days), a.source)
            for a in self.offence.amounts
        ]


def years_after(day: dt.date, years: int) -> dt.date:
    """The same date `years` later; 29 February becomes 28 February in a common year."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def next_notice(
    history: Iterable[IssuedNotice],
    parent: str,
    child: str,
    on: dt.date,
    framework: PenaltyNotices | None = None,
) -> NextNotice:
    """The offence a new notice to `parent` for `child` on `on` would be.

    Counted: this parent's notices for this child, not withdrawn, in the rolling period that
    starts at the first of them still within `within_years` of `on` (reference 4.4). Past the
    last offence the framework lists, the last one applies (no notice: refer for other action).
    """
    framework = framework or national_penalty_notices()
    mine = sorted(
        (n for n in history if n.parent == parent and n.child == child and not n.withdrawn),
        key=lambda n: n.issued_on,
    )
    counted = tuple(
        n for n in mine if n.issued_on <= on < years_after(n.issued_on, framework.within_years)
    )
    offences = sorted(framework.offences, key=lambda o: o.number)
    number = len(counted) + 1
    offence = next((o for o in offences if o.number == number), offences[-1])
    return NextNotice(offence, counted)
