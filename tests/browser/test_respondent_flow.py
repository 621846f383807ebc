"""A respondent answers the built-in survey in a real browser: follow-ups,
errors, keyboard only, Welsh, without JavaScript, at phone and desktop widths,
with an accessibility check on every page."""

import os
import shutil
import struct

import pytest

from survey.models import PendingSubmission
from tests.browser.a11y import assert_accessible, focused, go, layout_problems, tab_to


def enter(page):
    """Press Enter on the focused button and wait for the next page."""
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert_accessible(page)


@pytest.mark.django_db(transaction=True)
def test_respondent_completes_the_builtin_survey(live_server, page, builtin):
    page.goto(f"{live_server.url}/s/raising-concerns/")
    assert_accessible(page)
    go(page, "Start the survey")
    go(page, "Continue")  # nothing chosen: an error summary, focused, linking to each field
    summary = page.get_by_role("alert")
    assert summary.get_by_role("heading", name="There is a problem").is_visible()
    assert focused(page)["id"] == "error-summary"
    summary.get_by_role(
        "link", name="Which kind of service do you mainly work in? Please answer this question."
    ).click()
    assert focused(page)["id"] == "id_q_service_0"
    assert page.locator("#id_q_service_0").get_attribute("aria-invalid") == "true"
    assert page.title().startswith("Error:")
    page.get_by_label("NHS Talking Therapies (IAPT)").check()
    page.get_by_label("Nurse or allied health professional").check()
    go(page, "Continue")
    progress = page.get_by_role("progressbar", name="Progress: step 2 of")
    assert progress.is_visible() and progress.get_attribute("value") == "2"
    page.get_by_label("Yes").check()
    go(page, "Continue")
    # The follow-up appears because the answer was yes.
    page.get_by_label("Partly").check()
    go(page, "Continue")
    page.get_by_label("No").check()
    go(page, "Continue")
    page.get_by_label("Agree", exact=True).check()
    go(page, "Continue")
    assert page.get_by_role("heading", name="Check your answers").is_visible()
    go(page, "Send my answers")
    assert page.get_by_role("heading", name="Thank you").is_visible()
    assert PendingSubmission.objects.get().answers["outcome_patient_care"] == "partly"


@pytest.mark.django_db(transaction=True)
def test_keyboard_alone_completes_the_survey_with_a_follow_up(live_server, page, builtin):
    page.goto(f"{live_server.url}/s/raising-concerns/")
    assert_accessible(page)
    tab_to(page, "Start the survey")
    enter(page)
    assert tab_to(page, "NHS Talking Therapies")["type"] == "radio"
    page.keyboard.press("Space")
    tab_to(page, "Psychological therapist")
    page.keyboard.press("ArrowDown")  # arrows move the choice within a radio group
    assert focused(page)["name"] == "Nurse or allied health professional"
    tab_to(page, "Continue", exact=True)
    enter(page)
    tab_to(page, "Yes", exact=True)
    page.keyboard.press("Space")
    tab_to(page, "Continue", exact=True)
    enter(page)
    assert page.get_by_text("Was your concern about patient care adequately resolved?").is_visible()  # the follow-up
    tab_to(page, "Yes, adequately")
    page.keyboard.press("ArrowDown")
    assert focused(page)["name"] == "Partly"
    tab_to(page, "Is there anything you want to tell us")
    page.keyboard.type("Typed with the keyboard alone")
    tab_to(page, "Continue", exact=True)
    enter(page)
    tab_to(page, "Yes", exact=True)  # one Tab stop per radio group; arrows choose within it
    page.keyboard.press("ArrowDown")
    assert focused(page)["name"] == "No"
    tab_to(page, "Continue", exact=True)
    enter(page)
    tab_to(page, "Fear of blame")
    page.keyboard.press("Space")  # a checkbox
    tab_to(page, "Strongly disagree")
    for _ in range(3):
        page.keyboard.press("ArrowDown")
    assert focused(page)["name"] == "Agree"
    tab_to(page, "Continue", exact=True)
    enter(page)
    tab_to(page, "Send my answers")
    enter(page)
    assert page.get_by_role("heading", name="Thank you").is_visible()
    stored = PendingSubmission.objects.get().answers
    assert stored["role"] == "nurse" and stored["outcome_patient_care"] == "partly"
    assert stored["barriers"] == ["fear"] and stored["safe_to_speak"] == "4"
    assert stored["patient_care_comment"] == "Typed with the keyboard alone"


