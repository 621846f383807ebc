"""Publishing: a report is a frozen snapshot of already-suppressed results."""

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from survey.models import AuditEvent, ReportVersion, Survey
from survey.results import comparisons, question_texts, results_document


@transaction.atomic
def publish_report(*, survey: Survey, user, note: str = "") -> ReportVersion:
    """Freeze the survey's current results as a new, never-changing version.

    The snapshot is built from the stored (suppressed) Result rows only, so
    a report can never show a figure the console would hide.
    """
    Survey.objects.select_for_update().get(pk=survey.pk)  # serialise version numbers
    document = results_document(survey=survey)
    snapshot = {
        "results": document,
        "comparisons": comparisons(document),
        "questions": question_texts(survey=survey),
    }
    number = (survey.reports.aggregate(m=Max("number"))["m"] or 0) + 1
    report = ReportVersion.objects.create(
        survey=survey,
        number=number,
        title=survey.title,
        snapshot=snapshot,
        note=note,
        published_at=timezone.now(),
        published_by=user,
    )
    AuditEvent.objects.create(survey=survey, user=user, action="report.published", detail=f"version {number}")
    return report
