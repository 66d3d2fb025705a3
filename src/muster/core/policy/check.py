"""What is wrong with a loaded policy: the validator behind `muster policy check`.

Errors make a policy unusable or ambiguous: two bands claiming the same figure (overlap), a
band no figure can fall in (unreachable), an intervention for a band or stage that does not
exist, a stage id used twice or shared with a band, a
role that is neither Muster's (`core/roles.py`) nor declared by the policy, a task with a
deadline of zero or fewer school days, dates out of order, a band id used twice.

Gaps are warnings: a figure no band covers is a fact about the source document (seed 003 has
no band for absence more than 10% up to and including 15%, nor for exactly 0%), which Muster
must show, not hide or refuse. Edges are compared exactly, as fractions, with their inclusive
or exclusive sides: [90, 95) and [95, 100] meet; an upper edge 89.9 and a lower edge 90 leave
the gap (89.9, 90).
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from muster.core.policy.format import Band, Policy, Quantity
from muster.core.roles import Role

ERROR = "error"
WARNING = "warning"

_MEASURE_WORDS = {
    Quantity.ATTENDANCE_PERCENT: "attendance",
    Quantity.ABSENCE_PERCENT: "absence",
    Quantity.UNAUTHORISED_SESSIONS: "unauthorised sessions",
}


@dataclass(frozen=True)
class Finding:
    severity: str
    message: str
    location: str

    def __str__(self) -> str:
        return f"{self.severity}: {self.location}: {self.message}"


def number(value: Fraction) -> str:
    """A fraction as the policy would write it: 10, 94.9, or 1/3 when no decimal is exact."""
    if value.denominator == 1:
        return str(value.numerator)
    for places in range(1, 7):
        scaled = value * 10**places
        if scaled.denominator == 1:
            return f"{value.numerator / value.denominator:.{places}f}"
    return f"{value.numerator}/{value.denominator}"


def _amount(value: Fraction | None, percent: bool) -> str:
    if value is None:
        return "no limit"
    return number(value) + ("%" if percent else "")


def describe_range(lower: Fraction, lower_inclusive: bool, upper: Fraction | None,
                   upper_inclusive: bool, percent: bool) -> str:
    """A range in words and in interval notation: `more than 10% up to and including 15%
    (10%, 15%]`."""
    low = _amount(lower, percent)
    if upper is not None and lower == upper:
        return f"exactly {low} [{low}, {low}]"
    high = _amount(upper, percent)
    words = f"{'from' if lower_inclusive else 'more than'} {low}"
    if upper is None:
        words += " with no upper limit"
        notation = f"{'[' if lower_inclusive else '('}{low}, no limit)"
    else:
        words += f" {'up to and including' if upper_inclusive else 'below'} {high}"
        notation = f"{'[' if lower_inclusive else '('}{low}, {high}{']' if upper_inclusive else ')'}"
    return f"{words} {notation}"


# An edge on the number line, ordered so that sorting puts it where it falls: a lower edge
# (v, inclusive) starts at v, (v, exclusive) just after v; an upper edge (v, inclusive) ends
# just after v, (v, exclusive) at v; None is +infinity.
def _start_key(band: Band) -> tuple[Fraction, int]:
    return (band.lower.value, 0 if band.lower.inclusive else 1)


def _end_key(band: Band) -> tuple[Fraction | float, int]:
    if band.upper.value is None:
        return (float("inf"), 1)
    return (band.upper.value, 1 if band.upper.inclusive else 0)


def _reachable(band: Band) -> bool:
    return _start_key(band) < _end_key(band)


def _overlap(a: Band, b: Band) -> tuple[tuple, tuple] | None:
    start = max(_start_key(a), _start_key(b))
    end = min(_end_key(a), _end_key(b))
    return (start, end) if start < end else None


def _range_text(start: tuple, end: tuple, percent: bool) -> str:
    lower, lower_flag = start
    upper, upper_flag = end
    upper_value = None if upper == float("inf") else upper
    return describe_range(lower, lower_flag == 0, upper_value, upper_flag == 1, percent)


def _band_checks(policy: Policy) -> list[Finding]:
    findings: list[Finding] = []
    percent = policy.measure.quantity.is_percent
    measure = _MEASURE_WORDS[policy.measure.quantity]
    seen: set[str] = set()
    for band in policy.bands:
        if band.id in seen:
            findings.append(Finding(ERROR, f"band id {band.id!r} is used more than once", band.at))
        seen.add(band.id)
        if not _reachable(band):
            findings.append(Finding(
                ERROR,
                f"band {band.id!r} is unreachable: no {measure} figure is "
                f"{'at least' if band.lower.inclusive else 'more than'} "
                f"{_amount(band.lower.value, percent)} and "
                f"{'at most' if band.upper.inclusive else 'below'} "
                f"{_amount(band.upper.value, percent)}",
                band.at,
            ))
    reachable = [b for b in policy.bands if _reachable(b)]
    for i, a in enumerate(reachable):
        for b in reachable[i + 1:]:
            shared = _overlap(a, b)
            if shared:
                findings.append(Finding(
                    ERROR,
                    f"bands {a.id!r} and {b.id!r} overlap: {measure} "
                    f"{_range_text(*shared, percent)} falls in both",
                    f"{a.at}, {b.at}",
                ))
    # Gaps: sweep from 0 to the top of the measure (100% inclusive, or no limit for a count).
    frontier: tuple = (Fraction(0), 0)
    top: tuple = (Fraction(100), 1) if percent else (float("inf"), 1)
    before: Band | None = None
    for band in sorted(reachable, key=_start_key):
        start = _start_key(band)
        if start > frontier:
            findings.append(_gap(frontier, start, measure, percent, before, band))
        if _end_key(band) > frontier:
            frontier, before = _end_key(band), band
    if frontier < top:
        findings.append(_gap(frontier, top, measure, percent, before, None))
    return findings


def _gap(frontier: tuple, start: tuple, measure: str, percent: bool, before: Band | None,
         after: Band | None) -> Finding:
    """The range between what the bands so far cover and where the next one starts.

    The frontier is an end key: (v, 1) covers v, so the gap starts after it; (v, 0) leaves v
    uncovered, so the gap includes it. The next start key (v, 0) includes v, so the gap stops
    below it; (v, 1) excludes v, so the gap includes it. Those are exactly the lower and upper
    keys `_range_text` reads.
    """
    gap = _range_text(frontier, start, percent)
    sides = [f"after {before.at} {before.id!r}" if before else "",
             f"before {after.at} {after.id!r}" if after else ""]
    return Finding(
        WARNING,
        f"the source document defines no band for {measure} {gap}",
        "bands: " + ", ".join(side for side in sides if side),
    )


def _reference_checks(policy: Policy) -> list[Finding]:
    findings: list[Finding] = []
    band_ids = {b.id for b in policy.bands}
    muster_roles = {r.value for r in Role}
    declared = {r.id for r in policy.roles}
    for role in policy.roles:
        if role.id in muster_roles:
            findings.append(Finding(WARNING, f"declared role {role.id!r} is already one of "
                                    "Muster's roles", "roles"))
    known_roles = muster_roles | declared
    stage_ids = {s.id for s in policy.stages}
    seen: set[str] = set()
    for stage in policy.stages:
        if stage.id in seen or stage.id in band_ids:
            findings.append(Finding(ERROR, f"stage id {stage.id!r} is used more than once (by a "
                                    "band or another stage)", stage.at))
        seen.add(stage.id)
    for item in (*policy.interventions, *policy.triggers):
        stage = getattr(item, "stage", "")
        if stage and stage not in stage_ids:
            findings.append(Finding(ERROR, f"intervention names stage {stage!r}, which the "
                                    f"policy does not define (stages: "
                                    f"{', '.join(sorted(stage_ids)) or 'none'})",
                                    f"{item.at}.stage"))
        band = None if stage else getattr(item, "band", None)
        if band is not None and band not in band_ids:
            findings.append(Finding(ERROR, f"intervention names band {band!r}, which the policy "
                                    f"does not define (bands: {', '.join(sorted(band_ids))})",
                                    f"{item.at}.band"))
        if item.role not in known_roles:
            findings.append(Finding(ERROR, f"role {item.role!r} is neither one of Muster's roles "
                                    "nor declared under the policy's roles", f"{item.at}.role"))
        if item.task is not None and item.task.within_school_days is not None \
                and item.task.within_school_days <= 0:
            findings.append(Finding(ERROR, f"task {item.task.title!r} is due within "
                                    f"{item.task.within_school_days} school days: must be 1 or "
                                    "more", f"{item.at}.task.within_school_days"))
    return findings


def _date_checks(policy: Policy) -> list[Finding]:
    findings: list[Finding] = []
    applies = policy.applies
    if applies.end is not None and applies.end < applies.start:
        findings.append(Finding(ERROR, f"applies to {applies.end} before it applies from "
                                f"{applies.start}", "applies.to"))
    if applies.review is not None and applies.review < applies.start:
        findings.append(Finding(ERROR, f"review date {applies.review} is before the policy "
                                f"applies from {applies.start}", "applies.review"))
    return findings


def check_policy(policy: Policy) -> list[Finding]:
    """Every finding for one policy: errors first, then warnings, each in file order."""
    findings = _date_checks(policy) + _band_checks(policy) + _reference_checks(policy)
    return [f for f in findings if f.severity == ERROR] + [
        f for f in findings if f.severity != ERROR]
