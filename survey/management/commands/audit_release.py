from django.core.management.base import BaseCommand, CommandError

from survey.figures.audit import PROTECTION, audit, releases
from survey.figures.documents import results_document
from survey.management.base import survey_by_slug
from survey.models import ResultSet


class Command(BaseCommand):
    help = (
        "Audit every figure shown so far plus the figures a release would show now "
        f"(linear programming over all published counts); print each hidden cell pinned to fewer than {PROTECTION} "
        "possible values. Exits non-zero if any would be refused."
    )

    def add_arguments(self, parser):
        parser.add_argument("slug")

    def handle(self, *args, slug, **options):
        survey = survey_by_slug(slug)
        documents = releases(survey=survey)
        result_set = ResultSet.objects.filter(survey=survey).first()
        if result_set is not None:
            documents.append(results_document(survey=survey) | {"questions": result_set.questions})
        risks = audit(survey=survey, documents=documents)
        for risk in risks:
            self.stdout.write(f"would refuse: {risk}")
        if risks:
            raise CommandError(f"{len(risks)} hidden cells could be worked out from the published figures")
        self.stdout.write(f"{len(documents)} sets of figures audited: nothing would be refused.")
