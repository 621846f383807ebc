"""Editing what the next report version contains (audited). Actions, updates
and help routes live in the ledger (``survey/reports/ledger.py``)."""

from django.contrib.auth.models import User
from django.db import transaction

from survey.models import AuditEvent, ReportSettings, Survey
from survey.moderation.decisions import approved_quotes


@transaction.atomic
def save_report_settings(
    *,
    survey: Survey,
    acting_user: User,
    title: str,
    narrative: str,
    concerns: list[str],
    breakdowns: list[str],
    questions: list[str],
    translations: dict | None = None,
    quotes: list[str] | None = None,
) -> None:
    """Store the report's narrative and choices (``translations`` holds the
    title and narrative in the survey's other languages). ``quotes``: the
    answer ids of the approved quotes to include (none when empty); ids that
    are not approved quotes of this survey are dropped."""
    approved = {str(pk) for pk in approved_quotes(survey=survey).values_list("answer_id", flat=True)}
    ReportSettings.objects.update_or_create(
        survey=survey,
        defaults={
            "title": title,
            "narrative": narrative,
            "concerns": concerns,
            "breakdowns": breakdowns,
            "questions": questions,
            "translations": translations or {},
            "quotes": [q for q in quotes or [] if q in approved],
        },
    )
    AuditEvent.objects.create(survey=survey, user=acting_user, action=AuditEvent.Action.REPORT_SETTINGS_CHANGED)
