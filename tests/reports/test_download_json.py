"""The JSON download of a published version is its snapshot: the figures
released since do not reach it."""

import json

from survey.figures.releases import released_document
from survey.models import Result, ResultSet, Survey
from survey.reports.publishing import publish_report
from survey.responses.importing import import_responses
from tests.factories import answers, close_and_release, to_csv


def test_json_of_a_published_version_is_its_snapshot_not_the_live_figures(client, survey, alice):
    rows = [answers(service="iapt", raised="yes", outcome="partly", safe="4")] * 10
    rows += [answers(service="iapt", safe="2")] * 10
    rows += [answers(service="other", raised="yes", outcome="adequately", safe="5")] * 10
    rows += [answers(service="other", safe="1")] * 10
    import_responses(survey=survey, text=to_csv(rows))
    close_and_release(survey)
    publish_report(survey=survey, acting_user=alice)
    before = json.loads(client.get("/r/therapy-2026/v1/report.json").content)
    assert before["respondents"] == 40
    assert before["concerns"][0]["raised"]["count"] == 20
    assert {q["key"]: q.get("n") for q in before["questions"]}["safe"] == 40

    # The live rows are recomputed (here: changed by hand); version 1 has not changed.
    ResultSet.objects.filter(survey=survey).update(respondents=60)
    Result.objects.filter(survey=survey).delete()
    assert json.loads(client.get("/r/therapy-2026/v1/report.json").content) == before

    # A later version shows the figures released at closing, which never move.
    publish_report(survey=Survey.objects.get(pk=survey.pk), acting_user=alice)
    latest = json.loads(client.get("/r/therapy-2026/v2/report.json").content)
    assert latest["respondents"] == 40 and latest["concerns"] == before["concerns"]
    assert released_document(survey=survey)["respondents"] == 40
