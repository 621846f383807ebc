"""In Chromium, axe on every page: the builder without JavaScript, a copy in
one click, the share kit (copy buttons, poster, QR codes on slips), readable
charts, and "Forgot your password?" from the sign-in page to a new password."""

import os
import re
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core import mail

from survey.models import Member, Survey
from survey.responses.importing import import_responses
from tests.browser.a11y import assert_accessible, go, layout_problems
from tests.factories import answers, close_and_release, make_survey, to_csv

PASSWORD = "a long organiser passphrase"  # noqa: S105 - test account
SHOTS = os.environ.get("CANDOUR_SHOTS")  # a folder: screenshots of each page at 390 and 1280 px


def shoot(page, name: str) -> None:
    """Screenshots for a person to look at (only when CANDOUR_SHOTS is set);
    at both widths, the page reflows without sideways scrolling."""
    size = page.viewport_size
    for width in (390, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        if width == 390:
            assert not [p for p in layout_problems(page) if "sideways" in p], name
        if SHOTS:
            Path(SHOTS).mkdir(parents=True, exist_ok=True)
            page.screenshot(path=f"{SHOTS}/{name}-{width}.png", full_page=True)
    page.set_viewport_size(size)


def sign_in(page, base: str, username: str = "olu") -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


@pytest.fixture
def olu(db):
    survey = make_survey()
    user = get_user_model().objects.create_user(username="olu", email="olu@example.org", password=PASSWORD)
    Member.objects.create(survey=survey, user=user, role=Member.Role.ORGANISER)
    return survey


@pytest.mark.django_db(transaction=True)
def test_builder_without_javascript_adds_choice_rows_and_offers_the_chosen_outcomes(live_server, chromium, olu):
    context = chromium.new_context(viewport={"width": 1200, "height": 900}, java_script_enabled=False)
    page = context.new_page()
    try:
        base = f"{live_server.url}/console/{olu.slug}/build"
        sign_in(page, live_server.url)
        page.goto(f"{base}/question/new/?section=0")
        assert not page.get_by_role("button", name="Add a choice").is_visible()
        page.locator("#id_text").fill("Which ward do you work on most?")
        page.locator("#id_kind").select_option("single_choice")
        for i in range(3):
            page.locator(f"#id_choices-{i}-label").fill(f"Ward {i + 1}")
        go(page, "More choice rows (nothing is saved yet)", check=False)
        assert page.locator("#id_choices-0-label").input_value() == "Ward 1"
        for i in range(3, 6):
            page.locator(f"#id_choices-{i}-label").fill(f"Ward {i + 1}")
        go(page, "Save the question", check=False)
        assert page.get_by_text("Saved: the question “Which ward do you work on most?”.").is_visible()
        question = olu.questions.get(text="Which ward do you work on most?")
        assert question.key == "ward_work_most" and question.choices.count() == 6

        page.goto(f"{base}/concern/new/")
        page.locator("#id_outcome").select_option("outcome_patient_care")
        go(page, "Show the answers of the chosen “what happened?” question", check=False)
        labels = page.locator("#div_id_resolved_values label")
        assert [labels.nth(i).inner_text() for i in range(labels.count())] == ["Yes, adequately", "Partly", "No"]
    finally:
        context.close()


@pytest.mark.django_db(transaction=True)
def test_changed_builder_pages_pass_axe_and_a_survey_is_copied_in_one_click(live_server, page, olu):
    base = f"{live_server.url}/console/{olu.slug}"
    sign_in(page, live_server.url)
    page.goto(f"{live_server.url}/console/new/")
    assert page.get_by_text("/s/speaking-up-2027/").is_visible()
    assert_accessible(page)
    shoot(page, "new-survey")
    page.goto(f"{base}/build/")
    assert_accessible(page)
    assert page.get_by_role("button", name="Remove section “About your work”").is_visible()
    shoot(page, "build")
    # A Welsh title: every text of the builder then has a Welsh field beside it.
    page.locator("#id_settings-title_cy").fill("Gweithio ym maes iechyd meddwl")
    go(page, "Save the settings")
    page.goto(f"{base}/build/question/outcome_patient_care/")
    assert page.get_by_label("Question (Cymraeg)").get_attribute("lang") == "cy"
    assert page.get_by_label("Choice 1 (Cymraeg)").is_visible()
    assert_accessible(page)
    rows = page.locator("#choice-rows .choice-row").count()
    page.get_by_role("button", name="Add a choice").click()
    assert page.locator(f"#id_choices-{rows}-label").evaluate("el => el === document.activeElement")
    assert page.get_by_label(f"Choice {rows + 1} (Cymraeg)", exact=True).is_visible()
    assert page.locator("#id_choices-TOTAL_FORMS").input_value() == str(rows + 1)
    assert_accessible(page)
    shoot(page, "question")
    page.goto(f"{base}/build/concern/patient-care/")
    assert_accessible(page)
    shoot(page, "concern")
    page.goto(f"{base}/build/")
    go(page, "Duplicate this survey")
    assert page.get_by_text("This is a draft copy of “Working in mental health services”").is_visible()
    copy = Survey.objects.get(slug=f"{olu.slug}-copy")
    assert copy.status == Survey.Status.DRAFT and copy.questions.count() == olu.questions.count()


@pytest.mark.django_db(transaction=True)
def test_share_kit_copy_buttons_poster_and_code_slips(live_server, chromium, olu):
    context = chromium.new_context(viewport={"width": 1200, "height": 900})
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    page = context.new_page()
    try:
        base = f"{live_server.url}/console/{olu.slug}"
        sign_in(page, live_server.url)
        page.goto(f"{base}/share/")
        assert_accessible(page)
        page.get_by_role("button", name="Copy the link").click()
        page.get_by_text("Copied.").first.wait_for()
        assert page.evaluate("navigator.clipboard.readText()") == f"{live_server.url}/s/{olu.slug}/"
        page.get_by_role("button", name="Copy the invitation").click()
        assert "Answer it here: " in page.evaluate("navigator.clipboard.readText()")
        shoot(page, "share")
        page.get_by_role("link", name="Open the poster to print").click()
        assert_accessible(page)
        assert page.locator("img.poster-qr").evaluate("img => img.naturalWidth > 0")
        shoot(page, "poster")
        page.emulate_media(media="print")
        assert not page.get_by_text("Back to sharing").is_visible()  # only the poster is printed
        assert not page.locator("header").is_visible()
        if SHOTS:
            page.screenshot(path=f"{SHOTS}/poster-print.png", full_page=True)
        page.emulate_media(media="screen")

        Survey.objects.filter(pk=olu.pk).update(access=Survey.Access.CODES)
        page.goto(f"{base}/codes/")
        assert page.get_by_text("No codes issued yet.").is_visible()
        assert_accessible(page)
        shoot(page, "codes")
        page.get_by_label("How many codes?").fill("4")
        go(page, "Generate codes")
        assert page.locator(".code-slip img.code-qr").count() == 4
        shoot(page, "codes-batch")
        page.goto(f"{base}/codes/")
        assert "Codes issued: 4." in page.locator("#code-counts").inner_text()
    finally:
        context.close()


@pytest.mark.django_db(transaction=True)
def test_explore_charts_are_whole_and_in_the_tables_order(live_server, page, olu):
    rows = [answers(service="iapt", raised="yes", outcome="adequately")] * 30 + [answers(service="iapt")] * 5
    rows += [answers(service="other", raised="yes", outcome="partly")] * 10 + [answers(service="other")] * 30
    import_responses(survey=olu, text=to_csv(rows))
    close_and_release(olu)  # figures are released once, at closing
    sign_in(page, live_server.url)
    page.goto(f"{live_server.url}/console/{olu.slug}/explore/")
    assert_accessible(page)
    options = page.locator("#question option")
    assert "In the last 12 months, have you raised a concern about patient care?" in [
        options.nth(i).inner_text() for i in range(options.count())
    ]
    table = page.locator("#concern-title + .row table tbody th")
    groups = [table.nth(i).inner_text() for i in range(table.count())]
    chart = page.locator("img[src*='chart/concern.svg']").first
    page.goto(live_server.url + chart.get_attribute("src"))
    texts = page.locator("text")
    drawn = [texts.nth(i).text_content() for i in range(texts.count())]
    assert [t for t in drawn if t in groups] == groups
    assert "100%" in drawn and not any("…" in t for t in drawn)
    # No two labels overlap in the drawn picture.
    boxes = page.evaluate(
        "[...document.querySelectorAll('text')].map(t => {const b = t.getBBox(); return [b.x, b.y, b.width, b.height]})"
    )
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            apart = a[0] + a[2] <= b[0] or b[0] + b[2] <= a[0] or a[1] + a[3] <= b[1] or b[1] + b[3] <= a[1]
            assert apart, (a, b)
    page.goto(f"{live_server.url}/console/{olu.slug}/explore/")
    shoot(page, "explore")


@pytest.mark.django_db(transaction=True)
def test_forgot_your_password_from_sign_in_to_a_new_password(live_server, page, olu):
    page.goto(f"{live_server.url}/accounts/login/")
    shoot(page, "sign-in")
    page.get_by_role("link", name="Forgot your password?").click()
    assert_accessible(page)
    shoot(page, "password-reset")
    page.get_by_label("Email").fill("olu@example.org")
    go(page, "Send me a link")
    assert page.get_by_role("heading", name="Check your e-mail").is_visible()
    shoot(page, "password-reset-sent")
    link = re.search(r"https?://\S+", mail.outbox[-1].body)[0]
    page.goto(link)
    assert_accessible(page)
    shoot(page, "password-reset-confirm")
    new = "another long organiser passphrase"
    page.locator("#id_new_password1").fill(new)
    page.locator("#id_new_password2").fill(new)
    go(page, "Set my new password")
    assert page.get_by_text("Your new password is set.").is_visible()
    page.get_by_label("Username").fill("olu")
    page.locator("#id_password").fill(new)
    go(page, "Sign in")
    assert page.get_by_role("heading", name="Your surveys").is_visible()
    page.goto(link)
    assert page.get_by_text("This link has been used or has expired.").is_visible()
    assert_accessible(page)
