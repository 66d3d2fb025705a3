"""The layout's navigation and small formatting filters for the pages."""

from __future__ import annotations

from django import template

from muster.web import navigation

register = template.Library()


@register.inclusion_tag("web/navigation.html", takes_context=True)
def service_navigation(context):
    request = context["request"]
    links = navigation.links_for(request.user) if request.user.is_authenticated else []
    path = request.path
    current = max((link for link in links if path.startswith(link.url)), key=lambda link: len(link.url), default=None)
    return {"links": links, "current": current, "user": request.user, "csrf_token": context.get("csrf_token")}


@register.filter
def pct(value) -> str:
    """A percentage as the pages write it, to one decimal place: 94.7%, or "no sessions" when there is none."""
    return "no possible sessions" if value is None else f"{value:.1f}%"


@register.filter
def needed(value) -> str:
    """Sessions still to attend to reach a target (reports.pupil_rows)."""
    if value is None:
        return "Out of reach this year"
    if value == 0:
        return "Reached if attendance continues"
    return f"{value} of the remaining sessions"


@register.filter
def year_group(nc_year: str) -> str:
    """A national curriculum year as people say it: Reception, Year 7."""
    from muster.web.cohorts import label

    return label("nc_year", nc_year or "")
