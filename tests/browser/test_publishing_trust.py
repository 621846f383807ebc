"""In Chromium, with axe on every page: irreversible actions ask first, the
audit list in words, the public report in Welsh and in print, moderation
from the console (one width per item here; CANDOUR_SCREENSHOTS=dir saves
each changed page at 390 and 1280 px)."""

import datetime
import os
import re
import subprocess

import pytest
from django.contrib.auth import get_user_model
from django.core import mail

from survey.definitions.format import load_definition, validate_definition
from survey.models import Member, ReportSettings, Survey
from survey.moderation.decisions import release_comments
from survey.reports.publishing import publish_report
from survey.responses.importing import import_responses
from tests.browser.a11y import assert_accessible, layout_problems
from tests.definitions.test_translations import welsh_definition
from tests.factories import answers, close_and_release, ledger_action, make_survey, to_csv

SHOTS = os.environ.get("CANDOUR_SCREENSHOTS", "")
PASSWORD = "correct horse battery"


def shot(page, name: str) -> None:
    """Save the page at 390 and 1280 px (when asked), then put the width back."""
    if not SHOTS:
        return
    size = page.viewport_size
    for width in (390, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=os.path.join(SHOTS, f"{name}-{width}.png"), full_page=True)
    page.set_viewport_size(size)


def sign_in(page, url: str, username: str) -> None:
    page.goto(url)
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


def person(username: str, survey, role: str, email: str = ""):
    user = get_user_model().objects.create_user(username, password=PASSWORD, email=email)
    Member.objects.create(survey=survey, user=user, role=role)
    return user


@pytest.mark.django_db(transaction=True)
def test_closing_and_removing_ask_first_at_390px(live_server, page):
    page.set_viewport_size({"width": 390, "height": 844})
    survey = make_survey()
    person("alice", survey, "organiser")
    person("bob", survey, "moderator", "bob@example.org")
    sign_in(page, f"{live_server.url}/console/therapy-2026/build/", "alice")
    page.get_by_role("button", name="Close the survey now").click()
    assert_accessible(page)
    assert not layout_problems(page), layout_problems(page)
    assert page.get_by_role("heading", name="Close the survey now?").is_visible()
    assert page.get_by_text("Closing is final").is_visible()
    shot(page, "confirm-close")
    page.get_by_role("link", name="Cancel: change nothing").click()
    assert Survey.objects.get(pk=survey.pk).status == Survey.Status.OPEN
    page.get_by_role("button", name="Close the survey now").click()
    page.get_by_role("button", name="Close the survey for good").click()
    assert_accessible(page)
    assert Survey.objects.get(pk=survey.pk).status == Survey.Status.CLOSED

    page.goto(f"{live_server.url}/console/therapy-2026/team/")
    page.get_by_role("button", name="Remove bob@example.org").click()
    assert_accessible(page)
    assert page.get_by_role("heading", name="Remove bob@example.org from the team?").is_visible()
    shot(page, "confirm-remove")
    page.get_by_role("button", name="Remove from the team").click()
    assert_accessible(page)
    assert not Member.objects.filter(user__username="bob").exists()


@pytest.mark.django_db(transaction=True)
def test_the_audit_list_says_the_access_change_in_words_at_1280px(live_server, page):
    page.set_viewport_size({"width": 1280, "height": 900})
    survey = make_survey()
    Survey.objects.filter(pk=survey.pk).update(status=Survey.Status.DRAFT)
    person("alice", survey, "organiser")
    sign_in(page, f"{live_server.url}/console/therapy-2026/build/", "alice")
    page.get_by_label("Who can answer").select_option("codes")
    page.get_by_role("button", name="Save the settings").click()
    page.get_by_role("link", name="Changes").click()
    assert_accessible(page)
    entry = page.locator("#audit li").first
    assert "Changed the survey" in entry.inner_text()
    assert "Who can answer: anyone with the link → only people with an invitation code" in entry.inner_text()
    assert "survey." not in page.locator("#audit").inner_text()
    shot(page, "audit-list")


