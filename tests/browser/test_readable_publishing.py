"""In Chromium, with axe on every page: progress within the release policy,
plain headlines with comparisons folded away and stacked on a phone, the
Report tab's preview and Publish, and the console's downloads (one width per
item here; CANDOUR_SCREENSHOTS=dir saves each changed page at 390 and 1280 px)."""

import csv
import io

import pytest

from survey.models import ReportVersion
from survey.moderation import decisions as moderation
from survey.responses.importing import import_responses
from tests.browser.a11y import assert_accessible, layout_problems
from tests.browser.test_publishing_trust import person, shot, sign_in
from tests.factories import answers, close_and_release, make_survey, to_csv, varied
from tests.moderation.test_decisions import released_at_days_end

CONSOLE = "/console/therapy-2026/"


@pytest.fixture
def released(db):
    survey = make_survey()
    person("alice", survey, "organiser")
    mo = person("mo", survey, "moderator")
    rows = varied("iapt", 30, barriers=True) + varied("other", 30) + varied("bank", 12)
    rows += [answers(service="other", raised="yes", outcome="not", comment="Nights are short-staffed every week")]
    import_responses(survey=survey, text=to_csv(rows))
    released_at_days_end()
    close_and_release(survey)
    survey.refresh_from_db()
    for answer in moderation.queue(survey=survey):
        moderation.approve_quote(
            survey=survey, acting_user=mo, answer_id=answer.pk, redacted_text=answer.text, concern_key="patient-care"
        )
    return survey


@pytest.mark.django_db(transaction=True)
def test_an_open_survey_says_responses_are_arriving_and_what_the_release_needs_at_1280px(live_server, page):
    page.set_viewport_size({"width": 1280, "height": 900})
    survey = make_survey()
    person("alice", survey, "organiser")
    sign_in(page, f"{live_server.url}{CONSOLE}", "alice")
    assert_accessible(page)
    status = page.get_by_role("region", name="Responses and figures")
    assert "fewer than 10. This also covers none at all" in status.inner_text()
    assert "the survey has closed (closing is final);\nat least 10 people have answered." in status.inner_text()
    shot(page, "results-open")


@pytest.mark.django_db(transaction=True)
def test_headlines_first_and_comparisons_folded_on_a_phone_at_390px(live_server, page, released):
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, f"{live_server.url}{CONSOLE}", "alice")
    assert_accessible(page)
    assert not layout_problems(page), layout_problems(page)
    assert (
        page.locator(".concern-headline")
        .first.inner_text()
        .startswith("51 in 100 raised a concern about patient care; about 1 in 3")
    )
    table = page.locator("details.comparisons table")
    assert not table.is_visible()  # folded away
    page.get_by_text("Show the", exact=False).click()
    assert table.is_visible()
    assert_accessible(page)
    assert not layout_problems(page), layout_problems(page)  # stacked as cards, no sideways scroll
    assert "Patient care: raised a concern" in table.inner_text()
    shot(page, "results-closed")


@pytest.mark.django_db(transaction=True)
def test_preview_choose_a_quote_and_publish_from_the_report_tab_at_1280px(live_server, page, released):
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, f"{live_server.url}{CONSOLE}report/", "alice")
    assert_accessible(page)
    assert page.get_by_role("heading", name="Preview of version 1").is_visible()
    preview = page.locator("#preview")
    assert "Nights are short-staffed" not in preview.inner_text()  # no quote until chosen
    page.locator("textarea[name=narrative]").fill("Thank you to everyone who answered.")
    page.get_by_label("“Nights are short-staffed every week”", exact=False).check()
    # Publish with unsaved changes: they are saved and shown in the preview first.
    page.get_by_role("button", name="Publish version 1").click()
    assert_accessible(page)
    assert page.get_by_text("Your changes are saved.").is_visible()
    text = preview.inner_text()
    assert "Thank you to everyone who answered." in text and "Nights are short-staffed" in text
    shot(page, "report-tab")
    page.set_viewport_size({"width": 390, "height": 844})
    assert not layout_problems(page), layout_problems(page)  # the preview reads on a phone too
    page.set_viewport_size({"width": 1280, "height": 900})
    page.get_by_role("button", name="Publish version 1").click()
    assert_accessible(page)
    shot(page, "report-confirm")
    page.get_by_role("button", name="Publish version 1").click()
    assert_accessible(page)
    assert page.get_by_text("Version 1 of the report is published.").is_visible()
    snapshot = ReportVersion.objects.get().snapshot
    assert [q["text"] for q in snapshot["quotes"]] == ["Nights are short-staffed every week"]
    page.goto(f"{live_server.url}/r/therapy-2026/")
    assert_accessible(page)
    assert not layout_problems(page), layout_problems(page)
    shot(page, "public-report")


@pytest.mark.django_db(transaction=True)
def test_the_console_downloads_released_figures_with_labels_at_390px(live_server, page, released):
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, f"{live_server.url}{CONSOLE}", "alice")
    with page.expect_download() as info:
        page.get_by_role("link", name="CSV").click()
    text = open(info.value.path(), encoding="utf-8").read()
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][0] == "Working in mental health services" and rows[0][1].startswith("final figures released on")
    questions = rows[rows.index([]) + 1 :]
    questions = questions[: questions.index([])] if [] in questions else questions  # then the comparisons
    assert "Which service do you work in?" in {r[2] for r in questions} and "iapt" not in {r[4] for r in questions}
    assert_accessible(page)
