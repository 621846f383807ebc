"""Answering on a phone (and a desktop), with JavaScript on and off, in English
and Welsh: the browser's own Back and Forward, nothing lost on a reload or a
language switch, code errors in a focused summary, pages no wider than the
screen, "Change" back to the review, the intro's promise first, and a
thank-you page that says where results appear and who can help.

`make test` runs each item in one variant (the first of VARIANTS below, or
the one named); `make browser-matrix` runs every item at 390 and 1280 px,
with JavaScript on and off, in English and Welsh."""

import os
from pathlib import Path

import pytest
from django.utils import timezone

from survey.models import LedgerEntry, PendingSubmission, Survey
from survey.responses.invitation_codes import generate_codes
from tests.browser.a11y import assert_accessible, layout_problems, settled

MATRIX = os.environ.get("CANDOUR_BROWSER_MATRIX") == "1"
ALL = [(w, js, lang) for w in (390, 1280) for js in (True, False) for lang in ("en", "cy")]
SHOTS = os.environ.get("CANDOUR_SCREENSHOTS")
WORDS = {
    "en": {
        "start": "Start the survey",
        "review": "Check your answers",
        "thanks": "Thank you",
        "code": "typing mistake",
    },
    "cy": {
        "start": "Dechrau'r arolwg",
        "review": "Gwirio eich atebion",
        "thanks": "Diolch",
        "code": "camgymeriad teipio",
    },
}


def variants(*default):
    """Every width, JavaScript state and language under the matrix; else the default one."""
    chosen = ALL if MATRIX else [default]
    return pytest.mark.parametrize(
        ("width", "js", "lang"), [pytest.param(*v, id=f"{v[0]}px-{'js' if v[1] else 'nojs'}-{v[2]}") for v in chosen]
    )


@pytest.fixture
def phone(chromium, request):
    """A page in the variant's width and JavaScript state (one context: one device)."""
    width = request.node.callspec.params["width"]
    js = request.node.callspec.params["js"]
    context = chromium.new_context(viewport={"width": width, "height": 800}, java_script_enabled=js)
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


def check(page, js):
    page.wait_for_load_state()
    if js:  # axe-core is a script; the same pages are checked with it on
        assert_accessible(page)
    assert not layout_problems(page), layout_problems(page)


def shoot(page, name):
    """Full-page screenshots at 390 and 1280 px, kept for a person to look at (CANDOUR_SCREENSHOTS=dir)."""
    if not SHOTS:
        return
    Path(SHOTS).mkdir(parents=True, exist_ok=True)
    original = page.viewport_size
    for width in (390, 1280):
        page.set_viewport_size({"width": width, "height": 800})
        page.screenshot(path=str(Path(SHOTS) / f"{name}-{width}.png"), full_page=True)
    page.set_viewport_size(original)


def press(page, action, js=True):
    """A button of the survey's form by its action (the same in every language)."""
    page.locator(f'#main button[name="action"][value="{action}"]').first.click()
    page.wait_for_load_state()
    settled(page)


def wait_step(page, step):
    page.wait_for_function(
        "s => { const f = document.querySelector('#answer-form'); return f && f.dataset.page === s; }", arg=step
    )


def tick(page, key, value):
    page.locator(f'input[name="q_{key}"][value="{value}"]').check()


def ticked(page, key, value):
    return page.locator(f'input[name="q_{key}"][value="{value}"]').is_checked()


def start(page, url, lang):
    page.goto(url + ("?lang=cy" if lang == "cy" else ""))
    page.get_by_role("button", name=WORDS[lang]["start"]).click()
    wait_step(page, "0")


def first_two_pages(page, js):
    tick(page, "service", "iapt")
    tick(page, "role", "nurse")
    press(page, "next", js)
    wait_step(page, "1")
    tick(page, "raised_patient_care", "yes")
    press(page, "next", js)
    wait_step(page, "2")


@pytest.mark.browser_matrix
@pytest.mark.django_db(transaction=True)
@variants(390, True, "en")
def test_back_and_forward_move_between_steps_with_the_answers_given(live_server, phone, builtin, width, js, lang):
    url = f"{live_server.url}/s/raising-concerns/"
    page = phone
    start(page, url, lang)
    address = page.url
    check(page, js)
    first_two_pages(page, js)
    tick(page, "outcome_patient_care", "partly")
    if js:
        page.go_back()  # the browser's own Back: the phone's back gesture
        wait_step(page, "1")
        assert ticked(page, "raised_patient_care", "yes")
        check(page, js)
        page.go_back()
        wait_step(page, "0")
        assert ticked(page, "service", "iapt") and ticked(page, "role", "nurse")
        page.go_back()  # to the intro, which offers the answers kept so far
        page.get_by_role("button", name=WORDS[lang]["start"]).wait_for()
        assert page.locator("#answer-form").count() == 0
        page.go_forward()
        wait_step(page, "0")
        assert ticked(page, "service", "iapt")
        page.go_forward()
        wait_step(page, "1")
        page.go_forward()
        wait_step(page, "2")
        assert ticked(page, "outcome_patient_care", "partly")  # what was ticked before going back
        assert page.url == address  # one address for every step: nothing tells a follow-up was shown
        assert "Confirm Form Resubmission" not in page.content()
        assert page.locator("[data-without-js]").is_hidden()
        shoot(page, f"step-followup-{lang}")
    else:
        note = page.locator("[data-without-js]")  # the page says to use its own Back button
        assert note.is_visible()
        if lang == "en":
            assert "use the Back button on this page" in note.inner_text()
        press(page, "back", js)
        wait_step(page, "1")
        assert ticked(page, "raised_patient_care", "yes")
        assert page.url == address
    assert {c["name"] for c in page.context.cookies()} <= {"csrftoken"}
    assert not PendingSubmission.objects.exists()  # nothing stored on the way


