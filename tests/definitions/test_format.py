import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from survey.definitions.format import (
    DefinitionError,
    builtin_definitions,
    export_definition,
    load_definition,
    parse_definition,
    validate_definition,
)
from survey.models import Choice, Question, Survey
from tests.factories import answers, definition, make_survey


def fault(document) -> str:
    with pytest.raises(DefinitionError) as info:
        validate_definition(document)
    return str(info.value)


def test_fault_names_path_of_unknown_show_if_question():
    document = definition()
    document["sections"][1]["questions"][1]["show_if"]["question"] = "raisd_patient_care"
    assert fault(document) == 'sections[1].questions[1].show_if: unknown question "raisd_patient_care"'


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            lambda d: d["sections"][0]["questions"][0].update(kind="dropdown"),
            "sections[0].questions[0].kind: Input should be",
        ),
        (
            lambda d: d["sections"][0]["questions"][0].update(choices=[{"value": "a", "label": "A"}]),
            "sections[0].questions[0]: a single-choice question needs at least two choices",
        ),
        (
            lambda d: d["sections"][1]["questions"][1]["show_if"].update(equals="maybe"),
            'sections[1].questions[1].show_if.equals: "maybe" is not a choice of question "raised_patient_care"',
        ),
        (
            lambda d: d["sections"][2]["questions"][0].update(key="service"),
            'sections[2].questions[0].key: question key "service" is used twice',
        ),
        (
            lambda d: d["concerns"][0].update(raised="service"),
            'concerns[0].raised: question "service" must be a yes/no question',
        ),
        (
            lambda d: d["concerns"][0].update(resolved_values=["fixed"]),
            'concerns[0].resolved_values[0]: "fixed" is not a choice of question "outcome_patient_care"',
        ),
        (lambda d: d.update(min_group_size=4), "min_group_size: Input should be greater than or equal to 5"),
        (
            lambda d: d["sections"][2]["questions"][1].update(breakdown=True),
            "sections[2].questions[1]: only a single-choice question can be a breakdown",
        ),
        (lambda d: d.update(colour="red"), "colour: Extra inputs are not permitted"),
        (
            lambda d: d["sections"][0]["questions"][0].update(required=False),
            "sections[0].questions[0]: a breakdown question must be required and asked of everyone",
        ),
        (lambda d: d["sections"][1]["questions"].reverse(), "must come before the question it controls"),
    ],
)
def test_each_fault_is_refused_with_its_path(change, expected):
    document = definition()
    change(document)
    assert expected in fault(document)


def test_broken_json_is_refused_with_position():
    with pytest.raises(DefinitionError, match="line 1, column"):
        parse_definition('{"slug": ')


def test_load_creates_all_parts(db):
    survey = make_survey()
    assert survey.sections.count() == 3
    kinds = set(Question.objects.filter(survey=survey).values_list("kind", flat=True))
    assert kinds == {"single_choice", "yes_no", "free_text", "multiple_choice", "scale"}
    assert list(Choice.objects.filter(question__key="raised_patient_care").values_list("value", flat=True)) == [
        "yes",
        "no",
    ]
    followup = Question.objects.get(key="outcome_patient_care")
    assert (followup.show_if_question.key, followup.show_if_value) == ("raised_patient_care", "yes")
    assert Question.objects.get(key="service").breakdown
    concern = survey.concerns.get()
    assert (concern.raised.key, concern.outcome.key, concern.resolved_values) == (
        "raised_patient_care",
        "outcome_patient_care",
        ["adequately"],
    )


def test_export_round_trips(db):
    survey = make_survey()
    exported = export_definition(survey=survey)
    again = validate_definition(exported)
    original = validate_definition(definition())
    assert [q.model_dump(exclude={"choices"}) for q in again.questions()] == [
        q.model_dump(exclude={"choices"}) for q in original.questions()
    ]
    assert again.concerns == original.concerns
    # Loading the export back changes nothing.
    load_definition(definition=again)
    assert export_definition(survey=Survey.objects.get(slug=survey.slug)) == exported


def test_wording_can_change_after_responses_but_structure_cannot(db):
    from survey.responses.mixing import insert_responses

    survey = make_survey()
    insert_responses(survey_id=survey.pk, submissions=[(answers(), survey_date())])
    reworded = definition()
    reworded["sections"][0]["questions"][0]["text"] = "Where do you work?"
    load_definition(definition=validate_definition(reworded))
    assert Question.objects.get(key="service").text == "Where do you work?"

    restructured = definition()
    restructured["sections"][0]["questions"][0]["choices"].pop()
    with pytest.raises(DefinitionError, match="already has responses"):
        load_definition(definition=validate_definition(restructured))
    assert Choice.objects.filter(question__key="service").count() == 4


