"""Building a survey in the console: the same validation as load_survey,
errors beside the field at fault, safe changes once answers exist, preview
without storing, opening and closing by hand and on schedule."""

import io
import json
import time
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from survey.definitions import editing
from survey.definitions.format import DefinitionError, export_definition
from survey.definitions.status import StatusRefused, apply_schedule, schedule, set_status
from survey.models import AuditEvent, Choice, Member, PendingSubmission, Question, Response, Survey, UsedFormToken
from survey.responses.mixing import insert_responses
from tests.factories import answers
from tests.respondent import Walk

SLUG = "therapy-2026"


def build_url(name, **kwargs):
    return reverse(f"survey:{name}", kwargs={"slug": SLUG, **kwargs})


@pytest.fixture
def answered(survey):
    insert_responses(survey_id=survey.pk, submissions=[(answers(raised="yes", outcome="partly"), timezone.localdate())])
    return survey


def test_new_survey_from_the_builtin_template_is_a_draft_with_its_creator_as_organiser(client, charlie):
    client.force_login(charlie)
    response = client.post(
        reverse("survey:survey-new"), {"title": "Speaking up 2027", "slug": "", "start": "template:raising-concerns"}
    )
    survey = Survey.objects.get(slug="speaking-up-2027")
    assert response["Location"] == reverse("survey:survey-build", kwargs={"slug": survey.slug})
    assert survey.status == Survey.Status.DRAFT and survey.title == "Speaking up 2027"
    assert survey.questions.count() == 10 and survey.concerns.count() == 2
    assert Member.objects.filter(survey=survey, user=charlie, role=Member.Role.ORGANISER).exists()
    # A draft takes no answers.
    assert client.get(f"/s/{survey.slug}/").status_code == 410


def test_uploaded_definition_with_a_fault_is_refused_with_its_path_and_nothing_is_created(client, charlie):
    client.force_login(charlie)
    document = export_definition(survey=Survey.objects.get(slug="other-survey"))
    document["sections"][1]["questions"][1]["show_if"]["question"] = "raisd_patient_care"
    upload = io.BytesIO(json.dumps(document).encode())
    upload.name = "survey.json"
    response = client.post(
        reverse("survey:survey-new"), {"title": "Uploaded", "slug": "uploaded", "start": "upload", "definition": upload}
    )
    assert response.status_code == 400
    errors = response.context["form"].errors["definition"]
    assert errors == ['sections[1].questions[1].show_if: unknown question "raisd_patient_care"']
    assert not Survey.objects.filter(slug="uploaded").exists()


def test_taken_address_is_refused_beside_the_address_field(client, charlie):
    client.force_login(charlie)
    response = client.post(reverse("survey:survey-new"), {"title": "x", "slug": "other-survey", "start": "blank"})
    assert response.status_code == 400 and "taken" in response.context["form"].errors["slug"][0]


def test_question_error_is_shown_beside_the_field_at_fault_and_nothing_changes(organiser, survey):
    before = export_definition(survey=survey)
    data = {
        "text": "Which team?",
        "key": "team",
        "kind": "multiple_choice",
        "required": "on",
        "breakdown": "on",
        "choices-TOTAL_FORMS": "3",
        "choices-INITIAL_FORMS": "0",
        "choices-0-label": "Ward A",
        "choices-1-label": "Ward B",
    }
    response = organiser.post(build_url("question-new") + "?section=0", data)
    assert response.status_code == 400
    assert response.context["form"].errors["breakdown"] == ["only a single-choice question can be a breakdown"]
    assert export_definition(survey=survey) == before


def test_duplicate_choice_is_shown_beside_its_row(organiser, survey):
    data = {
        "text": "Which team?",
        "key": "team",
        "kind": "single_choice",
        "required": "on",
        "choices-TOTAL_FORMS": "3",
        "choices-INITIAL_FORMS": "0",
        "choices-0-label": "Ward A",
        "choices-0-value": "ward",
        "choices-2-label": "Ward B",
        "choices-2-value": "ward",
    }
    response = organiser.post(build_url("question-new") + "?section=0", data)
    assert response.status_code == 400
    formset = response.context["formset"]
    assert formset.forms[0].errors == {"label": ["two choices have the same short name"]}
    assert not Question.objects.filter(key="team").exists()


