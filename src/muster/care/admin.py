"""The admin for children in care: PEP meetings, plans (with their checklist, actions and
quality findings), pathway runs and approvals, escalations and PP+ requests. Records are
written by `actions`; these screens show them, scoped to the pupils the user's roles reach."""

from __future__ import annotations

from django.contrib import admin
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from muster.care.measure import quality
from muster.care.models import (
    AttendanceImprovementPlan,
    Escalation,
    PathwayApproval,
    PathwayRun,
    PepMeeting,
    PlanAction,
    PupilPremiumPlusRequest,
    ResponsibilityCheck,
)
from muster.core.roles import Action, RecordKind
from muster.people import access
from muster.people.scoped_admin import ScopedAdmin
from muster.registers.admin import ViewOnly


@admin.register(PepMeeting)
class PepMeetingAdmin(ViewOnly, ScopedAdmin):
    list_display = ["pupil", "date", "recorded_by"]
    search_fields = ["pupil__upn", "pupil__legal_surname"]
    list_select_related = ["pupil", "recorded_by"]
    readonly_fields = fields = ["pupil", "date", "attendees", "notes", "recorded_by"]


class ScopedInline(ViewOnly, admin.TabularInline):
    """Shown on a plan the user may already view (its admin asked the trust layer)."""

    extra = 0

    def has_view_permission(self, request, obj=None):
        return access.can(request.user, RecordKind.PUPIL, Action.VIEW)


class ResponsibilityInline(ScopedInline):
    model = ResponsibilityCheck
    readonly_fields = fields = ["label", "discussed", "notes"]
    verbose_name_plural = "Responsibilities discussed (seed 000)"


class PlanActionInline(ScopedInline):
    model = PlanAction
    readonly_fields = fields = ["order", "barrier", "action", "by_when", "responsible", "measure"]
    verbose_name_plural = "Action plan (seed 004)"


@admin.register(AttendanceImprovementPlan)
class AttendanceImprovementPlanAdmin(ViewOnly, ScopedAdmin):
    list_display = ["pupil", "agreed_on", "aim_percent", "aim_date", "status"]
    list_filter = ["status"]
    search_fields = ["pupil__upn", "pupil__legal_surname"]
    list_select_related = ["pupil"]
    inlines = [ResponsibilityInline, PlanActionInline]
    readonly_fields = fields = [
        "pupil", "agreed_on", "status", "aim_percent", "aim_date", "push_inside", "push_outside", "pull_inside",
        "pull_outside", "pupil_voice", "going_well", "incentive", "reduced_timetable", "reduced_timetable_ends",
        "review_meeting", "before_attended", "before_possible", "after_attended", "after_possible", "revised_from",
        "quality_findings",
    ]

    @admin.display(description="Quality check (seed 004)")
    def quality_findings(self, obj: AttendanceImprovementPlan) -> str:
        report = quality(obj, timezone.localdate())
        return format_html("<ul>{}</ul>", format_html_join(
            "", "<li>{} {}: {} ({})</li>",
            (("✓" if f.passed else "✗", f.check.replace("_", " "), f.reason, f.source) for f in report.findings)))


@admin.register(PathwayRun)
class PathwayRunAdmin(ViewOnly, ScopedAdmin):
    list_display = ["pupil", "pathway_id", "starts", "status"]
    list_filter = ["pathway_id", "status"]
    search_fields = ["pupil__upn", "pupil__legal_surname"]
    list_select_related = ["pupil"]
    readonly_fields = fields = ["pupil", "pathway_id", "version", "starts", "status", "started_by"]


@admin.register(PathwayApproval)
class PathwayApprovalAdmin(ViewOnly, ScopedAdmin):
    pupil_path = "run__pupil"
    list_display = ["run", "what", "approved", "decided_by", "decided_at"]
    list_select_related = ["run__pupil", "decided_by"]
    readonly_fields = fields = ["run", "step_id", "what", "approved", "decided_by", "decided_at", "note"]


@admin.register(Escalation)
class EscalationAdmin(ViewOnly, ScopedAdmin):
    list_display = ["pupil", "proposed_on", "status", "decided_by"]
    list_filter = ["status"]
    search_fields = ["pupil__upn", "pupil__legal_surname"]
    list_select_related = ["pupil", "decided_by"]
    readonly_fields = fields = ["pupil", "plan", "proposed_on", "reason", "source", "status", "outcome",
                                "decided_by", "decided_at"]


@admin.register(PupilPremiumPlusRequest)
class PupilPremiumPlusRequestAdmin(ViewOnly, ScopedAdmin):
    pupil_path = "action__plan__pupil"
    list_display = ["action", "amount", "status", "requested_on", "approver"]
    list_filter = ["status"]
    list_select_related = ["action", "approver"]
    readonly_fields = fields = ["action", "amount", "purpose", "status", "requested_by", "requested_on", "approver",
                                "decided_at", "note"]
