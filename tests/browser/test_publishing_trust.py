"""In Chromium, with axe on every page: irreversible actions ask first, the
audit list in words, the public report in Welsh and in print, moderation
from the console. `make test` runs each item at one width; `make
browser-matrix` at 390 and 1280 px, English and Welsh (tests/browser/matrix.py).
CANDOUR_SCREENSHOTS=dir saves each page at 390 and 1280 px."""

import datetime
import os
import re
import subprocess

import pytest
from django.contrib.auth import get_user_model
from django.core import mail

from survey.definitions.format import load_definition, validate_definition
from survey.models import Member, ReportSettings, Survey
from survey.moderation.decisions import release_comments, trivial_count
from survey.reports.publishing import publish_report
from survey.responses.importing import import_responses
from tests.browser.matrix import check, language_of, variants
from tests.definitions.test_translations import welsh_definition
from tests.factories import all_welsh_definition, answers, close_and_release, ledger_action, make_survey, to_csv

SHOTS = os.environ.get("CANDOUR_SCREENSHOTS", "")
PASSWORD = "correct horse battery"


def shot(page, name: str) -> None:
    """Save the page at 390 and 1280 px (when asked), then put the width back."""
    if not SHOTS:
        return
    os.makedirs(SHOTS, exist_ok=True)
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


def survey_in(lang: str, **changes):
    """The test survey; in the Welsh variant with every text in Welsh too."""
    if lang == "cy":
        return load_definition(definition=validate_definition(all_welsh_definition(**changes)))
    return make_survey(**changes)


@pytest.mark.browser_matrix
@pytest.mark.django_db(transaction=True)
@variants(390)
def test_closing_and_removing_ask_first(live_server, screen, width, lang):
    page = screen
    survey = survey_in(lang)
    person("alice", survey, "organiser")
    person("bob", survey, "moderator", "bob@example.org")
    sign_in(page, f"{live_server.url}/console/therapy-2026/build/", "alice")
    page.get_by_role("button", name="Close the survey now").click()
    check(page, lang=lang)
    assert page.get_by_role("heading", name="Close the survey now?").is_visible()
    assert page.get_by_text("Closing is final").is_visible()
    shot(page, f"confirm-close-{lang}")
    page.get_by_role("link", name="Cancel: change nothing").click()
    assert Survey.objects.get(pk=survey.pk).status == Survey.Status.OPEN
    page.get_by_role("button", name="Close the survey now").click()
    page.get_by_role("button", name="Close the survey for good").click()
    check(page, lang=lang)
    assert Survey.objects.get(pk=survey.pk).status == Survey.Status.CLOSED

    page.goto(f"{live_server.url}/console/therapy-2026/team/")
    page.get_by_role("button", name="Remove bob@example.org").click()
    check(page, lang=lang)
    assert page.get_by_role("heading", name="Remove bob@example.org from the team?").is_visible()
    shot(page, f"confirm-remove-{lang}")
    page.get_by_role("button", name="Remove from the team").click()
    check(page, lang=lang)
    assert not Member.objects.filter(user__username="bob").exists()


@pytest.mark.browser_matrix
@pytest.mark.django_db(transaction=True)
@variants(1280)
def test_the_audit_list_says_the_access_change_in_words(live_server, screen, width, lang):
    page = screen
    survey = survey_in(lang)
    Survey.objects.filter(pk=survey.pk).update(status=Survey.Status.DRAFT)
    person("alice", survey, "organiser")
    sign_in(page, f"{live_server.url}/console/therapy-2026/build/", "alice")
    page.get_by_label("Who can answer").select_option("codes")
    page.get_by_role("button", name="Save the settings").click()
    page.get_by_role("link", name="Changes").click()
    check(page, lang=lang)
    entry = page.locator("#audit li").first
    assert "Changed the survey" in entry.inner_text()
    assert "Who can answer: anyone with the link → only people with an invitation code" in entry.inner_text()
    assert "survey." not in page.locator("#audit").inner_text()
    assert "removed" not in entry.inner_text()  # the Welsh texts were not removed
    shot(page, f"audit-list-{lang}")


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


def _in_welsh(page) -> None:
    assert page.locator("html").get_attribute("lang") == "cy"
    assert page.get_by_role("heading", name="Y prif ganfyddiadau").is_visible()
    assert page.get_by_role("heading", name="Headlines").count() == 0
    assert page.locator(".concern-headline").first.inner_text().startswith("Cododd 50 o bob 100 bryder")
    assert page.get_by_role("link", name="help@example.org").get_attribute("href") == "mailto:help@example.org"
    assert page.locator("time[datetime='2026-12-01']").first.inner_text() == "1 Rhagfyr 2026"  # in words


