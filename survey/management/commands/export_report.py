import sys

from django.core.management.base import BaseCommand, CommandError

from survey.figures.releases import ReleaseRefused
from survey.management.base import survey_by_slug
from survey.models import Release
from survey.reports.downloads import BUILDERS, download


class Command(BaseCommand):
    help = "Print a published report version exactly as it is downloaded (JSON, CSV or XLSX bytes)."

    def create_parser(self, prog_name, subcommand, **kwargs):
        # --version N is the report version here, not Django's version flag.
        return super().create_parser(prog_name, subcommand, conflict_handler="resolve", **kwargs)

    def add_arguments(self, parser):
        parser.add_argument("slug")
        parser.add_argument("--version", dest="number", type=int, help="the version number (default: the latest)")
        parser.add_argument("--format", choices=sorted(BUILDERS), required=True)

    def handle(self, *args, slug, number, format, **options):
        survey = survey_by_slug(slug)
        versions = survey.reports.order_by("-number")
        report = versions.filter(number=number).first() if number else versions.first()
        if report is None:
            raise CommandError(f'survey "{slug}" has no published report' + (f" version {number}" if number else ""))
        try:
            body = download(report=report, fmt=format, audience=Release.Audience.COMMAND)
        except ReleaseRefused as exc:
            raise CommandError(str(exc)) from None
        if isinstance(body, bytes):  # XLSX: the bytes themselves, e.g. `export_report s --format xlsx > r.xlsx`
            self.stdout.flush()
            getattr(self.stdout._out, "buffer", sys.stdout.buffer).write(body)
        else:
            self.stdout.write(body, ending="")
