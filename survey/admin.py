"""Admin: accounts, surveys and their members. Deliberately no response,
answer, comment-review or pending-submission admin: nobody browses raw
answers or comments here, so no admin page is a reading to audit.

Every change made here is audited like a console action (AuditedAdmin)."""

import json

from django import forms
from django.contrib import admin
from django.contrib.admin.models import LogEntry

from survey.models import AuditEvent, Member, Survey


def _change_text(message) -> str:
    """The admin's change message (a list of added/changed/deleted parts,
    inline edits included) as the admin's history page words it."""
    return LogEntry(change_message=json.dumps(message) if isinstance(message, list) else message).get_change_message()


def _survey_of(obj) -> Survey | None:
    return obj if isinstance(obj, Survey) else getattr(obj, "survey", None)


class AuditedAdmin(admin.ModelAdmin):
    """Writes an AuditEvent for every add, change (with its inline edits) and
    delete, beside Django's own LogEntry: a superuser's changes (a member
    added, k lowered, a survey reopened) appear in the survey's audit list
    like anyone else's. The admin calls these hooks for every save and
    delete, single or bulk."""

    def _audit(self, request, action, obj, text, survey):
        what = f"{obj._meta.verbose_name} {obj}"
        AuditEvent.objects.create(
            survey=survey, user=request.user, action=action, detail=f"{what}: {text}" if text else what
        )

    def log_addition(self, request, obj, message):
        self._audit(request, AuditEvent.Action.ADMIN_ADDED, obj, _change_text(message), _survey_of(obj))
        return super().log_addition(request, obj, message)

    def log_change(self, request, obj, message):
        self._audit(request, AuditEvent.Action.ADMIN_CHANGED, obj, _change_text(message), _survey_of(obj))
        return super().log_change(request, obj, message)

    def log_deletions(self, request, queryset):
        for obj in queryset:
            # A deleted survey would take its own events with it: record this one without it.
            survey = None if isinstance(obj, Survey) else _survey_of(obj)
            self._audit(request, AuditEvent.Action.ADMIN_DELETED, obj, "", survey)
        return super().log_deletions(request, queryset)


class SurveyForm(forms.ModelForm):
    class Meta:
        model = Survey
        fields = ["title", "min_group_size"]

    def clean_min_group_size(self):
        k = self.cleaned_data["min_group_size"]
        # The floor is set when responses are mixed in; submissions still
        # waiting count as answers too.
        held = self.instance.min_group_size if self.instance.pk and self.instance.has_answers() else 0
        if self.instance.pk and k < max(self.instance.min_group_size_floor, held):
            raise forms.ValidationError(
                f"Once anyone has answered, the minimum group size can only be raised "
                f"(at least {max(self.instance.min_group_size_floor, held)})."
            )
        return k


class MemberInline(admin.TabularInline):
    model = Member
    extra = 1
    autocomplete_fields = ["user"]


@admin.register(Survey)
class SurveyAdmin(AuditedAdmin):
    list_display = ["slug", "title", "status", "access", "min_group_size"]
    fields = ["slug", "title", "status", "access", "min_group_size"]
    # The status changes only through the console (set_status: audited, and
    # closing is final); k only upwards once anyone has answered, audited.
    readonly_fields = ["slug", "access", "status"]
    form = SurveyForm
    inlines = [MemberInline]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and "min_group_size" in form.changed_data:
            if obj.has_answers():
                Survey.hold_min_group_size(obj.pk)
            before = form.initial["min_group_size"]
            AuditEvent.objects.create(
                survey=obj,
                user=request.user,
                action=AuditEvent.Action.SURVEY_UPDATED,
                detail=f"In the admin\nMinimum group size (k): {before} → {obj.min_group_size}",
            )

    def has_add_permission(self, request):
        return False  # surveys come from definitions (load_survey) so they are validated


@admin.register(AuditEvent)
class AuditEventAdmin(AuditedAdmin):
    list_display = ["at", "survey", "user", "action", "detail"]
    list_filter = ["action"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# Apps' own admins (accounts, groups, two-factor devices, sign-in lockouts)
# were registered before this module ran (survey comes last in
# INSTALLED_APPS): give each the same auditing.
for _model, _model_admin in list(admin.site._registry.items()):
    if not isinstance(_model_admin, AuditedAdmin):
        admin.site.unregister(_model)
        admin.site.register(
            _model, type(f"Audited{type(_model_admin).__name__}", (AuditedAdmin, type(_model_admin)), {})
        )
