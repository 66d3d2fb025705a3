"""The groups of a cohort as people say them: year groups in school order, and yes-or-no
characteristics by name. One source for the cohort figures page (`muster.web.cohorts`) and the
cohort gaps of targeting support (`muster.targeting.cohort_gaps`), which key a yes-or-no group
differently: the figures engine's cohort rows say Y and N, the gap rules the flag as text
(True, False).
"""

from __future__ import annotations

from collections.abc import Mapping

BEFORE_YEAR_1 = {"N1": -3, "N2": -2, "R": -1}
"""Nursery (N1, N2) and reception, in the order a school runs (national curriculum years)."""

YES_NO = {
    "fsm": ("Eligible", "Not eligible"),
    "looked_after": ("Looked after", "Not looked after"),
    "social_worker": ("Has a social worker", "No social worker"),
}
"""Characteristic -> (label of the group that has it, label of the group that has not)."""

_YES, _NO = frozenset({"Y", "True"}), frozenset({"N", "False"})


def year_order(nc_year: str) -> tuple[int, str]:
    """Nursery and reception before year 1, then years in number order; anything else last.

    >>> sorted(["10", "R", "2", "N2", ""], key=year_order)
    ['N2', 'R', '2', '10', '']
    """
    if nc_year.isdigit():
        return (int(nc_year), "")
    return (BEFORE_YEAR_1.get(nc_year, 99), nc_year)


def year_label(nc_year: str) -> str:
    """
    >>> [year_label(y) for y in ("R", "7", "N1", "")]
    ['Reception', 'Year 7', 'N1', 'Not recorded']
    """
    if nc_year == "R":
        return "Reception"
    return f"Year {nc_year}" if nc_year.isdigit() else (nc_year or "Not recorded")


def label(characteristic: str, group: str, coded: Mapping[str, Mapping[str, str]] | None = None) -> str:
    """A group's label under its characteristic's heading; `coded` names the groups of coded
    characteristics (sex, SEN provision) by their codes.

    >>> label("fsm", "Y") == label("fsm", "True") == "Eligible"
    True
    >>> label("looked_after", "False"), label("nc_year", "R"), label("sex", "F", {"sex": {"F": "Female"}})
    ('Not looked after', 'Reception', 'Female')
    >>> label("all", "all"), label("sen", "")
    ('All pupils', 'Not recorded')
    """
    if characteristic == "all":
        return "All pupils"
    if characteristic == "nc_year":
        return year_label(group)
    if characteristic in YES_NO and (group in _YES or group in _NO):
        return YES_NO[characteristic][0 if group in _YES else 1]
    return (coded or {}).get(characteristic, {}).get(group, group or "Not recorded")