@pytest.fixture
def welsh_report(db):
    survey = load_definition(definition=validate_definition(welsh_definition(slug="cymraeg")))
    alice = person("alice", survey, "organiser")
    rows = [answers(service="iapt", raised="yes", outcome="adequately")] * 30 + [answers(service="other")] * 30
    import_responses(survey=survey, text=to_csv(rows))
    close_and_release(survey)
    ReportSettings.objects.create(
        survey=survey,
        narrative="## What we heard\n\nThank you. Write to help@example.org or see https://example.org/help.",
        translations={"cy": {"narrative": "## Beth glywsom ni\n\nDiolch. Ysgrifennwch at help@example.org."}},
    )
    ledger_action(
        survey,
        text="Monthly listening sessions.",
        help="Freedom to Speak Up Guardian: ftsu@example.org",
        note="Two nurses hired.",
        on=datetime.date(2026, 12, 1),
        translations={
            "cy": {
                "text": "Sesiynau gwrando bob mis.",
                "help": "Gwarcheidwad: ftsu@example.org",
                "note": "Cyflogwyd dwy nyrs.",
            }
        },
    )
    publish_report(survey=survey, acting_user=alice)
    return survey


@pytest.mark.django_db(transaction=True)
def test_the_report_in_welsh_with_a_switch_and_in_print_at_390px(live_server, page, welsh_report, tmp_path):
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/r/cymraeg/")
    assert_accessible(page)
    assert not layout_problems(page), layout_problems(page)
    assert page.get_by_role("heading", name="Headlines").is_visible()
    shot(page, "report-en")
    page.get_by_role("link", name="Cymraeg").click()
    assert_accessible(page)
    assert not layout_problems(page), layout_problems(page)
    assert page.locator("html").get_attribute("lang") == "cy"
    assert page.get_by_role("heading", name="Y prif ganfyddiadau").is_visible()
    assert page.get_by_role("link", name="help@example.org").get_attribute("href") == "mailto:help@example.org"
    assert page.locator("time[datetime='2026-12-01']").inner_text() == "1 Rhagfyr 2026"  # in words
    shot(page, "report-cy")

    pdf = tmp_path / "report.pdf"
    page.emulate_media(media="print")
    page.pdf(path=str(pdf), format="A4", display_header_footer=False, prefer_css_page_size=True)
    if SHOTS:
        subprocess.run(["cp", str(pdf), os.path.join(SHOTS, "report-cy.pdf")], check=True)
    pages = []
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    count = int(info.split("Pages:")[1].split()[0])
    for number in range(1, count + 1):
        text = subprocess.run(
            ["pdftotext", "-layout", "-f", str(number), "-l", str(number), str(pdf), "-"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        pages.append(text)
    assert count >= 2
    for number, text in enumerate(pages, start=1):
        assert re.search(rf"\b{number}\s*/\s*{count}\b", text), f"page {number} has no page number"
        assert "Fersiwn 1" in text and "Gweithio mewn gwasanaethau" in text, f"page {number} has no title"
    whole = "\n".join(pages)
    assert "(mailto:help@example.org)" in whole.replace("\n", "") or "mailto:help@example.org" in whole


@pytest.mark.django_db(transaction=True)
def test_moderation_from_the_console_list_skip_and_a_flag_without_contact_at_1280px(live_server, page):
    page.set_viewport_size({"width": 1280, "height": 900})
    survey = make_survey()
    person("alice", survey, "organiser", "alice@example.org")
    person("mo", survey, "moderator")
    texts = [f"Comment number {i} about the night shift" for i in range(12)]
    import_responses(survey=survey, text=to_csv([answers(comment=t) for t in texts]))
    release_comments(today=datetime.date.today())
    Survey.objects.filter(pk=survey.pk).update(safeguarding_contact="")  # opened before the rule

    sign_in(page, f"{live_server.url}/console/", "mo")
    assert_accessible(page)
    page.get_by_role("link", name="12 waiting").click()
    assert_accessible(page)
    assert page.locator(".moderation-list li").count() == 12
    first = page.locator("blockquote.comment").inner_text()
    page.get_by_role("link", name="Skip: decide later").click()
    assert_accessible(page)
    second = page.locator("blockquote.comment").inner_text()
    assert second != first
    page.get_by_role("link", name="Open comment 1", exact=True).click()
    assert page.locator("blockquote.comment").inner_text() == first
    shot(page, "moderation-queue")
    with page.expect_navigation():
        page.get_by_role("button", name="Flag for safeguarding").click()
    assert_accessible(page)
    assert page.get_by_text("sent to the survey's organisers").is_visible()
    assert page.locator("blockquote.comment").inner_text() == second  # the one that followed
    assert [m.to for m in mail.outbox] == [["alice@example.org"]]

    page.get_by_role("button", name="Reject all empty or one-word comments").click()
    assert_accessible(page)
    shot(page, "confirm-bulk-reject")

    page.context.clear_cookies()
    sign_in(page, f"{live_server.url}/console/therapy-2026/", "alice")
    assert_accessible(page)
    assert page.get_by_text("at least 10 waiting").is_visible()
    shot(page, "console-results-moderation-tab")
