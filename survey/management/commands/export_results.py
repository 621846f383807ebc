import json

from django.core.management.base import BaseCommand

from survey.figures.documents import results_csv, results_document
from survey.management.base import survey_by_slug


class Command(BaseCommand):
    help = "Print a survey's suppressed results as JSON or CSV."

    def add_arguments(self, parser):
        parser.add_argument("slug")
        parser.add_argument("--format", choices=["json", "csv"], default="json")

    def handle(self, *args, slug, format, **options):
        survey = survey_by_slug(slug)
        document = results_document(survey=survey)
        if format == "json":
            self.stdout.write(json.dumps(document, indent=2, ensure_ascii=False))
        else:
            self.stdout.write(results_csv(document), ending="")
