"""Loading a definition is all or nothing: a failure part-way through
writing it (after the old questions were removed and some new ones written)
leaves the survey exactly as it was; and waiting submissions count as
answers, so a structural change is refused while any wait to be mixed in."""

import pytest

from survey.definitions.format import (
    DefinitionError,
    export_definition,
    load_definition,
    validate_definition,
)
from survey.models import AuditEvent, Choice, PendingSubmission, Question, Response, Survey
from survey.responses.submit import submit_response
from tests.factories import answers, definition, make_survey
from tests.part_way import FAILED, MESSAGE, fails_once_table_holds


def with_extra_question(**changes) -> dict:
    document = definition(**changes)
    document["sections"].append(
        {
            "title": "More",
            "questions": [
                {
                    "key": "team_size",
                    "kind": "single_choice",
                    "text": "How big is your team?",
                    "choices": [{"value": v, "label": v.title()} for v in ("small", "medium", "large")],
                }
            ],
        }
    )
    return document


@pytest.mark.django_db(transaction=True)
def test_a_failure_part_way_through_a_reload_leaves_the_old_definition_whole():
    survey = make_survey()
    before = export_definition(survey=survey)
    questions, choices = Question.objects.count(), Choice.objects.count()
    events = AuditEvent.objects.count()
    # The reload deletes every question and writes them again: fail at the
    # last choice, when all else has been written.
    new = validate_definition(with_extra_question(title="A new title"))
    with fails_once_table_holds("survey_choice", choices + 2), pytest.raises(FAILED, match=MESSAGE):
        load_definition(definition=new)

    survey = Survey.objects.get(pk=survey.pk)
    assert export_definition(survey=survey) == before
    assert survey.title == before["title"]
    assert (Question.objects.count(), Choice.objects.count()) == (questions, choices)
    assert AuditEvent.objects.count() == events
    # And once the database accepts it, the same definition loads whole.
    load_definition(definition=new)
    assert export_definition(survey=Survey.objects.get(pk=survey.pk))["title"] == "A new title"
    assert Question.objects.filter(key="team_size").exists()


def test_waiting_submissions_count_as_answers_for_a_structural_change(survey):
    """One submission waits to be mixed in (nothing stored as a response
    yet): adding a question is refused, as it would be with responses."""
    submit_response(survey=survey, answers=answers(raised="yes", outcome="not"), nonce="only-one")
    assert PendingSubmission.objects.count() == 1 and not Response.objects.exists()
    before = export_definition(survey=survey)
    with pytest.raises(DefinitionError, match="already has responses, so only wording can change"):
        load_definition(definition=validate_definition(with_extra_question()))
    assert export_definition(survey=Survey.objects.get(pk=survey.pk)) == before
    # Wording may still change.
    load_definition(definition=validate_definition(definition(title="Working in our services")))
    assert Survey.objects.get(pk=survey.pk).title == "Working in our services"
