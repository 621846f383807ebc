"""The warning before sending a comment: the browser finds what the moderator's
detector finds, with the detector's own rules, and sends none of the survey's
local names to the page."""

import json
from pathlib import Path

import pytest

from survey.moderation.detector import detect
from survey.web.comment_check import browser_rules
from tests.browser.a11y import assert_accessible, go
from tests.browser.test_phone import shoot

COMMENTS = json.loads((Path(__file__).resolve().parents[1] / "data" / "moderation_comments.json").read_text())
EXTRA = [
    "Nurse Priya Sharma on Willow Ward ignored it",
    "Call me on 07700 900123 or write to jo@example.org before 3rd March",
    "NHS number 943 476 5919 at Northgate Hospital, SW1A 1AA",
]


def python_spans(text):
    return [[s.start, s.end, s.kind] for s in detect(text)]


def browser_spans(page, texts):
    return page.evaluate(
        "([texts, rules]) => texts.map(t => CandourCommentCheck.detect(t, rules).map(s => [s.start, s.end, s.kind]))",
        [texts, browser_rules()],
    )


@pytest.mark.django_db(transaction=True)
def test_browser_check_gives_the_detectors_spans_on_its_test_set(live_server, page, builtin):
    page.goto(f"{live_server.url}/s/raising-concerns/")
    texts = [c["text"] for c in COMMENTS] + EXTRA
    found = browser_spans(page, texts)
    differences = [(t, b, python_spans(t)) for t, b in zip(texts, found, strict=True) if b != python_spans(t)]
    assert not differences, "\n".join(f"{t!r}\n  browser {b}\n  detector {p}" for t, b, p in differences[:10])
    kinds = {kind for spans in found for _, _, kind in spans}
    assert {"EMAIL", "PHONE", "NHS_NUMBER", "DATE", "PLACE", "PERSON"} <= kinds


def _to_comment_page(page, url):
    page.goto(url)
    go(page, "Start the survey")
    page.get_by_label("NHS Talking Therapies (IAPT)").check()
    page.get_by_label("Nurse or allied health professional").check()
    go(page, "Continue")
    page.get_by_label("Yes").check()
    go(page, "Continue")
    page.get_by_label("Partly").check()


@pytest.mark.django_db(transaction=True)
def test_comment_naming_someone_is_warned_about_before_it_is_sent(live_server, page, builtin):
    builtin.moderation_terms = ["Larchwood Lodge", "Dr Quentin Blackmore"]
    builtin.save()
    _to_comment_page(page, f"{live_server.url}/s/raising-concerns/")
    assert "Larchwood" not in page.content() and "Quentin" not in page.content()  # the local list stays on the server
    box = page.get_by_label("Is there anything you want to tell us about raising concerns about patient care?")
    hint = page.get_by_text("Please do not name people, wards or places.")
    assert hint.bounding_box()["y"] < box.bounding_box()["y"]  # the hint before the box
    assert "_helptext" in box.get_attribute("aria-describedby")
    requests = []
    page.on("request", lambda r: requests.append(r.url))
    box.fill("Nurse Priya Sharma on Willow Ward ignored it")
    box.blur()
    warning = page.locator(".comment-check")
    assert warning.get_by_text("“Nurse Priya Sharma”: a name").is_visible()
    assert warning.get_by_text("“Willow Ward”: a place, ward or team").is_visible()
    assert warning.get_by_text("point to you, a colleague or a patient").is_visible()
    assert requests == []  # checked in the browser: nothing sent while typing
    assert_accessible(page)
    shoot(page, "comment-warning")
    page.get_by_role("button", name="Continue", exact=True).click()  # first press: the warning, focused
    assert page.evaluate("document.activeElement.classList.contains('comment-check')")
    assert page.get_by_text("Press Continue again to keep the comment as it is.").is_visible()
    assert requests == []
    go(page, "Continue")  # second press: sent as written
    assert page.get_by_text("Have you raised a concern about your working conditions", exact=False).is_visible()
