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
            # newline="": the CSV reader, not the file, decides what ends a row,
            # so a carriage return inside a quoted answer stays as written.
            with Path(file).open(encoding="utf-8-sig", newline="") as f:
                text = f.read()
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"cannot read {file}: {exc}") from None
        try:
            count = import_responses(survey=survey, text=text)
        except CsvImportError as exc:
            raise CommandError(f"{file}: {exc}; nothing was imported") from None
        self.stdout.write(f"Imported {count} responses into {slug!r}.")