def test_adding_a_follow_up_question_through_the_console(organiser, survey):
    data = {
        "text": "Who did you raise it with?",
        "key": "raised_with",
        "kind": "single_choice",
        "required": "on",
        "show_if": "raised_patient_care=yes",
        "choices-TOTAL_FORMS": "3",
        "choices-INITIAL_FORMS": "0",
        "choices-0-label": "My manager",
        "choices-1-label": "Someone else",
    }
    response = organiser.post(build_url("question-new") + "?section=1", data)
    assert response.status_code == 302
    question = Question.objects.get(key="raised_with")
    assert question.show_if_question.key == "raised_patient_care" and question.show_if_value == "yes"
    assert [c.value for c in question.choices.all()] == ["my_manager", "someone_else"]
    event = AuditEvent.objects.filter(survey=survey, action="survey.updated").latest("pk")
    assert event.detail.startswith("Question raised_with added")


def test_renaming_a_question_keeps_the_conditions_and_concerns_that_name_it(survey, alice):
    def rename(document):
        s, i = editing.find_question(document, "raised_patient_care")
        question = dict(document["sections"][s]["questions"][i], key="raised_care")
        editing.put_question(document, section=None, old_key="raised_patient_care", question=question)

    editing.edit_definition(survey=survey, acting_user=alice, change=rename, what="rename")
    assert Question.objects.get(key="outcome_patient_care").show_if_question.key == "raised_care"
    assert survey.concerns.get().raised.key == "raised_care"


def test_moving_a_question_past_its_section_edge_moves_it_into_the_next_section(survey, alice):
    editing.edit_definition(
        survey=survey,
        acting_user=alice,
        change=lambda d: editing.move(d, what="question", ident="service", offset=1),
        what="move",
    )
    assert Question.objects.get(key="service").section.title == "Patient care"


def test_wording_fix_after_answers_is_allowed_and_recorded(organiser, answered):
    question = Question.objects.get(key="raised_patient_care")
    data = {"text": "Have you raised a concern about patient care in the past year?", "key": question.key}
    data.update(kind="yes_no", required="on", **{"choices-TOTAL_FORMS": "3", "choices-INITIAL_FORMS": "0"})
    response = organiser.post(build_url("question-edit", key=question.key), data)
    assert response.status_code == 302
    question.refresh_from_db()
    assert question.text.endswith("in the past year?")
    event = AuditEvent.objects.filter(survey=answered, action="survey.updated").latest("at")
    assert "Question raised_patient_care text" in event.detail and "past year" in event.detail


@pytest.mark.parametrize(
    ("change", "explanation"),
    [
        (
            lambda d: d["sections"][2]["questions"][1]["choices"].pop(),
            'choice "5" of question "safe" cannot be removed',
        ),
        (lambda d: d["sections"][2]["questions"][1].update(kind="single_choice"), 'the kind of question "safe"'),
        (lambda d: d["concerns"][0].update(resolved_values=["adequately", "partly"]), "are fixed"),
        (lambda d: d["sections"][0]["questions"].pop(), 'question "service" cannot be removed'),
    ],
)
def test_changes_that_would_corrupt_figures_are_refused_once_answered(answered, alice, change, explanation):
    before = export_definition(survey=answered)
    with pytest.raises(DefinitionError, match=explanation) as refused:
        editing.edit_definition(survey=answered, acting_user=alice, change=change, what="change")
    assert "already has responses" in str(refused.value)
    assert export_definition(survey=answered) == before
    assert Choice.objects.filter(question__key="safe").count() == 5


def test_refused_change_in_the_console_explains_itself_beside_the_field(organiser, answered):
    question = Question.objects.get(key="safe")
    data = {"text": question.text, "key": "safe", "kind": "single_choice", "required": "on"}
    data.update({"choices-TOTAL_FORMS": "5", "choices-INITIAL_FORMS": "0"})
    data.update({f"choices-{i}-label": f"Point {i + 1}" for i in range(5)})
    data.update({f"choices-{i}-value": str(i + 1) for i in range(5)})
    response = organiser.post(build_url("question-edit", key="safe"), data)
    assert response.status_code == 400
    assert "cannot change" in response.context["form"].errors["kind"][0]
    assert Question.objects.get(key="safe").kind == "scale"