def _in_english(page) -> None:
    assert page.locator("html").get_attribute("lang") == "en-gb"
    assert page.get_by_role("heading", name="Headlines").is_visible()
    assert page.locator(".concern-headline").first.inner_text().startswith("50 in 100 raised a concern")


@pytest.mark.browser_matrix
@pytest.mark.django_db(transaction=True)
@variants(390)
def test_the_report_in_welsh_with_a_switch_and_in_print(live_server, screen, welsh_report, tmp_path, width, lang):
    """English first, the switch to Welsh (a Welsh browser gets Welsh first, the switch to English)."""
    page = screen
    page.goto(f"{live_server.url}/r/cymraeg/")
    check(page, public=True, lang=lang)
    (_in_welsh if lang == "cy" else _in_english)(page)
    shot(page, f"report-{lang}")
    other = "en" if lang == "cy" else "cy"
    page.get_by_role("link", name="English" if other == "en" else "Cymraeg").click()
    check(page, public=True, lang=other)
    (_in_welsh if other == "cy" else _in_english)(page)
    shot(page, f"report-{other}-switched")
    if other == "en":  # print the Welsh page
        page.get_by_role("link", name="Cymraeg").click()
        page.wait_for_load_state()

    pdf = tmp_path / "report.pdf"
    page.emulate_media(media="print")
    page.pdf(path=str(pdf), format="A4", display_header_footer=False, prefer_css_page_size=True)
    if SHOTS:
        subprocess.run(["cp", str(pdf), os.path.join(SHOTS, f"report-cy-{width}.pdf")], check=True)
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
    assert "Cododd 50 o bob 100" in whole and "in 100 raised" not in whole  # the headline printed in Welsh


@pytest.fixture
def queue(db, request):
    survey = survey_in(language_of(request))
    person("alice", survey, "organiser", "alice@example.org")
    person("mo", survey, "moderator")
    texts = [f"Comment number {i} about the night shift" for i in range(10)] + ["ok", "nothing"]
    import_responses(survey=survey, text=to_csv([answers(comment=t) for t in texts]))
    release_comments(today=datetime.date.today())
    Survey.objects.filter(pk=survey.pk).update(safeguarding_contact="")  # opened before the rule
    return survey


@pytest.mark.browser_matrix
@pytest.mark.django_db(transaction=True)
@variants(1280)
def test_moderation_from_the_console_list_skip_and_a_flag_without_contact(live_server, screen, queue, width, lang):
    page = screen
    sign_in(page, f"{live_server.url}/console/", "mo")
    check(page, lang=lang)
    page.get_by_role("link", name="12 waiting").click()
    check(page, lang=lang)
    assert page.locator(".moderation-list li").count() == 12
    first = page.locator("blockquote.comment").inner_text()
    page.get_by_role("link", name="Skip: decide later").click()
    check(page, lang=lang)
    second = page.locator("blockquote.comment").inner_text()
    assert second != first
    page.get_by_role("link", name="Open comment 1", exact=True).click()
    assert page.locator("blockquote.comment").inner_text() == first
    shot(page, f"moderation-queue-{lang}")
    with page.expect_navigation():
        page.get_by_role("button", name="Flag for safeguarding").click()
    check(page, lang=lang)
    assert page.get_by_text("sent to the survey's organisers").is_visible()
    assert page.locator("blockquote.comment").inner_text() == second  # the one that followed
    assert [m.to for m in mail.outbox] == [["alice@example.org"]]

    trivial = trivial_count(survey=queue)  # "ok" and "nothing", unless one of them was just flagged
    assert trivial in (1, 2)
    page.get_by_role("button", name="Reject all empty or one-word comments").click()
    check(page, lang=lang)
    assert page.get_by_role("heading", name=re.compile(f"^Reject {trivial} empty or one-word comments?")).is_visible()
    shot(page, f"confirm-bulk-reject-{lang}")

    page.context.clear_cookies()
    sign_in(page, f"{live_server.url}/console/therapy-2026/", "alice")
    check(page, lang=lang)
    assert page.get_by_text("at least 10 waiting").is_visible()
    shot(page, f"console-results-moderation-tab-{lang}")
