"""Scales carry their direction and may leave choices out of the base; the
resolved base may leave "Too early to say" out, chosen before any answer."""

import copy

import pytest

from survey.definitions.format import (
    DefinitionError,
    export_definition,
    load_definition,
    validate_definition,
)
from survey.figures.releases import released_document
from survey.responses.importing import import_responses
from tests.factories import answers, close_and_release, definition, to_csv

LIKERT = ["Strongly agree", "Agree", "Neither", "Disagree", "Strongly disagree"]


def scale_definition(*, agree_end=None, dont_know=False, pending=None):
    document = definition()
    safe = document["sections"][2]["questions"][1]
    safe["choices"] = [{"value": str(i + 1), "label": label} for i, label in enumerate(LIKERT)]
    if agree_end:
        safe["agree_end"] = agree_end
    if dont_know:
        safe["choices"].append({"value": "dk", "label": "Don't know", "counted": False})
    if pending is not None:
        outcome = document["sections"][1]["questions"][1]
        outcome["choices"].append({"value": "pending", "label": "Too early to say", **pending})
    return document


def load(document):
    return load_definition(definition=validate_definition(copy.deepcopy(document)))


# 40 respondents: 5 strongly agree, 6 agree, 9 neither, 8 disagree, 4 strongly disagree, 8 don't know.
SCALE_ANSWERS = ["1"] * 5 + ["2"] * 6 + ["3"] * 9 + ["4"] * 8 + ["5"] * 4 + ["dk"] * 8


def summary(survey, rows, key="safe"):
    import_responses(survey=survey, text=to_csv(rows))
    close_and_release(survey)  # figures are released at closing
    document = released_document(survey=survey)
    return document, next(q for q in document["questions"] if q["key"] == key)


def test_a_scale_listed_agree_first_counts_agreement_not_disagreement(db):
    survey = load(scale_definition(agree_end="first", dont_know=True))
    _, safe = summary(survey, [answers(safe=v) for v in SCALE_ANSWERS])
    # Agreeing: Strongly agree + Agree = 11, of the 32 who gave a counted answer.
    assert safe["agree"]["labels"] == ["Strongly agree", "Agree"]
    assert (safe["agree"]["count"], safe["agree"]["n"], safe["agree"]["pct"]) == (11, 32, 34.4)
    assert (safe["n"], safe["answered"]) == (32, 40)
    dk = next(c for c in safe["choices"] if c["value"] == "dk")
    assert dk["counted"] is False and (dk["count"], dk["n"]) == (8, 40)
    assert sum(c["count"] for c in safe["choices"] if c.get("counted", True)) == safe["n"]


def test_a_trailing_dont_know_is_never_agreeing(db):
    survey = load(scale_definition(dont_know=True))  # no agree_end: agree last, today's layout
    _, safe = summary(survey, [answers(safe=v) for v in SCALE_ANSWERS])
    # The last two counted points (4, 5) agree; "Don't know" is not one of them.
    assert safe["agree"]["labels"] == ["Disagree", "Strongly disagree"]
    assert (safe["agree"]["count"], safe["agree"]["n"]) == (12, 32)


def test_a_definition_without_the_new_fields_reads_as_before(db):
    survey = load(definition())
    _, safe = summary(survey, [answers(safe=str(1 + i % 5)) for i in range(20)])
    assert safe["agree"]["labels"] == ["Point 4", "Point 5"] and safe["agree"]["n"] == 20
    assert "answered" not in safe


def test_direction_and_base_round_trip_through_export(db):
    survey = load(scale_definition(agree_end="first", dont_know=True, pending={"counted": False}))
    exported = export_definition(survey=survey)
    safe = exported["sections"][2]["questions"][1]
    assert safe["agree_end"] == "first" and safe["choices"][-1] == {
        "value": "dk",
        "label": "Don't know",
        "counted": False,
    }
    assert "counted" not in safe["choices"][0]
    again = validate_definition(exported)
    assert export_definition(survey=load_definition(definition=again)) == exported
    # An old file with no direction exports its scale's direction explicitly.
    assert export_definition(survey=load(definition()))["sections"][2]["questions"][1]["agree_end"] == "last"


@pytest.mark.parametrize(
    ("change", "path", "message"),
    [
        (lambda q: q.update(agree_end="first"), "sections[2].questions[0]", "only a scale question has an agree_end"),
        (
            lambda q: q["choices"][0].update(counted=False),
            "sections[2].questions[0]",
            "only the choices of a single-choice or scale question",
        ),
    ],
)
def test_direction_and_uncounted_choices_only_where_they_mean_something(change, path, message):
    document = definition()
    change(document["sections"][2]["questions"][0])  # the multiple-choice question
    with pytest.raises(DefinitionError, match=message) as refused:
        validate_definition(document)
    assert refused.value.path == path


def test_a_resolved_value_cannot_be_left_out_of_the_base():
    document = definition()
    document["sections"][1]["questions"][1]["choices"][0]["counted"] = False
    with pytest.raises(DefinitionError, match="cannot count as resolved") as refused:
        validate_definition(document)
    assert refused.value.path == "concerns[0].resolved_values[0]"


@pytest.mark.parametrize(
    "change",
    [
        lambda d: d["sections"][2]["questions"][1].update(agree_end="first"),
        lambda d: d["sections"][2]["questions"][1]["choices"][-1].update(counted=True),
    ],
)
def test_direction_and_base_are_fixed_once_answered(db, change):
    survey = load(scale_definition(dont_know=True))
    import_responses(survey=survey, text=to_csv([answers(safe="dk")]))
    document = export_definition(survey=survey)
    change(document)
    with pytest.raises(DefinitionError, match="already has responses"):
        load_definition(definition=validate_definition(document))
    assert export_definition(survey=survey) != document  # nothing changed


