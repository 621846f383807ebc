from django.core.management.base import BaseCommand, CommandError

from survey.figures.aggregate import compute_results
from survey.management.base import survey_by_slug
from survey.responses.mixing import mix_pending_submissions


class Command(BaseCommand):
    help = "Move waiting submissions in, then compute a survey's results now."

    def add_arguments(self, parser):
        parser.add_argument("slug")

    def handle(self, *args, slug, **options):
        survey = survey_by_slug(slug)
        while mix_pending_submissions(force=True):
            pass
        if not compute_results(survey_id=survey.pk):
            raise CommandError("another aggregation of this survey is running; try again when it has finished")
        self.stdout.write(f"Results of {slug!r} computed.")
