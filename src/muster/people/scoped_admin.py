"""Admin screens that ask the scoping layer, not Django's model permissions, what a user may do.

Superusers get no exception for children's records: a role is needed (issue "People, roles and
trust": no view, export or search may bypass the scoping layer). Deleting a child's record is
never done from a screen; retention rules do it (muster.records).
"""

from __future__ import annotations

from django.contrib import admin

from muster.audit.log import record_request_event
from muster.audit.models import Action as AuditAction
from muster.core.roles import Action, RecordKind
from muster.people import access


class ScopedAdmin(admin.ModelAdmin):
    """For models that belong to a pupil. `pupil_path` (to the pupil's pk) or `enrolment_path`
    (to the enrolment's pk: a school sees its own registers) says how a row reaches its pupil."""

    record_kind: RecordKind = RecordKind.PUPIL
    pupil_path: str = "pupil"
    enrolment_path: str | None = None

    def scoped(self, request, queryset, action: Action = Action.LIST):
        if self.enrolment_path is not None:
            allowed = access.enrolments_visible_to(request.user, action, self.record_kind)
            return queryset.filter(**{f"{self.enrolment_path}__in": allowed.values("pk")})
        allowed = access.pupils_visible_to(request.user, action, self.record_kind)
        return queryset.filter(**{f"{self.pupil_path}__in": allowed.values("pk")})

    def get_queryset(self, request):
        return self.scoped(request, super().get_queryset(request))

    def has_module_permission(self, request):
        return access.can(request.user, self.record_kind, Action.LIST)

    def has_view_permission(self, request, obj=None):
        if obj is None:
            return access.can(request.user, self.record_kind, Action.LIST)
        return self._in_scope(request, obj, Action.VIEW)

    def has_change_permission(self, request, obj=None):
        if not access.can(request.user, self.record_kind, Action.CHANGE):
            return False
        return obj is None or self._in_scope(request, obj, Action.CHANGE)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def _in_scope(self, request, obj, action: Action) -> bool:
        return self.scoped(request, self.model.objects.filter(pk=obj.pk), action).exists()

    # Every look at a child's record, every list and search of them, and every change is on
    # record (issue "People, roles and trust", Audit).

    def pupil_of(self, obj) -> int | None:
        if self.enrolment_path is not None:
            path = "pupil_id" if self.enrolment_path == "pk" else f"{self.enrolment_path}__pupil_id"
        else:
            path = "pk" if self.pupil_path == "pk" else f"{self.pupil_path}_id"
        return self.model.objects.filter(pk=obj.pk).values_list(path, flat=True).first()

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        if request.method == "GET" and response.status_code == 200:
            obj = self.model.objects.filter(pk=object_id).first()
            record_request_event(
                request, action=AuditAction.VIEW, record_kind=self.record_kind.value,
                record_id=object_id, pupil_id=self.pupil_of(obj) if obj else None,
                summary=f"Opened {self.model._meta.verbose_name} {obj}"[:300],
            )
        return response

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        if response.status_code == 200:
            query = request.GET.get("q", "")
            filters = {k: v for k, v in request.GET.items() if k not in ("q", "p", "o")}
            record_request_event(
                request, action=AuditAction.SEARCH if query else AuditAction.LIST,
                record_kind=self.record_kind.value,
                summary=f"Listed {self.model._meta.verbose_name_plural}"
                + (f" matching {query!r}" if query else "") + (f" filtered by {filters}" if filters else ""),
            )
        return response

    def save_model(self, request, obj, form, change):
        before = {f: str(form.initial.get(f, "")) for f in form.changed_data}
        super().save_model(request, obj, form, change)
        record_request_event(
            request, action=AuditAction.CHANGE if change else AuditAction.CREATE,
            record_kind=self.record_kind.value, record_id=obj.pk, pupil_id=self.pupil_of(obj),
            summary=f"Changed {', '.join(form.changed_data)}"[:300],
            before=before, after={f: str(form.cleaned_data.get(f, "")) for f in form.changed_data},
        )


class AccountsAdmin(admin.ModelAdmin):
    """Staff accounts, roles and allocations: the administrator's work."""

    def has_module_permission(self, request):
        return access.can(request.user, RecordKind.ACCOUNTS, Action.LIST) or request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return access.can(request.user, RecordKind.ACCOUNTS, Action.VIEW) or request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return access.can(request.user, RecordKind.ACCOUNTS, Action.CHANGE) or request.user.is_superuser

    has_add_permission = has_change_permission
    has_delete_permission = has_change_permission


class ConfigurationAdmin(admin.ModelAdmin):
    """Local authorities, schools and calendars: every member of staff may look them up; the
    administrator keeps them right."""

    def _staff(self, request) -> bool:
        return bool(access.assignments(request.user)) or request.user.is_superuser

    def has_module_permission(self, request):
        return self._staff(request)

    def has_view_permission(self, request, obj=None):
        return self._staff(request)

    def has_change_permission(self, request, obj=None):
        return access.can(request.user, RecordKind.ACCOUNTS, Action.CHANGE) or request.user.is_superuser

    has_add_permission = has_change_permission

    def has_delete_permission(self, request, obj=None):
        return False
