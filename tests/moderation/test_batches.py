"""The moderation queue is no clock (DESIGN rule 7): free text reaches it
only in batches of at least k comments (or a day's remainder once the day is
over), in an order that is not the order of sending, and which comments were
released is kept per batch, never written on the answer rows.

To see it fail, make ``queue`` in survey/moderation/decisions.py show every
undecided comment again (drop the ``Exists(released)`` filter).
"""

import datetime

from django.utils import timezone
from scipy.stats import spearmanr

from survey.models import Answer, ModerationBatch, Response
from survey.moderation import decisions as moderation
from survey.responses.mixing import mix_pending_submissions
from survey.responses.submit import submit_response
from tests.factories import answers


def send(survey, start: int, count: int) -> None:
    for i in range(start, start + count):
        submit_response(survey=survey, answers=answers(comment=f"comment {i:04d}"), nonce=f"m-{i}")
        mix_pending_submissions()  # the mixer runs between submissions, as beat does


def shown(survey) -> list[int]:
    return [int(a.text.removeprefix("comment ")) for a in moderation.queue(survey=survey)]


def test_fewer_than_k_comments_stay_out_of_the_queue_then_arrive_together(survey):
    k = survey.min_group_size
    send(survey, 0, k - 1)
    assert Answer.objects.filter(text__startswith="comment ").count() == k - 1  # mixed, stored
    assert shown(survey) == []  # but not released
    send(survey, k - 1, 1)
    assert sorted(shown(survey)) == list(range(k))  # all k at once
    assert ModerationBatch.objects.get().answers.count() == k
    send(survey, k, 3)
    assert len(shown(survey)) == k  # the next three wait for company


def test_days_remainder_is_released_once_the_day_is_over(survey):
    send(survey, 0, 2)
    assert shown(survey) == []
    moderation.release_comments(today=timezone.localdate() + datetime.timedelta(days=1))
    assert sorted(shown(survey)) == [0, 1]
    Response.objects.update(submitted_on=timezone.localdate() - datetime.timedelta(days=1))
    send(survey, 2, 1)  # yesterday's are out; today's lone one waits
    assert sorted(shown(survey)) == [0, 1]


def test_queue_order_is_not_sending_order(survey):
    k = survey.min_group_size
    n = 10 * k
    send(survey, 0, n)
    order = shown(survey)
    assert sorted(order) == list(range(n))
    assert abs(spearmanr(range(n), order).statistic) < 0.4  # 4 sigma for n = 100


def test_release_writes_no_answer_row(survey):
    k = survey.min_group_size
    send(survey, 0, k - 1)
    before = {(a.pk, a.text, a.response_id) for a in Answer.objects.all()}
    send(survey, k - 1, 1)
    after = {(a.pk, a.text, a.response_id) for a in Answer.objects.all()}
    assert before <= after  # released by adding a batch, not by changing or re-creating answers
    assert {f.name for f in Answer._meta.concrete_fields} == {"id", "response", "question", "choice", "text"}
