"""The Django admin for registers: look, search and correct details; marks are read-only here.

Marks change only through the actions in `actions.py` (imports, registers, corrections), which
keep their history; so register years, mark history and batches are view-only in the admin.
"""

from __future__ import annotations

from django.contrib import admin
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.html import format_html

from muster.core import figures, slots
from muster.core.register_matrix import RegisterMatrix
from muster.core.roles import Action, RecordKind
from muster.people import access
from muster.people.scoped_admin import AccountsAdmin, ConfigurationAdmin, ScopedAdmin
from muster.registers.models import (
    CalendarEntry,
    Enrolment,
    LocalAuthority,
    MarkBatch,
    MarkChange,
    MarkNote,
    Pupil,
    RegisterYear,
    School,
)
from muster.registers.register_view import weeks_of


class ViewOnly:
    """Admin mixin: records that only actions may write."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(LocalAuthority)
class LocalAuthorityAdmin(ConfigurationAdmin):
    list_display = ["name", "code"]
    search_fields = ["name", "code"]


class CalendarEntryInline(admin.TabularInline):
    model = CalendarEntry
    extra = 0
    fields = ["kind", "start", "end", "session", "label"]


@admin.register(School)
class SchoolAdmin(ConfigurationAdmin):
    list_display = ["name", "urn", "local_authority", "phase", "am_register_closes"]
    list_filter = ["phase", "local_authority"]
    search_fields = ["name", "urn"]
    inlines = [CalendarEntryInline]


class EnrolmentInline(admin.TabularInline):
    model = Enrolment
    extra = 0
    fields = ["school", "start", "end", "registration"]
    autocomplete_fields = ["school"]


@admin.register(Pupil)
class PupilAdmin(ScopedAdmin):
    pupil_path = "pk"
    list_display = ["upn", "legal_surname", "legal_forename", "nc_year", "looked_after", "sen", "fsm"]
    list_filter = ["looked_after", "has_social_worker", "sen", "fsm", "nc_year"]
    search_fields = ["upn", "legal_surname", "legal_forename", "preferred_name"]
    inlines = [EnrolmentInline]
    fieldsets = [
        (None, {"fields": ["upn", ("legal_forename", "legal_surname"), "preferred_name",
                           ("date_of_birth", "sex"), "nc_year"]}),
        ("Characteristics", {"fields": [("looked_after", "care_authority"),
                                        "previously_looked_after", "has_social_worker",
                                        "sen", "fsm"]}),
    ]

    def get_fieldsets(self, request, obj=None):
        if access.visible_fields(request.user) >= access.SENSITIVE_FIELDS:
            return self.fieldsets
        return self.fieldsets[:1]  # care, social-work and SEN/FSM details are need-to-know

    def get_list_display(self, request):
        readable = access.visible_fields(request.user)
        return [f for f in self.list_display if f in readable]

    def get_list_filter(self, request):
        readable = access.visible_fields(request.user)
        return [f for f in self.list_filter if f in readable]

    def get_search_fields(self, request):
        return self.search_fields if access.can(request.user, RecordKind.PUPIL, Action.SEARCH) else []


class RegisterYearInline(ViewOnly, admin.TabularInline):
    model = RegisterYear
    extra = 0
    fields = ["academic_year", "summary", "open_register"]
    readonly_fields = fields

    @admin.display(description="Figures")
    def summary(self, obj: RegisterYear) -> str:
        return _summary(obj)

    @admin.display(description="")
    def open_register(self, obj: RegisterYear) -> str:
        return format_html('<a href="../../registeryear/{}/change/">Open the register</a>', obj.pk)


@admin.register(Enrolment)
class EnrolmentAdmin(ScopedAdmin):
    enrolment_path = "pk"
    list_display = ["pupil", "school", "start", "end", "registration"]
    list_filter = ["registration", "school"]
    search_fields = ["pupil__upn", "pupil__legal_surname", "school__urn", "school__name"]
    autocomplete_fields = ["pupil", "school"]
    inlines = [RegisterYearInline]
    list_select_related = ["pupil", "school"]


def _summary(register: RegisterYear) -> str:
    marks = register.codes()[None, :]
    first = slots.year_start(register.academic_year)
    result = figures.compute(RegisterMatrix.one_row_per_unit(marks, first), first, slots.year_end(register.academic_year))
    possible = int(result.possible[0])
    if not possible:
        return "no possible sessions"
    return (
        f"{result.attendance_pct[0]:.1f}% attendance: {int(result.attended[0])} of {possible} "
        f"possible sessions; {int(result.authorised[0])} authorised and "
        f"{int(result.unauthorised[0])} unauthorised absences"
    )


class MarkChangeInline(ViewOnly, admin.TabularInline):
    model = MarkChange
    extra = 0
    fields = ["date", "session", "previous_code", "offered_code", "applied", "reason", "batch"]
    readonly_fields = fields


class MarkNoteInline(ViewOnly, admin.TabularInline):
    model = MarkNote
    extra = 0
    fields = ["date", "session", "minutes_late", "comment"]
    readonly_fields = fields

    @admin.display(description="Date")
    def date(self, obj: MarkNote):
        return slots.date_of(obj.register_year.academic_year, obj.slot)[0]

    @admin.display(description="Session")
    def session(self, obj: MarkNote):
        return slots.date_of(obj.register_year.academic_year, obj.slot)[1].value


@admin.register(RegisterYear)
class RegisterYearAdmin(ViewOnly, ScopedAdmin):
    record_kind = RecordKind.REGISTER
    enrolment_path = "enrolment"
    list_display = ["enrolment", "academic_year", "version"]
    list_filter = ["academic_year", "enrolment__school"]
    search_fields = ["enrolment__pupil__upn", "enrolment__pupil__legal_surname"]
    list_select_related = ["enrolment__pupil", "enrolment__school"]
    fields = ["enrolment", "academic_year", "version", "figures", "register"]
    readonly_fields = fields
    inlines = [MarkNoteInline, MarkChangeInline]

    class Media:
        css = {"all": ["registers/register.css"]}

    @admin.display(description="Figures for the year")
    def figures(self, obj: RegisterYear) -> str:
        return _summary(obj)

    @admin.display(description="Register")
    def register(self, obj: RegisterYear) -> str:
        calendar = obj.enrolment.school.calendar()
        weeks = weeks_of(
            obj.academic_year, obj.codes(), calendar.open_slots(obj.academic_year),
            today=timezone.localdate(),
        )
        return render_to_string(
            "registers/register_grid.html",
            {"weeks": weeks, "days": ["Mon", "Tue", "Wed", "Thu", "Fri"]},
        )


@admin.register(MarkBatch)
class MarkBatchAdmin(ViewOnly, AccountsAdmin):
    list_display = ["created_at", "source", "description", "created_by"]
    list_filter = ["source"]
    search_fields = ["description", "reason"]


@admin.register(MarkChange)
class MarkChangeAdmin(ViewOnly, ScopedAdmin):
    record_kind = RecordKind.REGISTER
    enrolment_path = "register_year__enrolment"
    list_display = ["register_year", "date", "session", "previous_code", "offered_code", "applied", "batch"]
    list_filter = ["applied"]
    list_select_related = ["register_year__enrolment__pupil", "register_year__enrolment__school", "batch"]
