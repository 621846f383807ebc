"""Redis stopped while 1,000 submissions arrive: all stored, none refused, and
the figures are right after one reconciliation once Redis is back (run by a
worker on that Redis where the test run has PostgreSQL, as on CI)."""

import pytest
from django.core.cache import caches
from django.test import Client, override_settings

from survey.figures.releases import released_document
from survey.models import PendingSubmission, ResultSet
from survey.tasks import reconcile
from survey.web.respondent import _sign
from tests.celery_helpers import broker_at
from tests.factories import answers, close_and_release
from tests.faults.helpers import RedisServer
from tests.faults.real_worker import tasks_as_in_production

N = 1000


@pytest.mark.django_db(transaction=True)
def test_thousand_submissions_while_redis_is_down(survey, settings):
    redis = RedisServer()
    redis.start()
    cache = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": redis.url,
            "OPTIONS": {"socket_connect_timeout": 0.25, "socket_timeout": 0.25},
        }
    }
    options = {"socket_connect_timeout": 1, "socket_timeout": 1, "max_retries": 0}
    try:
        with override_settings(CACHES=cache, CANDOUR_SUBMIT_RATE="100000/3600"), broker_at(redis.url, options):
            redis.stop()  # down before the burst
            client = Client()
            statuses = []
            for i in range(N):
                state = _sign(
                    {
                        "t": f"nonce-{i}",
                        "a": answers(raised="yes" if i % 4 == 0 else "no", outcome="not" if i % 4 == 0 else None),
                    }
                )
                statuses.append(
                    client.post("/s/therapy-2026/answer/", {"action": "submit", "state": state}).status_code
                )
            assert statuses == [302] * N  # none refused
            assert PendingSubmission.objects.count() == N  # all stored
            redis.start()  # back
            caches["default"].close()
            with tasks_as_in_production(broker=redis.url) as tasks:
                tasks.run(
                    reconcile,
                    until=lambda: ResultSet.objects.filter(survey=survey, respondents=N).exists(),
                    what="the submissions to be mixed in and aggregated",
                )
    finally:
        redis.stop()
    close_and_release(survey)  # figures are released at closing
    figures = released_document(survey=survey)
    assert figures["respondents"] == N
    assert figures["concerns"][0]["raised"]["count"] == N // 4
