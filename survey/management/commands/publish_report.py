from django.core.management.base import BaseCommand, CommandError

from survey.management.base import acting_organiser, survey_by_slug
from survey.reports.publishing import PublishRefused, publish_report


class Command(BaseCommand):
    help = "Publish a new report version by the console's rules; exits non-zero with the reason when refused."

    def add_arguments(self, parser):
        parser.add_argument("slug")
        parser.add_argument("--note", default="")
        parser.add_argument("--as", dest="username", required=True, help="an organiser of the survey")

    def handle(self, *args, slug, note, username, **options):
        survey = survey_by_slug(slug)
        user = acting_organiser(survey, username)
        try:
            report = publish_report(survey=survey, acting_user=user, note=note)
        except PublishRefused as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"Version {report.number} of the report is published.")
