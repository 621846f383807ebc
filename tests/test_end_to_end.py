"""Both kinds of survey, from the organiser's console to the thank-you page to
the published report; beat's reconciliation runs on a worker on the real
queue where the test run has PostgreSQL and Redis (CI)."""

import re

import pytest

from survey.models import ResultSet, Survey
from survey.tasks import reconcile
from tests.respondent import Walk

PEOPLE = 14


def respond(code: str | None, raised: str) -> None:
    walk = Walk("therapy-2026")
    walk.post({"action": "start", **({"code": code} if code else {})})
    walk.next(service="iapt" if raised == "yes" else "other")
    walk.next(raised_patient_care=raised)
    if raised == "yes":
        walk.next(outcome_patient_care="adequately")
    else:
        walk.next()
    walk.next(safe="3")
    assert walk.submit()["Location"] == "/s/therapy-2026/thanks/"


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("access", [Survey.Access.CODES, Survey.Access.OPEN])
def test_console_to_thanks_to_published_report(client, survey, alice, tasks, access):
    Survey.objects.filter(pk=survey.pk).update(access=access)
    client.force_login(alice)
    codes = [None] * PEOPLE
    if access == Survey.Access.CODES:
        page = client.post("/console/therapy-2026/codes/", {"count": PEOPLE}).content.decode()
        codes = re.findall(r'class="code-value">([^<]+)<', page)
        assert len(codes) == PEOPLE
    for i, code in enumerate(codes):
        respond(code, raised="yes" if i % 2 else "no")
    # What beat does: mix pending submissions in, aggregate.
    tasks.run(
        reconcile,
        until=lambda: ResultSet.objects.filter(survey=survey, respondents=PEOPLE).exists(),
        what="the answers to be mixed in and aggregated",
    )
    console = client.get("/console/therapy-2026/").content.decode()
    # While open: the number of respondents only; the figures come at closing.
    assert "Responses counted so far: 14." in console and "(7 of 14;" not in console
    client.post("/console/therapy-2026/status/", {"status": "closed", "confirmed": "yes"})  # releases the figures
    console = client.get("/console/therapy-2026/").content.decode()
    assert "(7 of 14;" in console
    client.post("/console/therapy-2026/publish/", {"note": "First results", "confirmed": "yes"})
    report = client.get("/r/therapy-2026/").content.decode()
    assert "14 respondents" in report and "(7 of 14;" in report
    if access == Survey.Access.CODES:
        used = client.get("/console/therapy-2026/codes/").content.decode()
        assert f"Responses so far: <strong>{PEOPLE}</strong>" in used
