"""In Chromium, with axe on every page: progress within the release policy,
plain headlines with comparisons folded away and stacked on a phone, the
Report tab's preview and Publish, and the console's downloads. `make test`
runs each item at one width; `make browser-matrix` at 390 and 1280 px,
English and Welsh (tests/browser/matrix.py). CANDOUR_SCREENSHOTS=dir saves
each page at 390 and 1280 px."""

import csv
import io
import json

import pytest
from openpyxl import load_workbook

from survey.models import ReportVersion
from survey.moderation import decisions as moderation
from survey.responses.importing import import_responses
from tests.browser.matrix import check, language_of, variants
from tests.browser.test_publishing_trust import person, shot, sign_in, survey_in
from tests.factories import answers, close_and_release, to_csv, varied
from tests.moderation.test_decisions import released_at_days_end

CONSOLE = "/console/therapy-2026/"


@pytest.fixture
def released(db, request):
    survey = survey_in(language_of(request))
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


@pytest.mark.browser_matrix
@pytest.mark.django_db(transaction=True)
@variants(1280)
def test_an_open_survey_says_responses_are_arriving_and_what_the_release_needs(live_server, screen, width, lang):
    page = screen
    survey = survey_in(lang)
    person("alice", survey, "organiser")
    sign_in(page, f"{live_server.url}{CONSOLE}", "alice")
    check(page, lang=lang)
    status = page.get_by_role("region", name="Responses and figures")
    assert "fewer than 10. This also covers none at all" in status.inner_text()
    assert "the survey has closed (closing is final);\nat least 10 people have answered." in status.inner_text()
    shot(page, f"results-open-{lang}")


@pytest.mark.browser_matrix
@pytest.mark.django_db(transaction=True)
@variants(390)
def test_headlines_first_and_comparisons_folded_on_a_phone(live_server, screen, released, width, lang):
    page = screen
    sign_in(page, f"{live_server.url}{CONSOLE}", "alice")
    check(page, lang=lang)
    assert (
        page.locator(".concern-headline")
        .first.inner_text()
        .startswith("51 in 100 raised a concern about patient care; about 1 in 3")
    )
    table = page.locator("details.comparisons table")
    assert not table.is_visible()  # folded away
    page.get_by_text("Show the", exact=False).click()
    assert table.is_visible()
    check(page, lang=lang)  # stacked as cards on a phone, no sideways scroll
    assert "Patient care: raised a concern" in table.inner_text()
    shot(page, f"results-closed-{lang}")


@pytest.mark.browser_matrix
@pytest.mark.django_db(transaction=True)
@variants(1280)
def test_preview_choose_a_quote_and_publish_from_the_report_tab(live_server, screen, released, width, lang):
    page = screen
    sign_in(page, f"{live_server.url}{CONSOLE}report/", "alice")
    check(page, lang=lang)
    assert page.get_by_role("heading", name="Preview of version 1").is_visible()
    preview = page.locator("#preview")
    assert "Nights are short-staffed" not in preview.inner_text()  # no quote until chosen
    page.locator("textarea[name=narrative]").fill("Thank you to everyone who answered.")
    if lang == "cy":
        welsh_box = page.locator("textarea[name=narrative_cy]")
        assert welsh_box.get_attribute("lang") == "cy"  # the Welsh text is marked as Welsh on the English page
        welsh_box.fill("Diolch i bawb a atebodd.")
    page.get_by_label("“Nights are short-staffed every week”", exact=False).check()
    # Publish with unsaved changes: they are saved and shown in the preview first.
    page.get_by_role("button", name="Publish version 1").click()
    check(page, lang=lang)
    assert page.get_by_text("Your changes are saved.").is_visible()
    text = preview.inner_text()
    assert "Thank you to everyone who answered." in text and "Nights are short-staffed" in text
    shot(page, f"report-tab-{lang}")
    page.get_by_role("button", name="Publish version 1").click()
    check(page, lang=lang)
    assert page.get_by_role("heading", name="Publish version 1 of the report?").is_visible()
    shot(page, f"report-confirm-{lang}")
    page.get_by_role("button", name="Publish version 1").click()
    check(page, lang=lang)
    assert page.get_by_text("Version 1 of the report is published.").is_visible()
    snapshot = ReportVersion.objects.get().snapshot
    assert [q["text"] for q in snapshot["quotes"]] == ["Nights are short-staffed every week"]
    page.goto(f"{live_server.url}/r/therapy-2026/")
    check(page, public=True, lang=lang)
    headline = page.locator(".concern-headline").first.inner_text()
    if lang == "cy":  # a Welsh browser gets the report in Welsh, the figures' words included
        assert headline.startswith("Cododd 51 o bob 100 bryder ynghylch gofal cleifion; dywedodd tua 1 o bob 3")
        assert "Diolch i bawb a atebodd." in page.locator("main").inner_text()
        page.get_by_text("Dangos y cymariaethau", exact=False).click()
        assert "yn erbyn y gweddill" in page.locator("details.comparisons table").inner_text()
    else:
        assert headline.startswith("51 in 100 raised a concern about patient care; about 1 in 3")
        page.get_by_text("Show the", exact=False).click()
    check(page, public=True, lang=lang)  # the comparisons unfolded, stacked on a phone
    shot(page, f"public-report-{lang}")


@pytest.mark.browser_matrix
@pytest.mark.django_db(transaction=True)
@variants(390)
def test_the_console_downloads_released_figures_with_labels(live_server, screen, released, width, lang):
    page = screen
    sign_in(page, f"{live_server.url}{CONSOLE}", "alice")
    with page.expect_download() as info:
        page.get_by_role("link", name="CSV").click()
    text = open(info.value.path(), encoding="utf-8").read()
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][0] == "Working in mental health services" and rows[0][1].startswith("final figures released on")
    tables = [[]]
    for row in rows[1:]:  # tables one after another, a blank line between them
        if row:
            tables[-1].append(row)
        else:
            tables.append([])
    questions = tables[1][1:]
    assert "Which service do you work in?" in {r[2] for r in questions} and "iapt" not in {r[4] for r in questions}
    check(page, lang=lang)
    if (width, lang) != (390, "en"):  # the other formats' links, beyond `make test`'s one
        with page.expect_download() as info:
            page.get_by_role("link", name="Excel (XLSX)").click()
        sheets = load_workbook(io.BytesIO(open(info.value.path(), "rb").read()))
        assert "IAPT" in {c for row in sheets["Questions"].iter_rows(values_only=True) for c in row}
        with page.expect_download() as info:
            page.get_by_role("link", name="JSON").click()
        document = json.loads(open(info.value.path(), encoding="utf-8").read())
        assert document["concerns"][0]["raised"]["n"] == 73
