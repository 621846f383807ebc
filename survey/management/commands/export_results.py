import json

from django.core.management.base import BaseCommand

from survey.figures.documents import results_csv
from survey.figures.releases import released_document, show
from survey.management.base import survey_by_slug
from survey.models import Release


class Command(BaseCommand):
    help = "Print a survey's released results (what organisers see) as JSON or CSV."

    def add_arguments(self, parser):
        parser.add_argument("slug")
        parser.add_argument("--format", choices=["json", "csv"], default="json")

    def handle(self, *args, slug, format, **options):
        survey = survey_by_slug(slug)
        # Only released figures ever leave the system: the live ones may differ
        # from the last release by fewer than k respondents (issue finding 6);
        # while the survey is open that is the number of respondents alone.
        document = released_document(survey=survey)
        if document["concerns"] or document["questions"]:
            show(survey=survey, audience=Release.Audience.COMMAND, document=document)  # already audited: recorded
        if format == "json":
            self.stdout.write(json.dumps(document, indent=2, ensure_ascii=False))
        else:
            self.stdout.write(results_csv(document), ending="")
