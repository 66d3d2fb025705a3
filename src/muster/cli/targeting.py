"""`muster backtest`: how well the at-risk rules would have found the persistently absent."""

from __future__ import annotations

import datetime as dt

import click

from muster.cli.common import django_setup, emit, parse_date
from muster.cli.reports import _AS, _FORMAT, _SCHOOL, _action, _audit, _school, _user
from muster.core.roles import RecordKind


def _dates(ctx, param, value: str | None) -> tuple[dt.date, ...] | None:
    if not value:
        return None
    out = []
    for part in value.split(","):
        try:
            out.append(dt.date.fromisoformat(part.strip()))
        except ValueError:
            raise click.BadParameter(f"{part.strip()!r} is not a date in the form YYYY-MM-DD") from None
    return tuple(out)


@click.command(name="backtest")
@click.option("--year", type=int, help="The school year to score, by its starting year (2025 is "
              "2025/26). Default: the latest one held that has ended.")
@click.option("--dates", callback=_dates, metavar="YYYY-MM-DD,...",
              help="Evaluation dates in that year. Default: the first weekday of each month, "
              "October to June.")
@_SCHOOL
@_FORMAT
@_AS
def backtest(year, dates, school_urn, output, acting_as) -> None:
    """Replay the at-risk rules on a finished school year and score them.

    For each date: of the pupils flagged on that date or an earlier one, how many ended the
    year persistently absent (precision), and how many of the year's persistently absent
    pupils had been flagged by then (recall); then the same by sex, FSM, SEN and looked-after
    status, so a local authority can see whether the rules find some groups later than others.
    Needs two or more school years of registers. The rules and their dated thresholds are in
    policies/national/at_risk/ (see muster.core.targeting.at_risk).

    Example: muster backtest --year 2025 --dates 2025-10-01,2026-01-05,2026-03-02
    """
    django_setup()
    from muster.people import access
    from muster.targeting.backtest import BacktestError, run_backtest

    user = _user(acting_as)
    enrolments = None
    if user is not None:
        if not access.can(user, RecordKind.COHORT_FIGURES, _action(output)):
            raise click.ClickException(f"{user.username}'s roles do not give cohort figures this way")
        enrolments = access.cohort_enrolments_visible_to(user)
    try:
        result = run_backtest(today=access.today(), year=year, dates=dates, enrolments=enrolments,
                              school=_school(school_urn))
    except BacktestError as error:
        raise click.ClickException(str(error)) from None
    from muster.core.targeting.backtest import COLUMNS

    _audit(acting_as, output, RecordKind.COHORT_FIGURES,
           f"at-risk backtest of {result.year}, {result.pupils} pupils")
    if output == "table":
        click.echo(f"School year {result.year}/{(result.year + 1) % 100:02d} (years held: "
                   f"{', '.join(map(str, result.years_held))}): {result.pupils} pupils, "
                   f"{result.persistent} persistently absent at the end of the year.")
        click.echo("Flagged = flagged by the at-risk rules on that date or an earlier one; "
                   "precision = flagged who ended persistently absent; recall = persistently "
                   "absent who had been flagged.")
    emit([s.as_row() for s in result.scores], COLUMNS, output)


@click.command(name="at-risk")
@click.option("--on", "on", callback=parse_date, help="The day, YYYY-MM-DD (default: today). The "
              "rules read only the marks up to and including it.")
@_SCHOOL
@_FORMAT
@_AS
def at_risk(on, school_urn, output, acting_as) -> None:
    """Pupils at risk of persistent absence on a day, each with the drivers that flagged them.

    The rules (projection, worsening trend, repeat spells in the half term, last year's
    persistent absence, change of school) and their dated thresholds are in
    policies/national/at_risk/. Each row gives the pupil's Annex A stages (seed 002, the DfE
    summary table of responsibilities) and every driver with its numbers.

    Example: muster at-risk --on 2026-11-27 --school 100001 --as attendance-lead
    """
    django_setup()
    from muster.cli.reports import _pupils_for
    from muster.people import access
    from muster.targeting.pupils import COLUMNS, at_risk_rows

    on = on or access.today()
    pupils = _pupils_for(acting_as, RecordKind.FIGURES, output)
    user = _user(acting_as)
    sensitive = user is None or "looked_after" in access.visible_fields(user)
    rows = at_risk_rows(on, pupils=pupils, school=_school(school_urn), sensitive=sensitive)
    _audit(acting_as, output, RecordKind.FIGURES, f"at-risk pupils on {on}, {len(rows)} pupils")
    emit(rows, COLUMNS, output)


