from django.core.management.base import CommandError

from survey.models import Survey


def survey_by_slug(slug: str) -> Survey:
    survey = Survey.objects.filter(slug=slug).first()
    if survey is None:
        raise CommandError(f'no survey "{slug}"')
    return survey
