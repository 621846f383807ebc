"""A real Celery worker consumes the real queue (Redis on CI, the file broker locally)."""

import time

import pytest
from celery.contrib.testing.worker import start_worker

from config.celery import app
from survey.figures.documents import results_document
from survey.models import ResultSet
from survey.responses.mixing import mix_pending_submissions
from survey.responses.submit import submit_response
from tests.factories import answers, make_survey


@pytest.mark.django_db(transaction=True)
def test_worker_aggregates_what_mixing_enqueued():
    survey = make_survey()
    for i in range(12):
        submit_response(
            survey=survey,
            answers=answers(raised="yes" if i % 3 else "no", outcome="not" if i % 3 else None),
            nonce=str(i),
        )
    with app.connection_for_write() as conn:
        conn.default_channel.queue_purge("celery")  # leftovers of earlier runs
    mix_pending_submissions()  # commits, then publishes aggregate_survey to the broker
    assert not ResultSet.objects.filter(survey=survey).exists()

    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
        deadline = time.monotonic() + 60
        while not ResultSet.objects.filter(survey=survey).exists() and time.monotonic() < deadline:
            time.sleep(0.2)
    document = results_document(survey=survey)
    assert document["respondents"] == 12
    assert document["concerns"][0]["raised"]["count"] == 8
    assert document["concerns"][0]["raised"]["n"] == 12
