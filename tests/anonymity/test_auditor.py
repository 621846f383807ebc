"""The auditor (survey/figures/audit.py) on linked tables (issue finding 1),
and the auditor as a gate before every release (survey/figures/releases.py).

With the old two-engine behaviour put back (the summaries ignore the groups
the concern table hides for "resolved"), the auditor finds team A's outcomes
pinned by the figures a release would show; with the concern table's
numbers taken out of its program it no longer does (it needs both outputs);
the figures as released now pass. As a gate: the closing release of the old
behaviour is widened until nothing hidden can be worked out; a release that
cannot be made safe, or a publication that would pin a cell together with
an earlier release, is refused with the reason; and the gate runs after the
aggregation has committed, never inside its transaction.

To see the gate tests fail, make ``survey.figures.releases.audit`` return [].
"""

import copy

import pytest
from django.db import connection

from survey.figures import aggregate, releases
from survey.figures.aggregate import compute_results
from survey.figures.audit import audit
from survey.figures.audit import releases as history
from survey.figures.documents import results_document
from survey.figures.releases import digest, released_document
from survey.models import AuditEvent, Release, ResultSet, Survey
from survey.reports.publishing import PublishRefused, publish_report
from survey.responses.importing import import_responses
from tests.anonymity.test_attack_linked_tables import linked_rows
from tests.factories import close_and_release, make_survey, to_csv


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


def computed(survey) -> dict:
    """The figures a release would show now (nothing is shown while open)."""
    return results_document(survey=survey) | {"questions": ResultSet.objects.get(survey=survey).questions}


def pinned(risks) -> dict:
    return {(r.question, r.group, r.choice): (r.low, r.high) for r in risks}


def test_the_auditor_catches_linked_tables_of_the_old_behaviour(db, monkeypatch):
    old_two_engines(monkeypatch)
    survey = linked_survey()
    found = pinned(audit(survey=survey, documents=[computed(survey)]))
    assert found[("outcome_patient_care", "iapt", "adequately")] == (0, 0)
    assert found[("outcome_patient_care", "iapt", "partly")] == (2, 2)
    assert found[("outcome_patient_care", "iapt", "not")] == (1, 1)


def test_without_the_concern_tables_numbers_the_auditor_misses_it(db, monkeypatch):
    old_two_engines(monkeypatch)
    survey = linked_survey()
    document = copy.deepcopy(computed(survey))
    document["concerns"] = []
    assert audit(survey=survey, documents=[document]) == []


def test_without_the_summaries_numbers_the_auditor_misses_it(db, monkeypatch):
    """Every output's numbers enter the program: take the question summaries'
    counts out (the concern table alone stays) and finding 1 goes undetected."""
    old_two_engines(monkeypatch)
    survey = linked_survey()
    document = copy.deepcopy(computed(survey))
    document["questions"] = []
    assert audit(survey=survey, documents=[document]) == []


def test_the_released_figures_pass_the_audit(db):
    survey = linked_survey()
    close_and_release(survey)
    assert released_document(survey=survey)["concerns"]
    assert audit(survey=survey, documents=history(survey=survey)) == []


def test_the_gate_widens_the_closing_release_of_the_old_behaviour(db, monkeypatch):
    old_two_engines(monkeypatch)
    survey = linked_survey()
    raw = computed(survey)
    assert audit(survey=survey, documents=[raw])  # the figures as computed would give team A away
    release = close_and_release(survey)
    assert release is not None and release.final and digest(release.document) != digest(raw)
    assert audit(survey=survey, documents=history(survey=survey)) == []
    outcome = next(q for q in release.document["questions"] if q["key"] == "outcome_patient_care")
    iapt = next(g for g in outcome["breakdowns"][0]["groups"] if g["value"] == "iapt")
    assert iapt["suppressed"] and "count" not in str(iapt)
    actions = set(AuditEvent.objects.filter(survey=survey).values_list("action", flat=True))
    assert {AuditEvent.Action.FIGURES_WIDENED, AuditEvent.Action.FIGURES_RELEASED} <= actions


def test_a_release_that_cannot_be_made_safe_is_held_back_with_the_reason(db, monkeypatch):
    """An earlier release (say, an interim one from before figures waited for
    closing) already pins team A together with what follows: nothing more
    is released, and the audit list says why."""
    old_two_engines(monkeypatch)
    survey = linked_survey()
    earlier = computed(survey)
    Release.objects.create(
        survey=survey, audience=Release.Audience.PUBLIC, released_on="2026-01-05", document=earlier, digest="x" * 64
    )
    assert close_and_release(survey) is None
    assert released_document(survey=survey)["concerns"] == []
    (refused,) = AuditEvent.objects.filter(survey=survey, action=AuditEvent.Action.FIGURES_REFUSED).values_list(
        "detail", flat=True
    )
    assert "cannot be shown" in refused and "service = iapt" in refused


def test_publishing_is_refused_when_it_would_pin_a_cell_with_an_earlier_release(db, alice, survey):
    """The public version is audited against every earlier release too."""
    import_responses(survey=survey, text=to_csv(linked_rows()))
    close_and_release(survey)
    survey.refresh_from_db()
    with pytest.MonkeyPatch.context() as patch:
        old_two_engines(patch)
        compute_results(survey_id=survey.pk)  # recomputed the old way, then shown by some other means
    Release.objects.create(
        survey=survey,
        audience=Release.Audience.COMMAND,
        released_on="2026-01-05",
        document=computed(survey),
        digest="y" * 64,
    )
    from survey.models import ReportSettings

    ReportSettings.objects.create(survey=survey, questions=["outcome_patient_care"])  # a new selection: audited
    with pytest.raises(PublishRefused, match="cannot be shown"):
        publish_report(survey=survey, acting_user=alice)
    assert survey.reports.count() == 0


@pytest.mark.django_db(transaction=True)
def test_the_gate_runs_after_the_aggregation_has_committed(monkeypatch):
    survey = make_survey(slug="committed")
    import_responses(survey=survey, text=to_csv(linked_rows()))
    Survey.objects.filter(pk=survey.pk).update(status=Survey.Status.CLOSED)
    real, seen = releases.audit, []

    def watching(**kwargs):
        seen.append(connection.in_atomic_block)
        return real(**kwargs)

    monkeypatch.setattr(releases, "audit", watching)
    compute_results(survey_id=survey.pk)  # a closed survey's aggregation releases its final figures
    assert Release.objects.filter(survey=survey, final=True).exists()
    assert seen and not any(seen)


def test_audit_release_prints_what_it_would_refuse(db, monkeypatch):
    from io import StringIO

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
