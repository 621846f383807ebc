"""Admin: accounts, surveys and their members. Deliberately no response,
answer, comment-review or pending-submission admin: nobody browses raw
answers or comments here, so no admin page is a reading to audit.

Every change made here is audited like a console action (AuditedAdmin)."""

import json

from django import forms
from django.contrib import admin
from django.contrib.admin.models import LogEntry

from survey.models import AuditEvent, Member, Organisation, OrganisationMember, Survey
from survey.staff.organisations import record_survey_moved


def _change_text(message) -> str:
    """The admin's change message (a list of added/changed/deleted parts,
    inline edits included) as the admin's history page words it."""
    return LogEntry(change_message=json.dumps(message) if isinstance(message, list) else message).get_change_message()


def _survey_of(obj) -> Survey | None:
    return obj if isinstance(obj, Survey) else getattr(obj, "survey", None)


def _organisation_of(obj) -> Organisation | None:
    return obj if isinstance(obj, Organisation) else getattr(obj, "organisation", None)


class AuditedAdmin(admin.ModelAdmin):
    """Writes an AuditEvent for every add, change (with its inline edits) and
    delete, beside Django's own LogEntry: a superuser's changes (a member
    added, k lowered, a survey reopened) appear in the survey's audit list
    like anyone else's. The admin calls these hooks for every save and
    delete, single or bulk."""

    # The audit action of each kind of change; a model's admin may name its own.
    audit_actions = {
        "added": AuditEvent.Action.ADMIN_ADDED,
        "changed": AuditEvent.Action.ADMIN_CHANGED,
        "deleted": AuditEvent.Action.ADMIN_DELETED,
    }

    def _audit(self, request, change, obj, text, survey):
        what = f"{obj._meta.verbose_name} {obj}"
        AuditEvent.objects.create(
            survey=survey,
            organisation=_organisation_of(obj),
            user=request.user,
            action=self.audit_actions[change],
            detail=f"{what}: {text}" if text else what,
        )

    def log_addition(self, request, obj, message):
        self._audit(request, "added", obj, _change_text(message), _survey_of(obj))
        return super().log_addition(request, obj, message)

    def log_change(self, request, obj, message):
        self._audit(request, "changed", obj, _change_text(message), _survey_of(obj))
        return super().log_change(request, obj, message)

    def log_deletions(self, request, queryset):
        for obj in queryset:
            # A deleted survey would take its own events with it: record this one without it.
            survey = None if isinstance(obj, Survey) else _survey_of(obj)
            self._audit(request, "deleted", obj, "", survey)
        return super().log_deletions(request, queryset)


class SurveyForm(forms.ModelForm):
    class Meta:
        model = Survey
        fields = ["title", "organisation", "min_group_size"]

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
    list_display = ["slug", "title", "organisation", "status", "access", "min_group_size"]
    fields = ["slug", "title", "organisation", "status", "access", "min_group_size"]
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
        if change and "organisation" in form.changed_data:
            # Who organises the survey changes with its organisation: said in both audit lists.
            before = Organisation.objects.filter(pk=form.initial.get("organisation")).first()
            record_survey_moved(survey=obj, before=before, acting_user=request.user, where="In the admin")

    def has_add_permission(self, request):
        return False  # surveys come from definitions (load_survey) so they are validated


class OrganisationMemberInline(admin.TabularInline):
    model = OrganisationMember
    extra = 1
    autocomplete_fields = ["user"]


@admin.register(Organisation)
class OrganisationAdmin(AuditedAdmin):
    """Admins create organisations and name their owners and organisers.
    Each member added, re-roled or removed is its own audit event, listed on
    the organisation's page and on each of its surveys' audit lists."""

    list_display = ["name", "slug"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [OrganisationMemberInline]
    audit_actions = {
        "added": AuditEvent.Action.ORGANISATION_CREATED,
        "changed": AuditEvent.Action.ORGANISATION_CHANGED,
        "deleted": AuditEvent.Action.ORGANISATION_DELETED,
    }

    def save_formset(self, request, form, formset, change):
        # Read from the database: the formset's own instances already hold the new roles
        # (and a deleted one has no id left); one person is in an organisation once.
        stored = OrganisationMember.objects.filter(organisation=form.instance)
        before = {m.user_id: m.get_role_display().lower() for m in stored}
        super().save_formset(request, form, formset, change)
        added = AuditEvent.Action.ORGANISATION_MEMBER_ADDED
        events = [(added, m, m.get_role_display().lower()) for m in formset.new_objects]
        events += [
            (AuditEvent.Action.ORGANISATION_MEMBER_CHANGED, m, f"{before[m.user_id]} → {m.get_role_display().lower()}")
            for m, fields in formset.changed_objects
            if "role" in fields
        ]
        events += [
            (AuditEvent.Action.ORGANISATION_MEMBER_REMOVED, m, before[m.user_id]) for m in formset.deleted_objects
        ]
        AuditEvent.objects.bulk_create(
            AuditEvent(
                organisation=form.instance,
                user=request.user,
                action=action,
                detail=f"In the admin\n{member.user.get_username()}: {role}",
            )
            for action, member, role in events
        )

    def has_delete_permission(self, request, obj=None):
        # Deleting would orphan its surveys' organisers: only an organisation with no surveys goes.
        return super().has_delete_permission(request, obj) and not (obj and obj.surveys.exists())


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