def test_preview_walks_the_respondent_pages_and_stores_nothing(organiser, survey):
    survey.status = Survey.Status.DRAFT
    survey.save()
    intro = organiser.get(build_url("survey-preview"))
    assert intro.status_code == 200 and b"nothing you answer here is stored" in intro.content
    walk = Walk(SLUG, client=organiser)
    walk.url = build_url("survey-preview-answer")
    walk.start()
    walk.next(service="iapt")
    walk.next(raised_patient_care="yes")
    # The follow-up appears, exactly as for respondents.
    assert "Was your concern adequately resolved?" in walk.html
    walk.next(outcome_patient_care="partly", patient_care_comment="A comment")
    walk.next(safe="4")
    done = walk.submit()
    assert done.status_code == 200 and "nothing was stored" in done.content.decode()
    assert not PendingSubmission.objects.exists() and not Response.objects.exists()
    assert not UsedFormToken.objects.exists()


def test_an_incomplete_survey_cannot_open(survey, alice):
    editing.edit_definition(
        survey=survey,
        acting_user=alice,
        change=lambda d: editing.put_section(d, index=None, title="Empty"),
        what="section",
    )
    with pytest.raises(StatusRefused, match=r"not ready to open. Section 4: a section needs at least one question.$"):
        set_status(survey=survey, acting_user=alice, status=Survey.Status.OPEN)


def test_closing_tells_respondents_and_a_survey_with_answers_cannot_go_back_to_draft(organiser, answered):
    organiser.post(build_url("survey-status"), {"status": "closed", "confirmed": "yes"})
    response = organiser.get(f"/s/{SLUG}/")
    assert response.status_code == 410 and b"has closed" in response.content
    organiser.post(build_url("survey-status"), {"status": "draft"})
    assert Survey.objects.get(slug=SLUG).status == Survey.Status.CLOSED
    assert AuditEvent.objects.filter(survey=answered, action="survey.closed", user__isnull=False).exists()


def test_schedule_opens_and_closes_at_its_times_once(survey, alice):
    now = timezone.now()
    Survey.objects.filter(pk=survey.pk).update(status=Survey.Status.DRAFT)
    schedule(survey=survey, acting_user=alice, opens_at=now + timedelta(hours=1), closes_at=now + timedelta(days=7))
    apply_schedule(now=now)
    assert Survey.objects.get(pk=survey.pk).status == Survey.Status.DRAFT
    apply_schedule(now=now + timedelta(hours=2))
    apply_schedule(now=now + timedelta(hours=2))
    assert Survey.objects.get(pk=survey.pk).status == Survey.Status.OPEN
    assert AuditEvent.objects.filter(survey=survey, action="survey.open").count() == 1
    apply_schedule(now=now + timedelta(days=8))
    assert Survey.objects.get(pk=survey.pk).status == Survey.Status.CLOSED


def test_schedule_does_not_open_an_incomplete_survey(survey, alice):
    editing.edit_definition(
        survey=survey,
        acting_user=alice,
        change=lambda d: editing.put_section(d, index=None, title="Empty"),
        what="section",
    )
    Survey.objects.filter(pk=survey.pk).update(status=Survey.Status.DRAFT, opens_at=timezone.now())
    apply_schedule()
    assert Survey.objects.get(pk=survey.pk).status == Survey.Status.DRAFT
    assert AuditEvent.objects.filter(survey=survey, action="survey.open_failed").exists()


def test_schedule_refuses_closing_before_opening(organiser, survey):
    organiser.post(
        build_url("survey-schedule"), {"opens_at": "2027-01-02T09:00", "closes_at": "2027-01-01T09:00"}, follow=True
    )
    assert Survey.objects.get(pk=survey.pk).opens_at is None


def test_downloaded_definition_loads_back_unchanged(organiser, survey):
    response = organiser.get(build_url("definition-download"))
    assert response["Content-Disposition"] == f'attachment; filename="{SLUG}.json"'
    document = json.loads(response.content)
    assert document == export_definition(survey=survey)


def test_share_page_offers_the_link_and_a_qr_code(organiser, survey):
    page = organiser.get(build_url("survey-share"))
    assert f"http://testserver/s/{SLUG}/".encode() in page.content
    png = organiser.get(build_url("survey-qr", fmt="png"))
    assert png["Content-Type"] == "image/png" and png.content.startswith(b"\x89PNG\r\n\x1a\n")
    svg = organiser.get(build_url("survey-qr", fmt="svg") + "?download")
    assert svg["Content-Type"] == "image/svg+xml" and b"<svg" in svg.content
    assert "attachment" in svg["Content-Disposition"]


