"""A respondent answers the built-in survey in a real browser, follow-ups included."""

import pytest

from survey.definition import builtin_definitions, load_definition, parse_definition
from survey.models import PendingSubmission
from tests.browser.a11y import assert_accessible


@pytest.mark.django_db(transaction=True)
def test_respondent_completes_the_builtin_survey(live_server, page):
    load_definition(definition=parse_definition(builtin_definitions()["raising-concerns"].read_text()))
    page.goto(f"{live_server.url}/s/raising-concerns/")
    assert_accessible(page)
    page.get_by_role("button", name="Start the survey").click()
    assert_accessible(page)
    page.get_by_label("NHS Talking Therapies (IAPT)").check()
    page.get_by_label("Nurse or allied health professional").check()
    page.get_by_role("button", name="Continue").click()
    assert_accessible(page)
    assert page.get_by_role("progressbar", name="Progress: step 2 of").is_visible()
    page.get_by_label("Yes").check()
    page.get_by_role("button", name="Continue").click()
    assert_accessible(page)
    # The follow-up appears because the answer was yes.
    page.get_by_label("Partly").check()
    page.get_by_role("button", name="Continue").click()
    assert_accessible(page)
    page.get_by_label("No").check()
    page.get_by_role("button", name="Continue").click()
    assert_accessible(page)
    page.get_by_label("Agree", exact=True).check()
    page.get_by_role("button", name="Continue").click()
    assert_accessible(page)
    assert page.get_by_role("heading", name="Check your answers").is_visible()
    page.get_by_role("button", name="Send my answers").click()
    assert_accessible(page)
    assert page.get_by_role("heading", name="Thank you").is_visible()
    assert PendingSubmission.objects.get().answers["outcome_patient_care"] == "partly"
