"""The audit list of a survey: every staff change, in words, newest first."""

from django.shortcuts import render
from django.views.decorators.http import require_GET

from survey.models import AuditEvent, Member, Survey
from survey.staff.permissions import member_required


@require_GET
@member_required(Member.Role.ORGANISER)
def audit_list(request, survey: Survey):
    events = AuditEvent.objects.filter(survey=survey).select_related("user")[:200]
    rows = [{"event": e, "lines": [line for line in e.detail.splitlines() if line.strip()]} for e in events]
    return render(request, "survey/console/audit.html", {"survey": survey, "rows": rows})
