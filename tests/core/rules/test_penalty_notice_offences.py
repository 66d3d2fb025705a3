"""The 2-in-3-years rule and the amounts (seed 002 line 191; domain reference 4.4)."""

from __future__ import annotations

import datetime as dt

from muster.core.rules.penalty_notice_offences import (
    IssuedNotice,
    national_penalty_notices,
    next_notice,
    years_after,
)

PARENT, OTHER_PARENT, CHILD, SIBLING = "parent-1", "parent-2", "child-1", "child-2"
ON = dt.date(2026, 3, 2)


def test_a_first_notice_is_80_within_21_days_or_160_within_28():
    nxt = next_notice([], PARENT, CHILD, ON)
    assert nxt.notice and nxt.number == 1
    assert [(p.amount_pence, p.pay_by) for p in nxt.payments(ON)] == [
        (8000, dt.date(2026, 3, 23)),
        (16000, dt.date(2026, 3, 30)),
    ]


def test_a_second_notice_within_3_years_is_a_flat_160_within_28_days():
    history = [IssuedNotice(PARENT, CHILD, dt.date(2024, 10, 1))]
    nxt = next_notice(history, PARENT, CHILD, ON)
    assert nxt.number == 2 and nxt.notice
    assert [(p.amount_pence, p.pay_by) for p in nxt.payments(ON)] == [(16000, dt.date(2026, 3, 30))]


def test_a_third_offence_within_3_years_is_no_notice_but_referral():
    history = [
        IssuedNotice(PARENT, CHILD, dt.date(2024, 10, 1)),
        IssuedNotice(PARENT, CHILD, dt.date(2025, 6, 1)),
    ]
    nxt = next_notice(history, PARENT, CHILD, ON)
    assert nxt.number == 3
    assert not nxt.notice
    assert nxt.payments(ON) == []
    assert "prosecution" in nxt.offence.instruction


def test_withdrawn_notices_do_not_count():
    history = [
        IssuedNotice(PARENT, CHILD, dt.date(2024, 10, 1), withdrawn=True),
        IssuedNotice(PARENT, CHILD, dt.date(2025, 6, 1)),
    ]
    assert next_notice(history, PARENT, CHILD, ON).number == 2


def test_a_notice_more_than_3_years_old_no_longer_counts():
    history = [IssuedNotice(PARENT, CHILD, dt.date(2023, 3, 1))]
    assert next_notice(history, PARENT, CHILD, ON).number == 1
    assert next_notice(history, PARENT, CHILD, dt.date(2026, 2, 28)).number == 2


def test_notices_count_per_parent_per_child():
    history = [
        IssuedNotice(PARENT, CHILD, dt.date(2025, 6, 1)),
        IssuedNotice(OTHER_PARENT, SIBLING, dt.date(2025, 6, 1)),
    ]
    assert next_notice(history, OTHER_PARENT, CHILD, ON).number == 1
    assert next_notice(history, PARENT, SIBLING, ON).number == 1
    assert next_notice(history, PARENT, CHILD, ON).number == 2


def test_the_amounts_come_from_the_national_framework_policy():
    framework = national_penalty_notices()
    assert framework.within_years == 3
    assert [o.number for o in framework.offences] == [1, 2, 3]


def test_three_years_after_29_february_is_28_february():
    assert years_after(dt.date(2024, 2, 29), 3) == dt.date(2027, 2, 28)
