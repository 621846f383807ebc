"""Resume without a trace: unsent answers are kept in this browser only,
offered back on the intro page, and cleared on sending, on request, or when
too old."""

import json

import pytest

from survey.models import PendingSubmission
from tests.browser.a11y import assert_accessible, go

KEY = "candour:raising-concerns"


def saved(page):
    return json.loads(page.evaluate(f"() => localStorage.getItem('{KEY}')") or "null")


def answer_two_pages(page, url):
    page.goto(url)
    assert page.locator("#resume").is_hidden()  # nothing saved yet
    go(page, "Start the survey")
    page.get_by_label("Inpatient mental health care").check()
    page.get_by_label("Another role").check()
    go(page, "Continue")
    page.get_by_label("Yes").check()
    go(page, "Continue")


@pytest.mark.django_db(transaction=True)
def test_closed_tab_resumes_on_the_same_device_and_sending_clears_it(live_server, chromium, builtin):
    context = chromium.new_context()
    url = f"{live_server.url}/s/raising-concerns/"
    try:
        page = context.new_page()
        answer_two_pages(page, url)
        kept = saved(page)
        assert kept["page"] == "2"
        assert kept["state"] == page.locator('form[data-resume] input[name="state"]').input_value()
        page.close()  # the tab is closed

        page = context.new_page()
        page.goto(url)
        assert_accessible(page)
        assert page.get_by_role("heading", name="You have answers saved in this browser").is_visible()
        go(page, "Continue where you left off")
        assert page.get_by_text("Was your concern about patient care adequately resolved?").is_visible()
        go(page, "Back")
        assert page.get_by_label("Yes").is_checked()  # the earlier answers came back
        go(page, "Continue")
        page.get_by_label("Partly").check()
        go(page, "Continue")
        page.get_by_label("No").check()
        go(page, "Continue")
        page.get_by_label("Agree", exact=True).check()
        go(page, "Continue")
        assert saved(page)["page"] == "review"
        page.close()

        page = context.new_page()  # resuming at the review
        page.goto(url)
        go(page, "Continue where you left off")
        assert page.get_by_role("heading", name="Check your answers").is_visible()
        go(page, "Send my answers")
        assert page.get_by_role("heading", name="Thank you").is_visible()
        assert saved(page) is None
        page.goto(url)
        assert page.locator("#resume").is_hidden()
        assert PendingSubmission.objects.get().answers["service"] == "inpatient"
        assert {c["name"] for c in context.cookies()} <= {"csrftoken"}  # nothing but CSRF, even after resuming
    finally:
        context.close()


@pytest.mark.django_db(transaction=True)
def test_saved_answers_can_be_cleared_and_a_new_browser_sees_nothing(live_server, chromium, builtin):
    url = f"{live_server.url}/s/raising-concerns/"
    context = chromium.new_context()
    try:
        page = context.new_page()
        answer_two_pages(page, url)
        page.goto(url)
        page.get_by_role("button", name="Clear my saved answers").click()
        assert page.get_by_role("status").filter(has_text="cleared from this browser").is_visible()
        assert page.locator("#resume").is_hidden()
        assert_accessible(page)
        assert saved(page) is None
        page.reload()
        assert page.locator("#resume").is_hidden()
    finally:
        context.close()
    other = chromium.new_context()  # another device (or profile) has nothing to resume
    try:
        page = other.new_page()
        page.goto(url)
        assert page.locator("#resume").is_hidden()
    finally:
        other.close()
    assert not PendingSubmission.objects.exists()  # nothing reached the server


@pytest.mark.django_db(transaction=True)
def test_saved_answers_too_old_are_cleared_with_a_message(live_server, chromium, builtin, settings):
    url = f"{live_server.url}/s/raising-concerns/"
    context = chromium.new_context()
    try:
        page = context.new_page()
        answer_two_pages(page, url)
        kept = saved(page)

        # Older than CANDOUR_FORM_TOKEN_MAX_AGE by this browser's clock: cleared before any request.
        two_days = settings.CANDOUR_FORM_TOKEN_MAX_AGE * 1000 + 1000
        page.evaluate(
            f"s => localStorage.setItem('{KEY}', JSON.stringify({{...s, saved: Date.now() - {two_days}}}))", kept
        )
        page.goto(url)
        assert page.get_by_role("status").filter(has_text="too old to use").is_visible()
        assert page.locator("#resume").is_hidden()
        assert saved(page) is None
        assert_accessible(page)

        # A state the server refuses (too old by its clock, or altered): a clear page, and it is forgotten.
        page.evaluate(f"s => localStorage.setItem('{KEY}', JSON.stringify({{...s, state: s.state + 'x'}}))", kept)
        page.goto(url)
        go(page, "Continue where you left off")
        assert page.get_by_role("heading", name="Please start again").is_visible()
        assert page.get_by_text("too old to be used, so they have been cleared").is_visible()
        assert saved(page) is None
    finally:
        context.close()
