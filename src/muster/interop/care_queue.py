"""The children of SSDA903 returns waiting for a person to match them to a pupil."""

from __future__ import annotations

from django.db.models import QuerySet

from muster.interop.models import CareMatch


def waiting(authority: str | None = None) -> QuerySet[CareMatch]:
    queue = CareMatch.objects.filter(matched_pupil__isnull=True)
    if authority:
        queue = queue.filter(authority=authority)
    return queue.order_by("authority", "child_id")
