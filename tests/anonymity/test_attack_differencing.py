"""Attack: compare two successive views (or report versions) to learn one new respondent's answer.

To see it fail, make survey.figures.disclosure.differencing_risks return [].
"""

import re

import pytest

from survey.figures.aggregate import compute_results
from survey.models import ReportVersion, Survey
from survey.reports.publishing import PublishRefused, publish_report
from survey.responses.importing import import_responses
from tests.factories import answers, to_csv

BASE = (
    [answers(service="iapt", raised="yes", outcome="not")] * 20
    + [answers(service="iapt")] * 20
    + [answers(service="other", raised="yes", outcome="partly")] * 15
    + [answers(service="other")] * 30
)


def add(survey, rows):
    import_responses(survey=survey, text=to_csv(rows))
    compute_results(survey_id=survey.pk)


def figures(html: str) -> list[str]:
    return re.findall(r"\(\d+ of \d+; 95% CI [\d.]+–[\d.]+\)", html)


@pytest.fixture
def watching(client, survey, alice):
    add(survey, BASE)
    client.force_login(alice)
    return client


def test_one_new_respondent_changes_nothing_an_organiser_sees(watching, survey):
    before = watching.get("/console/therapy-2026/").content.decode()
    add(survey, [answers(service="iapt", raised="yes", outcome="adequately")])
    after = watching.get("/console/therapy-2026/").content.decode()
    assert figures(before) and figures(after) == figures(before)
    assert "85" in before and ">86<" not in after


def test_figures_move_once_every_changed_group_has_k_more(watching, survey):
    before = figures(watching.get("/console/therapy-2026/").content.decode())
    add(survey, [answers(service="iapt", raised="yes", outcome="adequately")] * 9)
    assert figures(watching.get("/console/therapy-2026/").content.decode()) == before
    add(survey, [answers(service="iapt", raised="yes", outcome="adequately")])  # the 10th
    assert figures(watching.get("/console/therapy-2026/").content.decode()) != before


def test_new_report_version_is_refused_until_groups_gain_k_or_the_survey_closes(survey, alice, watching):
    publish_report(survey=survey, acting_user=alice)
    # Closing releases everything; reopening then leaves the console ahead of
    # the report by 3 responses: a second version would expose those 3.
    Survey.objects.filter(pk=survey.pk).update(status=Survey.Status.CLOSED)
    add(survey, [answers(service="other", raised="yes", outcome="not")] * 3)
    Survey.objects.filter(pk=survey.pk).update(status=Survey.Status.OPEN)
    with pytest.raises(PublishRefused, match="fewer than 10 responses"):
        publish_report(survey=survey, acting_user=alice)
    response = watching.post("/console/therapy-2026/publish/", {"note": "", "confirmed": "yes"}, follow=True)
    assert "could reveal individual answers" in response.content.decode()
    assert ReportVersion.objects.count() == 1
    Survey.objects.filter(pk=survey.pk).update(status=Survey.Status.CLOSED)
    compute_results(survey_id=survey.pk)  # closing releases the final figures
    assert publish_report(survey=survey, acting_user=alice).number == 2


def test_export_results_prints_only_released_figures(survey):
    """Issue finding 6: export_results printed the live figures, never
    released, so two exports around one new respondent told their answers."""
    import json
    from io import StringIO

    from django.core.management import call_command

    def exported():
        out = StringIO()
        call_command("export_results", "therapy-2026", stdout=out)
        return json.loads(out.getvalue())

    add(survey, BASE)
    before = exported()
    add(survey, [answers(service="iapt", raised="yes", outcome="adequately")])
    after = exported()
    assert after == before
    assert after["concerns"][0]["raised"]["n"] == len(BASE)


def test_closing_is_final_so_no_second_version_differs_by_one_person(survey, alice, organiser):
    """Issue finding 4: close, publish, reopen, wait for one response, close
    and publish again: the two versions differed by one person. A closed
    survey never reopens, by the console or by set_status."""
    from django.urls import reverse

    from survey.definitions.status import StatusRefused, set_status

    add(survey, BASE)
    set_status(survey=survey, acting_user=alice, status=Survey.Status.CLOSED)
    publish_report(survey=survey, acting_user=alice)
    for status in (Survey.Status.OPEN, Survey.Status.DRAFT):
        with pytest.raises(StatusRefused):
            set_status(survey=survey, acting_user=alice, status=status)
    page = organiser.get(reverse("survey:survey-build", kwargs={"slug": survey.slug})).content.decode()
    assert "Open the survey now" not in page and 'value="draft"' not in page
    organiser.post(reverse("survey:survey-status", kwargs={"slug": survey.slug}), {"status": "open"})
    survey.refresh_from_db()
    assert survey.status == Survey.Status.CLOSED
