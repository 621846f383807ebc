"""A joint survey in the definition file: the ``partners`` object, round-tripped and refused whole."""

import copy
import io
import json

import pytest
from django.core.management import CommandError, call_command

from survey.definitions.format import (
    DefinitionError,
    export_definition,
    load_definition,
    validate_definition,
)
from survey.models import Organisation, Partner, Question, Survey
from survey.responses.submit import submit_response
from tests.factories import answers, definition

PARTNERS = {
    "from": "link",
    "see_each_other": False,
    "partners": [
        {"organisation": "leeds-trust"},
        {"organisation": "unison-leeds", "label": {"en": "UNISON", "cy": "UNSAIN"}},
    ],
}


@pytest.fixture
def organisations(db):
    return [
        Organisation.objects.create(name="Leeds Teaching Hospitals", slug="leeds-trust"),
        Organisation.objects.create(name="UNISON Leeds Health", slug="unison-leeds"),
    ]


def _joint(**changes) -> dict:
    return definition(partners=copy.deepcopy(PARTNERS), **changes)


def _load(document: dict, organisation=None) -> Survey:
    if organisation is not None:
        Survey.objects.create(slug=document["slug"], title="x", organisation=organisation)
    return load_definition(definition=validate_definition(document))


def test_a_joint_file_loads_partners_and_the_partner_question_first(organisations):
    survey = _load(_joint(), organisations[0])
    assert survey.partners_from == "link"
    assert [p.organisation for p in survey.partners.all()] == organisations
    first = survey.questions.order_by("section__position", "position").first()
    assert first.partner and first.key == "partner" and first.text == "Partner organisation"
    assert [(c.value, c.label, c.translations) for c in first.choices.all()] == [
        ("leeds-trust", "Leeds Teaching Hospitals", {}),
        ("unison-leeds", "UNISON", {"cy": {"label": "UNSAIN"}}),
    ]


def test_export_writes_the_partners_object_and_round_trips_exactly(organisations):
    survey = _load(_joint(), organisations[0])
    exported = export_definition(survey=survey)
    assert exported["partners"] == {
        "from": "link",
        "see_each_other": False,
        "question": {"text": "Partner organisation"},
        "partners": [
            {"organisation": "leeds-trust", "label": "Leeds Teaching Hospitals"},
            {"organisation": "unison-leeds", "label": {"en": "UNISON", "cy": "UNSAIN"}},
        ],
    }
    # The partner question is not written in the sections: the partners object says it all.
    assert "partner" not in [q["key"] for s in exported["sections"] for q in s["questions"]]
    tokens = list(Partner.objects.values_list("token", flat=True))
    again = load_definition(definition=validate_definition(json.loads(json.dumps(exported))))
    assert export_definition(survey=again) == exported
    assert list(Partner.objects.values_list("token", flat=True)) == tokens  # links survive a reload
    assert Question.objects.filter(survey=survey, partner=True).count() == 1


def test_export_survey_and_load_survey_round_trip_through_files(organisations, tmp_path):
    path = tmp_path / "joint.json"
    path.write_text(json.dumps(_joint()))
    call_command("load_survey", str(path), "--organisation", "leeds-trust", stdout=io.StringIO())
    out = io.StringIO()
    call_command("export_survey", "therapy-2026", stdout=out)
    exported = json.loads(out.getvalue())
    assert [p["organisation"] for p in exported["partners"]["partners"]] == ["leeds-trust", "unison-leeds"]
    path.write_text(out.getvalue())
    call_command("load_survey", str(path), "--organisation", "leeds-trust", stdout=io.StringIO())
    again = io.StringIO()
    call_command("export_survey", "therapy-2026", stdout=again)
    assert json.loads(again.getvalue()) == exported


def test_load_survey_needs_the_first_partner_as_organisation(organisations, tmp_path):
    path = tmp_path / "joint.json"
    path.write_text(json.dumps(_joint()))
    with pytest.raises(CommandError, match="--organisation leeds-trust"):
        call_command("load_survey", str(path), stdout=io.StringIO())
    assert not Survey.objects.exists()


def test_an_unknown_organisation_refuses_the_whole_file(organisations):
    document = _joint()
    document["partners"]["partners"][1]["organisation"] = "no-such-union"
    with pytest.raises(DefinitionError) as refused:
        _load(document, organisations[0])
    assert refused.value.path == "partners.partners[1].organisation"
    assert 'there is no organisation "no-such-union"' in refused.value.message
    assert not Question.objects.exists() and not Partner.objects.exists()


def test_the_first_partner_is_the_organisation_running_the_survey(organisations):
    with pytest.raises(DefinitionError) as refused:
        _load(_joint(), organisations[1])
    assert refused.value.path == "partners.partners[0].organisation"


@pytest.mark.parametrize(
    ("change", "path", "words"),
    [
        (lambda d: d["partners"]["partners"].pop(), "partners.partners", "at least two partners"),
        (lambda d: d["partners"]["partners"].append({"organisation": "leeds-trust"}), "partners", "a partner twice"),
        (lambda d: d["partners"].update({"from": "guess"}), "partners.from", "'link' or 'question'"),
        (
            lambda d: d["sections"][0]["questions"][0].update(key="partner"),
            "sections[0].questions[0].key",
            "belongs to the partner question",
        ),
        (lambda d: d["partners"].update({"colour": "red"}), "partners.colour", "Extra inputs"),
    ],
)
def test_a_faulty_partners_object_is_refused_with_its_path(change, path, words):
    document = _joint()
    change(document)
    with pytest.raises(DefinitionError) as refused:
        validate_definition(document)
    assert refused.value.path == path
    assert words in refused.value.message


def test_partners_are_fixed_once_answered_but_their_names_can_change(organisations):
    survey = _load(_joint(), organisations[0])
    submit_response(survey=survey, answers=answers() | {"partner": "unison-leeds"}, nonce="n")
    document = export_definition(survey=survey)
    swapped = copy.deepcopy(document)
    swapped["partners"]["from"] = "question"
    with pytest.raises(DefinitionError, match="only wording can change: the partners"):
        load_definition(definition=validate_definition(swapped))
    document["partners"]["partners"][1]["label"] = "UNISON Leeds"
    document["partners"]["question"]["text"] = "Your organisation"
    load_definition(definition=validate_definition(document))
    question = survey.questions.get(partner=True)
    assert question.text == "Your organisation"
    assert question.choices.get(value="unison-leeds").label == "UNISON Leeds"
    assert "Partner unison-leeds name" in survey.audit.latest("at").detail


def test_the_builders_download_and_upload_keep_the_partners(client, organisations, django_user_model):
    from survey.models import Member

    survey = _load(_joint(), organisations[0])
    organiser = django_user_model.objects.create_user(username="dora", password="correct horse battery")
    Member.objects.create(survey=survey, user=organiser, role=Member.Role.ORGANISER)
    client.force_login(organiser)
    downloaded = client.get("/console/therapy-2026/definition.json").content
    assert json.loads(downloaded)["partners"]["partners"][1]["organisation"] == "unison-leeds"
    document = json.loads(downloaded)
    document["partners"]["partners"][1]["label"] = "UNISON Leeds"
    upload = io.BytesIO(json.dumps(document).encode())
    upload.name = "therapy-2026.json"
    client.post("/console/therapy-2026/build/upload/", {"definition": upload})
    assert json.loads(client.get("/console/therapy-2026/definition.json").content) == document
    assert survey.questions.get(partner=True).choices.get(value="unison-leeds").label == "UNISON Leeds"