@pytest.mark.browser_matrix
@pytest.mark.django_db(transaction=True)
@variants(390, True, "en")
def test_reload_and_language_switch_keep_this_pages_answers(live_server, phone, builtin, width, js, lang):
    url = f"{live_server.url}/s/raising-concerns/"
    page = phone
    start(page, url, lang)
    first_two_pages(page, js)
    tick(page, "outcome_patient_care", "partly")
    comment = page.locator('textarea[name="q_patient_care_comment"]')
    comment.fill("Short of staff on nights")
    other = "English" if lang == "cy" else "Cymraeg"
    page.get_by_role("button", name=other).click()  # switch language mid-page
    page.wait_for_function("l => document.documentElement.lang.startsWith(l)", arg="en" if lang == "cy" else "cy")
    wait_step(page, "2")
    assert ticked(page, "outcome_patient_care", "partly")
    assert comment.input_value() == "Short of staff on nights"
    check(page, js)
    shoot(page, f"language-switched-{lang}")
    if not js:
        return  # without JavaScript a reload asks to send the form again: nothing is kept in the browser
    comment.fill("Short of staff on nights, again")
    page.reload()  # an accidental reload
    wait_step(page, "2")
    assert ticked(page, "outcome_patient_care", "partly")
    assert comment.input_value() == "Short of staff on nights, again"
    check(page, js)


@pytest.mark.django_db(transaction=True)
def test_a_later_visit_gets_choices_back_but_a_comment_only_when_asked(live_server, chromium, builtin):
    """Shared ward computer: "Continue where you left off" is offered to whoever comes next."""
    url = f"{live_server.url}/s/raising-concerns/"
    context = chromium.new_context(viewport={"width": 390, "height": 800})
    try:
        page = context.new_page()
        start(page, url, "en")
        first_two_pages(page, True)
        tick(page, "outcome_patient_care", "partly")
        page.locator('textarea[name="q_patient_care_comment"]').fill("Short of staff")
        shoot(page, "comment-page")
        page.close()  # the tab is closed
        page = context.new_page()
        page.goto(url)
        page.get_by_role("button", name="Continue where you left off").click()
        wait_step(page, "2")
        assert ticked(page, "outcome_patient_care", "partly")  # the choice on the page came back
        assert page.locator('textarea[name="q_patient_care_comment"]').input_value() == ""  # the comment did not
        page.locator('textarea[name="q_patient_care_comment"]').fill("Short of staff")
        page.get_by_label("Keep my comments too in the answers saved in this browser").check()
        check(page, True)
        page.close()
        page = context.new_page()
        page.goto(url)
        page.get_by_role("button", name="Continue where you left off").click()
        wait_step(page, "2")
        assert page.locator('textarea[name="q_patient_care_comment"]').input_value() == "Short of staff"
    finally:
        context.close()


@pytest.mark.browser_matrix
@pytest.mark.django_db(transaction=True)
@variants(390, True, "en")
def test_code_errors_are_summarised_at_the_top_and_focused(live_server, phone, builtin, alice, width, js, lang):
    builtin.access = Survey.Access.CODES
    builtin.save()
    code = generate_codes(survey=builtin, count=1, acting_user=alice)[0]
    page = phone
    page.goto(f"{live_server.url}/s/raising-concerns/" + ("?lang=cy" if lang == "cy" else ""))
    box = page.locator("#id_code")
    box.fill(code[:-1] + ("A" if code[-1] != "A" else "B"))  # the check character fails
    page.get_by_role("button", name=WORDS[lang]["start"]).click()
    summary = page.locator("#error-summary")
    summary.wait_for()
    assert summary.bounding_box()["y"] < 400  # at the top, not 1,700 px down
    assert WORDS[lang]["code"] in summary.inner_text()
    if js:
        page.wait_for_function("() => document.activeElement.id === 'error-summary'")
        check(page, js)
        summary.get_by_role("link").first.click()
        assert page.evaluate("document.activeElement.id") == "id_code"
    shoot(page, f"code-error-{lang}")
    assert not PendingSubmission.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_code_well_formed_but_not_issued_is_not_accepted(live_server, page, builtin, alice):
    builtin.access = Survey.Access.CODES
    builtin.save()
    issued = set(generate_codes(survey=builtin, count=1, acting_user=alice))
    from survey.responses.invitation_codes import check_character

    body = "ABCDEFGHJKMN"[:11]
    typed = body + check_character(body)
    assert typed not in issued
    page.goto(f"{live_server.url}/s/raising-concerns/")
    page.locator("#id_code").fill(typed)
    page.get_by_role("button", name="Start the survey").click()
    summary = page.locator("#error-summary")
    summary.wait_for()
    assert "This code is not accepted: it has already been used, or it was never issued." in summary.inner_text()
    page.wait_for_function("() => document.activeElement.id === 'error-summary'")
    assert_accessible(page)


