"""An organisation's page: its people, its surveys and the changes to it."""

from django.shortcuts import render
from django.views.decorators.http import require_GET

from survey.models import Organisation
from survey.staff.permissions import organisation_member_required
from survey.web.audit import audit_rows


@require_GET
@organisation_member_required
def organisation_detail(request, organisation: Organisation):
    context = {
        "organisation": organisation,
        "members": organisation.members.select_related("user").order_by("role", "user__username"),
        "surveys": organisation.surveys.order_by("title"),
        "rows": audit_rows(organisation.audit.select_related("user")[:50]),
    }
    return render(request, "survey/console/organisation.html", context)
