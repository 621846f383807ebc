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
from survey.models import Organisation
from survey.moderation import safeguarding
from survey.staff.organisations import move_survey


def _check_first_partner(definition, owner: Organisation | None) -> None:
    """A joint survey's first partner runs it (docs/partners.md): say so with --organisation."""
    if definition.partners is None:
        return
    first = definition.partners.partners[0].organisation
    if owner is None or owner.slug != first:
        raise DefinitionError(
            "partners.partners[0].organisation",
            f'the first partner, "{first}", runs a joint survey: load it with --organisation {first}',
        )


class Command(BaseCommand):
    help = "Create or update a survey from a JSON definition or an XLSForm .xlsx (refused whole on error)."

    def add_arguments(self, parser):
        parser.add_argument("file", help=f"a JSON file, or a built-in template: {', '.join(builtin_definitions())}")
        parser.add_argument(
            "--organisation", metavar="SLUG", help="the organisation that runs the survey (made in the admin)"
        )

    def handle(self, *args, file, organisation=None, **options):
        owner = None
        if organisation:
            owner = Organisation.objects.filter(slug=organisation).first()
            if owner is None:
                raise CommandError(f'there is no organisation "{organisation}": an admin creates it first')
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
            _check_first_partner(definition, owner)
            survey = load_definition(definition=definition)
        except DefinitionError as exc:
            raise CommandError(f"{file}: {exc}") from None
        self.stdout.write(f"Loaded survey {survey.slug!r} ({survey.questions.count()} questions).")
        if owner and move_survey(survey=survey, organisation=owner, acting_user=None, where="By load_survey"):
            self.stdout.write(f"{owner.name} runs it: its owners and organisers organise it.")
        if survey.status == survey.Status.DRAFT and (refusal := safeguarding.opening_refusal(survey)):
            self.stdout.write(f"It is a draft and has not opened: {refusal}")
