"""Editing what the next report version contains (actions, audited)."""

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from survey.models import ActionUpdate, AuditEvent, Concern, ConcernAction, ReportSettings, Survey


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
    actions: dict[str, dict],
    translations: dict | None = None,
) -> None:
    """Store the report's narrative, choices and per-concern actions
    (``translations``, and each action's, hold the survey's other languages)."""
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
    for concern in Concern.objects.filter(survey=survey, key__in=list(actions)):
        ConcernAction.objects.update_or_create(concern=concern, defaults=actions[concern.key])
    AuditEvent.objects.create(survey=survey, user=acting_user, action=AuditEvent.Action.REPORT_SETTINGS_CHANGED)


@transaction.atomic
def add_action_update(
    *, survey: Survey, acting_user: User, concern_key: str, text: str, translations: dict | None = None
) -> ActionUpdate:
    """Record a "you said, we did" update; it appears in the next version."""
    concern = Concern.objects.get(survey=survey, key=concern_key)
    action, _ = ConcernAction.objects.get_or_create(concern=concern)
    update = ActionUpdate.objects.create(
        action=action, text=text, translations=translations or {}, posted_on=timezone.localdate()
    )
    AuditEvent.objects.create(
        survey=survey, user=acting_user, action=AuditEvent.Action.REPORT_UPDATE_ADDED, detail=concern_key
    )
    return update
