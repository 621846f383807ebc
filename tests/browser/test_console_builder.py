"""An organiser builds the built-in template's survey from scratch in the
console, previews it, opens it; a respondent answers it; the organiser sees
the response counted. All in Debian's headless Chromium."""

import json

import pytest
from django.contrib.auth import get_user_model

from survey.definitions import languages
from survey.definitions.format import BUILTIN_DIR, export_definition, load_definition, validate_definition
from survey.figures.aggregate import compute_results
from survey.models import PendingSubmission, Response, Survey
from survey.responses.importing import import_responses
from survey.responses.mixing import mix_pending_submissions
from tests.browser.a11y import assert_accessible

TEMPLATE = json.loads((BUILTIN_DIR / "raising-concerns.json").read_text())
PASSWORD = "a long organiser passphrase"  # noqa: S105 - test account


def shape(document: dict) -> dict:
    """A definition in normal form, to compare two of them."""
    definition = validate_definition(document)
    return {
        "intro": definition.intro,
        "min_group_size": definition.min_group_size,
        "access": definition.access,
        "sections": [
            (s.title, [(q.model_dump(exclude={"choices"}), q.choice_list()) for q in s.questions])
            for s in definition.sections
        ],
        "concerns": [c.model_dump() for c in definition.concerns],
    }


def fill_text(page, field: str, value) -> None:
    """A text and, where the survey is bilingual, its Welsh beside it."""
    page.locator(f"#{field}").fill(languages.default_text(value))
    if isinstance(value, dict) and value.get("cy"):
        page.locator(f"#{field}_cy").fill(value["cy"])


def add_question(page, section_title: str, q: dict) -> None:
    page.get_by_role("link", name=f"Add a question to {section_title}").click()
    assert_accessible(page)
    fill_text(page, "id_text", q["text"])
    page.locator("#id_key").fill(q["key"])
    page.locator("#id_kind").select_option(q["kind"])
    fill_text(page, "id_help", q.get("help", ""))
    page.locator("#id_required").set_checked(q.get("required", q["kind"] != "free_text"))
    page.locator("#id_breakdown").set_checked(q.get("breakdown", False))
    if q.get("show_if"):
        page.locator("#id_show_if").select_option(f"{q['show_if']['question']}={q['show_if']['equals']}")
    for i, choice in enumerate(q.get("choices", [])):
        if page.locator("#choice-rows .choice-row").count() <= i:
            page.get_by_role("button", name="Add a choice").click()  # as many rows as needed, nothing saved
            assert page.locator(f"#id_choices-{i}-label").evaluate("el => el === document.activeElement")
        fill_text(page, f"id_choices-{i}-label", choice["label"])
        page.locator(f"#id_choices-{i}-value").fill(choice["value"])
    page.get_by_role("button", name="Save the question").click()
    assert page.get_by_text("Saved: the question “").is_visible()
    assert_accessible(page)


def answer_survey(page, base: str) -> None:
    """The respondent's walk through the survey, with the follow-up questions
    (axe-checked on every page)."""
    assert_accessible(page)
    page.get_by_role("button", name="Start the survey").click()
    assert_accessible(page)
    page.get_by_label("NHS Talking Therapies (IAPT)").check()
    page.get_by_label("Nurse or allied health professional").check()
    page.get_by_role("button", name="Continue").click()
    assert_accessible(page)
    page.get_by_role("group", name="raised a concern about patient care", exact=False).get_by_label("Yes").check()
    page.get_by_role("button", name="Continue").click()
    assert_accessible(page)
    # The follow-up: asked only because of "Yes".
    page.get_by_label("Partly").check()
    page.get_by_role("button", name="Continue").click()
    assert_accessible(page)
    page.get_by_role("group", name="working conditions", exact=False).get_by_label("No").check()
    page.get_by_role("button", name="Continue").click()
    assert_accessible(page)
    page.get_by_label("Agree", exact=True).check()
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("heading", name="Check your answers").wait_for()  # steps are shown in place
    assert_accessible(page)


