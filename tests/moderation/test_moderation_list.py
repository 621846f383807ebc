"""Moderation within reach: the console links to it with a waiting count that
is no clock, and the queue lists every waiting comment (oldest day first)
with open, skip and decide."""

import datetime

import pytest

from survey.models import CommentReview, Member
from survey.moderation import decisions as moderation
from survey.moderation.decisions import coarse_waiting
from survey.responses.importing import import_responses
from tests.factories import answers, to_csv

TODAY = datetime.date.today()


def _comments(survey, texts, day):
    import_responses(survey=survey, text=to_csv([answers(comment=t) for t in texts]))
    moderation.release_comments(today=day)


@pytest.fixture
def two_days(survey):
    """Three comments released once their day is over, then twelve (at least k) a day later."""
    _comments(survey, ["First day one", "First day two", "First day three"], TODAY + datetime.timedelta(days=1))
    _comments(survey, [f"Second batch comment {i}" for i in range(12)], TODAY + datetime.timedelta(days=2))
    return survey


def test_the_coarse_count_never_says_none_or_a_small_remainder():
    assert [coarse_waiting(n, 10) for n in (0, 1, 9, 10, 19, 23)] == [
        "fewer than 10 waiting",
        "fewer than 10 waiting",
        "fewer than 10 waiting",
        "at least 10 waiting",
        "at least 10 waiting",
        "at least 20 waiting",
    ]


def test_the_console_links_to_moderation_with_a_coarse_count(organiser, survey, two_days):
    page = organiser.get("/console/therapy-2026/").content.decode()
    assert 'id="moderation-tab"' in page and "at least 10 waiting" in page
    assert "/console/therapy-2026/moderation/" in page  # alice organises only: the settings, not the comments
    home = organiser.get("/console/").content.decode()
    assert "at least 10 waiting" in home


def test_a_new_comment_does_not_move_the_count_until_its_batch_is_released(organiser, survey):
    _comments(survey, ["One of few"] * 3, TODAY)  # fewer than k, today: not released yet
    assert moderation.waiting_count(survey=survey) == 0
    assert "fewer than 10 waiting" in organiser.get("/console/therapy-2026/").content.decode()


def test_a_moderator_finds_the_queue_from_the_console_with_the_exact_count(client, bob, survey, two_days):
    client.force_login(bob)
    home = client.get("/console/").content.decode()
    assert "Surveys you moderate" in home
    assert '<a href="/moderate/therapy-2026/">15 waiting</a>' in home


def test_the_list_is_oldest_day_first_with_open_and_skip(client, bob, survey, two_days):
    client.force_login(bob)
    response = client.get("/moderate/therapy-2026/")
    days = response.context["days"]
    assert [len(d["comments"]) for d in days] == [3, 12]
    assert days[0]["day"] < days[1]["day"]
    first = days[0]["comments"][0]["answer"]
    assert response.context["answer"] == first
    assert {c["answer"].text for c in days[0]["comments"]} == {"First day one", "First day two", "First day three"}
    html = response.content.decode()
    assert html.count(">Open<span") == 14  # every comment but the open one
    # Skip: the next one opens, the skipped one still waits.
    following = response.context["following"]
    assert f'href="/moderate/therapy-2026/{following.pk}/" id="skip"' in html
    skipped = client.get(f"/moderate/therapy-2026/{following.pk}/")
    assert skipped.context["answer"] == following
    assert moderation.waiting_count(survey=survey) == 15
    # Deciding one opens the one that followed it.
    after = skipped.context["following"]
    response = client.post(
        f"/moderate/therapy-2026/{following.pk}/decide/", {"action": "reject", "following": str(after.pk)}
    )
    assert response["Location"] == f"/moderate/therapy-2026/{after.pk}/"
    assert CommentReview.objects.get().answer_id == following.pk


def test_opening_a_decided_comment_says_so_and_opens_the_first(client, bob, survey, two_days):
    client.force_login(bob)
    answer = moderation.queue(survey=survey).last()
    moderation.reject_comment(survey=survey, acting_user=bob, answer_id=answer.pk)
    response = client.get(f"/moderate/therapy-2026/{answer.pk}/", follow=True)
    assert "decided already" in response.content.decode()
    assert response.context["answer"] == moderation.queue(survey=survey).first()


def test_an_organiser_who_moderates_too_sees_the_queue_link(organiser, alice, survey, two_days):
    Member.objects.create(survey=survey, user=alice, role=Member.Role.MODERATOR)
    page = organiser.get("/console/therapy-2026/").content.decode()
    assert 'href="/moderate/therapy-2026/" id="moderation-tab"' in page and "15 waiting" in page
