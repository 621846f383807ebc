"""Which organisation runs a survey: changed in the admin or by load_survey, audited in both lists."""

from django.contrib.auth.models import User
from django.db import transaction

from survey.models import AuditEvent, Organisation, Survey


def record_survey_moved(*, survey: Survey, before: Organisation | None, acting_user: User | None, where: str) -> None:
    """One audit event in the survey's list and in each organisation's (who organises it changed)."""
    detail = f"{where}\nOrganisation: {before or 'none'} → {survey.organisation or 'none'}"
    AuditEvent.objects.bulk_create(
        AuditEvent(
            survey=survey,
            organisation=organisation,
            user=acting_user,
            action=AuditEvent.Action.SURVEY_ORGANISATION_CHANGED,
            detail=detail,
        )
        for organisation in sorted({before, survey.organisation} - {None}, key=lambda o: o.pk)
    )


@transaction.atomic
def move_survey(*, survey: Survey, organisation: Organisation | None, acting_user: User | None, where: str) -> bool:
    """Let ``organisation`` run ``survey`` (its organisers organise it from now on).
    Returns whether anything changed; a change is audited."""
    before = Survey.objects.select_for_update().get(pk=survey.pk).organisation
    if before == organisation:
        return False
    Survey.objects.filter(pk=survey.pk).update(organisation=organisation)
    survey.organisation = organisation
    record_survey_moved(survey=survey, before=before, acting_user=acting_user, where=where)
    return True
