"""Reconciliation, run by a worker on the real queue where the test run has
PostgreSQL and Redis (CI), else eagerly."""

import pytest

from survey.models import ResultSet
from survey.responses.submit import submit_response
from survey.tasks import reconcile
from tests.factories import answers


def respondents(survey):
    return ResultSet.objects.filter(survey=survey).values_list("respondents", flat=True).first()


@pytest.mark.django_db(transaction=True)
def test_reconcile_mixes_in_and_recomputes_stale_surveys(survey, tasks):
    for i in range(11):
        submit_response(survey=survey, answers=answers(raised="yes", outcome="not"), nonce=str(i))
    tasks.run(reconcile, until=lambda: respondents(survey) == 11, what="the survey to be aggregated")
    result_set = ResultSet.objects.get(survey=survey)
    assert result_set.respondents == 11
    assert result_set.version == survey.__class__.objects.get(pk=survey.pk).data_version


@pytest.mark.django_db(transaction=True)
def test_old_spent_tokens_are_forgotten_but_recent_ones_still_block_replays(survey, tasks):
    import datetime

    from django.utils import timezone

    from survey.models import UsedFormToken

    submit_response(survey=survey, answers=answers(), nonce="old")
    submit_response(survey=survey, answers=answers(), nonce="new")
    from survey.responses.mixing import mix_pending_submissions

    mix_pending_submissions(force=True)  # the mixer spends the tokens of the rows it moves
    UsedFormToken.objects.filter(used_on=timezone.localdate()).update(used_on=datetime.date(2020, 1, 1))
    submit_response(survey=survey, answers=answers(), nonce="today")
    mix_pending_submissions(force=True)
    tasks.run(reconcile, until=lambda: UsedFormToken.objects.count() == 1, what="old tokens to be forgotten")
    assert submit_response(survey=survey, answers=answers(), nonce="today") is False


@pytest.mark.django_db(transaction=True)
def test_aggregation_is_debounced_when_figures_are_fresh(survey, tasks):
    from survey.tasks import aggregate_survey

    for i in range(11):
        submit_response(survey=survey, answers=answers(), nonce=f"d{i}")
    tasks.run(reconcile, until=lambda: respondents(survey) == 11, what="the survey to be aggregated")
    computed = ResultSet.objects.get(survey=survey).computed_at
    for _ in range(5):  # a burst of queued tasks for the same, unchanged data
        aggregate_survey(survey.pk)
    assert ResultSet.objects.get(survey=survey).computed_at == computed
