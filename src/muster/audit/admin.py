"""The data protection officer's page: search the audit log, change nothing, and be recorded.

Open to users with the permission `audit.view_auditevent` (the roles layer grants it to data
protection officers through a group). Nobody may add, change or delete entries here, superusers
included. Looking at the log is itself looking at who saw which child, so every list, search and
entry opened here is recorded in the log (record kind "audit").
"""

from __future__ import annotations

from django.apps import apps
from django.contrib import admin

from muster.audit.log import record_request_event
from muster.audit.models import Action, AuditEvent

AUDIT = "audit"
_NOT_FILTERS = {"p", "o", "q", "_changelist_filters", "e"}


def pupil_id_for(value: str) -> int | None:
    """A pupil id typed as a number, or the id of the pupil with this UPN. Only the id is read:
    the log names pupils by id so entries outlive anonymisation, when the UPN is replaced."""
    value = value.strip().upper()
    if value.isascii() and value.isdigit():
        return int(value) if len(value) <= 18 else None  # no pupil id is that long
    pupil = apps.get_model("registers", "Pupil")
    return pupil.objects.filter(upn=value).values_list("pk", flat=True).first()


class PupilFilter(admin.SimpleListFilter):
    """Every entry about one child, found by pupil id or UPN: a text box, as there are too many
    pupils to list."""

    title = "pupil"
    parameter_name = "pupil"
    template = "admin/audit/pupil_filter.html"

    def lookups(self, request, model_admin):
        return ()

    def has_output(self) -> bool:
        return True

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        pupil_id = pupil_id_for(self.value())
        return queryset.none() if pupil_id is None else queryset.filter(pupil_id=pupil_id)

    def choices(self, changelist):
        kept = [
            (name, value)
            for name, values in changelist.filter_params.items() if name != self.parameter_name
            for value in values
        ]
        yield {
            "parameter": self.parameter_name,
            "value": self.value() or "",
            "hidden": kept,
            "clear_query": changelist.get_query_string(remove=[self.parameter_name]),
        }


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = [
        "sequence", "occurred_at", "username", "action", "record_kind", "record_id", "pupil_id",
        "summary", "source",
    ]
    list_filter = ["action", "record_kind", ("occurred_at", admin.DateFieldListFilter), PupilFilter]
    search_fields = ["username", "summary", "record_id"]
    date_hierarchy = "occurred_at"
    actions = None
    show_full_result_count = False  # a count of millions of rows on every page is slow
    fields = [
        ("sequence", "occurred_at"), ("username", "user_id", "source"), "action",
        ("record_kind", "record_id", "pupil_id"), "summary", "purpose", "before", "after",
        "previous_hash", "hash",
    ]
    readonly_fields = [f.name for f in AuditEvent._meta.fields]

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        if response.status_code == 200:
            _record_search(request)
        return response

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        if response.status_code == 200:
            entry = self.get_object(request, object_id)
            record_request_event(
                request, action=Action.VIEW, record_kind=AUDIT, record_id=object_id,
                pupil_id=entry.pupil_id if entry else None,
                summary=f"Opened audit entry #{object_id}",
            )
        return response


def _record_search(request) -> None:
    query = request.GET.get("q", "").strip()
    filters = {k: v for k, v in request.GET.items() if k not in _NOT_FILTERS}
    pupil = filters.get(PupilFilter.parameter_name, "")
    described = [f'"{query}"'] if query else []
    described += [f"{k}={v}" for k, v in sorted(filters.items())]
    record_request_event(
        request,
        action=Action.SEARCH if described else Action.LIST,
        record_kind=AUDIT,
        pupil_id=pupil_id_for(pupil) if pupil else None,
        summary=("Searched the audit log: " + "; ".join(described)) if described else "Listed the audit log",
        after={"query": query, "filters": filters} if described else None,
    )
