"""Attack: a follow-up pulse goes to the same people as the original survey,
so its figures and the original's could be read together (separate
responses, but the same groups and people).

The original survey has three agency staff, a group under k, hidden in
every figure. The attacker holds every figure ever shown about both surveys
(the original's report versions and release, the pulse's release, the
public ledger page) and tries to learn anything about those three:

- by running the release auditor over both surveys' figures at once, taking
  them as the same people (same number of respondents): nothing is pinned;
- by asking only the three agency staff to answer the pulse (fresh codes
  for them alone): the pulse has fewer than k respondents, so nothing about
  it is shown anywhere, not even how many answered;
- by opening the pulse with a lower k, or by group (a breakdown question
  copied from the original, whose hidden groups the pulse's own secondary
  suppression would not know about): both are refused.
"""

import json
from datetime import date

import pytest
from django.core.management import call_command

from survey.definitions.format import DefinitionError
from survey.definitions.status import set_status
from survey.figures.aggregate import compute_results
from survey.figures.audit import audit, releases
from survey.figures.releases import released_document
from survey.models import Survey
from survey.reports.ledger import add_action
from survey.reports.publishing import publish_report
from survey.reports.pulses import open_pulse, pulse_figures
from survey.responses.importing import import_responses
from tests.factories import answers, to_csv

CHANGED = [
    {"value": "better", "label": "Better"},
    {"value": "same", "label": "Same"},
    {"value": "worse", "label": "Worse"},
]
QUESTION = {"key": "q1", "kind": "single_choice", "text": "Has it changed?", "choices": CHANGED}


def _close(survey, user, callbacks):
    with callbacks(execute=True):
        set_status(survey=survey, acting_user=user, status=Survey.Status.CLOSED)
    compute_results(survey_id=survey.pk)


@pytest.fixture
def action(survey, alice, django_capture_on_commit_callbacks):
    rows = [answers(service="iapt", raised="yes", outcome="adequately")] * 12
    rows += [answers(service="iapt", raised="no")] * 8
    rows += [answers(service="other", raised="yes", outcome="not")] * 9
    rows += [answers(service="other", raised="no")] * 8
    # The small group: three agency staff, all of whom raised a concern that was not resolved.
    rows += [answers(service="agency", raised="yes", outcome="not")] * 3
    import_responses(survey=survey, text=to_csv(rows))
    _close(survey, alice, django_capture_on_commit_callbacks)
    publish_report(survey=survey, acting_user=alice)
    agency = [
        g
        for b in released_document(survey=survey)["concerns"][0]["breakdowns"]
        for g in b["groups"]
        if g["value"] == "agency"
    ]
    assert agency and all(g.get("suppressed") for g in agency)  # hidden in the original
    return add_action(
        survey=survey,
        acting_user=alice,
        concern_key="patient-care",
        text="Supervision for agency staff.",
        role="Head of Workforce",
        due_on=date(2027, 3, 31),
    )


def _pulse(action, alice, **changes):
    fields = {"title": "Following up", "intro": "", "min_group_size": 10, "access": "codes", "questions": [QUESTION]}
    return open_pulse(action=action, acting_user=alice, **(fields | changes))


def test_the_pulse_and_the_original_together_pin_nothing_for_the_auditor(
    client, action, alice, django_capture_on_commit_callbacks
):
    original = action.survey
    pulse = _pulse(action, alice)
    # The same 40 people answer again; the agency staff answer "worse".
    values = ["better"] * 15 + ["same"] * 12 + ["worse"] * 13
    import_responses(survey=pulse, text="q1\n" + "\n".join(values) + "\n")
    _close(pulse, alice, django_capture_on_commit_callbacks)
    pulse_release = released_document(survey=Survey.objects.get(pk=pulse.pk))
    assert pulse_release["respondents"] == released_document(survey=original)["respondents"] == 40
    every_figure = [*releases(survey=original), pulse_release]
    assert audit(survey=original, documents=every_figure) == []
    assert audit(survey=pulse, documents=every_figure) == []
    # The pulse's figures are about everyone who answered it, never a group.
    assert all(not q["breakdowns"] for q in pulse_release["questions"])
    page = client.get("/r/therapy-2026/actions/").content.decode()
    assert "40 people answered." in page and "Agency" not in page


def test_a_pulse_answered_only_by_the_small_group_shows_nothing_not_even_a_count(
    client, action, alice, django_capture_on_commit_callbacks, capsys
):
    pulse = _pulse(action, alice)
    import_responses(survey=pulse, text="q1\nworse\nworse\nworse\n")
    _close(pulse, alice, django_capture_on_commit_callbacks)
    pulse = Survey.objects.get(pk=pulse.pk)
    shown = pulse_figures(pulse=pulse)
    assert not shown["released"] and "respondents" not in shown and "questions" not in shown
    page = client.get("/r/therapy-2026/actions/").content.decode()
    assert "Fewer than 10 people answered, so no figures are shown." in page
    assert "3 people" not in page and "Has it changed?" not in page
    call_command("export_results", pulse.slug, "--format", "json")
    exported = json.loads(capsys.readouterr().out)
    assert all(q.get("suppressed") for q in exported.get("questions", []))


def test_a_pulse_cannot_promise_less_than_the_original(action, alice):
    with pytest.raises(DefinitionError) as refused:
        _pulse(action, alice, min_group_size=5)
    assert refused.value.path == "min_group_size" and "cannot be lower" in refused.value.message
    assert not Survey.objects.filter(link="pulse").exists()


def test_a_pulse_cannot_ask_by_group(action, alice):
    breakdown = {
        "key": "service",
        "kind": "single_choice",
        "breakdown": True,
        "text": "Which service do you work in?",
        "choices": [{"value": "iapt", "label": "IAPT"}, {"value": "agency", "label": "Agency"}],
    }
    with pytest.raises(DefinitionError) as refused:
        _pulse(action, alice, questions=[breakdown, QUESTION])
    assert refused.value.path.endswith("breakdown") and "never by group" in refused.value.message
    assert not Survey.objects.filter(link="pulse").exists()


def test_an_organiser_of_another_survey_cannot_link_a_pulse_to_take_over_its_address(action, charlie):
    """A pulse takes over the original's address while open: someone else's
    pulse there would collect answers people think they give to their own
    organisation."""
    from survey.definitions.editing import create_survey

    source = {
        "slug": "hijack",
        "title": "Following up",
        "pulse_of": {"survey": "therapy-2026", "action": str(action.pk)},
        "sections": [{"title": "F", "questions": [QUESTION]}],
        "concerns": [],
    }
    with pytest.raises(DefinitionError) as refused:
        create_survey(acting_user=charlie, title="Following up", slug="hijack", source=source)
    assert refused.value.path == "pulse_of.survey" and "not an organiser" in refused.value.message
    assert not Survey.objects.filter(link="pulse").exists()