@click.command(name="xmr")
@click.option("--from", "first", required=True, callback=parse_date, help="First day, YYYY-MM-DD.")
@click.option("--to", "last", required=True, callback=parse_date, help="Last day, YYYY-MM-DD.")
@_SCHOOL
@click.option("--upn", help="One pupil's chart (their schools pooled) instead of a cohort's.")
@click.option("--baseline", type=int, metavar="WEEKS",
              help="Set the centre line and limits from the first WEEKS weeks (default: all).")
@_FORMAT
@_AS
def xmr(first, last, school_urn, upn, baseline, output, acting_as) -> None:
    """Weekly attendance as a process-behaviour (XmR) chart, to tell signal from noise.

    The centre line is the mean weekly attendance; the natural process limits are the mean
    plus and minus 2.66 times the average moving range (the week-to-week change). A signal is a
    week outside the limits or 8 weeks in a row on one side of the centre line. Weeks with no
    possible session (holidays) are left out. A school's or every school's chart pools the
    sessions of all their enrolments (reference 3.1); --upn charts one pupil.

    Example: muster xmr --from 2025-09-01 --to 2026-07-22 --school 990101 --baseline 12
    """
    django_setup()
    from muster.people import access
    from muster.targeting.charts import COLUMNS, chart_rows, enrolments_for, weekly_chart

    if last < first:
        raise click.BadParameter("--to is before --from")
    user = _user(acting_as)
    visible, pupil_id = None, None
    kind = RecordKind.FIGURES if upn else RecordKind.COHORT_FIGURES
    if user is not None:
        if not access.can(user, kind, _action(output)):
            raise click.ClickException(f"{user.username}'s roles do not allow this chart")
        visible = (access.enrolments_visible_to(user, _action(output), RecordKind.REGISTER)
                   if upn else access.cohort_enrolments_visible_to(user))
    if upn:
        pupil_id = _pupil_id(upn, user, output)
    enrolments = enrolments_for(first, last, school=_school(school_urn), pupil_id=pupil_id,
                                visible=visible)
    try:
        series, chart = weekly_chart(first, last, enrolments, pupil=bool(upn), baseline=baseline)
    except ValueError as error:
        raise click.ClickException(str(error)) from None
    whose = f"pupil {upn}" if upn else (f"school {school_urn}" if school_urn else "all schools")
    _audit(acting_as, output, kind, f"XmR chart of {whose} {first} to {last}")
    if output == "table":
        click.echo(f"Weekly attendance of {whose}: centre line {chart.mean:.2f}%, natural "
                   f"process limits {chart.lower_limit:.2f}% to {chart.upper_limit:.2f}% "
                   f"(average moving range {chart.average_moving_range:.2f}, from the first "
                   f"{chart.baseline} weeks; upper range limit {chart.upper_range_limit:.2f}).")
        for line in chart.descriptions() or ["No signal: the weeks vary within their limits."]:
            click.echo(f"Signal: {line}" if chart.signals else line)
    emit(chart_rows(series, chart), COLUMNS, output)


def _pupil_id(upn: str, user, output: str) -> int:
    from muster.people import access

    if user is None:
        from muster.targeting.charts import pupil_id_by_upn

        found = pupil_id_by_upn(upn)
    else:
        try:
            found = access.access_pupil_by_upn(user, upn, _action(output), RecordKind.FIGURES).pk
        except access.NotFound:
            found = None
    if found is None:
        raise click.BadParameter(f"no pupil with UPN {upn} that you may see", param_hint="--upn")
    return found
