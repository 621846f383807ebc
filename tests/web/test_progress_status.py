"""The console says, within rule 6 and the release policy, that responses are
arriving (coarsely), what the next release needs and the day figures were
last released (a day, never an hour)."""

import re

import pytest

from survey.figures.aggregate import compute_results
from survey.responses.importing import import_responses
from tests.factories import answers, close_and_release, to_csv, varied


@pytest.fixture
def results_page(client, alice):
    client.force_login(alice)
    return lambda: client.get("/console/therapy-2026/").content.decode()


def text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_none_and_a_few_read_the_same(results_page, survey):
    none = text(results_page())
    assert "Responses counted so far: fewer than 10. This also covers none at all" in none
    import_responses(survey=survey, text=to_csv([answers()] * 4))
    compute_results(survey_id=survey.pk)
    few = text(results_page())
    assert "Responses counted so far: fewer than 10." in few
    # The same words either way: nothing tells none from four (rule 6).
    assert (
        none.split("Responses counted so far")[1][:120].split("Counted on")[0]
        == few.split("Responses counted so far")[1][:120].split("Counted on")[0]
    )


def test_an_open_survey_says_what_the_release_needs(results_page, survey):
    html = text(results_page())
    assert "No figures have been released yet" in html
    assert (
        "released once, when both are true: the survey has closed (closing is final); at least 10 people have answered."
        in html
    )
    import_responses(survey=survey, text=to_csv(varied("iapt", 20)))
    compute_results(survey_id=survey.pk)
    html = text(results_page())
    assert "Responses counted so far: 20." in html
    assert "released once, when the survey has closed (closing is final)." in html
    assert "at least 10 people" not in html


def test_the_release_day_is_shown_with_no_hour(results_page, survey):
    import_responses(survey=survey, text=to_csv(varied("iapt", 20) + varied("other", 20)))
    release = close_and_release(survey)
    assert release is not None
    html = text(results_page())
    assert f"released on {release.released_on.day} {release.released_on:%B %Y}, when the survey closed" in html
    assert not re.search(r"\b\d{1,2}:\d\d\b", html), "no clock time on the results page"
