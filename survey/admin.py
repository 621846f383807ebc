"""Admin: accounts, surveys and their members. Deliberately no response,
answer or pending-submission admin: nobody browses raw answers here."""

from django import forms
from django.contrib import admin

from survey.models import AuditEvent, Member, Survey


class SurveyForm(forms.ModelForm):
    class Meta:
        model = Survey
        fields = ["title", "min_group_size"]

    def clean_min_group_size(self):
        k = self.cleaned_data["min_group_size"]
        if self.instance.pk and k < self.instance.min_group_size_floor:
            raise forms.ValidationError(
                f"Once anyone has answered, the minimum group size can only be raised "
                f"(at least {self.instance.min_group_size_floor})."
            )
        return k


class MemberInline(admin.TabularInline):
    model = Member
    extra = 1
    autocomplete_fields = ["user"]


@admin.register(Survey)
class SurveyAdmin(admin.ModelAdmin):
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
                detail=f"in the admin\nminimum group size (k): {before} -> {obj.min_group_size}",
            )

    def has_add_permission(self, request):
        return False  # surveys come from definitions (load_survey) so they are validated


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["at", "survey", "user", "action", "detail"]
    list_filter = ["action"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
