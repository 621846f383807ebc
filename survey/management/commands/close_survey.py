from django.core.management.base import BaseCommand, CommandError

from survey.definitions.status import StatusRefused, set_status
from survey.management.base import acting_organiser, survey_by_slug
from survey.models import Survey


class Command(BaseCommand):
    help = "Close a survey exactly as the console's Close button does (final; releases the figures)."

    def add_arguments(self, parser):
        parser.add_argument("slug")
        parser.add_argument("--as", dest="username", required=True, help="an organiser of the survey")

    def handle(self, *args, slug, username, **options):
        survey = survey_by_slug(slug)
        user = acting_organiser(survey, username)
        try:
            set_status(survey=survey, acting_user=user, status=Survey.Status.CLOSED)
        except StatusRefused as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"{slug} is closed.")
