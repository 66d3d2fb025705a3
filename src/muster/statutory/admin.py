"""The admin for the statutory workflows, scoped like every screen on children's records.

Records change through `actions.py` only (so each step is audited and checked against the
rules); the admin shows them, searched and filtered, and offers the actions that fit a list.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.http import Http404, HttpResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html

from muster.audit.log import record_request_event
from muster.audit.models import Action as AuditAction
from muster.core.roles import Action, RecordKind
from muster.people import access
from muster.people.scoped_admin import ScopedAdmin
from muster.statutory import actions
from muster.statutory.leave import part_time_flags
from muster.statutory.models import (
    CaseStep,
    ContactAttempt,
    LaReturn,
    LeaveRequest,
    Letter,
    LetterTemplate,
    PartTimeTimetable,
    PenaltyNotice,
    PenaltyNoticeCase,
)


class StatutoryAdmin(ScopedAdmin):
    """Statutory records are part of the pupil's register work: what a role may do with the
    pupil's registers it may do with these (muster.core.roles)."""

    record_kind = RecordKind.REGISTER

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]


@admin.register(ContactAttempt)
class ContactAttemptAdmin(StatutoryAdmin):
    """Contacts are logged here as well as from the command line, through `log_contact`."""

    list_display = ["pupil", "school", "absence_on", "method", "outcome", "made_by_name", "made_at"]
    list_filter = ["method", "outcome", "school"]
    search_fields = ["pupil__upn", "pupil__legal_surname", "made_by_name", "note"]
    date_hierarchy = "absence_on"
    add_fields = ["pupil", "school", "absence_on", "method", "contact", "outcome", "note"]

    def has_add_permission(self, request):
        return access.can(request.user, self.record_kind, Action.CHANGE)

    def get_fields(self, request, obj=None):
        return self.add_fields if obj is None else super().get_fields(request, obj)

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else super().get_readonly_fields(request, obj)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "pupil":
            kwargs["queryset"] = access.pupils_visible_to(request.user, Action.CHANGE, self.record_kind)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        if change:
            raise PermissionError("a contact once logged is not changed")
        data = form.cleaned_data
        saved = actions.log_contact(
            pupil=data["pupil"], school=data["school"], method=data["method"], outcome=data["outcome"],
            by=request.user, absence_on=data["absence_on"], contact=data["contact"], note=data["note"],
        )
        obj.pk, obj.made_by, obj.made_by_name, obj.made_at = saved.pk, saved.made_by, saved.made_by_name, saved.made_at


