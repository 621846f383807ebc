"""Attack: compare two successive views (or report versions) to learn one new respondent's answer.

Figures are released once, at closing (survey/figures/releases.py): while
the survey is open every audience sees the number of respondents only, so
there are never two sets of figures a few responses apart. To see it fail,
make ``released_document`` return the latest computed figures while open,
or let ``publish_report`` publish an open survey.
"""

import re

import pytest

from survey.figures.aggregate import compute_results
from survey.models import Release, ReportVersion, Survey
from survey.reports.publishing import PublishRefused, publish_report
from survey.responses.importing import import_responses
from tests.factories import answers, close_and_release, to_csv

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
    # While open: no figures at all, only the number of respondents.
    assert figures(before) == [] and figures(after) == []
    assert "While the survey is open you see the number of responses only" in after


def test_figures_appear_once_at_closing_never_while_open(watching, survey):
    add(survey, [answers(service="iapt", raised="yes", outcome="adequately")] * 10)
    assert figures(watching.get("/console/therapy-2026/").content.decode()) == []
    close_and_release(survey)
    shown = figures(watching.get("/console/therapy-2026/").content.decode())
    assert "(45 of 95;" in " ".join(shown)


def test_no_report_version_while_open_and_one_release_at_closing(survey, alice, watching):
    with pytest.raises(PublishRefused, match="still open"):
        publish_report(survey=survey, acting_user=alice)
    response = watching.post("/console/therapy-2026/publish/", {"note": "", "confirmed": "yes"}, follow=True)
    assert "The survey is still open" in response.content.decode()
    assert ReportVersion.objects.count() == 0
    close_and_release(survey)
    assert publish_report(survey=survey, acting_user=alice).number == 1


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
    # While open: the number of respondents (from the last aggregation), no figure.
    assert before["concerns"] == after["concerns"] == [] and after["questions"] == []
    assert before["respondents"] == len(BASE) and after["respondents"] == len(BASE) + 1
    close_and_release(survey)
    final = exported()
    assert final["concerns"][0]["raised"]["n"] == len(BASE) + 1
    assert Release.objects.filter(survey=survey, audience=Release.Audience.COMMAND).count() == 1


def test_closing_is_final_so_no_second_version_differs_by_one_person(
    survey, alice, organiser, django_capture_on_commit_callbacks
):
    """Issue finding 4: close, publish, reopen, wait for one response, close
    and publish again: the two versions differed by one person. A closed
    survey never reopens, by the console or by set_status."""
    from django.urls import reverse

    from survey.definitions.status import StatusRefused, set_status

    add(survey, BASE)
    with django_capture_on_commit_callbacks(execute=True):
        set_status(survey=survey, acting_user=alice, status=Survey.Status.CLOSED)  # releases the final figures
    publish_report(survey=survey, acting_user=alice)
    for status in (Survey.Status.OPEN, Survey.Status.DRAFT):
        with pytest.raises(StatusRefused):
            set_status(survey=survey, acting_user=alice, status=status)
    page = organiser.get(reverse("survey:survey-build", kwargs={"slug": survey.slug})).content.decode()
    assert "Open the survey now" not in page and 'value="draft"' not in page
    organiser.post(reverse("survey:survey-status", kwargs={"slug": survey.slug}), {"status": "open"})
    survey.refresh_from_db()
    assert survey.status == Survey.Status.CLOSED
