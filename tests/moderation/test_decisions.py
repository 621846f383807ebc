import datetime

import pytest
from django.contrib.auth.views import redirect_to_login
from django.core import mail

from survey.models import AuditEvent, CommentReview, ReportSettings, Survey
from survey.moderation import decisions as moderation
from survey.reports.publishing import publish_report
from survey.responses.importing import import_responses
from tests.factories import answers, close_and_release, to_csv

RAW = "Sister Jones on Willow Ward ignored my report"


def released_at_days_end():
    moderation.release_comments(today=datetime.date.today() + datetime.timedelta(days=1))


@pytest.fixture
def comments(survey):
    rows = [answers(service="iapt", raised="yes", outcome="not", comment=RAW)]
    rows += [answers(service="iapt", raised="yes", outcome="partly", comment="ok")] * 2
    rows += [answers(service="iapt", comment="")] * 12 + [answers(service="other", raised="yes", outcome="not")] * 10
    rows += [answers(service="bank", comment="Staffing on nights is unsafe and nobody listens")]
    rows += [answers(service="other")] * 10
    import_responses(survey=survey, text=to_csv(rows))
    released_at_days_end()  # 4 comments, fewer than k: they reach the queue when the day is over
    close_and_release(survey)
    Survey.objects.filter(pk=survey.pk).update(
        safeguarding_contact="guardian@example.org", moderation_terms=["Willow Ward"]
    )
    survey.refresh_from_db()
    return {a.text: a for a in moderation.queue(survey=survey)}


def test_queue_shows_waiting_comments_with_highlights(client, bob, survey, comments):
    client.force_login(bob)
    html = client.get("/moderate/therapy-2026/").content.decode()
    assert '<strong id="waiting-count">4</strong> waiting' in html
    for answer in moderation.queue(survey=survey).exclude(text=RAW):
        moderation.reject_comment(survey=survey, acting_user=bob, answer_id=answer.pk)
    html = client.get("/moderate/therapy-2026/").content.decode()
    assert '<mark class="pii" data-kind="PERSON">Sister Jones' in html
    assert '<mark class="pii" data-kind="PLACE">Willow Ward' in html
    assert "[name] on [place] ignored my report" in html  # the suggested redaction
    shown = html.split("Answer to:")[1].split("</h2>")[0]
    assert "Anything you want to tell us?" in shown and "IAPT" not in html  # nothing else about the respondent


@pytest.mark.parametrize("who", ["alice", "charlie", None])
def test_only_moderators_see_raw_text(client, alice, charlie, comments, who):
    if who:
        client.force_login({"alice": alice, "charlie": charlie}[who])
    response = client.get("/moderate/therapy-2026/")
    if who:
        assert response.status_code == 404
    else:
        assert response.status_code == 302
        assert response["Location"] == redirect_to_login("/moderate/therapy-2026/")["Location"]
    assert RAW not in response.content.decode()


def test_approve_with_redaction_publishes_only_the_redacted_text(client, alice, bob, survey, comments):
    answer = comments[RAW]
    moderation.approve_quote(
        survey=survey,
        acting_user=bob,
        answer_id=answer.pk,
        redacted_text="[name] on [place] ignored my report",
        concern_key="patient-care",
        label_breakdown="service",
    )
    # A quote appears only once the organisers choose it for the report.
    ReportSettings.objects.create(survey=survey, quotes=[str(answer.pk)])
    report = publish_report(survey=survey, acting_user=alice)
    assert report.snapshot["quotes"] == [
        {"text": "[name] on [place] ignored my report", "concern": "Patient care", "label": "IAPT"}
    ]
    page = client.get("/r/therapy-2026/").content.decode()
    assert "[name] on [place] ignored my report" in page and RAW not in page
    assert AuditEvent.objects.filter(action="comment.approved", user=bob).exists()


def test_no_group_label_for_a_small_group(bob, survey, comments):
    answer = comments["Staffing on nights is unsafe and nobody listens"]
    with pytest.raises(moderation.ModerationRefused, match="fewer than 10 respondents"):
        moderation.approve_quote(
            survey=survey,
            acting_user=bob,
            answer_id=answer.pk,
            redacted_text="Staffing is unsafe",
            label_breakdown="service",
        )
    assert not CommentReview.objects.exists()


def test_a_quote_from_a_merged_group_carries_the_merged_label(bob, survey, comments):
    # bank (1 respondent) is reported with other (20) as "Other services":
    # the quote carries that label, never "Bank".
    from survey.models import Choice

    Choice.objects.filter(question__key="service", value__in=["bank", "other"]).update(merge="Other services")
    review = moderation.approve_quote(
        survey=survey,
        acting_user=bob,
        answer_id=comments["Staffing on nights is unsafe and nobody listens"].pk,
        redacted_text="Staffing is unsafe",
        label_breakdown="service",
    )
    assert review.group_label == "Other services"


def test_no_quote_while_the_survey_has_fewer_than_k_responses(db, bob):
    from tests.factories import make_survey

    small = make_survey(slug="small")
    import_responses(survey=small, text=to_csv([answers(comment="Too few of us")] * 5))
    released_at_days_end()
    answer = moderation.queue(survey=small).first()
    with pytest.raises(moderation.ModerationRefused, match="fewer than 10 responses"):
        moderation.approve_quote(survey=small, acting_user=bob, answer_id=answer.pk, redacted_text="Too few of us")


