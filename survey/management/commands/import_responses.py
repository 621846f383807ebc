from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from survey.management.base import survey_by_slug
from survey.responses.importing import CsvImportError, import_responses


class Command(BaseCommand):
    help = "Add responses from a CSV file: all rows validated first, all or nothing."

    def add_arguments(self, parser):
        parser.add_argument("slug")
        parser.add_argument("file")

    def handle(self, *args, slug, file, **options):
        survey = survey_by_slug(slug)
        try:
            text = Path(file).read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"cannot read {file}: {exc}") from None
        try:
            count = import_responses(survey=survey, text=text)
        except CsvImportError as exc:
            raise CommandError(f"{file}: {exc}; nothing was imported") from None
        self.stdout.write(f"Imported {count} responses into {slug!r}.")
