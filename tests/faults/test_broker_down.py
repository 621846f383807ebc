"""The broker is never on the respondent's path, and its failures lose nothing."""

import logging
import socket
import threading

import pytest

from survey.figures.aggregate import compute_results, request_aggregation, stale_survey_ids
from survey.models import PendingSubmission, Response
from survey.responses.mixing import mix_pending_submissions
from tests.celery_helpers import broker_at
from tests.respondent import answer_all

REDIS_OPTIONS = {"socket_connect_timeout": 1, "socket_timeout": 1, "max_retries": 0}


@pytest.fixture
def silent_broker():
    """A port that accepts connections but never answers: a hung Redis."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    server.setblocking(False)
    url = f"redis://127.0.0.1:{server.getsockname()[1]}/0"
    with broker_at(url, REDIS_OPTIONS):
        yield server
    server.close()


def test_submitting_never_touches_the_broker(survey, silent_broker):
    walk = answer_all("therapy-2026", raised="no")
    response = walk.submit()
    assert response.status_code == 302
    assert PendingSubmission.objects.count() == 1
    with pytest.raises(BlockingIOError):
        silent_broker.accept()  # nobody knocked: the request did not wait on Redis


def run_bounded(target, seconds=30):
    """Run target in a thread; fail (rather than hang the suite) if it never returns."""
    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), "enqueueing hung on a broken broker"


def test_enqueue_gives_up_on_a_hung_broker_and_reconciliation_catches_up(survey, silent_broker, caplog):
    walk = answer_all("therapy-2026", raised="no")
    walk.submit()
    mix_pending_submissions()
    with caplog.at_level(logging.WARNING, logger="survey.figures.aggregate"):
        run_bounded(lambda: request_aggregation(survey_ids=[survey.pk]))
    assert "reconciliation will catch up" in caplog.text
    assert Response.objects.count() == 1  # the response is safe whatever the broker did
    assert stale_survey_ids() == [survey.pk]
    compute_results(survey_id=survey.pk)  # what reconcile's task does once the broker is back
    assert stale_survey_ids() == []


def test_enqueue_gives_up_on_a_refused_connection(survey, caplog):
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    port = closed.getsockname()[1]
    closed.close()
    with broker_at(f"redis://127.0.0.1:{port}/0", REDIS_OPTIONS), caplog.at_level(logging.WARNING):
        run_bounded(lambda: request_aggregation(survey_ids=[survey.pk]))
    assert "reconciliation will catch up" in caplog.text
