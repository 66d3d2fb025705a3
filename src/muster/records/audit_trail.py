"""Records-management events for the audit log, when it is installed.

`muster.audit` is built separately; until it is installed, anonymisations, subject access
exports, backups and restores are reported on the command line only.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps


def record_if_audited(**event: Any) -> bool:
    """Pass the event to `muster.audit.log.record_event`; False when there is no audit log."""
    if not apps.is_installed("muster.audit"):
        return False
    from muster.audit.log import record_event

    record_event(**event)
    return True


def entries_about_pupil(pupil_id: int) -> list[dict] | None:
    """The audit log entries about a child, oldest first; None when there is no audit log.

    Left out: the staff member's user id and IP address (`source`), which are theirs, not the
    child's.
    """
    if not apps.is_installed("muster.audit"):
        return None
    event_model = apps.get_model("audit", "AuditEvent")
    return [
        {
            "when": e.occurred_at.isoformat(timespec="seconds"),
            "who": e.username,
            "action": e.get_action_display(),
            "record": f"{e.record_kind} {e.record_id}".strip(),
            "summary": e.summary,
            "purpose": e.purpose,
            "before": e.before,
            "after": e.after,
        }
        for e in event_model.objects.filter(pupil_id=pupil_id).order_by("sequence")
    ]
