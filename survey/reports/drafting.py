"""Editing what the next report version contains (audited). Actions, updates
and help routes live in the ledger (``survey/reports/ledger.py``)."""

from django.contrib.auth.models import User
from django.db import transaction

from survey.models import AuditEvent, ReportSettings, Survey


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
) -> None:
    """Store the report's narrative and choices (``translations`` holds the
    title and narrative in the survey's other languages)."""
    ReportSettings.objects.update_or_create(
        survey=survey,
        defaults={
            "title": title,
            "narrative": narrative,
            "concerns": concerns,
            "breakdowns": breakdowns,
            "questions": questions,
            "translations": translations or {},
        },
    )
    AuditEvent.objects.create(survey=survey, user=acting_user, action=AuditEvent.Action.REPORT_SETTINGS_CHANGED)