def survey_date():
    from django.utils import timezone

    return timezone.localdate()


def test_builtin_template_is_valid_and_shaped_like_the_design(db):
    path = builtin_definitions()["raising-concerns"]
    survey = load_definition(definition=parse_definition(path.read_text()))
    assert survey.title == "Raising concerns in mental health services"
    assert Question.objects.get(survey=survey, key="service").breakdown
    assert Choice.objects.filter(question__key="service", value="iapt").exists()
    assert set(survey.concerns.values_list("key", flat=True)) == {"patient-care", "working-conditions"}
    assert Question.objects.filter(survey=survey, kind="free_text").count() >= 2


def test_load_survey_command_refuses_whole_and_changes_nothing(db, tmp_path):
    document = definition()
    document["concerns"][0]["outcome"] = "nope"
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(document))
    with pytest.raises(CommandError, match='concerns\\[0\\].outcome: unknown question "nope"'):
        call_command("load_survey", str(path))
    assert not Survey.objects.exists()


def test_load_survey_command_loads_a_file_and_a_builtin(db, tmp_path):
    path = tmp_path / "good.json"
    path.write_text(json.dumps(definition()))
    call_command("load_survey", str(path))
    call_command("load_survey", "raising-concerns")
    assert set(Survey.objects.values_list("slug", flat=True)) == {"therapy-2026", "raising-concerns"}


def nested(depth: int):
    value: list = []
    for _ in range(depth):
        value = [value]
    return value


def test_deep_nesting_is_refused_by_path_not_a_crash():
    with pytest.raises(DefinitionError, match="nested more than 20 levels deep"):
        parse_definition("[" * 100_000 + "]" * 100_000)
    document = definition()
    document["sections"][0]["questions"][0]["help"] = nested(5000)
    assert fault(document).startswith("sections[0].questions[0].help")


@pytest.mark.parametrize(
    "where",
    [
        ("title",),
        ("sections", 0, "title"),
        ("sections", 0, "questions", 0, "choices", 0, "label"),
        ("concerns", 0, "label"),
    ],
)
def test_a_title_or_label_longer_than_its_column_is_refused(where):
    document = definition()
    parent = document
    for key in where[:-1]:
        parent = parent[key]
    parent[where[-1]] = "x" * 201
    path = "".join(f"[{k}]" if isinstance(k, int) else (f".{k}" if i else k) for i, k in enumerate(where))
    assert fault(document).startswith(f"{path}: "), fault(document)
    parent[where[-1]] = "x" * 200
    validate_definition(document)


def test_a_nul_in_any_text_is_refused_by_path():
    document = definition()
    document["sections"][0]["questions"][0]["text"] = "Your\x00service"
    assert fault(document) == "sections[0].questions[0].text: contains a NUL character, which a text cannot hold"
    document = definition()
    document["intro"] = {"en": "Hello", "cy": "Helo\x00"}
    assert fault(document).startswith("intro.cy: contains a NUL")


def upload(client, text: str):
    from django.core.files.uploadedfile import SimpleUploadedFile

    file = SimpleUploadedFile("survey.json", text.encode(), content_type="application/json")
    return client.post("/console/therapy-2026/build/upload/", {"definition": file}, follow=True)


BAD_DEFINITIONS = {
    "deep": ("[" * 100_000 + "]" * 100_000, "nested more than 20 levels deep"),
    "long": (json.dumps(definition() | {"title": "x" * 201}), "title: String should have at most 200 characters"),
    "nul": (json.dumps(definition() | {"intro": "a\x00b"}), "intro: contains a NUL character"),
}


def uploads_are_refused(client, alice, survey, which):
    client.force_login(alice)
    before = export_definition(survey=survey)
    text, message = BAD_DEFINITIONS[which]
    response = upload(client, text)
    assert response.status_code == 200
    assert f"The definition was not loaded: {message}" in response.content.decode()
    assert export_definition(survey=Survey.objects.get(pk=survey.pk)) == before


@pytest.mark.parametrize("which", list(BAD_DEFINITIONS))
def test_bad_uploads_are_refused_in_the_builder(client, alice, survey, which):
    uploads_are_refused(client, alice, survey, which)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("which", ["long", "nul"])
def test_bad_uploads_are_refused_on_postgresql(client, alice, survey, which):
    from django.db import connection

    from tests.faults.helpers import need

    need(connection.vendor == "postgresql", "needs PostgreSQL (DATABASE_URL)")
    uploads_are_refused(client, alice, survey, which)
