"""Publishing: a report is a frozen snapshot of already-suppressed results."""

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from survey.models import AuditEvent, ReportVersion, Survey
from survey.results import comparisons, question_texts, released_document
from survey.suppression import differencing_risks, shown_bases


class PublishRefused(Exception):
    pass


@transaction.atomic
def publish_report(*, survey: Survey, user, note: str = "") -> ReportVersion:
    """Freeze the figures organisers see as a new, never-changing version.

    The snapshot is the released, suppressed document, so a report never
    shows a figure the console would hide. While the survey is open, a new
    version is refused unless every figure shown in both it and the last
    version has gained no respondents or at least k (rule 6: comparing two
    versions must not reveal a few people's answers).
    """
    survey = Survey.objects.select_for_update().get(pk=survey.pk)  # serialise version numbers
    document = released_document(survey=survey)
    if not document["concerns"] or document["respondents"] < survey.min_group_size:
        raise PublishRefused(f"There are fewer than {survey.min_group_size} respondents: nothing can be published yet.")
    previous = survey.reports.first()
    if previous and survey.status != Survey.Status.CLOSED:
        history = [v.snapshot["results"] for v in survey.reports.order_by("number")]
        if differencing_risks(shown_bases(history), document, survey.min_group_size):
            raise PublishRefused(
                f"Not yet: some groups have gained fewer than {survey.min_group_size} responses since version "
                f"{previous.number}, so comparing the two versions could reveal individual answers. Publish again "
                "when more responses have come in, or once the survey has closed."
            )
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
