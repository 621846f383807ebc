"""The migration into the ledger keeps every "what we will do", "who can
help" and "you said, we did" text written before it, with its date."""

from datetime import date

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("survey", "0022_organisations")]
AFTER = [("survey", "0023_ledger")]


def _migrate(target):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(target)
    return executor.loader.project_state(target).apps


@pytest.mark.django_db(transaction=True)
def test_existing_actions_help_and_updates_become_ledger_entries_nothing_lost():
    apps = _migrate(BEFORE)
    Survey = apps.get_model("survey", "Survey")
    Section = apps.get_model("survey", "Section")
    Question = apps.get_model("survey", "Question")
    Concern = apps.get_model("survey", "Concern")
    ConcernAction = apps.get_model("survey", "ConcernAction")
    ActionUpdate = apps.get_model("survey", "ActionUpdate")
    survey = Survey.objects.create(slug="old", title="Old")
    section = Section.objects.create(survey=survey, position=0, title="S")
    raised = Question.objects.create(survey=survey, section=section, position=0, key="r", kind="yes_no", text="R")
    outcome = Question.objects.create(
        survey=survey, section=section, position=1, key="o", kind="single_choice", text="O"
    )
    care = Concern.objects.create(
        survey=survey, position=0, key="care", label="Patient care", raised=raised, outcome=outcome
    )
    help_only = Concern.objects.create(
        survey=survey, position=1, key="work", label="Working conditions", raised=raised, outcome=outcome
    )
    action = ConcernAction.objects.create(
        concern=care,
        commitment="Monthly sessions.",
        help="The Guardian.",
        translations={"cy": {"commitment": "Sesiynau misol.", "help": "Y Gwarcheidwad."}},
    )
    ActionUpdate.objects.create(
        action=action, text="Sessions started.", posted_on=date(2026, 5, 1), translations={"cy": {"text": "Dechrau."}}
    )
    ActionUpdate.objects.create(action=action, text="Every site now.", posted_on=date(2026, 7, 1))
    ConcernAction.objects.create(concern=help_only, commitment="", help="Union rep: rep@example.org")

    apps = _migrate(AFTER)
    LedgerEntry = apps.get_model("survey", "LedgerEntry")
    entries = list(LedgerEntry.objects.order_by("concern_key", "kind", "entered_at", "id"))
    seen = [(e.concern_key, e.kind, e.text, e.note, e.entered_at.date() if e.note else None) for e in entries]
    assert seen == [
        ("care", "action", "Monthly sessions.", "", None),
        ("care", "action", "Monthly sessions.", "Sessions started.", date(2026, 5, 1)),
        ("care", "action", "Monthly sessions.", "Every site now.", date(2026, 7, 1)),
        ("care", "help", "The Guardian.", "", None),
        ("work", "help", "Union rep: rep@example.org", "", None),
    ]
    assert {e.status for e in entries if e.kind == "action"} == {"planned"}
    welsh = [e.translations for e in entries]
    assert welsh[:4] == [
        {"cy": {"text": "Sesiynau misol."}},
        {"cy": {"text": "Sesiynau misol.", "note": "Dechrau."}},
        {"cy": {"text": "Sesiynau misol."}},
        {"cy": {"text": "Y Gwarcheidwad."}},
    ]
    assert len({e.action_id for e in entries if e.kind == "action"}) == 1

    # And back again, for a rollback.
    apps = _migrate(BEFORE)
    restored = apps.get_model("survey", "ConcernAction").objects.get(concern__key="care")
    assert (restored.commitment, restored.help) == ("Monthly sessions.", "The Guardian.")
    assert restored.translations == {"cy": {"commitment": "Sesiynau misol.", "help": "Y Gwarcheidwad."}}
    assert [u.text for u in restored.updates.order_by("posted_on")] == ["Sessions started.", "Every site now."]
    _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes("survey"))  # the schema the other tests expect
