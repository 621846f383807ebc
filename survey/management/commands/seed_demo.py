from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from survey.figures.aggregate import compute_results
from survey.responses.demo import DEMO_PASSWORD, DEMO_USER, seed_demo


class Command(BaseCommand):
    help = "Load a demo survey with synthetic responses and a demo organiser account (development only)."

    def add_arguments(self, parser):
        parser.add_argument("--respondents", type=int, default=600)

    def handle(self, *args, respondents, **options):
        # A known password and synthetic answers have no place on a real site.
        if settings.PRODUCTION:
            raise CommandError("seed_demo is for development only: it refuses to run with CANDOUR_ENV=production.")
        survey, added = seed_demo(respondents=respondents)
        compute_results(survey_id=survey.pk)
        state = f"{respondents} synthetic responses added" if added else "already seeded"
        self.stdout.write(f"Demo survey {survey.slug!r}: {state}.")
        self.stdout.write(f"  answer it:   /s/{survey.slug}/")
        self.stdout.write(f"  organiser:   /console/  (user {DEMO_USER!r}, password {DEMO_PASSWORD!r})")
