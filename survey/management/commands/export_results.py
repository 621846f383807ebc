import json

from django.core.management.base import BaseCommand

from survey.figures.documents import released_document, results_csv
from survey.management.base import survey_by_slug


class Command(BaseCommand):
    help = "Print a survey's released results (what organisers see) as JSON or CSV."

    def add_arguments(self, parser):
        parser.add_argument("slug")
        parser.add_argument("--format", choices=["json", "csv"], default="json")

    def handle(self, *args, slug, format, **options):
        survey = survey_by_slug(slug)
        # Only released figures ever leave the system: the live ones may differ
        # from the last release by fewer than k respondents (issue finding 6).
        document = released_document(survey=survey)
        if format == "json":
            self.stdout.write(json.dumps(document, indent=2, ensure_ascii=False))
        else:
            self.stdout.write(results_csv(document), ending="")
