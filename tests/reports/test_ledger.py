"""The action ledger: append-only entries, the live public page, overdue
actions, help routes as one model, and the console's forms."""

from datetime import date, timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from survey.models import Action, AuditEvent, LedgerEntry
from survey.reports.ledger import LedgerRefused, add_action, change_action, help_routes, ledger, set_help
from survey.reports.publishing import publish_report
from survey.responses.importing import import_responses
from tests.factories import answers, close_and_release, to_csv

URL = "/console/therapy-2026/actions/"


@pytest.fixture
def published(survey, alice):
    rows = [answers(service="iapt", raised="yes", outcome="adequately")] * 20
    rows += [answers(service="other", raised="yes", outcome="not")] * 20
    import_responses(survey=survey, text=to_csv(rows))
    close_and_release(survey)
    return publish_report(survey=survey, acting_user=alice)


def _action(survey, alice, **changes):
    fields = {
        "concern_key": "patient-care",
        "text": "Weekly supervision for every team.",
        "role": "Director of Nursing",
        "due_on": date(2027, 3, 31),
    }
    return add_action(survey=survey, acting_user=alice, **(fields | changes))


def _change(action, alice, **changes):
    fields = {
        "text": "Weekly supervision for every team.",
        "role": "Director of Nursing",
        "due_on": date(2027, 3, 31),
        "status": "in_progress",
        "note": "",
    }
    return change_action(action=action, acting_user=alice, **(fields | changes))


# --- Append-only, at the model level -------------------------------------------


def test_an_entry_cannot_be_rewritten_or_deleted_by_any_model_path(survey, alice):
    action = _action(survey, alice)
    entry = action.entries.get()
    entry.text = "Something else"
    with pytest.raises(TypeError, match="never rewritten"):
        entry.save()
    with pytest.raises(TypeError, match="never deleted"):
        entry.delete()
    with pytest.raises(TypeError, match="never changed"):
        LedgerEntry.objects.filter(pk=entry.pk).update(text="Something else")
    with pytest.raises(TypeError, match="never deleted"):
        LedgerEntry.objects.filter(pk=entry.pk).delete()
    with pytest.raises(TypeError):
        action.delete()
    with pytest.raises(TypeError):
        Action.objects.filter(pk=action.pk).update(concern_key="other")
    assert LedgerEntry.objects.get(pk=entry.pk).text == "Weekly supervision for every team."


def test_the_database_itself_refuses_to_rewrite_a_ledger_row(survey, alice):
    from django.db import DatabaseError, connection

    action = _action(survey, alice)
    for table, column, pk in (
        ("survey_ledgerentry", "text", action.entries.get().pk),
        ("survey_action", "concern_key", action.pk.hex),
    ):
        with pytest.raises(DatabaseError, match="never rewritten"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"UPDATE {table} SET {column} = 'x' WHERE id = %s", [pk])
    assert action.entries.get().text == "Weekly supervision for every team."


def test_the_database_refuses_an_entry_of_the_wrong_shape(survey):
    with pytest.raises(IntegrityError), transaction.atomic():
        LedgerEntry.objects.create(
            survey=survey, concern_key="patient-care", kind="action", status="", entered_at=timezone.now()
        )


# --- Changes are appended, the current state is the latest ---------------------


def test_a_change_is_a_new_dated_entry_and_the_first_stays_as_it_was(survey, alice):
    action = _action(survey, alice)
    _change(action, alice, due_on=date(2027, 4, 30), note="Two teams have started.")
    [topic] = ledger(survey=survey)
    [item] = topic["actions"]
    first, second = item["entries"]
    assert (first["status"], first["due_on"], first["note_html"]) == ("planned", "2027-03-31", "")
    assert (second["status"], second["due_on"]) == ("in_progress", "2027-04-30")
    assert second["changed"] == ["due date", "status"] and "Two teams have started." in second["note_html"]
    assert item["current"] == second
    assert LedgerEntry.objects.filter(action=action).count() == 2


def test_a_change_that_changes_nothing_and_says_nothing_is_refused(survey, alice):
    action = _action(survey, alice)
    with pytest.raises(LedgerRefused, match="Nothing changed"):
        _change(action, alice, status="planned")
    assert action.entries.count() == 1


def test_an_action_needs_a_role(survey, alice):
    with pytest.raises(LedgerRefused, match="Name the role"):
        _action(survey, alice, role="  ")
    assert not Action.objects.exists()


def test_an_open_action_past_its_due_date_is_overdue_and_a_done_one_is_not(survey, alice):
    late = _action(survey, alice, due_on=date(2026, 1, 31))
    done = _action(survey, alice, text="Exit interviews.", due_on=date(2026, 1, 31))
    _change(done, alice, text="Exit interviews.", due_on=date(2026, 1, 31), status="done")
    later = _action(survey, alice, text="A guardian per site.", due_on=date(2026, 6, 30))
    items = {a["id"]: a for a in ledger(survey=survey, today=date(2026, 3, 1))[0]["actions"]}
    assert items[str(late.pk)]["overdue"] and not items[str(done.pk)]["overdue"]
    assert not items[str(later.pk)]["overdue"]


