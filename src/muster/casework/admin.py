"""The admin for casework: tasks (completed through `actions.complete_task`), band history, which
policies are in use, and on each pupil's page the bands they are in today and why."""

from __future__ import annotations

from django.contrib import admin, messages
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from muster.casework.actions import TaskNotOpen, complete_task
from muster.casework.explanations import explain
from muster.casework.models import BandSpell, PolicyAdoption, Task
from muster.casework.worklists import tasks_for
from muster.core.roles import Action, RecordKind
from muster.people import access
from muster.people.scoped_admin import ConfigurationAdmin, ScopedAdmin
from muster.registers.admin import PupilAdmin, ViewOnly
from muster.registers.models import Pupil


@admin.register(Task)
class TaskAdmin(ViewOnly, ScopedAdmin):
    list_display = ["title", "pupil", "role", "assignee", "due", "status", "created_on"]
    list_filter = ["status", "role", "policy_id"]
    search_fields = ["pupil__upn", "pupil__legal_surname", "title"]
    list_select_related = ["pupil", "assignee"]
    fields = ["pupil", "title", "instruction", "source", "policy_id", "role", "organisation", "assignee",
              "created_on", "due", "status", "completed_at", "completed_by", "note", "superseded_on",
              "superseded_reason", "spell"]
    readonly_fields = fields
    actions = ["mark_done"]

    @admin.action(description="Mark the selected tasks done")
    def mark_done(self, request, queryset):
        mine = tasks_for(request.user, status=None, team=True).values("pk")
        done = 0
        for task in queryset.filter(pk__in=mine):
            try:
                complete_task(task=task, user=request.user, note="Marked done in the admin")
                done += 1
            except TaskNotOpen as error:
                self.message_user(request, str(error), messages.WARNING)
        self.message_user(request, f"{done} task(s) marked done.")


@admin.register(BandSpell)
class BandSpellAdmin(ViewOnly, ScopedAdmin):
    record_kind = RecordKind.FIGURES
    list_display = ["pupil", "policy_id", "band_label", "absence_type", "starts", "ends"]
    list_filter = ["policy_id", "band_label", "absence_type"]
    search_fields = ["pupil__upn", "pupil__legal_surname"]
    list_select_related = ["pupil"]
    fields = ["pupil", "policy_id", "policy_version", "organisation", "band_label", "absence_type",
              "band_since", "starts", "ends", "explanation", "tasks_made"]
    readonly_fields = fields


@admin.register(PolicyAdoption)
class PolicyAdoptionAdmin(ConfigurationAdmin):
    list_display = ["policy_id", "organisation", "starts", "ends"]
    list_filter = ["policy_id"]


class BandSpellInline(ViewOnly, admin.TabularInline):
    model = BandSpell
    extra = 0
    fields = ["policy_id", "band_label", "absence_type", "starts", "ends"]
    readonly_fields = fields
    verbose_name_plural = "Band history"

    def has_view_permission(self, request, obj=None):
        return access.can(request.user, RecordKind.FIGURES, Action.VIEW)


admin.site.unregister(Pupil)


@admin.register(Pupil)
class PupilWithBandsAdmin(PupilAdmin):
    """The pupil's page, with the bands they are in today under each policy and why."""

    inlines = [*PupilAdmin.inlines, BandSpellInline]

    def get_fieldsets(self, request, obj=None):
        fieldsets = list(super().get_fieldsets(request, obj))
        if obj is not None and access.can(request.user, RecordKind.FIGURES, Action.VIEW):
            fieldsets.append(("Bands today and why", {"fields": ["bands_today"]}))
        return fieldsets

    def get_readonly_fields(self, request, obj=None):
        return [*super().get_readonly_fields(request, obj), "bands_today"]

    @admin.display(description="Under each policy")
    def bands_today(self, obj: Pupil) -> str:
        found = explain(obj, timezone.localdate())
        if not found:
            return "No policy covers this pupil today."
        return format_html("<ul>{}</ul>", format_html_join(
            "", "<li><strong>{}</strong>{}: {}</li>",
            ((e.policy.title, f" (used by {e.adopter})" if e.adopter else "", e.evaluation.explanation)
             for e in found),
        ))
