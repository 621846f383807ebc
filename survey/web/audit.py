"""Audit lists: every staff change, in words, newest first."""

from django.db.models import Q
from django.shortcuts import render
from django.views.decorators.http import require_GET

from survey.models import AuditEvent, Member, Survey
from survey.staff.permissions import member_required


def audit_rows(events) -> list[dict]:
    return [{"event": e, "lines": [line for line in e.detail.splitlines() if line.strip()]} for e in events]


@require_GET
@member_required(Member.Role.ORGANISER)
def audit_list(request, survey: Survey):
    # A change to the survey's organisation (its organisers) changes who runs the survey: listed here too.
    mine = Q(survey=survey)
    if survey.organisation_id:
        mine |= Q(survey=None, organisation_id=survey.organisation_id)
    events = AuditEvent.objects.filter(mine).select_related("user")[:200]
    return render(request, "survey/console/audit.html", {"survey": survey, "rows": audit_rows(events)})
