"""Every console, moderation, report and respondent page passes axe-core's
WCAG 2.2 A/AA rules, and charts never rely on colour alone."""

import datetime

import pytest
from django.contrib.auth import get_user_model

from survey.figures.aggregate import compute_results
from survey.models import Survey
from survey.reports.publishing import publish_report
from survey.responses.demo import DEMO_PASSWORD, DEMO_USER, seed_demo
from survey.responses.mixing import insert_responses
from tests.browser.a11y import assert_accessible, go
from tests.factories import close_and_release


@pytest.mark.django_db(transaction=True)
def test_staff_and_public_pages_pass_axe(live_server, page):
    survey, _ = seed_demo(respondents=120)
    comment = {
        "service": "iapt",
        "role": "nurse",
        "raised_patient_care": "yes",
        "outcome_patient_care": "not",
        "patient_care_comment": "Ward 7 never answered my emails",
        "raised_working_conditions": "no",
        "safe_to_speak": "2",
    }
    insert_responses(survey_id=survey.pk, submissions=[(comment, datetime.date.today())])
    compute_results(survey_id=survey.pk)
    url = live_server.url
    for path in ("/", "/accounts/login/", "/no-such-page/"):
        page.goto(url + path)
        assert_accessible(page)

    page.goto(f"{url}/console/")
    page.get_by_label("Username").fill(DEMO_USER)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    go(page, "Sign in")
    assert page.get_by_role("heading", name="Your surveys").is_visible()
    slug = survey.slug
    for path in (
        f"/console/{slug}/",
        f"/console/{slug}/report/",
        f"/console/{slug}/actions/",
        f"/console/{slug}/explore/",
        f"/console/{slug}/explore/?concern=working-conditions&breakdown=role&question=barriers",
        f"/console/{slug}/compare/",
        f"/console/{slug}/codes/",
        f"/console/{slug}/moderation/",
        f"/moderate/{slug}/",
    ):
        page.goto(url + path)
        assert_accessible(page)
    page.goto(f"{url}/console/{slug}/codes/")
    page.get_by_label("How many codes?").fill("3")
    go(page, "Generate codes")
    assert page.locator(".code-value").count() == 3

    # Closed: the final figures are released; the same pages with figures.
    close_and_release(survey)
    for path in (f"/console/{slug}/", f"/console/{slug}/explore/", f"/console/{slug}/build/"):
        page.goto(url + path)
        assert_accessible(page)

    # Charts: every bar is labelled with its value, and the same figures are in a table beside it.
    page.goto(f"{url}/console/{slug}/explore/")
    chart = page.locator("img[src*='chart/concern.svg']").first
    assert "table" in chart.get_attribute("alt")
    svg = page.request.get(url + chart.get_attribute("src")).text()
    assert svg.count('class="value') >= 2 and "%" in svg  # values printed on the bars

    publish_report(survey=survey, acting_user=get_user_model().objects.get(username=DEMO_USER))
    page.goto(f"{url}/r/{slug}/actions/")
    assert_accessible(page)
    page.goto(f"{url}/r/{slug}/")
    assert_accessible(page)
    bars = page.locator("svg.bar[role=img]")
    assert bars.count() > 2
    for i in range(bars.count()):
        label = bars.nth(i).get_attribute("aria-label")
        assert label.endswith("%") and any(ch.isdigit() for ch in label)


@pytest.mark.django_db(transaction=True)
def test_respondent_edge_pages_pass_axe(live_server, page, builtin):
    url = f"{live_server.url}/s/{builtin.slug}"
    page.goto(f"{url}/")
    assert_accessible(page)
    # A form whose signed state cannot be read (forged, or too old) gets a clear page, never a 500.
    page.evaluate(
        """() => {
          const form = document.querySelector("button[value=start]").form;
          form.insertAdjacentHTML("beforeend", "<input type=hidden name=state value=forged>");
          form.querySelector("button[value=start]").value = "next";
        }"""
    )
    go(page, "Start the survey")
    assert page.get_by_role("heading", name="Please start again").is_visible()
    Survey.objects.filter(pk=builtin.pk).update(status=Survey.Status.CLOSED)
    page.goto(f"{url}/")
    assert page.get_by_text("This survey has closed").is_visible()
    assert_accessible(page)
    page.goto(f"{url}/thanks/?lang=cy")
    assert_accessible(page)