@pytest.mark.django_db(transaction=True)
def test_survey_built_from_scratch_previewed_opened_answered_and_counted(live_server, page, chromium):
    get_user_model().objects.create_user(username="olu", email="olu@example.org", password=PASSWORD)
    base = live_server.url
    page.goto(f"{base}/console/")
    assert_accessible(page)
    page.get_by_label("Username").fill("olu")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    assert_accessible(page)
    page.get_by_role("link", name="New survey").click()
    assert_accessible(page)
    page.locator("#id_title").fill(languages.default_text(TEMPLATE["title"]))
    page.locator("#id_slug").fill(TEMPLATE["slug"])
    page.get_by_label("An empty survey").check()
    page.get_by_role("button", name="Create the survey").click()
    assert page.locator("#survey-state").inner_text() == "Draft"
    assert_accessible(page)

    # A Welsh title makes the survey bilingual: every text then has a Welsh field beside it.
    fill_text(page, "id_settings-title", TEMPLATE["title"])
    fill_text(page, "id_settings-intro", TEMPLATE["intro"])
    page.locator("#id_settings-estimated_minutes").fill(str(TEMPLATE["estimated_minutes"]))
    fill_text(page, "id_settings-moderators", TEMPLATE["moderators"])
    page.get_by_role("button", name="Save the settings").click()
    for section in TEMPLATE["sections"]:
        page.get_by_role("link", name="Add a section").click()
        assert_accessible(page)
        fill_text(page, "id_title", section["title"])
        page.get_by_role("button", name="Save the section").click()
        for question in section["questions"]:
            add_question(page, languages.default_text(section["title"]), question)
    assert page.get_by_text(
        "Asked of those who answered “Yes” to “In the last 12 months, have you raised a concern about pati…”"
    ).first.is_visible()
    for concern in TEMPLATE["concerns"]:
        page.get_by_role("link", name="Add a concern topic").click()
        assert_accessible(page)
        fill_text(page, "id_label", concern["label"])
        page.locator("#id_key").fill(concern["key"])
        page.locator("#id_raised").select_option(concern["raised"])
        page.locator("#id_outcome").select_option(concern["outcome"])
        # Only the chosen outcome question's answers are offered.
        offered = page.locator("input[name=resolved_values]")
        outcome = next(q for s in TEMPLATE["sections"] for q in s["questions"] if q["key"] == concern["outcome"])
        assert [offered.nth(i).get_attribute("value") for i in range(offered.count())] == [
            c["value"] for c in outcome["choices"]
        ]
        for value in concern["resolved_values"]:
            page.locator(f"input[name=resolved_values][value='{value}']").check()
        page.get_by_role("button", name="Save the concern topic").click()
        assert page.get_by_text(f"Saved: the concern topic “{languages.default_text(concern['label'])}”.").is_visible()
        assert_accessible(page)

    # The same definition as the file gives, Welsh included.
    survey = Survey.objects.get(slug=TEMPLATE["slug"])
    from_file = load_definition(definition=validate_definition({**TEMPLATE, "slug": "from-the-file"}))
    built, expected = export_definition(survey=survey), export_definition(survey=from_file)
    assert {**built, "slug": None} == {**expected, "slug": None}
    assert shape(built) == shape(TEMPLATE)

    # Preview: the respondent's pages, follow-ups included; nothing stored.
    page.get_by_role("link", name="Preview").click()
    assert page.get_by_text("nothing you answer here is stored").is_visible()
    answer_survey(page, base)
    page.get_by_role("button", name="Send my answers").click()
    assert page.get_by_role("heading", name="End of the preview").is_visible()
    assert_accessible(page)
    assert not PendingSubmission.objects.exists() and not Response.objects.exists()

    page.get_by_role("link", name="Back to the console").first.click()
    build_url = page.url
    page.get_by_role("button", name="Open the survey now").click()
    # It asks for free text: it opens only once it names a safeguarding contact.
    assert page.get_by_text("cannot open without a safeguarding contact").is_visible()
    assert page.locator("#survey-state").inner_text() == "Draft"
    assert_accessible(page)
    page.get_by_role("link", name="Moderation").first.click()
    page.get_by_label("Safeguarding contact").fill("guardian@example.org")
    page.get_by_role("button", name="Save", exact=True).click()
    page.goto(build_url)
    page.get_by_role("button", name="Open the survey now").click()
    assert page.locator("#survey-state").inner_text() == "Open"
    assert_accessible(page)
    page.get_by_role("link", name="Share").click()
    assert_accessible(page)
    public = page.locator("#public-link").inner_text()
    assert public == f"{base}/s/{TEMPLATE['slug']}/"

    # Nine colleagues have answered already (imported); a tenth answers in the browser.
    rows = ["service,role,raised_patient_care,raised_working_conditions,safe_to_speak"]
    rows += ["community,nurse,no,no,3"] * 9
    import_responses(survey=survey, text="\n".join(rows) + "\n")
    respondent = chromium.new_context(viewport={"width": 1200, "height": 900})
    try:
        other = respondent.new_page()
        other.goto(public)
        answer_survey(other, base)
        other.get_by_role("button", name="Send my answers").click()
        assert other.get_by_role("heading", name="Thank you").is_visible()
        assert_accessible(other)
    finally:
        respondent.close()

    # What the worker does: mix the pending submission in, aggregate.
    mix_pending_submissions()
    compute_results(survey_id=survey.pk)
    assert Response.objects.filter(survey=survey).count() == 10
    page.goto(f"{base}/console/{survey.slug}/")
    assert "Responses counted so far: 10." in page.locator("main").inner_text()
    assert_accessible(page)
    page.goto(f"{base}/console/{survey.slug}/changes/")  # the list of changes has its own tab
    assert page.locator("#audit").get_by_text("Opened the survey").is_visible()
