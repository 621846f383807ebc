from survey.models import ResultSet
from survey.responses.submit import submit_response
from survey.tasks import reconcile
from tests.factories import answers


def test_reconcile_mixes_in_and_recomputes_stale_surveys(survey, eager):
    for i in range(11):
        submit_response(survey=survey, answers=answers(raised="yes", outcome="not"), nonce=str(i))
    reconcile()
    result_set = ResultSet.objects.get(survey=survey)
    assert result_set.respondents == 11
    assert result_set.version == survey.__class__.objects.get(pk=survey.pk).data_version


def test_old_spent_tokens_are_forgotten_but_recent_ones_still_block_replays(survey, eager):
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
    reconcile()
    assert UsedFormToken.objects.count() == 1
    assert submit_response(survey=survey, answers=answers(), nonce="today") is False


def test_aggregation_is_debounced_when_figures_are_fresh(survey, eager):
    from survey.tasks import aggregate_survey

    for i in range(11):
        submit_response(survey=survey, answers=answers(), nonce=f"d{i}")
    reconcile()
    computed = ResultSet.objects.get(survey=survey).computed_at
    for _ in range(5):  # a burst of queued tasks for the same, unchanged data
        aggregate_survey(survey.pk)
    assert ResultSet.objects.get(survey=survey).computed_at == computed
