"""Opening and closing surveys: by hand, or by beat at their scheduled times."""

from datetime import datetime

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from survey.definitions.editing import plain_fault
from survey.definitions.format import DefinitionError, export_definition, pulse_opening_refusal, validate_definition
from survey.figures.aggregate import release_at_closing
from survey.models import AuditEvent, Survey
from survey.moderation import safeguarding
from survey.refused import Refused

# --- Opening and closing ------------------------------------------------------


class StatusRefused(Refused):
    pass


CLOSED_IS_FINAL = (
    "A closed survey stays closed: its figures were released once, at closing, and reopening it would let "
    "two sets of figures a few responses apart be compared. To ask again, start a new survey from its definition."
)


_STATUS_ACTIONS = {
    Survey.Status.OPEN: AuditEvent.Action.SURVEY_OPENED,
    Survey.Status.CLOSED: AuditEvent.Action.SURVEY_CLOSED,
    Survey.Status.DRAFT: AuditEvent.Action.SURVEY_BACK_TO_DRAFT,
}


@transaction.atomic
def set_status(*, survey: Survey, acting_user: User, status: str) -> Survey:
    """Open, close or return a survey to draft, as far as its state allows.

    Opening needs a whole definition; back to draft only before any answer.
    A manual change clears the scheduled time it would overtake.
    """
    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    if survey.status == Survey.Status.CLOSED and status != Survey.Status.CLOSED:
        # Closing is final: reopening and publishing again would give two
        # versions a few responses apart (issue finding 4).
        raise StatusRefused(CLOSED_IS_FINAL)
    if status == Survey.Status.OPEN:
        document = export_definition(survey=survey)
        try:
            validate_definition(document)
        except DefinitionError as exc:
            raise StatusRefused(f"The survey is not ready to open. {plain_fault(exc, document)}.") from None
        if refusal := safeguarding.opening_refusal(survey):
            raise StatusRefused(refusal)
        if refusal := pulse_opening_refusal(survey):
            raise StatusRefused(refusal)
        survey.opens_at = None
    elif status == Survey.Status.CLOSED:
        survey.closes_at = None
    elif status == Survey.Status.DRAFT:
        if survey.has_answers():
            raise StatusRefused("A survey that has answers cannot go back to draft; close it instead.")
    else:
        raise StatusRefused(f"Unknown state {status!r}.")
    survey.status = status
    survey.save(update_fields=["status", "opens_at", "closes_at"])
    if status == Survey.Status.CLOSED:
        transaction.on_commit(lambda: release_at_closing(survey_id=survey.pk))
    AuditEvent.objects.create(survey=survey, user=acting_user, action=_STATUS_ACTIONS[status])
    return survey


@transaction.atomic
def schedule(*, survey: Survey, acting_user: User, opens_at: datetime | None, closes_at: datetime | None) -> None:
    if Survey.objects.filter(pk=survey.pk, status=Survey.Status.CLOSED).exists():
        raise StatusRefused(CLOSED_IS_FINAL)
    if opens_at and closes_at and closes_at <= opens_at:
        raise StatusRefused("The closing time must come after the opening time.")
    if opens_at and survey.status == Survey.Status.DRAFT and (refusal := safeguarding.opening_refusal(survey)):
        raise StatusRefused(refusal)
    Survey.objects.filter(pk=survey.pk).update(opens_at=opens_at, closes_at=closes_at)
    AuditEvent.objects.create(
        survey=survey,
        user=acting_user,
        action=AuditEvent.Action.SURVEY_SCHEDULED,
        detail=f"opens {_when(opens_at)}, closes {_when(closes_at)}",
    )


def _when(moment: datetime | None) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else "by hand"


def apply_schedule(*, now: datetime | None = None) -> None:
    """Beat: open drafts whose opening time has come, close open surveys whose
    closing time has. Each survey is claimed by a conditional update."""
    now = now or timezone.now()
    for survey in Survey.objects.filter(status=Survey.Status.DRAFT, opens_at__lte=now):
        with transaction.atomic():
            try:
                validate_definition(export_definition(survey=survey))
                if refusal := safeguarding.opening_refusal(survey) or pulse_opening_refusal(survey):
                    raise StatusRefused(refusal)
            except (DefinitionError, StatusRefused) as exc:
                if Survey.objects.filter(pk=survey.pk, opens_at=survey.opens_at).update(opens_at=None):
                    AuditEvent.objects.create(
                        survey=survey, action=AuditEvent.Action.SURVEY_OPEN_FAILED, detail=str(exc)
                    )
                continue
            claimed = Survey.objects.filter(pk=survey.pk, status=Survey.Status.DRAFT, opens_at__lte=now).update(
                status=Survey.Status.OPEN, opens_at=None
            )
            if claimed:
                AuditEvent.objects.create(
                    survey=survey, action=AuditEvent.Action.SURVEY_OPENED, detail="at its scheduled time"
                )
    for survey in Survey.objects.filter(status=Survey.Status.OPEN, closes_at__lte=now):
        with transaction.atomic():
            claimed = Survey.objects.filter(pk=survey.pk, status=Survey.Status.OPEN, closes_at__lte=now).update(
                status=Survey.Status.CLOSED, closes_at=None
            )
            if claimed:
                AuditEvent.objects.create(
                    survey=survey, action=AuditEvent.Action.SURVEY_CLOSED, detail="at its scheduled time"
                )
                transaction.on_commit(lambda pk=survey.pk: release_at_closing(survey_id=pk))
