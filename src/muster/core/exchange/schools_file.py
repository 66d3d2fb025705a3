"""`schools.csv`: schools with their local authority, phase and register times.

A Muster addition to the formats of formats.md (which has none for schools): a school's
register close times decide L or U for late arrivals (seed 002, reference 1), so they are set
per school. Columns: urn, name, la_code, la_name (required); phase, am_register_opens,
am_register_closes, pm_register_opens, pm_register_closes (optional, HH:MM).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from muster.core.exchange.csv_file import Columns, RowError

COLUMNS = Columns(
    required=("urn", "name", "la_code", "la_name"),
    optional=("phase", "am_register_opens", "am_register_closes", "pm_register_opens",
              "pm_register_closes"),
)
PHASES = frozenset({"nursery", "primary", "middle", "secondary", "all-through", "special", "alternative"})
TIMES = ("am_register_opens", "am_register_closes", "pm_register_opens", "pm_register_closes")
LONGEST_REGISTER_MINUTES = 30
"""The register may stay open no longer than 30 minutes (reference 1, "Register open time")."""


@dataclass(frozen=True)
class SchoolRow:
    line: int
    urn: str
    name: str
    la_code: str
    la_name: str
    phase: str
    times: dict[str, dt.time]


def _time(value: str) -> dt.time | None:
    try:
        return dt.time.fromisoformat(value) if len(value) == 5 and value[2] == ":" else None
    except ValueError:
        return None


def register_time_problem(opens: dt.time, closes: dt.time) -> str | None:
    """None when a register open from `opens` to `closes` is allowed, else why not."""
    minutes = (
        dt.datetime.combine(dt.date.min, closes) - dt.datetime.combine(dt.date.min, opens)
    ).total_seconds() / 60
    if 0 < minutes <= LONGEST_REGISTER_MINUTES:
        return None
    return (
        f"the register must close after it opens ({opens:%H:%M}) and within "
        f"{LONGEST_REGISTER_MINUTES} minutes"
    )


def check_schools(
    rows: Iterable[tuple[int, dict[str, str]]], *, file: str, errors: list[RowError]
) -> list[SchoolRow]:
    accepted: dict[str, SchoolRow] = {}
    la_names: dict[str, tuple[int, str]] = {}
    for line, row in rows:
        found: list[RowError] = []

        def bad(column: str, reason: str, row=row, line=line, found=found) -> None:
            found.append(RowError(file, line, column, row.get(column, ""), reason))

        if not (len(row["urn"]) == 6 and row["urn"].isascii() and row["urn"].isdigit()):
            bad("urn", "a URN has 6 digits")
        if not row["name"] or len(row["name"]) > 200:
            bad("name", "required, at most 200 characters")
        if not (len(row["la_code"]) == 3 and row["la_code"].isascii() and row["la_code"].isdigit()):
            bad("la_code", "an LA code has 3 digits")
        if not row["la_name"] or len(row["la_name"]) > 120:
            bad("la_name", "required, at most 120 characters")
        phase = row.get("phase", "")
        if phase and phase not in PHASES:
            bad("phase", f"expected one of {', '.join(sorted(PHASES))}")
        times: dict[str, dt.time] = {}
        for column in TIMES:
            raw = row.get(column, "")
            if raw:
                value = _time(raw)
                if value is None:
                    bad(column, "expected a time as HH:MM")
                else:
                    times[column] = value
        for session in ("am", "pm"):
            opens, closes = times.get(f"{session}_register_opens"), times.get(f"{session}_register_closes")
            if opens and closes and (why := register_time_problem(opens, closes)):
                bad(f"{session}_register_closes", why)
        earlier_la = la_names.get(row["la_code"])
        if earlier_la and earlier_la[1] != row["la_name"]:
            bad("la_name", f"LA {row['la_code']} is named {earlier_la[1]!r} on line {earlier_la[0]}")
        if row["urn"] in accepted:
            bad("urn", f"the same school is on line {accepted[row['urn']].line}")
        if found:
            errors.extend(found)
            continue
        la_names.setdefault(row["la_code"], (line, row["la_name"]))
        accepted[row["urn"]] = SchoolRow(line, row["urn"], row["name"], row["la_code"],
                                         row["la_name"], phase, times)
    return list(accepted.values())