@pytest.mark.browser_matrix
@pytest.mark.django_db(transaction=True)
@variants(320, True, "cy")
def test_pages_fit_the_screen_change_returns_to_review_and_steps_stay(live_server, phone, builtin, width, js, lang):
    page = phone
    url = f"{live_server.url}/s/raising-concerns/"
    page.goto(url + ("?lang=cy" if lang == "cy" else ""))
    check(page, js)
    shoot(page, f"intro-{lang}")
    page.get_by_role("button", name=WORDS[lang]["start"]).click()
    wait_step(page, "0")
    totals = set()

    def total():
        totals.add(page.locator("progress.survey-progress").get_attribute("max"))

    total()
    first_two_pages(page, js)
    total()
    tick(page, "outcome_patient_care", "not")
    page.locator('textarea[name="q_patient_care_comment"]').fill("x" * 80)  # a long unbroken answer
    press(page, "next", js)
    wait_step(page, "3")
    total()
    tick(page, "raised_working_conditions", "no")
    press(page, "next", js)
    wait_step(page, "4")
    total()
    check(page, js)
    tick(page, "safe_to_speak", "4")
    press(page, "next", js)
    wait_step(page, "review")
    total()
    assert len(totals) == 1  # the step count never changes mid-survey
    check(page, js)
    shoot(page, f"review-{lang}")
    page.locator('button[name="action"][value="change-0"]').first.click()
    wait_step(page, "0")
    tick(page, "service", "other")
    press(page, "next", js)
    wait_step(page, "review")  # straight back to the review
    page.locator('button[name="action"][value="change-3"]').first.click()
    wait_step(page, "3")
    tick(page, "raised_working_conditions", "yes")
    press(page, "next", js)
    wait_step(page, "4")  # the follow-up that has just appeared is asked first
    check(page, js)
    tick(page, "outcome_working_conditions", "partly")
    press(page, "next", js)
    wait_step(page, "review")
    press(page, "submit", js)
    page.get_by_role("heading", name=WORDS[lang]["thanks"]).wait_for()
    check(page, js)
    assert PendingSubmission.objects.get().answers["service"] == "other"


@pytest.mark.browser_matrix
@pytest.mark.django_db(transaction=True)
@variants(390, False, "en")
def test_intro_leads_with_the_promise_and_start(live_server, phone, builtin, width, js, lang):
    page = phone
    page.goto(f"{live_server.url}/s/raising-concerns/" + ("?lang=cy" if lang == "cy" else ""))
    check(page, js)
    promise = page.locator("ul.promise > li")
    assert promise.count() == 3
    start_button = page.get_by_role("button", name=WORDS[lang]["start"])
    assert start_button.bounding_box()["y"] + start_button.bounding_box()["height"] < 800  # on the first screen
    minutes = "It takes about 5 minutes." if lang == "en" else "Mae'n cymryd tua 5 munud."
    assert page.get_by_text(minutes).is_visible()
    who = "two moderators chosen by the organisers" if lang == "en" else "dau gymedrolwr a ddewiswyd gan y trefnwyr"
    assert who in promise.nth(2).inner_text()
    assert not page.get_by_text("Clear my saved answers").is_visible()  # nothing is saved
    details = page.locator("details")
    assert details.count() >= 2 and not details.first.evaluate("d => d.open")
    details.first.locator("summary").click()
    assert details.first.evaluate("d => d.open")
    shared = page.locator("details[data-js-only]")
    assert shared.is_visible() == js  # keeping answers in the browser happens only with JavaScript
    shoot(page, f"intro-{'js' if js else 'nojs'}-{lang}")


@pytest.mark.browser_matrix
@pytest.mark.django_db(transaction=True)
@variants(1280, True, "en")
def test_thank_you_page_says_where_results_appear_and_who_can_help(live_server, phone, builtin, width, js, lang):
    LedgerEntry.objects.create(
        survey=builtin,
        concern_key="patient-care",
        kind="help",
        text="The Freedom to Speak Up guardian: **0113 496 0000**.",
        entered_at=timezone.now(),
    )
    page = phone
    page.goto(f"{live_server.url}/s/raising-concerns/thanks/" + ("?lang=cy" if lang == "cy" else ""))
    check(page, js)
    link = page.get_by_role("link", name=f"{live_server.url}/r/raising-concerns/")
    assert link.is_visible()
    assert page.get_by_text("Freedom to Speak Up guardian").is_visible()
    shoot(page, f"thanks-{lang}")
