"""Publishing: a version is a frozen snapshot of released figures, and
nothing is published while fewer than k people have answered."""

import pytest

from survey.figures.releases import released_document
from survey.models import AuditEvent, ReportVersion
from survey.reports.publishing import PublishRefused, publish_report
from survey.responses.importing import import_responses
from tests.factories import answers, close_and_release, to_csv


def test_nothing_is_published_while_fewer_than_k_have_answered(client, survey, alice):
    rows = [answers(service="iapt", raised="yes", outcome="not")] * 5 + [answers(service="other")] * 4
    import_responses(survey=survey, text=to_csv(rows))
    close_and_release(survey)
    released = released_document(survey=survey)
    # 9 respondents, k = 10: the figures are released, every one suppressed.
    assert released["respondents"] == 9 and released["concerns"][0]["raised"] == {"suppressed": True}
    with pytest.raises(PublishRefused, match="fewer than 10 respondents"):
        publish_report(survey=survey, acting_user=alice)
    assert not ReportVersion.objects.exists()
    assert not AuditEvent.objects.filter(action="report.published").exists()
    assert client.get("/r/therapy-2026/").status_code == 404
