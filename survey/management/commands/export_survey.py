import json

from django.core.management.base import BaseCommand

from survey.definitions.format import export_definition
from survey.management.base import survey_by_slug


class Command(BaseCommand):
    help = "Print a survey's definition as JSON (loadable with load_survey)."

    def add_arguments(self, parser):
        parser.add_argument("slug")

    def handle(self, *args, slug, **options):
        survey = survey_by_slug(slug)
        self.stdout.write(json.dumps(export_definition(survey=survey), indent=2, ensure_ascii=False))
