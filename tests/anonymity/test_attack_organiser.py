"""Attack: an organiser uses their console access to read individual answers.

Organisers see released, suppressed figures of their own surveys and nothing
else: no admin, no response rows, no free text, no other survey. To see it
fail, register an Answer admin in survey/admin.py, or drop the role check in
survey/staff/permissions.py (``members__role=role``).
"""

import pytest

from survey.responses.importing import import_responses
from tests.factories import answers, close_and_release, to_csv


@pytest.fixture
def data(survey):
    rows = [answers(service="iapt", raised="yes", outcome="not", comment="secret-note")] * 25
    rows += [answers(service="other")] * 25 + [answers(service="bank", raised="yes", outcome="not")] * 2
    import_responses(survey=survey, text=to_csv(rows))
    close_and_release(survey)


@pytest.mark.parametrize(
    "url",
    ["/admin/", "/admin/survey/answer/", "/admin/survey/response/", "/admin/survey/pendingsubmission/"],
)
def test_organiser_cannot_reach_the_admin(client, alice, data, url):
    client.force_login(alice)
    response = client.get(url)
    # Not staff: the admin sends them to its own sign-in page.
    assert response.status_code == 302 and response["Location"] == f"/admin/login/?next={url}"
    assert "secret-note" not in response.content.decode()


def test_organiser_cannot_open_another_survey_or_act_as_moderator(client, alice, charlie, data):
    client.force_login(charlie)
    assert client.get("/console/therapy-2026/").status_code == 404
    assert client.get("/console/therapy-2026/codes/").status_code == 404


def test_organiser_console_shows_no_answer_and_no_small_group(client, alice, data):
    client.force_login(alice)
    html = client.get("/console/therapy-2026/").content.decode()
    assert "secret-note" not in html
    assert "of 2;" not in html and "(2 of" not in html
