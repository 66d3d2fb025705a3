"""What other systems told Muster about one pupil: prior schools' attendance from Common Transfer
Files (the marks string verbatim, never decoded: reference 0), SEN history, contacts, and the
care episodes of SSDA903 returns (placement moves, to read next to attendance)."""

from __future__ import annotations

from muster.audit.log import record_event
from muster.core.roles import Action, RecordKind
from muster.people import access
from muster.registers.models import Pupil

MARKS_NOTE = ("AttendanceMarks as the old school wrote it. Not decoded: the CTF's encoding of "
              "days and codes is not published (reference 0), so it is shown, never counted.")


def pupil_history(*, upn: str, user=None) -> dict:
    """The pupil's records from other systems, if the user may view the pupil (the operator,
    `user=None`, may view any); `access.NotFound` otherwise. The look is audited."""
    if user is None:
        pupil = Pupil.objects.filter(upn=upn).first()
        if pupil is None:
            raise access.NotFound("No such pupil")
    else:
        pupil = access.access_pupil_by_upn(user, upn, Action.VIEW, RecordKind.PUPIL)
    history = {
        "upn": pupil.upn,
        "name": pupil.display_name,
        "prior_attendance": [
            {"year": y.year, "la": y.lea, "estab": y.estab, "school": y.school_name,
             "possible": y.sessions_possible, "attended": y.sessions_attended,
             "authorised": y.sessions_authorised, "unauthorised": y.sessions_unauthorised,
             "marks_start": y.marks_start.isoformat() if y.marks_start else "",
             "marks_verbatim": y.marks}
            for y in pupil.prior_attendance.order_by("year", "lea", "estab")
        ],
        "marks_note": MARKS_NOTE,
        "sen_history": [
            {"start": s.start.isoformat() if s.start else "", "provision": s.provision, "needs": s.needs}
            for s in pupil.sen_history.order_by("start")
        ],
        "contacts": [
            {"order": c.order, "name": " ".join(p for p in (c.title, c.forename, c.surname) if p),
             "relationship": c.relationship, "parental_responsibility": c.parental_responsibility,
             "phones": c.phones, "email": c.email}
            for c in pupil.contacts.order_by("order")
        ],
        "care_episodes": [
            {"authority": e.authority, "start": e.start.isoformat(),
             "end": e.end.isoformat() if e.end else "", "legal_status": e.legal_status,
             "placement": e.placement, "reason_new": e.reason_new, "reason_ceased": e.reason_ceased,
             "reason_place_change": e.reason_place_change}
            for e in pupil.care_episodes.order_by("start")
        ],
    }
    record_event(user=user, action=Action.VIEW.value, record_kind=RecordKind.PUPIL.value,
                 record_id=pupil.pk, pupil_id=pupil.pk,
                 summary="Viewed records from other systems (CTF, SSDA903)", source="muster history")
    return history
