"""The audit list: one readable entry per real change, in words, before and after."""

import json

import pytest

from survey.definitions.changes import definition_changes
from survey.definitions.format import builtin_definitions, export_definition, load_definition, parse_definition
from survey.models import AuditEvent, Member, Survey


@pytest.fixture
def welsh(db, django_user_model):
    """The built-in survey, written in English and Welsh, and its organiser."""
    survey = load_definition(definition=parse_definition(builtin_definitions()["raising-concerns"].read_text()))
    Survey.objects.filter(pk=survey.pk).update(status=Survey.Status.DRAFT)
    alice = django_user_model.objects.create_user(username="alice", password="correct horse battery")
    Member.objects.create(survey=survey, user=alice, role=Member.Role.ORGANISER)
    return survey, alice


def _settings_post(survey, **changes) -> dict:
    document = export_definition(survey=survey)
    data = {
        "settings-title": document["title"]["en"],
        "settings-intro": document["intro"]["en"],
        "settings-min_group_size": str(document["min_group_size"]),
        "settings-access": document["access"],
    }
    data.update({f"settings-{k}": v for k, v in changes.items()})
    return data


def test_changing_only_who_can_answer_gives_one_line_saying_so(client, welsh):
    survey, alice = welsh
    assert survey.translations.get("cy"), "the built-in survey is in Welsh too"
    client.force_login(alice)
    before = AuditEvent.objects.count()
    response = client.post(f"/console/{survey.slug}/build/settings/", _settings_post(survey, access="codes"))
    assert response.status_code == 302
    assert AuditEvent.objects.count() == before + 1
    event = AuditEvent.objects.latest("pk")
    assert event.get_action_display() == "Changed the survey"
    # The finding: ~55 lines of dicts claiming every Welsh text was removed,
    # and no word of the access change.
    assert event.detail == "Who can answer: anyone with the link → only people with an invitation code"

    page = client.get(f"/console/{survey.slug}/changes/").content.decode()
    assert "Changed the survey" in page and "survey.updated" not in page and "survey.created" not in page
    assert "Who can answer: anyone with the link → only people with an invitation code" in page
    assert "{&#x27;en&#x27;" not in page and "Welsh" not in page


def test_saving_without_a_change_records_nothing(client, welsh):
    survey, alice = welsh
    client.force_login(alice)
    before = AuditEvent.objects.count()
    client.post(f"/console/{survey.slug}/build/settings/", _settings_post(survey))
    assert AuditEvent.objects.count() == before


def test_a_welsh_text_change_names_its_language_with_before_and_after(welsh):
    survey, _ = welsh
    old = export_definition(survey=survey)
    new = json.loads(json.dumps(old))
    new["title"]["cy"] = "Teitl newydd"
    assert definition_changes(old, new) == [f"Title (Welsh): “{old['title']['cy']}” → “Teitl newydd”"]


def test_plain_and_per_language_texts_compare_by_language():
    old = {"title": {"en": "Same", "cy": "Yr un"}, "sections": [], "concerns": []}
    assert definition_changes(old, {**old, "title": {"en": "Same", "cy": "Yr un"}}) == []
    assert definition_changes({**old, "title": "Same"}, {**old, "title": {"en": "Same"}}) == []
    assert definition_changes(old, {**old, "title": "Same"}) == ["Title (Welsh): removed (was “Yr un”)"]


def test_every_structural_change_is_one_line():
    def q(key, **extra):
        return {"key": key, "kind": "yes_no", "text": key.title(), "required": True, "breakdown": False, **extra}

    old = {
        "sections": [{"title": "A", "questions": [q("one"), q("two")]}],
        "concerns": [{"key": "c", "label": "Care", "raised": "one", "outcome": "two", "resolved_values": ["yes"]}],
    }
    new = {
        "sections": [{"title": "A", "questions": [q("two", breakdown=True), q("one"), q("three")]}],
        "concerns": [],
    }
    assert definition_changes(old, new) == [
        "Question two used as a breakdown: no → yes",
        "Question three added: “Three”",
        "Order of questions changed (moved: two, one)",
        "Concern topic c removed: “Care”",
    ]