class CaseStepInline(admin.TabularInline):
    model = CaseStep
    extra = 0
    fields = ["on", "stage", "by_name", "note"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class PenaltyNoticeInline(admin.TabularInline):
    model = PenaltyNotice
    extra = 0
    fields = ["parent", "offence", "issued_on", "amounts", "withdrawn", "withdrawn_on", "withdrawn_reason"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(PenaltyNoticeCase)
class PenaltyNoticeCaseAdmin(StatutoryAdmin):
    list_display = ["pupil", "school", "opened_on", "threshold_met_on", "stage", "route", "closed_on"]
    list_filter = ["stage", "route", "school"]
    search_fields = ["pupil__upn", "pupil__legal_surname"]
    inlines = [CaseStepInline, PenaltyNoticeInline]
    actions = ["offer_support", "evidence_pack"]

    @admin.action(description="Merge the evidence pack for the local authority (kept under Letters)")
    def evidence_pack(self, request, queryset):
        from muster.statutory.letters.merge import LetterError, merge_letter

        if not access.can(request.user, self.record_kind, Action.CHANGE):
            self.message_user(request, "Your roles do not allow writing letters.", messages.ERROR)
            return
        done = 0
        for case in self.scoped(request, queryset, Action.CHANGE).select_related("pupil", "school"):
            try:
                merge_letter(kind="evidence_pack", pupil=case.pupil, school=case.school,
                             on=timezone.localdate(), by=request.user, case=case)
                done += 1
            except LetterError as problem:
                self.message_user(request, f"{case}: {problem}", messages.WARNING)
        self.message_user(request, f"Merged {done} evidence pack(s); they are under Letters.")

    @admin.action(description="Record that support was offered (today)")
    def offer_support(self, request, queryset):
        if not access.can(request.user, self.record_kind, Action.CHANGE):
            self.message_user(request, "Your roles do not allow changing cases.", messages.ERROR)
            return
        done = 0
        for case in self.scoped(request, queryset, Action.CHANGE):
            try:
                actions.advance_penalty_notice_case(
                    case=case, stage=PenaltyNoticeCase.Stage.SUPPORT_OFFERED,
                    on=timezone.localdate(), by=request.user,
                )
                done += 1
            except actions.StatutoryError as problem:
                self.message_user(request, f"{case}: {problem}", messages.WARNING)
        self.message_user(request, f"Support offered recorded on {done} case(s).")


@admin.register(PenaltyNotice)
class PenaltyNoticeAdmin(StatutoryAdmin):
    list_display = ["pupil", "parent", "offence", "issued_on", "withdrawn"]
    list_filter = ["withdrawn", "offence"]
    search_fields = ["pupil__upn", "parent"]


@admin.register(LaReturn)
class LaReturnAdmin(StatutoryAdmin):
    list_display = ["pupil", "school", "kind", "ground", "met_on", "due_on", "status", "exported_on"]
    list_filter = ["kind", "status", "school"]
    search_fields = ["pupil__upn", "pupil__legal_surname"]
    date_hierarchy = "due_on"
    actions = ["mark_exported"]

    @admin.action(description="Mark as sent to the local authority (today)")
    def mark_exported(self, request, queryset):
        if not access.can(request.user, self.record_kind, Action.CHANGE):
            self.message_user(request, "Your roles do not allow changing returns.", messages.ERROR)
            return
        count = actions.mark_returns_exported(
            returns=self.scoped(request, queryset, Action.CHANGE), on=timezone.localdate(), by=request.user
        )
        self.message_user(request, f"{count} return(s) marked as sent.")


@admin.register(LeaveRequest)
class LeaveRequestAdmin(StatutoryAdmin):
    """Requests are recorded and decided through `muster.statutory.leave` (`muster leave`)."""

    list_display = ["pupil", "school", "first_day", "last_day", "requested_by", "status", "decided_on",
                    "decided_by_name", "taken_after_refusal_on"]
    list_filter = ["status", "school"]
    search_fields = ["pupil__upn", "pupil__legal_surname", "requested_by"]
    date_hierarchy = "first_day"


@admin.register(PartTimeTimetable)
class PartTimeTimetableAdmin(StatutoryAdmin):
    """Open-ended and overdue timetables show their flags (issue 4 item 6)."""

    list_display = ["pupil", "school", "start", "end", "review_on", "reviewed_on", "closed_on", "flags"]
    list_filter = ["school"]
    search_fields = ["pupil__upn", "pupil__legal_surname"]

    @admin.display(description="Flags")
    def flags(self, obj):
        return "; ".join(part_time_flags(obj, timezone.localdate())) or "-"


@admin.register(Letter)
class LetterAdmin(StatutoryAdmin):
    """Letters kept on pupils' records, each to download as Word or PDF (scoped and audited)."""

    list_display = ["pupil", "school", "kind", "template", "created_by_name", "created_at", "files"]
    list_filter = ["kind", "school"]
    search_fields = ["pupil__upn", "pupil__legal_surname"]
    exclude = ["docx", "pdf"]

    @admin.display(description="Files")
    def files(self, obj):
        docx = reverse("admin:statutory_letter_file", args=[obj.pk, "docx"])
        if not obj.pdf:
            return format_html('<a class="govuk-link" href="{}">Word</a>', docx)
        pdf = reverse("admin:statutory_letter_file", args=[obj.pk, "pdf"])
        return format_html('<a class="govuk-link" href="{}">Word</a> | <a class="govuk-link" href="{}">PDF</a>',
                           docx, pdf)

    def get_urls(self):
        return [
            path("<int:pk>/file/<str:kind>/", self.admin_site.admin_view(self.file_view),
                 name="statutory_letter_file"),
            *super().get_urls(),
        ]

    def file_view(self, request, pk: int, kind: str):
        letter = self.scoped(request, Letter.objects.filter(pk=pk), Action.EXPORT).first()
        content = getattr(letter, kind, None) if kind in ("docx", "pdf") else None
        if letter is None or not content:
            raise Http404("no such letter")
        record_request_event(request, action=AuditAction.EXPORT, record_kind=self.record_kind.value,
                             record_id=pk, pupil_id=letter.pupil_id,
                             summary=f"Downloaded the {kind} of {letter}"[:300])
        types = {"docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                 "pdf": "application/pdf"}
        response = HttpResponse(bytes(content), content_type=types[kind])
        response["Content-Disposition"] = f'attachment; filename="{letter.filename}.{kind}"'
        return response


@admin.register(LetterTemplate)
class LetterTemplateAdmin(admin.ModelAdmin):
    """The staff-edited templates in use (uploaded with `muster letters upload`)."""

    list_display = ["kind", "name", "uploaded_by_name", "uploaded_at", "active"]
    list_filter = ["kind", "active"]
    exclude = ["content"]

    def has_module_permission(self, request):
        return access.can(request.user, RecordKind.REGISTER, Action.LIST)

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