def test_every_change_is_audited_in_words_with_before_and_after(survey, alice):
    action = _action(survey, alice)
    _change(action, alice, due_on=date(2027, 4, 30), note="Started.")
    set_help(survey=survey, acting_user=alice, concern_key="patient-care", text="The Guardian.")
    events = {e.action: e for e in AuditEvent.objects.filter(survey=survey)}
    added = events[AuditEvent.Action.ACTION_ADDED]
    assert "Patient care" in added.detail and "Director of Nursing" in added.detail and "31 March 2027" in added.detail
    changed = events[AuditEvent.Action.ACTION_CHANGED].detail
    assert "due: “31 March 2027” → “30 April 2027”" in changed and "status: “planned” → “in progress”" in changed
    assert "update: “Started.”" in changed
    assert events[AuditEvent.Action.HELP_CHANGED].detail == "Patient care: “none” → “The Guardian.”"
    assert events[AuditEvent.Action.HELP_CHANGED].get_action_display() == 'Changed "who can help"'


# --- Help routes: one model ------------------------------------------------------


def test_help_changes_by_appending_and_every_page_shows_the_latest(client, survey, alice, published):
    set_help(survey=survey, acting_user=alice, concern_key="patient-care", text="The Guardian: ftsu@example.org")
    set_help(survey=survey, acting_user=alice, concern_key="patient-care", text="Call the Guardian on 0100 000 000")
    assert LedgerEntry.objects.filter(kind="help").count() == 2
    assert [r["text"] for r in help_routes(survey=survey)] == ["Call the Guardian on 0100 000 000"]
    publish_report(survey=survey, acting_user=alice)
    for url in ("/s/therapy-2026/thanks/", "/r/therapy-2026/", "/r/therapy-2026/actions/"):
        page = client.get(url).content.decode()
        assert "Call the Guardian on 0100 000 000" in page, url
        assert "ftsu@example.org" not in page, url


# --- The public page -------------------------------------------------------------


def test_the_public_ledger_waits_for_the_first_published_version(client, survey, alice):
    _action(survey, alice)
    assert client.get("/r/therapy-2026/actions/").status_code == 404


def test_the_public_ledger_is_live_and_the_frozen_versions_stay_frozen(client, survey, alice, published):
    action = _action(survey, alice)
    publish_report(survey=survey, acting_user=alice)  # version 2 freezes the action as planned
    _change(action, alice, note="Two teams have started.")
    ledger_page = client.get("/r/therapy-2026/actions/").content.decode()
    assert "Two teams have started." in ledger_page and "In progress" in ledger_page
    assert ledger_page.count("<li><time") == 2  # both entries, each with its date
    version = client.get("/r/therapy-2026/v2/").content.decode()
    assert "Weekly supervision for every team." in version and "Two teams have started." not in version
    assert 'href="/r/therapy-2026/actions/"' in version
    assert 'href="/r/therapy-2026/actions/"' in client.get("/r/therapy-2026/v1/").content.decode()


def test_an_overdue_action_is_marked_on_the_public_page(client, survey, alice, published):
    _action(survey, alice, due_on=timezone.localdate() - timedelta(days=1))
    _action(survey, alice, text="A guardian per site.", due_on=timezone.localdate() + timedelta(days=30))
    page = client.get("/r/therapy-2026/actions/").content.decode()
    assert page.count("Overdue</strong>") == 1


# --- The console -----------------------------------------------------------------


def test_a_bad_due_date_is_named_beside_the_field_and_nothing_is_stored(organiser, survey):
    response = organiser.post(
        f"{URL}new/",
        {
            "add-concern": "patient-care",
            "add-text": "Weekly supervision.",
            "add-role": "Director of Nursing",
            "add-due_on": "next spring",
            "add-status": "planned",
        },
    )
    assert response.status_code == 400
    assert "Enter a date, like 2027-03-31." in response.content.decode()
    assert 'value="Weekly supervision.' in response.content.decode() or "Weekly supervision." in (
        response.content.decode()
    )
    assert not Action.objects.exists() and not AuditEvent.objects.filter(action="ledger.action_added").exists()


def test_a_change_that_changes_nothing_is_sent_back_with_the_reason(organiser, survey, alice):
    action = _action(survey, alice)
    prefix = f"action-{action.pk}"
    same = {"text": "Weekly supervision for every team.", "role": "Director of Nursing", "due_on": "2027-03-31"}
    response = organiser.post(
        f"{URL}{action.pk}/", {f"{prefix}-{k}": v for k, v in (same | {"status": "planned"}).items()}
    )
    assert response.status_code == 400
    assert "Nothing changed" in response.content.decode()
    assert action.entries.count() == 1


def test_an_action_of_another_survey_is_not_found(organiser, survey, charlie):
    from survey.models import Survey

    other = Survey.objects.get(slug="other-survey")
    foreign = _action(other, charlie)
    response = organiser.post(f"{URL}{foreign.pk}/", {})
    assert response.status_code == 404
    assert foreign.entries.count() == 1


def test_the_change_form_starts_from_the_current_state_so_nothing_untouched_is_lost(organiser, survey, alice):
    action = _action(survey, alice)
    page = organiser.get(URL).content.decode()
    assert f'name="action-{action.pk}-due_on" value="2027-03-31"' in page
    assert f'name="action-{action.pk}-role" value="Director of Nursing"' in page
