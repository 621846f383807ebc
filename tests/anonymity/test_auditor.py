"""The auditor (survey/figures/audit.py) on linked tables (issue finding 1).

With the old two-engine behaviour put back (the summaries ignore the groups
the concern table hides for "resolved"), the auditor finds team A's outcomes
pinned by the published figures; with the concern table's numbers taken out
of its program it no longer does (it needs both outputs); the figures as
released now pass.
"""

import copy

from survey.figures import aggregate
from survey.figures.aggregate import compute_results
from survey.figures.audit import audit, releases
from survey.figures.documents import released_document
from survey.responses.importing import import_responses
from tests.anonymity.test_attack_linked_tables import linked_rows
from tests.factories import make_survey, to_csv


def old_two_engines(monkeypatch):
    real = aggregate.question_summaries

    def only_raised(**kwargs):
        kwargs.pop("hidden_in_question", None)
        return real(**kwargs)

    monkeypatch.setattr(aggregate, "question_summaries", only_raised)


def linked_survey():
    survey = make_survey(slug="audited")
    import_responses(survey=survey, text=to_csv(linked_rows()))
    compute_results(survey_id=survey.pk)
    return survey


def test_the_auditor_catches_linked_tables_of_the_old_behaviour(db, monkeypatch):
    old_two_engines(monkeypatch)
    survey = linked_survey()
    risks = audit(survey=survey, documents=[released_document(survey=survey)])
    pinned = {(r.question, r.group, r.choice): (r.low, r.high) for r in risks}
    assert pinned[("outcome_patient_care", "iapt", "adequately")] == (0, 0)
    assert pinned[("outcome_patient_care", "iapt", "partly")] == (2, 2)
    assert pinned[("outcome_patient_care", "iapt", "not")] == (1, 1)


def test_without_the_concern_tables_numbers_the_auditor_misses_it(db, monkeypatch):
    old_two_engines(monkeypatch)
    survey = linked_survey()
    document = copy.deepcopy(released_document(survey=survey))
    document["concerns"] = []
    assert audit(survey=survey, documents=[document]) == []


def test_the_released_figures_pass_the_audit(db):
    survey = linked_survey()
    assert audit(survey=survey, documents=releases(survey=survey)) == []


def test_audit_release_prints_what_it_would_refuse(db, monkeypatch):
    from io import StringIO

    import pytest
    from django.core.management import call_command
    from django.core.management.base import CommandError

    old_two_engines(monkeypatch)
    linked_survey()
    out = StringIO()
    with pytest.raises(CommandError, match="could be worked out"):
        call_command("audit_release", "audited", stdout=out)
    assert "would refuse: outcome_patient_care / service=iapt / partly: between 2 and 2 people" in out.getvalue()
    monkeypatch.undo()
    make_survey(slug="clean")
    out = StringIO()
    call_command("audit_release", "clean", stdout=out)
    assert "nothing would be refused" in out.getvalue()
