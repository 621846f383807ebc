import pytest

from config.celery import app
from survey.models import ResultSet
from survey.responding import submit_response
from survey.tasks import reconcile
from tests.factories import answers


@pytest.fixture
def eager():
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = False


def test_reconcile_mixes_in_and_recomputes_stale_surveys(survey, eager):
    for i in range(11):
        submit_response(survey=survey, answers=answers(raised="yes", outcome="not"), nonce=str(i))
    reconcile()
    result_set = ResultSet.objects.get(survey=survey)
    assert result_set.respondents == 11
    assert result_set.version == survey.__class__.objects.get(pk=survey.pk).data_version
