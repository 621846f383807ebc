from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from survey.definitions.format import (
    DefinitionError,
    builtin_definitions,
    load_definition,
    parse_definition,
    validate_definition,
)
from survey.definitions.xlsform import read_xlsform
from survey.moderation import safeguarding


class Command(BaseCommand):
    help = "Create or update a survey from a JSON definition or an XLSForm .xlsx (refused whole on error)."

    def add_arguments(self, parser):
        parser.add_argument("file", help=f"a JSON file, or a built-in template: {', '.join(builtin_definitions())}")

    def handle(self, *args, file, **options):
        path = builtin_definitions().get(file) or Path(file)
        xlsform = path.suffix.lower() == ".xlsx"  # an XLSForm (ODK, KoboToolbox)
        try:
            content = path.read_bytes() if xlsform else path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"cannot read {file}: {exc}") from None
        try:
            if xlsform:
                definition = validate_definition(read_xlsform(content, fallback_slug=path.stem))
            else:
                definition = parse_definition(content)
            survey = load_definition(definition=definition)
        except DefinitionError as exc:
            raise CommandError(f"{file}: {exc}") from None
        self.stdout.write(f"Loaded survey {survey.slug!r} ({survey.questions.count()} questions).")
        if survey.status == survey.Status.DRAFT and (refusal := safeguarding.opening_refusal(survey)):
            self.stdout.write(f"It is a draft and has not opened: {refusal}")
