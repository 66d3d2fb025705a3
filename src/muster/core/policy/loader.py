"""Reading a policy file, refusing anything the format does not allow.

A policy file is YAML. Every problem is a `PolicyError` naming the file and the key path, e.g.
``seed_003.yaml: bands[2].upper.value: must be a number from 0 to 100``: unknown keys, missing
keys, wrong types, impossible dates, duplicate keys, percentages outside 0-100. The file format:

    id, title, version                  text, text, whole number
    owner: {kind, name}                 kind: national | school | local_authority | virtual_school
    source_document: {title, reference, published?}
    applies: {from, to?, review?}       dates (YYYY-MM-DD); `to`/`review` may be null
    covers: {kind, characteristic?, description?}
                                        kind: all_pupils | school_roll | la_schools |
                                        la_children_in_care | characteristic
    measure: {quantity, period, rolling_school_weeks?, codes?, source}
                                        quantity: attendance_percent | absence_percent |
                                        unauthorised_sessions; period: year_to_date | rolling
    roles?: [{id, label, source}]       roles the policy adds to Muster's (core/roles.py)
    bands: [{id, label, written?, lower, upper, source, note?}]
                                        lower/upper: {value, inclusive}; value a number or a
                                        decimal string, read exactly; upper value null = no limit
    stages?: [{id, label, kind, characteristic?, written?, source, note?}]
                                        stages that are not bands of the measure (Annex A):
                                        kind: all_pupils | at_risk | cohort | characteristic |
                                        monitoring; characteristic names it for that kind
    interventions: [{band | stage, absence, role, who?, instruction, source, task?}]
                                        band: a band id or a list of them (one row of the source
                                        table covering several bands); or stage: a stage id;
                                        absence: any | authorised | unauthorised
    task: {title, within_school_days, recurs, source}
                                        within_school_days null = the source sets no deadline;
                                        recurs: none | each_day_of_absence | while_in_band
    triggers?: [{id, label, day_of_absence, role, instruction, source, task?}]
    penalty_notices?: {within_years, source, offences: [{number, notice, amounts, instruction,
                                        source}]}; amounts: [{amount_pence, paid_within_days,
                                        source}]
    notes?: [text]

The loader checks the shape of each value; whether the bands and interventions make sense
together (gaps, overlaps, unknown roles, dates in order) is `check.check_policy`.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
from collections.abc import Iterator
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from pathlib import Path
from typing import Any

from muster.core.parameters import POLICY_ROOT
from muster.core.policy.format import (
    AbsenceType,
    Applies,
    Band,
    Coverage,
    CoverageKind,
    Edge,
    Intervention,
    Measure,
    Offence,
    Owner,
    OwnerKind,
    PenaltyAmount,
    PenaltyNotices,
    Period,
    Policy,
    PolicyRole,
    Quantity,
    Recurrence,
    SourceDocument,
    Stage,
    StageKind,
    TaskTemplate,
    Trigger,
)
from muster.core.strict_yaml import YamlProblem, read_yaml

SHIPPED = ("national/attendance.yaml", "national/penalty_notice_framework.yaml",
           "national/annex_a_responsibilities.yaml", "school/*.yaml", "local_authority/*.yaml", "virtual_school/*.yaml")
"""The shipped policy files, under `muster/policies`. The other YAML files there are dated
parameters (`core/parameters.py`), a different format."""


class PolicyError(ValueError):
    """A policy file that does not keep to the format: names the file and the key path."""


class _Problem(Exception):
    def __init__(self, at: str, message: str) -> None:
        super().__init__(f"{at}: {message}" if at else message)


def _key(at: str, key: str) -> str:
    return f"{at}.{key}" if at else key


def _mapping(value: Any, at: str, required: set[str], optional: set[str] = frozenset()) -> dict:
    if not isinstance(value, dict):
        raise _Problem(at or "(top level)", f"must be a mapping with {', '.join(sorted(required))}")
    unknown = [k for k in value if k not in required | optional]
    if unknown:
        raise _Problem(at or "(top level)", f"unknown key(s) {sorted(unknown, key=repr)}")
    for key in sorted(required):
        if key not in value:
            raise _Problem(_key(at, key), "missing")
    return value


def _text(value: Any, at: str, *, optional: bool = False) -> str:
    if optional and value is None:
        return ""
    if not isinstance(value, str) or not value.strip():
        raise _Problem(at, "must be text, not empty")
    return value.strip()


def _whole(value: Any, at: str, *, minimum: int | None = None, optional: bool = False) -> int | None:
    if optional and value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise _Problem(at, "must be a whole number")
    if minimum is not None and value < minimum:
        raise _Problem(at, f"must be at least {minimum}")
    return value


def _flag(value: Any, at: str) -> bool:
    if not isinstance(value, bool):
        raise _Problem(at, "must be true or false")
    return value


def _date(value: Any, at: str, *, optional: bool = False) -> dt.date | None:
    if optional and value is None:
        return None
    if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
        raise _Problem(at, "must be a date (YYYY-MM-DD)")
    return value


def _choice(value: Any, at: str, kind: type) -> Any:
    try:
        return kind(value)
    except (ValueError, TypeError):
        allowed = ", ".join(member.value for member in kind)
        raise _Problem(at, f"{value!r} is not one of: {allowed}") from None


def _number(value: Any, at: str) -> Fraction:
    """A number read exactly: 94.9 is 949/10, never the float nearest to it."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise _Problem(at, "must be a number")
    if isinstance(value, float) and not math.isfinite(value):
        raise _Problem(at, "must be a finite number")
    try:
        decimal = Decimal(str(value).strip())
    except InvalidOperation:
        raise _Problem(at, f"{value!r} is not a number") from None
    if not decimal.is_finite():
        raise _Problem(at, "must be a finite number")
    if decimal and not -6 <= decimal.adjusted() <= 6 or len(decimal.as_tuple().digits) > 12:
        raise _Problem(at, f"{value!r} is too large or too precise for a band edge")
    return Fraction(decimal)


