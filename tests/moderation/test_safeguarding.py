"""A survey that asks for free text opens only with a safeguarding contact, on
every path that opens it; and a flag is never refused (without a contact it
goes to the survey's organisers)."""

import datetime
import json

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from survey.definitions.editing import edit_definition
from survey.definitions.format import DefinitionError, load_definition, validate_definition
from survey.definitions.status import StatusRefused, apply_schedule, schedule, set_status
from survey.models import AuditEvent, Member, Survey
from survey.moderation import decisions as moderation
from survey.moderation.safeguarding import NO_CONTACT
from survey.responses.importing import import_responses
from tests.factories import answers, definition, to_csv


@pytest.fixture
def uncontacted(db, alice):
    """A draft that asks for free text and names no safeguarding contact."""
    document = definition(slug="no-contact")
    del document["safeguarding_contact"]
    survey = load_definition(definition=validate_definition(document))
    Member.objects.create(survey=survey, user=alice, role=Member.Role.ORGANISER)
    return survey


def test_a_definition_without_a_contact_is_loaded_as_a_draft_and_says_why(db, tmp_path, capsys):
    document = definition(slug="from-a-file")
    del document["safeguarding_contact"]
    path = tmp_path / "survey.json"
    path.write_text(json.dumps(document))
    call_command("load_survey", str(path))
    assert Survey.objects.get(slug="from-a-file").status == Survey.Status.DRAFT
    assert "It is a draft and has not opened: This survey asks for free text" in capsys.readouterr().out
    path.write_text(json.dumps({**document, "slug": "with-contact", "safeguarding_contact": "sg@example.org"}))
    call_command("load_survey", str(path))
    assert Survey.objects.get(slug="with-contact").status == Survey.Status.OPEN


def test_the_console_refuses_to_open_it_in_words(organiser, uncontacted):
    assert uncontacted.status == Survey.Status.DRAFT
    response = organiser.post("/console/no-contact/status/", {"status": "open"}, follow=True)
    assert NO_CONTACT in response.content.decode().replace("&#x27;", "'")
    assert Survey.objects.get(pk=uncontacted.pk).status == Survey.Status.DRAFT


def test_neither_a_schedule_nor_beat_opens_it(alice, uncontacted):
    soon = timezone.now() + datetime.timedelta(hours=1)
    with pytest.raises(StatusRefused, match="cannot open without a safeguarding contact"):
        schedule(survey=uncontacted, acting_user=alice, opens_at=soon, closes_at=None)
    Survey.objects.filter(pk=uncontacted.pk).update(opens_at=timezone.now())  # set before this rule
    apply_schedule()
    assert Survey.objects.get(pk=uncontacted.pk).status == Survey.Status.DRAFT
    failed = AuditEvent.objects.get(survey=uncontacted, action=AuditEvent.Action.SURVEY_OPEN_FAILED)
    assert NO_CONTACT in failed.detail


def test_with_a_contact_it_opens(alice, uncontacted):
    Survey.objects.filter(pk=uncontacted.pk).update(safeguarding_contact="sg@example.org")
    assert set_status(survey=uncontacted, acting_user=alice, status="open").status == Survey.Status.OPEN


def test_an_open_survey_keeps_its_contact_and_gains_no_free_text_without_one(alice, survey):
    with pytest.raises(moderation.ModerationRefused, match="keeps its safeguarding contact"):
        moderation.save_moderation_settings(
            survey=survey, acting_user=alice, terms=[], safeguarding_contact="", two_person_review=False
        )
    Survey.objects.filter(pk=survey.pk).update(safeguarding_contact="")
    survey.refresh_from_db()

    def no_free_text(document):
        for section in document["sections"]:
            section["questions"] = [q for q in section["questions"] if q["kind"] != "free_text"]

    edit_definition(survey=survey, acting_user=alice, change=no_free_text, what="test")
    more = {"key": "more", "kind": "free_text", "text": "More?"}
    with pytest.raises(DefinitionError, match="a free-text question cannot be added yet"):
        edit_definition(
            survey=survey, acting_user=alice, change=lambda d: d["sections"][0]["questions"].append(more), what="t"
        )


def test_a_flag_on_a_survey_opened_without_a_contact_goes_to_its_organisers(
    alice, bob, survey, django_capture_on_commit_callbacks
):
    """The finding: "Flag for safeguarding" was refused on an open survey with no contact."""
    alice.email = "alice@example.org"
    alice.save()
    import_responses(survey=survey, text=to_csv([answers(comment="A patient is at risk on nights")] * 10))
    moderation.release_comments(today=datetime.date.today() + datetime.timedelta(days=1))
    Survey.objects.filter(pk=survey.pk).update(safeguarding_contact="")  # opened before the rule
    survey.refresh_from_db()
    answer = moderation.queue(survey=survey).first()
    with django_capture_on_commit_callbacks(execute=True):
        moderation.flag_comment(survey=survey, acting_user=bob, answer_id=answer.pk)
    (message,) = mail.outbox
    assert message.to == ["alice@example.org"]
    assert "A patient is at risk on nights" in message.body
    event = AuditEvent.objects.get(action=AuditEvent.Action.COMMENT_FLAGGED)
    assert "Sent to the survey's organisers" in event.detail
