"""Key groups and merged groups in the definition format: validated, loaded,
exported back, fixed once answers exist, and audited when changed."""

import pytest
from django.utils import timezone

from survey.definitions.format import DefinitionError, export_definition, load_definition, validate_definition
from survey.models import AuditEvent, Choice
from survey.responses.mixing import insert_responses
from tests.factories import answers, definition


def grouped(**marks) -> dict:
    """The test definition with ``marks`` (choice value -> fields) on the service question's choices."""
    document = definition(slug="grouped")
    for choice in document["sections"][0]["questions"][0]["choices"]:
        choice.update(marks.get(choice["value"], {}))
    return document


MARKS = {"iapt": {"key_group": True}, "agency": {"merge": "Other services"}, "bank": {"merge": "Other services"}}


def test_key_and_merged_groups_load_and_export_back(db):
    survey = load_definition(definition=validate_definition(grouped(**MARKS)))
    stored = {c.value: (c.key_group, c.merge) for c in Choice.objects.filter(question__key="service")}
    assert stored == {
        "iapt": (True, ""),
        "other": (False, ""),
        "agency": (False, "Other services"),
        "bank": (False, "Other services"),
    }
    exported = export_definition(survey=survey)
    choices = exported["sections"][0]["questions"][0]["choices"]
    assert choices[0] == {"value": "iapt", "label": "IAPT", "key_group": True}
    assert choices[1] == {"value": "other", "label": "Other NHS"}  # unmarked choices stay as they were
    assert choices[2]["merge"] == choices[3]["merge"] == "Other services"
    load_definition(definition=validate_definition(exported))
    assert export_definition(survey=survey) == exported


@pytest.mark.parametrize(
    ("document", "path", "message"),
    [
        (
            lambda: _on_scale({"key_group": True}),
            "sections[2].questions[1]",
            "only a breakdown question's choices can be key groups or merged",
        ),
        (lambda: grouped(bank={"merge": "Bank and more"}), "sections[0].questions[0]", "needs at least two choices"),
        (lambda: grouped(bank={"merge": "x" * 201}), "sections[0].questions[0].choices[3].merge", "at most 200"),
    ],
)
def test_bad_groupings_are_refused_by_path(db, document, path, message):
    with pytest.raises(DefinitionError) as refused:
        validate_definition(document())
    assert refused.value.path == path and message in refused.value.message


def _on_scale(fields: dict) -> dict:
    document = definition(slug="grouped")
    document["sections"][2]["questions"][1]["choices"][0].update(fields)
    return document


def test_groupings_are_fixed_once_answers_exist_and_audited_before(db):
    survey = load_definition(definition=validate_definition(grouped()))
    load_definition(definition=validate_definition(grouped(**MARKS)))
    detail = AuditEvent.objects.filter(survey=survey).latest("pk").detail
    assert "Question service key and merged groups: none → key group iapt; Other services = agency + bank" in detail
    insert_responses(survey_id=survey.pk, submissions=[(answers(), timezone.localdate())])
    with pytest.raises(DefinitionError, match='key and merged groups of question "service" cannot change'):
        load_definition(definition=validate_definition(grouped()))
    assert Choice.objects.get(question__key="service", value="iapt").key_group


def test_relabelling_a_breakdown_in_the_builder_keeps_its_key_and_merged_groups(client, db):
    from django.contrib.auth import get_user_model
    from django.urls import reverse

    from survey.models import Member

    survey = load_definition(definition=validate_definition(grouped(**MARKS)))
    user = get_user_model().objects.create_user(username="alice", password="correct horse battery")
    Member.objects.create(survey=survey, user=user, role=Member.Role.ORGANISER)
    client.force_login(user)
    data = {"text": "Where do you work?", "key": "service", "kind": "single_choice", "required": "on"}
    data.update({"breakdown": "on", "choices-TOTAL_FORMS": "4", "choices-INITIAL_FORMS": "0"})
    for i, (value, label) in enumerate((("iapt", "IAPT service"), ("other", "Other"), ("agency", "A"), ("bank", "B"))):
        data.update({f"choices-{i}-value": value, f"choices-{i}-label": label})
    response = client.post(reverse("survey:question-edit", kwargs={"slug": "grouped", "key": "service"}), data)
    assert response.status_code == 302
    stored = {c.value: (c.label, c.key_group, c.merge) for c in Choice.objects.filter(question__key="service")}
    assert stored["iapt"] == ("IAPT service", True, "")
    assert stored["bank"] == ("B", False, "Other services")