def _list(value: Any, at: str, *, empty: bool = False) -> Iterator[tuple[str, Any]]:
    if not isinstance(value, list) or (not value and not empty):
        raise _Problem(at, "must be a list" + ("" if empty else " with at least one entry"))
    for index, item in enumerate(value):
        yield f"{at}[{index}]", item


def _edge(value: Any, at: str, percent: bool, upper: bool) -> Edge:
    data = _mapping(value, at, {"value", "inclusive"})
    inclusive = _flag(data["inclusive"], _key(at, "inclusive"))
    if data["value"] is None:
        if not upper or percent:
            raise _Problem(_key(at, "value"), "must be a number (only a count's upper edge may be "
                           "null, meaning no limit)")
        return Edge(None, inclusive)
    number = _number(data["value"], _key(at, "value"))
    if percent and not 0 <= number <= 100:
        raise _Problem(_key(at, "value"), f"{data['value']} is not a percentage from 0 to 100")
    if number < 0:
        raise _Problem(_key(at, "value"), f"{data['value']} is negative")
    return Edge(number, inclusive)


def _task(value: Any, at: str) -> TaskTemplate | None:
    if value is None:
        return None
    data = _mapping(value, at, {"title", "within_school_days", "recurs", "source"})
    return TaskTemplate(
        title=_text(data["title"], _key(at, "title")),
        within_school_days=_whole(data["within_school_days"], _key(at, "within_school_days"),
                                  optional=True),
        recurs=_choice(data["recurs"], _key(at, "recurs"), Recurrence),
        source=_text(data["source"], _key(at, "source")),
    )


def _penalties(value: Any, at: str) -> PenaltyNotices | None:
    if value is None:
        return None
    data = _mapping(value, at, {"within_years", "offences", "source"})
    offences = []
    for where, item in _list(data["offences"], _key(at, "offences")):
        entry = _mapping(item, where, {"number", "notice", "amounts", "instruction", "source"})
        amounts = []
        for where_amount, amount in _list(entry["amounts"], _key(where, "amounts"), empty=True):
            row = _mapping(amount, where_amount, {"amount_pence", "paid_within_days", "source"})
            amounts.append(PenaltyAmount(
                amount_pence=_whole(row["amount_pence"], _key(where_amount, "amount_pence"),
                                    minimum=0),
                paid_within_days=_whole(row["paid_within_days"],
                                        _key(where_amount, "paid_within_days"), minimum=1),
                source=_text(row["source"], _key(where_amount, "source")),
            ))
        offences.append(Offence(
            number=_whole(entry["number"], _key(where, "number"), minimum=1),
            notice=_flag(entry["notice"], _key(where, "notice")),
            amounts=tuple(amounts),
            instruction=_text(entry["instruction"], _key(where, "instruction")),
            source=_text(entry["source"], _key(where, "source")),
        ))
    return PenaltyNotices(
        within_years=_whole(data["within_years"], _key(at, "within_years"), minimum=1),
        offences=tuple(offences),
        source=_text(data["source"], _key(at, "source")),
    )


