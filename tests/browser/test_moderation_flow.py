"""A moderator works through the queue in a real browser: approve with
redaction, reject and flag (by keyboard), and the approved quote appears,
redacted, on the published report."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.core import mail

from survey.models import CommentReview, Member, ReportSettings, Survey
from survey.moderation.decisions import release_comments
from survey.reports.publishing import publish_report
from survey.responses.importing import import_responses
from tests.browser.a11y import assert_accessible
from tests.factories import answers, close_and_release, make_survey, to_csv

COMMENTS = {
    "Sister Jones on Willow Ward ignored my report about the broken alarm": (
        "[name] on [place] ignored my report about the broken alarm"
    ),
    "nothing to add really": None,
    "A patient told me he plans to hurt himself and nobody acted": None,
}


def sign_in(page, url, username):
    page.goto(url)
    assert_accessible(page)
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Sign in").click()
    assert_accessible(page)


@pytest.mark.django_db(transaction=True)
def test_moderator_approves_with_redaction_rejects_and_flags(live_server, page):
    survey = make_survey()
    Survey.objects.filter(pk=survey.pk).update(
        safeguarding_contact="guardian@example.org", moderation_terms=["Willow Ward"]
    )
    users = get_user_model().objects
    moderator = users.create_user("mo", password="correct horse battery")
    organiser = users.create_user("olu", password="correct horse battery")
    Member.objects.create(survey=survey, user=moderator, role="moderator")
    Member.objects.create(survey=survey, user=organiser, role="organiser")
    rows = [answers(service="iapt", raised="yes", outcome="not", comment=c) for c in COMMENTS]
    rows += [answers(service="iapt")] * 12 + [answers(service="other", raised="yes", outcome="partly")] * 12
    rows += [answers(service="other")] * 12
    import_responses(survey=survey, text=to_csv(rows))
    # Three comments, fewer than k: they reach the queue together once their day is over.
    release_comments(today=datetime.date.today() + datetime.timedelta(days=1))

    sign_in(page, f"{live_server.url}/moderate/therapy-2026/", "mo")
    for _ in COMMENTS:
        shown = page.locator("blockquote.comment").inner_text()
        comment = next(c for c in COMMENTS if shown.startswith(c[:12]))
        if comment.startswith("Sister Jones"):
            assert page.locator("mark.pii").count() == 2  # the name and the ward are highlighted
            box = page.get_by_label("Text to publish")
            assert box.input_value() == COMMENTS[comment]  # suggested redaction
            box.fill("A senior nurse on my ward ignored my report about the broken alarm")
            page.get_by_label("Concern topic").select_option("patient-care")
            with page.expect_navigation():
                page.get_by_role("button", name="Approve as quote").click()
        elif comment.startswith("nothing"):
            page.get_by_label("Single-key shortcuts").uncheck()  # WCAG 2.1.4: they can be turned off
            page.locator("body").press("r")
            page.wait_for_timeout(300)
            assert page.locator("blockquote.comment").inner_text() == shown  # nothing happened
            page.get_by_label("Single-key shortcuts").check()
            with page.expect_navigation():
                page.locator("body").press("r")  # keyboard shortcut
        else:
            with page.expect_navigation():
                page.locator("body").press("f")
        assert_accessible(page)
    assert page.get_by_text("Nothing is waiting").is_visible()

    statuses = {r.answer.text: r.status for r in CommentReview.objects.select_related("answer")}
    assert statuses == {
        "Sister Jones on Willow Ward ignored my report about the broken alarm": "approved",
        "nothing to add really": "rejected",
        "A patient told me he plans to hurt himself and nobody acted": "flagged",
    }
    assert [m.to for m in mail.outbox] == [["guardian@example.org"]]

    close_and_release(survey)  # figures are published once the survey has closed
    # A quote appears once the organisers choose it for the report.
    approved = CommentReview.objects.filter(status=CommentReview.Status.APPROVED).values_list("answer_id", flat=True)
    ReportSettings.objects.create(survey=survey, quotes=[str(pk) for pk in approved])
    publish_report(survey=survey, acting_user=organiser)
    page.goto(f"{live_server.url}/r/therapy-2026/")
    assert_accessible(page)
    assert page.get_by_text("A senior nurse on my ward ignored my report about the broken alarm").is_visible()
    assert page.get_by_text("Sister Jones").count() == 0