def test_console_edits_the_default_language_and_keeps_the_welsh(client, charlie):
    client.force_login(charlie)
    client.post(
        reverse("survey:survey-new"), {"title": "Dwyieithog", "slug": "bilingual", "start": "template:raising-concerns"}
    )
    question = Question.objects.get(survey__slug="bilingual", key="raised_patient_care")
    welsh = question.translations["cy"]["text"]
    data = {"text": "Have you raised a concern about patient care this year?", "key": question.key, "kind": "yes_no"}
    data.update({"required": "on", "choices-TOTAL_FORMS": "0", "choices-INITIAL_FORMS": "0"})
    client.post(reverse("survey:question-edit", kwargs={"slug": "bilingual", "key": question.key}), data)
    exported = export_definition(survey=Survey.objects.get(slug="bilingual"))["sections"][1]["questions"][0]
    assert exported["text"] == {"en": "Have you raised a concern about patient care this year?", "cy": welsh}
    assert exported["choices"][0]["label"] == {"en": "Yes", "cy": "Ydw"}


def test_editing_before_the_first_answer_keeps_the_ledger(survey, alice):
    """A rebuild (allowed while nothing is answered) must not cascade into the ledger."""
    from survey.reports.ledger import add_action, change_action, help_routes, ledger, set_help

    action = add_action(
        survey=survey,
        acting_user=alice,
        concern_key="patient-care",
        text="Monthly listening sessions.",
        role="Director of Nursing",
        due_on=None,
    )
    change_action(
        action=action,
        acting_user=alice,
        text="Monthly listening sessions.",
        role="Director of Nursing",
        due_on=None,
        status="in_progress",
        note="Sessions started.",
    )
    set_help(survey=survey, acting_user=alice, concern_key="patient-care", text="The Guardian.")
    editing.edit_definition(
        survey=survey, acting_user=alice, change=lambda d: d.update(title="A new title"), what="title"
    )
    survey.refresh_from_db()
    [item] = ledger(survey=survey)[0]["actions"]
    assert [e["status"] for e in item["entries"]] == ["planned", "in_progress"]
    assert "Sessions started." in item["entries"][1]["note_html"]
    assert help_routes(survey=survey)[0]["text"] == "The Guardian."


def test_two_organisers_racing_for_one_address_one_gets_it_the_other_a_clear_refusal(transactional_db):
    """Two PostgreSQL connections: B asks for the address while A's new survey is not yet committed.

    B's insert waits on A's row lock (seen in pg_stat_activity, no sleeping), then is refused in words;
    B never becomes an organiser of A's survey and never sees an error page.
    """
    import threading

    from django.contrib.auth import get_user_model
    from django.db import connection, transaction

    from tests.faults.helpers import need

    need(connection.vendor == "postgresql", "the race is decided by PostgreSQL's row locks (CI runs it)")
    ann, ben = (get_user_model().objects.create_user(username=n, password="correct horse") for n in ("ann", "ben"))
    a_inserted, release_a = threading.Event(), threading.Event()
    outcome = {}

    def first():
        try:
            with transaction.atomic():
                editing.create_survey(acting_user=ann, title="Ann's", slug="race")
                a_inserted.set()
                assert release_a.wait(20)
        finally:
            connection.close()

    def second():
        try:
            assert a_inserted.wait(20)
            editing.create_survey(acting_user=ben, title="Ben's", slug="race")
            outcome["b"] = "created"
        except DefinitionError as exc:
            outcome["b"] = str(exc)
        except Exception as exc:  # noqa: BLE001 - the bug: an IntegrityError (a 500 in the console)
            outcome["b"] = repr(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for t in threads:
        t.start()
    assert a_inserted.wait(20)
    deadline = time.monotonic() + 20
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
            if cursor.fetchone()[0]:
                break
            time.sleep(0.02)  # polling for B to be waiting, not timing the outcome
    release_a.set()
    for t in threads:
        t.join(30)
    assert outcome["b"] == 'slug: the address "race" is taken: choose another'
    survey = Survey.objects.get(slug="race")
    assert survey.title == "Ann's"
    assert list(Member.objects.filter(survey=survey).values_list("user__username", flat=True)) == ["ann"]
