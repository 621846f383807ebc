"""Follow-up pulses: opened from an action, linked to the original survey,
reached from its address, released like any survey, shown beside the action."""

import json
from datetime import date

import pytest
from django.core.management import call_command

from survey.definitions.format import DefinitionError, export_definition, load_definition, validate_definition
from survey.definitions.status import set_status
from survey.figures.aggregate import compute_results
from survey.models import AuditEvent, Member, Survey
from survey.reports.ledger import add_action
from survey.reports.publishing import publish_report
from survey.reports.pulses import PulseRefused, open_pulse, pulse_figures
from survey.responses.importing import import_responses
from tests.factories import answers, to_csv

QUESTIONS = [
    {"key": "q1", "kind": "single_choice", "text": "Since March, has supervision changed where you work?",
     "choices": [{"value": "better", "label": "Better"}, {"value": "same", "label": "About the same"},
                 {"value": "worse", "label": "Worse"}]},
]  # fmt: skip


def close(survey, user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        set_status(survey=survey, acting_user=user, status=Survey.Status.CLOSED)
    compute_results(survey_id=survey.pk)


@pytest.fixture
def closed(survey, alice, django_capture_on_commit_callbacks):
    rows = [answers(service="iapt", raised="yes", outcome="adequately")] * 20
    rows += [answers(service="other", raised="yes", outcome="not")] * 17
    rows += [answers(service="agency", raised="yes", outcome="not")] * 3
    import_responses(survey=survey, text=to_csv(rows))
    close(survey, alice, django_capture_on_commit_callbacks)
    publish_report(survey=survey, acting_user=alice)
    return survey


@pytest.fixture
def action(closed, alice):
    return add_action(
        survey=closed,
        acting_user=alice,
        concern_key="patient-care",
        text="Weekly supervision for every team.",
        role="Director of Nursing",
        due_on=date(2027, 3, 31),
    )


def _open(action, alice, **changes):
    fields = {"title": "Following up", "intro": "", "min_group_size": 10, "access": "open", "questions": QUESTIONS}
    return open_pulse(action=action, acting_user=alice, **(fields | changes))


def _answer(pulse, values):
    import_responses(survey=pulse, text="q1\n" + "\n".join(values) + "\n")


def test_a_pulse_is_a_survey_linked_to_the_action_with_the_same_organisers(action, alice):
    pulse = _open(action, alice)
    assert (pulse.linked_survey.slug, pulse.link, pulse.pulse_action_id) == ("therapy-2026", "pulse", action.pk)
    assert pulse.status == Survey.Status.OPEN and pulse.slug == "therapy-2026-pulse-1"
    assert Member.objects.filter(survey=pulse, user=alice, role="organiser").exists()
    opened = AuditEvent.objects.get(action=AuditEvent.Action.PULSE_OPENED)
    assert opened.survey.slug == "therapy-2026" and "Following up" in opened.detail


def test_a_pulse_waits_for_the_original_to_close(survey, alice):
    early = add_action(
        survey=survey, acting_user=alice, concern_key="patient-care", text="x", role="Director", due_on=None
    )
    with pytest.raises(PulseRefused, match="Close the survey first"):
        _open(early, alice)
    assert not Survey.objects.filter(link="pulse").exists()


def test_one_pulse_at_a_time(action, alice):
    _open(action, alice)
    with pytest.raises(PulseRefused, match="still open"):
        _open(action, alice, title="Again")


def test_the_original_address_leads_to_the_open_pulse_and_stops_when_it_closes(
    client, action, alice, django_capture_on_commit_callbacks
):
    pulse = _open(action, alice)
    response = client.get("/s/therapy-2026/")
    assert response.status_code == 302 and response["Location"] == f"/s/{pulse.slug}/"
    assert client.get(response["Location"]).status_code == 200
    close(pulse, alice, django_capture_on_commit_callbacks)
    assert client.get("/s/therapy-2026/").status_code == 410


def test_the_pulse_round_trips_through_its_definition(action, alice, tmp_path, capsys):
    pulse = _open(action, alice)
    exported = export_definition(survey=pulse)
    assert exported["pulse_of"] == {"survey": "therapy-2026", "action": str(action.pk)}
    call_command("export_survey", pulse.slug)
    document = json.loads(capsys.readouterr().out)
    document["slug"] = "pulse-copy"
    path = tmp_path / "pulse.json"
    path.write_text(json.dumps(document))
    call_command("load_survey", str(path))
    copy = Survey.objects.get(slug="pulse-copy")
    assert (copy.link, copy.linked_survey_id, copy.pulse_action_id) == ("pulse", action.survey_id, action.pk)
    assert export_definition(survey=copy) == exported | {"slug": "pulse-copy"}


def _pulse_document(action, **changes):
    document = {
        "slug": "pulse-x",
        "title": "Following up",
        "pulse_of": {"survey": "therapy-2026", "action": str(action.pk)},
        "sections": [{"title": "Follow-up", "questions": QUESTIONS}],
    }
    return document | changes


@pytest.mark.parametrize(
    ("changes", "path", "words"),
    [
        ({"pulse_of": {"survey": "therapy-2026", "action": "6b1c9d52-0000-4000-8000-000000000000"}},
         "pulse_of.action", "no such action"),
        ({"next_wave_of": "therapy-2026"}, "pulse_of", "not both"),
        ({"sections": [{"title": "F", "questions": [dict(QUESTIONS[0], key=f"q{i}") for i in range(4)]}]},
         "sections", "between 1 and 3"),
        ({"sections": [{"title": "F", "questions": [{"key": "c", "kind": "free_text", "text": "Tell us"}]}]},
         "sections[0].questions[0].kind", "choices"),
    ],
)  # fmt: skip
def test_a_pulse_definition_is_refused_by_path_when(action, changes, path, words):
    with pytest.raises(DefinitionError) as refused:
        load_definition(definition=validate_definition(_pulse_document(action, **changes)))
    assert refused.value.path == path and words in refused.value.message
    assert not Survey.objects.filter(slug="pulse-x").exists()


def test_released_pulse_figures_are_shown_beside_the_action_only_once_closed(
    client, action, alice, django_capture_on_commit_callbacks
):
    pulse = _open(action, alice)
    _answer(pulse, ["better"] * 14 + ["same"] * 8 + ["worse"] * 4)
    compute_results(survey_id=pulse.pk)
    assert not pulse_figures(pulse=pulse)["released"]  # open: nothing released, whatever was computed
    page = client.get("/r/therapy-2026/actions/").content.decode()
    assert "Open now: figures are shown once it closes." in page and "53.8%" not in page
    close(pulse, alice, django_capture_on_commit_callbacks)
    figures = pulse_figures(pulse=Survey.objects.get(pk=pulse.pk))
    assert figures["released"] and figures["respondents"] == 26
    assert [c["count"] for c in figures["questions"][0]["choices"]] == [14, 8, 4]
    page = client.get("/r/therapy-2026/actions/").content.decode()
    assert "Following up" in page and "Better: 53.8% (14 of 26)" in page
    # Shown to the public: recorded as a release of the pulse like any other, the document released at closing.
    from survey.models import Release

    public = Release.objects.get(survey=pulse, audience=Release.Audience.PUBLIC)
    assert public.document == Release.objects.get(survey=pulse, audience="organisers", final=True).document


def test_a_code_pulse_is_answered_with_fresh_codes_from_the_original_address(client, action, alice):
    from survey.responses.invitation_codes import generate_codes

    pulse = _open(action, alice, access="codes")
    [code] = generate_codes(survey=pulse, count=1, acting_user=alice)
    intro = client.get("/s/therapy-2026/", follow=True)
    assert intro.redirect_chain == [(f"/s/{pulse.slug}/", 302)]
    assert "Your invitation code" in intro.content.decode()
    started = client.post(f"/s/{pulse.slug}/answer/", {"action": "start", "code": code})
    assert started.status_code == 200 and "has supervision changed" in started.content.decode()


def test_a_copy_of_a_pulse_cannot_open_beside_the_open_one_by_any_path(action, alice):
    """Opening goes through set_status (and the schedule): the rule holds there,
    not only in open_pulse, so a duplicated pulse cannot take the address too."""
    from survey.definitions.status import StatusRefused

    first = _open(action, alice)
    copy = export_definition(survey=first) | {"slug": "pulse-copy"}
    second = load_definition(definition=validate_definition(copy), acting_user=alice)
    with pytest.raises(StatusRefused, match="still open"):
        set_status(survey=second, acting_user=alice, status=Survey.Status.OPEN)
    assert Survey.objects.get(slug="pulse-copy").status == Survey.Status.DRAFT