# The resolved base: 40 raised; 10 adequately, 14 partly, 6 not, 10 too early to say.
OUTCOMES = ["adequately"] * 10 + ["partly"] * 14 + ["not"] * 6 + ["pending"] * 10


def rows_with_outcomes():
    return [answers(raised="yes", outcome=o) for o in OUTCOMES] + [answers(raised="no")] * 60


def test_resolved_base_includes_too_early_to_say_and_shows_its_share(db, client):
    survey = load(scale_definition(pending={}))
    document, outcome = summary(survey, rows_with_outcomes(), key="outcome_patient_care")
    concern = document["concerns"][0]
    assert (concern["resolved"]["count"], concern["resolved"]["n"], concern["resolved"]["pct"]) == (10, 40, 25.0)
    assert concern["resolved_base_leaves_out"] == []
    pending = next(c for c in outcome["choices"] if c["value"] == "pending")
    assert (pending["count"], pending["n"], pending["pct"]) == (10, 40, 25.0)


def test_an_organiser_may_leave_too_early_to_say_out_of_the_resolved_base(db):
    survey = load(scale_definition(pending={"counted": False}))
    document, outcome = summary(survey, rows_with_outcomes(), key="outcome_patient_care")
    concern = document["concerns"][0]
    assert (concern["resolved"]["count"], concern["resolved"]["n"], concern["resolved"]["pct"]) == (10, 30, 33.3)
    assert concern["resolved_base_leaves_out"] == ["Too early to say"]
    assert outcome["n"] == 30 and outcome["answered"] == 40


def test_captions_say_the_base_in_words(db):
    from django.template.loader import render_to_string

    survey = load(scale_definition(pending={"counted": False}, dont_know=True))
    document, _ = summary(survey, rows_with_outcomes(), key="safe")
    page = render_to_string(
        "survey/_figures.html", {"document": document, "questions": document["questions"], "questions_text": {}}
    )
    assert (
        "of everyone who raised one and answered how it went, not counting those who answered “Too early to say”"
        in page
    )
    assert "How it went: Too early to say" in page and "(not in the base)" in page
    questions = render_to_string("survey/_questions.html", {"questions": document["questions"]})
    assert "Shares of the 100 respondents shown the question" in questions
    assert "answers marked “not in the base” are shares of all" in questions


def test_editing_a_question_in_the_console_keeps_its_direction_and_base():
    from survey.definitions.editing import put_question

    document = scale_definition(agree_end="first", dont_know=True)
    edited = {
        "key": "safe",
        "kind": "scale",
        "text": "I feel safe to speak up at work.",
        "choices": [
            {"value": c["value"], "label": c["label"]} for c in document["sections"][2]["questions"][1]["choices"]
        ],
    }
    put_question(document, section=None, old_key="safe", question=edited)
    safe = validate_definition(document).sections[2].questions[1]
    assert safe.agree_end == "first" and [c.counted for c in safe.choices][-1] is False


def test_the_console_builder_sets_direction_base_and_populations(organiser, survey):
    from django.urls import reverse

    from survey.models import Question

    url = reverse("survey:question-edit", kwargs={"slug": survey.slug, "key": "safe"})
    data = {
        "text": "I feel safe to speak up.",
        "key": "safe",
        "kind": "scale",
        "required": "on",
        "agree_end": "first",
        "choices-TOTAL_FORMS": "6",
        "choices-INITIAL_FORMS": "0",
    }
    for i, label in enumerate([*LIKERT, "Don't know"]):
        data[f"choices-{i}-label"] = label
        data[f"choices-{i}-value"] = str(i + 1) if i < 5 else "dk"
    data["choices-5-not_counted"] = "on"
    response = organiser.post(url, data)
    assert response.status_code == 302
    safe = Question.objects.get(survey=survey, key="safe")
    assert safe.agree_end == "first" and [c.counted for c in safe.choices.all()] == [True] * 5 + [False]
    # The form shows them back.
    page = organiser.get(url)
    assert page.context["form"].initial["agree_end"] == "first"
    assert page.context["formset"].forms[5].initial["not_counted"] is True
    # A population beside a group of a breakdown, and for the survey.
    service = reverse("survey:question-edit", kwargs={"slug": survey.slug, "key": "service"})
    data = {"text": "Which service?", "key": "service", "kind": "single_choice", "required": "on", "breakdown": "on"}
    data |= {"choices-TOTAL_FORMS": "4", "choices-INITIAL_FORMS": "0"}
    for i, (value, population) in enumerate([("iapt", 40), ("other", 150), ("agency", ""), ("bank", "")]):
        data |= {
            f"choices-{i}-label": value.title(),
            f"choices-{i}-value": value,
            f"choices-{i}-population": population,
        }
    assert organiser.post(service, data).status_code == 302
    assert export_definition(survey=survey)["sections"][0]["questions"][0]["choices"][0]["population"] == 40
    settings = reverse("survey:survey-settings", kwargs={"slug": survey.slug})
    posted = {"settings-title": "T", "settings-intro": "", "settings-min_group_size": "10", "settings-access": "open"}
    assert organiser.post(settings, posted | {"settings-population": "100"}).status_code == 400  # 40 + 150 > 100
    assert organiser.post(settings, posted | {"settings-population": "300"}).status_code == 302
    survey.refresh_from_db()
    assert export_definition(survey=survey)["population"] == 300
