"""Admin: accounts, surveys and their members. Deliberately no response,
answer or pending-submission admin: nobody browses raw answers here."""

from django.contrib import admin

from survey.models import AuditEvent, Member, Survey


class MemberInline(admin.TabularInline):
    model = Member
    extra = 1
    autocomplete_fields = ["user"]


@admin.register(Survey)
class SurveyAdmin(admin.ModelAdmin):
    list_display = ["slug", "title", "status", "access", "min_group_size"]
    fields = ["slug", "title", "status", "access", "min_group_size"]
    readonly_fields = ["slug", "access"]
    inlines = [MemberInline]

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