@pytest.mark.django_db(transaction=True)
def test_respondent_answers_in_welsh(live_server, page, builtin):
    page.goto(f"{live_server.url}/s/raising-concerns/")
    page.get_by_role("link", name="Cymraeg").click()
    assert page.locator("html").get_attribute("lang") == "cy"
    assert page.get_by_role("heading", name="Codi pryderon mewn gwasanaethau iechyd meddwl").is_visible()
    assert_accessible(page)
    go(page, "Dechrau'r arolwg")
    page.get_by_label("Therapïau Siarad y GIG (IAPT)").check()
    page.get_by_label("Nyrs neu weithiwr proffesiynol perthynol i iechyd").check()
    go(page, "Parhau")
    assert page.get_by_role("progressbar", name="Cynnydd: cam 2 o").is_visible()
    go(page, "English")  # switching language mid-survey keeps the answers given so far
    assert page.locator("html").get_attribute("lang") == "en-gb"
    assert page.get_by_role("heading", name="Patient care").is_visible()
    go(page, "Back")
    assert page.get_by_label("Nurse or allied health professional").is_checked()
    go(page, "Cymraeg")
    assert page.get_by_role("heading", name="Am eich gwaith").is_visible()
    go(page, "Parhau")
    page.get_by_label("Ydw", exact=True).check()
    go(page, "Parhau")
    page.get_by_label("Yn rhannol").check()
    go(page, "Parhau")
    page.get_by_label("Nac ydw").check()
    go(page, "Parhau")
    page.get_by_label("Cytuno", exact=True).check()
    go(page, "Parhau")
    assert page.get_by_role("heading", name="Gwirio eich atebion").is_visible()
    assert page.get_by_text("Yn rhannol").is_visible()
    go(page, "Anfon fy atebion")
    assert page.get_by_role("heading", name="Diolch").is_visible()
    assert page.locator("html").get_attribute("lang") == "cy"
    stored = PendingSubmission.objects.get().answers  # the same values as in English
    assert (stored["service"], stored["raised_patient_care"], stored["outcome_patient_care"]) == (
        "iapt",
        "yes",
        "partly",
    )


@pytest.mark.django_db(transaction=True)
def test_survey_works_with_javascript_off(live_server, chromium, builtin):
    context = chromium.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/s/raising-concerns/")
        assert page.locator("#resume").is_hidden()
        go(page, "Start the survey", False)
        go(page, "Continue", False)
        assert page.get_by_role("alert").is_visible()
        page.get_by_label("Another service").check()
        page.get_by_label("Another role").check()
        go(page, "Continue", False)
        page.get_by_label("No").check()
        go(page, "Continue", False)
        go(page, "Continue", False)  # the comment is optional
        page.get_by_label("No").check()
        go(page, "Continue", False)
        page.get_by_label("Disagree", exact=True).check()
        go(page, "Continue", False)
        go(page, "Send my answers", False)
        assert page.get_by_role("heading", name="Thank you").is_visible()
        assert PendingSubmission.objects.get().answers["service"] == "other"
    finally:
        context.close()


def _png_width(path) -> int:
    return struct.unpack(">I", path.read_bytes()[16:20])[0]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("name", "width", "height"), [("phone", 360, 740), ("desktop", 1280, 800), ("zoom-400", 320, 640)]
)
def test_pages_fit_phone_and_desktop_widths(live_server, chromium, builtin, tmp_path, name, width, height):
    context = chromium.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    shots = []

    def check(label):
        assert_accessible(page)
        assert not layout_problems(page), f"{name} {label}: {layout_problems(page)}"
        shot = tmp_path / f"{name}-{label}.png"
        page.screenshot(path=str(shot), full_page=True)
        assert _png_width(shot) == width, f"{name} {label}: the full page is wider than the screen"
        shots.append(shot)
        if os.environ.get("CANDOUR_SCREENSHOTS"):  # keep them for a person to look at
            shutil.copy(shot, os.environ["CANDOUR_SCREENSHOTS"])

    try:
        page.goto(f"{live_server.url}/s/raising-concerns/?lang=cy")  # the longer words
        check("intro")
        go(page, "Dechrau'r arolwg")
        go(page, "Parhau")
        check("errors")
        page.get_by_label("Gofal iechyd meddwl cymunedol neu eilaidd").check()
        page.get_by_label("Rôl arall").check()
        go(page, "Parhau")
        page.get_by_label("Nac ydw").check()
        go(page, "Parhau")
        go(page, "Parhau")
        page.get_by_label("Ydw", exact=True).check()
        go(page, "Parhau")
        check("many-questions")
        page.get_by_label("Rhy gynnar i ddweud").check()
        page.get_by_label("Cytuno'n gryf").check()
        go(page, "Parhau")
        check("review")
    finally:
        context.close()
    assert len(shots) == 4 and all(s.stat().st_size > 5000 for s in shots)
