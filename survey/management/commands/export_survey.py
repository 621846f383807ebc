import json
import sys

from django.core.management.base import BaseCommand

from survey.definitions.format import export_definition
from survey.definitions.xlsform import write_xlsform
from survey.management.base import survey_by_slug


class Command(BaseCommand):
    help = "Print a survey's definition as JSON, or as an XLSForm workbook (both loadable with load_survey)."

    def add_arguments(self, parser):
        parser.add_argument("slug")
        parser.add_argument("--format", choices=["json", "xlsform"], default="json")

    def handle(self, *args, slug, format, **options):
        document = export_definition(survey=survey_by_slug(slug))
        if format == "xlsform":  # the bytes themselves: `export_survey s --format xlsform > s.xlsx`
            getattr(self.stdout._out, "buffer", sys.stdout.buffer).write(write_xlsform(document))
            return
        self.stdout.write(json.dumps(document, indent=2, ensure_ascii=False))
