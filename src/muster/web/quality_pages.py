"""Data-quality pages (issue 9 item 5): a school's findings and a local authority's, each naming
the pupil, the session and the rule and linking to where it is put right. The findings are
`muster lint`'s own (`muster.interop.data_checks.check_data`), read as the signed-in person, so
they hold only what that person may see; the look is in the audit log (check_data records it)."""

from __future__ import annotations

from collections import Counter

from django.http import Http404
from django.shortcuts import render
from django.urls import reverse

from muster.core.data_quality import Rule
from muster.interop.data_checks import check_data
from muster.people import access
from muster.registers.models import LocalAuthority, Pupil, School

CARE_RULES = {Rule.CHILD_IN_CARE_WITHOUT_PEP}


def _fix_link(rule: Rule, pupil_id: int | None) -> str:
    if pupil_id is None:
        return ""
    if rule in CARE_RULES:
        return reverse("web:care_child", args=[pupil_id])
    return reverse("web:pupil", args=[pupil_id])


def _rows(report) -> list[dict]:
    ids = dict(Pupil.objects.filter(upn__in={f.upn for f in report.findings}).values_list("upn", "pk"))
    return [{
        "rule": f.rule.value, "description": f.rule.description, "upn": f.upn,
        "pupil": report.names.get(f.upn, f.upn), "school": f.school_urn, "day": f.day, "session": f.session,
        "detail": f.detail, "fixed_in": f.fixed_in, "link": _fix_link(f.rule, ids.get(f.upn)),
    } for f in report.findings]


def school_quality(request, urn: str):
    """One school's data-quality findings, for the people who reach its registers."""
    school = School.objects.filter(urn=urn).first()
    if school is None:
        raise Http404("No such school")
    report = check_data(user=request.user, today=access.today(), school_urn=urn)
    rows = _rows(report)
    if not rows and not access.enrolments_visible_to(request.user).filter(school=school).exists():
        raise Http404("No such school")
    return render(request, "web/quality_school.html", {
        "school": school, "rows": rows, "counts": sorted(Counter(r["rule"] for r in rows).items()),
        "skipped": report.skipped, "today": access.today(),
    })


def la_quality(request, code: str):
    """A local authority's findings across its schools, school by school."""
    authority = LocalAuthority.objects.filter(code=code).first()
    if authority is None:
        raise Http404("No such local authority")
    report = check_data(user=request.user, today=access.today())
    urns = dict(School.objects.filter(local_authority=authority).values_list("urn", "name"))
    rows = [r for r in _rows(report) if r["school"] in urns]
    if not rows and not access.enrolments_visible_to(request.user).filter(school__local_authority=authority).exists():
        raise Http404("No such local authority")
    by_school = Counter(r["school"] for r in rows)
    return render(request, "web/quality_la.html", {
        "authority": authority, "rows": rows, "counts": sorted(Counter(r["rule"] for r in rows).items()),
        "schools": [(urn, urns[urn], n) for urn, n in sorted(by_school.items())],
        "skipped": report.skipped, "today": access.today(),
    })
