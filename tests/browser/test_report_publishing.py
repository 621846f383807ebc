"""An organiser builds a report from the demo survey in a real browser,
publishes it, downloads it in three formats and prints it to PDF."""

import csv
import io
import json
import os
import subprocess

import pytest
from openpyxl import load_workbook

from survey.figures.releases import released_document
from survey.responses.demo import DEMO_PASSWORD, DEMO_USER, seed_demo
from tests.browser.a11y import assert_accessible
from tests.factories import close_and_release

SHOTS = os.environ.get("CANDOUR_SCREENSHOTS", "")


@pytest.mark.django_db(transaction=True)
def test_report_built_published_downloaded_and_printed(live_server, page, tmp_path):
    survey, _ = seed_demo()
    close_and_release(survey)  # figures are released, and reports published, once the survey has closed
    headline = released_document(survey=survey)["concerns"][0]["raised"]

    page.goto(f"{live_server.url}/console/raising-concerns/report/")
    assert_accessible(page)
    page.get_by_label("Username").fill(DEMO_USER)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    assert_accessible(page)
    page.get_by_label("Title", exact=True).fill("Raising concerns: what you told us")
    page.get_by_label("Narrative", exact=True).fill("Thank you to everyone who answered. **We are listening.**")
    page.get_by_role("button", name="Save report settings").click()
    assert_accessible(page)
    assert page.get_by_text("Saved.").is_visible()
    page.get_by_role("link", name="action ledger").click()
    page.locator("#id_help-patient-care-text").fill("Freedom to Speak Up Guardian: ftsu@example.org")
    page.get_by_role("button", name="Save who can help for Patient care").click()
    assert_accessible(page)

    # Publishing is on the Report tab, below the preview of the next version.
    page.goto(f"{live_server.url}/console/raising-concerns/report/")
    page.get_by_label("Note").fill("First results")
    page.get_by_role("button", name="Publish version 1").click()
    assert_accessible(page)  # publishing asks first
    assert page.get_by_role("heading", name="Publish version 1 of the report?").is_visible()
    page.get_by_role("button", name="Publish version 1").click()
    assert_accessible(page)
    assert page.get_by_text("Version 1 of the report is published.").is_visible()

    page.goto(f"{live_server.url}/r/raising-concerns/")
    assert_accessible(page)
    assert page.get_by_role("heading", name="Raising concerns: what you told us").is_visible()
    assert page.get_by_text("We are listening.").is_visible()

    files = {}
    for label in ("CSV", "Excel (XLSX)", "JSON"):
        with page.expect_download() as info:
            page.get_by_role("link", name=label, exact=True).click()
        path = tmp_path / info.value.suggested_filename
        info.value.save_as(path)
        files[label] = path
    lines = files["CSV"].read_text().splitlines()  # a title line, then the concern table
    rows = list(csv.DictReader(io.StringIO("\n".join(lines[1 : lines.index("")]))))
    assert rows[0]["count"] == str(headline["count"]) and rows[0]["n"] == str(headline["n"])
    assert json.loads(files["JSON"].read_text())["concerns"][0]["raised"] == headline
    sheet = load_workbook(files["Excel (XLSX)"])["Concerns"]
    assert list(sheet.iter_rows(values_only=True))[2][7:9] == (headline["count"], headline["n"])

    pdf = tmp_path / "report.pdf"
    page.emulate_media(media="print")
    page.pdf(path=str(pdf), format="A4", print_background=True)
    if SHOTS:
        subprocess.run(["cp", str(pdf), os.path.join(SHOTS, "report.pdf")], check=True)
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert f"{headline['pct']}%" in text
    assert f"({headline['count']} of {headline['n']};" in text
    assert "Download these figures" not in text  # the print stylesheet hides links and forms

    page.emulate_media(media="screen")
    for name, width in (("desktop", 1280), ("phone", 390)):
        page.set_viewport_size({"width": width, "height": 900})
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 1, f"{name}: page is {overflow}px wider than the screen"
        if SHOTS:
            page.screenshot(path=os.path.join(SHOTS, f"report-{name}.png"), full_page=True)
            page.screenshot(path=os.path.join(SHOTS, f"report-{name}-top.png"))