_TOP_REQUIRED = {"id", "title", "version", "owner", "source_document", "applies", "covers",
                 "measure", "bands", "interventions"}
_TOP_OPTIONAL = {"roles", "triggers", "penalty_notices", "notes", "stages"}


def _policy(document: Any, label: str) -> Policy:
    data = _mapping(document, "", _TOP_REQUIRED, _TOP_OPTIONAL)
    owner = _mapping(data["owner"], "owner", {"kind", "name"})
    source = _mapping(data["source_document"], "source_document", {"title", "reference"},
                      {"published"})
    applies = _mapping(data["applies"], "applies", {"from"}, {"to", "review"})
    covers = _mapping(data["covers"], "covers", {"kind"}, {"characteristic", "description"})
    measure = _mapping(data["measure"], "measure", {"quantity", "period", "source"},
                       {"rolling_school_weeks", "codes"})
    quantity = _choice(measure["quantity"], "measure.quantity", Quantity)
    period = _choice(measure["period"], "measure.period", Period)
    weeks = _whole(measure.get("rolling_school_weeks"), "measure.rolling_school_weeks",
                   minimum=1, optional=True)
    if period is Period.ROLLING and weeks is None:
        raise _Problem("measure.rolling_school_weeks", "missing: a rolling period needs its length")
    codes = tuple(_text(code, where) for where, code in
                  _list(measure.get("codes", []), "measure.codes", empty=True))
    coverage_kind = _choice(covers["kind"], "covers.kind", CoverageKind)
    characteristic = _text(covers.get("characteristic"), "covers.characteristic", optional=True)
    if coverage_kind is CoverageKind.CHARACTERISTIC and not characteristic:
        raise _Problem("covers.characteristic", "missing: coverage by characteristic names it")

    roles = []
    for where, item in _list(data.get("roles", []), "roles", empty=True):
        row = _mapping(item, where, {"id", "label", "source"})
        roles.append(PolicyRole(_text(row["id"], _key(where, "id")),
                                _text(row["label"], _key(where, "label")),
                                _text(row["source"], _key(where, "source"))))

    bands = []
    for where, item in _list(data["bands"], "bands"):
        row = _mapping(item, where, {"id", "label", "lower", "upper", "source"},
                       {"written", "note"})
        bands.append(Band(
            id=_text(row["id"], _key(where, "id")),
            label=_text(row["label"], _key(where, "label")),
            lower=_edge(row["lower"], _key(where, "lower"), quantity.is_percent, upper=False),
            upper=_edge(row["upper"], _key(where, "upper"), quantity.is_percent, upper=True),
            source=_text(row["source"], _key(where, "source")),
            written=_text(row.get("written"), _key(where, "written"), optional=True),
            note=_text(row.get("note"), _key(where, "note"), optional=True),
            at=where,
        ))

    stages = []
    for where, item in _list(data.get("stages", []), "stages", empty=True):
        row = _mapping(item, where, {"id", "label", "kind", "source"},
                       {"characteristic", "written", "note"})
        kind = _choice(row["kind"], _key(where, "kind"), StageKind)
        characteristic = _text(row.get("characteristic"), _key(where, "characteristic"),
                               optional=True)
        if kind is StageKind.CHARACTERISTIC and not characteristic:
            raise _Problem(_key(where, "characteristic"), "missing: a stage by characteristic "
                           "names it")
        stages.append(Stage(
            id=_text(row["id"], _key(where, "id")),
            label=_text(row["label"], _key(where, "label")),
            kind=kind,
            source=_text(row["source"], _key(where, "source")),
            characteristic=characteristic,
            written=_text(row.get("written"), _key(where, "written"), optional=True),
            note=_text(row.get("note"), _key(where, "note"), optional=True),
            at=where,
        ))

    interventions = []
    for where, item in _list(data["interventions"], "interventions", empty=True):
        row = _mapping(item, where, {"absence", "role", "instruction", "source"},
                       {"band", "stage", "who", "task"})
        if "band" in row and "stage" in row:
            raise _Problem(where, "names both a band and a stage: an intervention names one")
        if "stage" in row:
            named, stage = [""], _text(row["stage"], _key(where, "stage"))
        elif "band" not in row:
            raise _Problem(_key(where, "band"), "missing (or name a stage)")
        elif isinstance(row["band"], list):
            named, stage = [_text(b, w) for w, b in _list(row["band"], _key(where, "band"))], ""
        else:
            named, stage = [_text(row["band"], _key(where, "band"))], ""
        for band_id in named:
            interventions.append(Intervention(
                stage=stage,
                band=band_id,
                absence_type=_choice(row["absence"], _key(where, "absence"), AbsenceType),
                role=_text(row["role"], _key(where, "role")),
                instruction=_text(row["instruction"], _key(where, "instruction")),
                source=_text(row["source"], _key(where, "source")),
                who=_text(row.get("who"), _key(where, "who"), optional=True),
                task=_task(row.get("task"), _key(where, "task")),
                at=where,
            ))

    triggers = []
    for where, item in _list(data.get("triggers", []), "triggers", empty=True):
        row = _mapping(item, where, {"id", "label", "day_of_absence", "role", "instruction",
                                     "source"}, {"task"})
        triggers.append(Trigger(
            id=_text(row["id"], _key(where, "id")),
            label=_text(row["label"], _key(where, "label")),
            day_of_absence=_whole(row["day_of_absence"], _key(where, "day_of_absence"), minimum=1),
            role=_text(row["role"], _key(where, "role")),
            instruction=_text(row["instruction"], _key(where, "instruction")),
            source=_text(row["source"], _key(where, "source")),
            task=_task(row.get("task"), _key(where, "task")),
            at=where,
        ))

    notes = tuple(_text(n, w) for w, n in _list(data.get("notes", []), "notes", empty=True))
    return Policy(
        id=_text(data["id"], "id"),
        title=_text(data["title"], "title"),
        version=_whole(data["version"], "version", minimum=1),
        owner=Owner(_choice(owner["kind"], "owner.kind", OwnerKind),
                    _text(owner["name"], "owner.name")),
        source_document=SourceDocument(
            title=_text(source["title"], "source_document.title"),
            reference=_text(source["reference"], "source_document.reference"),
            published=_text(source.get("published"), "source_document.published",
                            optional=True) or None,
        ),
        applies=Applies(
            start=_date(applies["from"], "applies.from"),
            end=_date(applies.get("to"), "applies.to", optional=True),
            review=_date(applies.get("review"), "applies.review", optional=True),
        ),
        coverage=Coverage(coverage_kind, characteristic or None,
                          _text(covers.get("description"), "covers.description", optional=True)),
        measure=Measure(quantity, period, weeks, codes,
                        _text(measure["source"], "measure.source")),
        bands=tuple(bands),
        interventions=tuple(interventions),
        roles=tuple(roles),
        triggers=tuple(triggers),
        penalty_notices=_penalties(data.get("penalty_notices"), "penalty_notices"),
        path=label,
        notes=notes,
        stages=tuple(stages),
    )


def load_policy(path: Path | Any) -> Policy:
    """Read one policy file, or raise `PolicyError` naming the file and the key path."""
    label = str(path)
    try:
        document = read_yaml(path)
    except YamlProblem as problem:
        raise PolicyError(f"{label}: {problem}") from None
    try:
        return _policy(document, label)
    except _Problem as problem:
        raise PolicyError(f"{label}: {problem}") from None
    except RecursionError:
        raise PolicyError(f"{label}: nested too deeply") from None


def shipped_policy_paths() -> list[Path]:
    """The policy files shipped with Muster, in a stable order."""
    root = Path(str(POLICY_ROOT))
    paths: set[Path] = set()
    for pattern in SHIPPED:
        paths.update(root.glob(pattern))
    return sorted(paths)


def load_all() -> list[Policy]:
    """Every shipped policy; the first file that does not keep to the format raises.

    Each file is read once per process while it is unchanged (the daily evaluation asks for
    the policies on every day it evaluates)."""
    return [_shipped(path, path.stat().st_mtime_ns) for path in shipped_policy_paths()]


@functools.lru_cache(maxsize=256)
def _shipped(path: Path, modified: int) -> Policy:
    return load_policy(path)
