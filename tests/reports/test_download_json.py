"""The JSON download of a published version is its snapshot: the figures
released since do not reach it."""

import json

from survey.figures.aggregate import compute_results
from survey.figures.documents import released_document
from survey.models import Survey
from survey.reports.publishing import publish_report
from survey.responses.importing import import_responses
from tests.factories import answers, to_csv


def test_json_of_a_published_version_is_its_snapshot_not_the_live_figures(client, survey, alice):
    rows = [answers(service="iapt", raised="yes", outcome="partly", safe="4")] * 10
    rows += [answers(service="iapt", safe="2")] * 10
    rows += [answers(service="other", raised="yes", outcome="adequately", safe="5")] * 10
    rows += [answers(service="other", safe="1")] * 10
    import_responses(survey=survey, text=to_csv(rows))
    compute_results(survey_id=survey.pk)
    publish_report(survey=survey, acting_user=alice)
    before = json.loads(client.get("/r/therapy-2026/v1/report.json").content)
    assert before["respondents"] == 40
    assert before["concerns"][0]["raised"]["count"] == 20
    assert {q["key"]: q.get("n") for q in before["questions"]}["safe"] == 40

    # Twenty more are released to organisers; version 1 has not changed.
    more = [answers(service="iapt", raised="yes", outcome="not", safe="3")] * 10
    more += [answers(service="other", raised="yes", outcome="not", safe="3")] * 10
    import_responses(survey=survey, text=to_csv(more))
    compute_results(survey_id=survey.pk)
    assert released_document(survey=survey)["respondents"] == 60  # the live figures did move
    assert json.loads(client.get("/r/therapy-2026/v1/report.json").content) == before

    publish_report(survey=Survey.objects.get(pk=survey.pk), acting_user=alice)
    latest = json.loads(client.get("/r/therapy-2026/v2/report.json").content)
    assert latest["respondents"] == 60 and latest["concerns"][0]["raised"]["count"] == 40