def test_flag_sends_the_text_and_nothing_else(bob, survey, comments, django_capture_on_commit_callbacks):
    answer = comments["Staffing on nights is unsafe and nobody listens"]
    with django_capture_on_commit_callbacks(execute=True):
        moderation.flag_comment(survey=survey, acting_user=bob, answer_id=answer.pk)
    (message,) = mail.outbox
    assert message.to == ["guardian@example.org"]
    assert "Staffing on nights is unsafe and nobody listens" in message.body
    for leak in ("bank", "Bank", "therapy-2026", str(answer.pk), "bob"):
        assert leak not in message.body + message.subject


def test_two_person_review_holds_quotes_back_until_a_second_moderator_confirms(
    alice, bob, survey, comments, django_user_model
):
    from survey.models import Member

    Survey.objects.filter(pk=survey.pk).update(two_person_review=True)
    survey.refresh_from_db()
    dora = django_user_model.objects.create_user("dora")
    Member.objects.create(survey=survey, user=dora, role="moderator")
    answer = comments[RAW]
    moderation.approve_quote(
        survey=survey, acting_user=bob, answer_id=answer.pk, redacted_text="A ward ignored my report"
    )
    assert moderation.publishable_quotes(survey=survey) == []
    with pytest.raises(moderation.ModerationRefused, match="second moderator"):
        moderation.review_quote(survey=survey, acting_user=bob, answer_id=answer.pk)
    moderation.review_quote(survey=survey, acting_user=dora, answer_id=answer.pk)
    assert [q["text"] for q in moderation.publishable_quotes(survey=survey)] == ["A ward ignored my report"]


def test_bulk_reject_takes_only_empty_or_one_word_comments(client, bob, survey, comments):
    client.force_login(bob)
    asking = client.post("/moderate/therapy-2026/bulk-reject/")
    assert "Reject 2 empty or one-word comments?" in asking.content.decode() and not CommentReview.objects.exists()
    client.post("/moderate/therapy-2026/bulk-reject/", {"confirmed": "yes"})
    assert list(CommentReview.objects.values_list("answer__text", flat=True)) == ["ok", "ok"]
    assert moderation.queue(survey=survey).count() == 2
    again = client.post("/moderate/therapy-2026/bulk-reject/", follow=True).content.decode()
    assert "No empty or one-word comments are waiting: nothing was rejected." in again
    assert "Reject 0" not in again and CommentReview.objects.count() == 2


def test_decisions_through_the_view(client, bob, survey, comments):
    client.force_login(bob)
    answer = comments[RAW]
    client.post(f"/moderate/therapy-2026/{answer.pk}/decide/", {"action": "reject"})
    assert CommentReview.objects.get(answer=answer).status == "rejected"
    again = client.post(
        f"/moderate/therapy-2026/{answer.pk}/decide/", {"action": "approve", "redacted_text": "x"}, follow=True
    )
    assert "already been decided" in again.content.decode()


def test_organiser_without_moderator_role_cannot_decide(client, alice, survey, comments):
    client.force_login(alice)
    answer = comments[RAW]
    assert client.post(f"/moderate/therapy-2026/{answer.pk}/decide/", {"action": "reject"}).status_code == 404
    assert not CommentReview.objects.exists()


def test_organiser_sets_terms_contact_and_review(client, alice, survey):
    client.force_login(alice)
    client.post(
        "/console/therapy-2026/moderation/",
        {"terms": "Willow Ward\nRowan Unit\n", "safeguarding_contact": "g@example.org", "two_person_review": "on"},
    )
    survey.refresh_from_db()
    assert survey.moderation_terms == ["Willow Ward", "Rowan Unit"] and survey.two_person_review


def test_reading_the_moderation_queue_is_audited(client, django_user_model, alice, survey, comments):
    """A superuser who makes themself moderator in /admin/ and reads the queue
    shows up in the survey's audit list: one event per queue page that shows
    comments (the waiting one, and any approvals awaiting a second look)."""
    root = django_user_model.objects.create_superuser("root", password="pw-root-123456")
    client.force_login(root)
    client.post(
        f"/admin/survey/survey/{survey.pk}/change/",
        {
            "title": survey.title,
            "status": survey.status,
            "min_group_size": survey.min_group_size,
            "members-TOTAL_FORMS": 1,
            "members-INITIAL_FORMS": 0,
            "members-0-user": root.pk,
            "members-0-role": "moderator",
        },
    )
    assert client.get("/moderate/therapy-2026/").status_code == 200
    read = AuditEvent.objects.filter(survey=survey, user=root, action=AuditEvent.Action.COMMENTS_READ)
    assert read.count() == 1 and "1 comment" in read.get().detail
    assert AuditEvent.objects.filter(survey=survey, user=root, action=AuditEvent.Action.ADMIN_CHANGED).exists()
    # The organiser's console lists both.
    client.force_login(alice)
    html = client.get("/console/therapy-2026/changes/").content.decode()
    assert AuditEvent.Action.COMMENTS_READ.label in html
