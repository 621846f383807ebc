"""Irreversible actions ask first and say what will happen, without JavaScript:
the first POST shows a confirmation page and changes nothing; the page's own
form (the same fields and confirmed=yes) then acts."""

import re

import pytest
from django.urls import reverse

from survey.models import AuditEvent, Member, Question, ReportVersion, Survey
from survey.responses.importing import import_responses
from tests.factories import answers, close_and_release, to_csv

SLUG = "therapy-2026"


def _confirm_form(page: str) -> dict:
    """The hidden fields of the confirmation page's form, as a browser would post them."""
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', page))
    fields.pop("csrfmiddlewaretoken", None)
    return fields


def _asks(response, *words):
    assert response.status_code == 200
    assert [t.name for t in response.templates][0] == "survey/confirm.html"
    page = response.content.decode()
    for word in words:
        assert word in page, word
    assert "Cancel: change nothing" in page
    return _confirm_form(page)


def test_closing_asks_first_and_says_it_is_final(organiser, survey):
    url = reverse("survey:survey-status", kwargs={"slug": SLUG})
    fields = _asks(organiser.post(url, {"status": "closed"}), "Close the survey now?", "Closing is final")
    assert Survey.objects.get(pk=survey.pk).status == Survey.Status.OPEN
    assert fields == {"status": "closed", "confirmed": "yes"}
    assert organiser.post(url, fields).status_code == 302
    assert Survey.objects.get(pk=survey.pk).status == Survey.Status.CLOSED


def test_removing_a_team_member_asks_first(organiser, bob, survey):
    member = Member.objects.get(survey=survey, user=bob)
    url = reverse("survey:member-remove", kwargs={"slug": SLUG, "member_id": member.pk})
    fields = _asks(organiser.post(url), "Remove", "from the team?", "moderation queue", "invite them again")
    assert Member.objects.filter(pk=member.pk).exists()
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.TEAM_REMOVED).exists()
    organiser.post(url, fields)
    assert not Member.objects.filter(pk=member.pk).exists()


def test_removing_a_question_asks_first_and_names_it(organiser, survey):
    Survey.objects.filter(pk=survey.pk).update(status=Survey.Status.DRAFT)
    url = reverse("survey:structure-remove", kwargs={"slug": SLUG, "what": "question", "ident": "patient_care_comment"})
    text = Question.objects.get(key="patient_care_comment").text
    fields = _asks(organiser.post(url), "Remove this question?", f"The question “{text}” is removed")
    assert Question.objects.filter(key="patient_care_comment").exists()
    organiser.post(url, fields)
    assert not Question.objects.filter(key="patient_care_comment").exists()


@pytest.fixture
def figures(survey):
    rows = [answers(service="iapt", raised="yes", outcome="adequately")] * 30 + [answers(service="other")] * 30
    import_responses(survey=survey, text=to_csv(rows))
    close_and_release(survey)  # figures are published once the survey has closed


def test_publishing_asks_first_and_keeps_the_note(organiser, survey, figures):
    url = reverse("survey:report-publish", kwargs={"slug": SLUG})
    fields = _asks(
        organiser.post(url, {"note": "First results"}), "Publish version 1 of the report?", "cannot be withdrawn"
    )
    assert not ReportVersion.objects.exists()
    assert fields == {"note": "First results", "confirmed": "yes"}
    organiser.post(url, fields)
    assert ReportVersion.objects.get().note == "First results"
