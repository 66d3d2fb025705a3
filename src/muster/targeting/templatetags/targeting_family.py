"""`{% family_links pupil as family %}`: the pupil's siblings and previous schools for the
person reading the page (templates/web/targeting_family.html), through the trust layer, so the
pupil page needs no more than one include line."""

from __future__ import annotations

from django import template

from muster.core.roles import Action, RecordKind
from muster.people import access
from muster.targeting.family import previous_schools, siblings

register = template.Library()


@register.simple_tag(takes_context=True)
def family_links(context, pupil) -> dict:
    from muster.audit.log import record_request_event  # the template engine loads this early
    from muster.audit.models import Action as AuditAction

    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or pupil is None:
        return {"siblings": [], "previous": []}
    on = access.today()
    visible = access.pupils_visible_to(user, Action.VIEW, RecordKind.FIGURES)
    registers = access.enrolments_visible_to(user, Action.VIEW, RecordKind.REGISTER)
    found = {"siblings": siblings(pupil, visible=visible, on=on),
             "previous": previous_schools(pupil, enrolments=registers, on=on)}
    for sibling in found["siblings"]:
        record_request_event(request, action=AuditAction.VIEW, record_kind=RecordKind.FIGURES.value,
                             record_id=sibling.pupil.pk, pupil_id=sibling.pupil.pk,
                             summary=f"Shown as a sibling on the page of pupil {pupil.pk}")
    return found
