from django.core.management.base import CommandError

from survey.models import Survey


def survey_by_slug(slug: str) -> Survey:
    survey = Survey.objects.filter(slug=slug).first()
    if survey is None:
        raise CommandError(f'no survey "{slug}"')
    return survey


def acting_organiser(survey: Survey, username: str | None):
    """The staff member a command acts as (--as USERNAME): an organiser of the
    survey, exactly as the console requires, so the audit trail names a person."""
    from django.contrib.auth import get_user_model

    from survey.staff.permissions import is_organiser

    if not username:
        raise CommandError("say who is acting: --as USERNAME (an organiser of the survey)")
    user = get_user_model().objects.filter(username=username, is_active=True).first()
    if user is None or not is_organiser(user, survey):
        raise CommandError(f'"{username}" is not an organiser of survey "{survey.slug}"')
    return user
