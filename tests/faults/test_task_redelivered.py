"""Recovery with a real worker on the real queue (Redis) and PostgreSQL.

- A worker's process killed in the middle of an aggregation: the task goes
  back on the queue and another process finishes it (a task is acknowledged
  only once it has run, and rejected back to the queue when its process is
  lost: CELERY_TASK_ACKS_LATE, CELERY_TASK_REJECT_ON_WORKER_LOST).
- Mixing asks for aggregation only once its transaction has committed, so
  the worker never aggregates before the batch is there to be counted.

Both fail, never skip, on CI (CANDOUR_REQUIRE_SERVICES=1) without PostgreSQL or Redis."""

import os
import signal
import subprocess
import sys

import pytest
from django.conf import settings

from survey.figures.aggregate import compute_results
from survey.figures.documents import results_document
from survey.models import ResultSet
from survey.responses.importing import import_responses
from survey.responses.submit import submit_response
from survey.tasks import aggregate_survey
from tests.factories import answers, to_csv
from tests.faults.real_worker import (
    backends_waiting,
    blocker,
    children,
    environment,
    need_services,
    purge_queue,
    wait_for,
    worker,
)


def respondents(survey) -> int | None:
    return ResultSet.objects.filter(survey=survey).values_list("respondents", flat=True).first()


@pytest.mark.django_db(transaction=True)
def test_a_task_whose_worker_process_is_killed_is_run_again(survey):
    need_services()
    import_responses(survey=survey, text=to_csv([answers(raised="yes", outcome="not")] * 60 + [answers()] * 60))
    compute_results(survey_id=survey.pk)
    import_responses(survey=survey, text=to_csv([answers(raised="yes", outcome="partly")] * 40))
    assert respondents(survey) == 120  # stale: the 40 wait for a worker
    purge_queue()
    with worker(pool="prefork") as process:
        with blocker() as other:
            with other.cursor() as cursor:
                # Every read of the survey waits: the task is held at its first query.
                cursor.execute("LOCK TABLE survey_survey IN ACCESS EXCLUSIVE MODE")
            aggregate_survey.delay(survey.pk)
            wait_for(lambda: backends_waiting() >= 1, what="the worker to start the task")
            (child,) = children(process.pid)
            os.kill(child, signal.SIGKILL)
            wait_for(lambda: child not in children(process.pid), what="the pool process to be gone")
        # The lock is released: the task, back on the queue, runs in a new process.
        wait_for(lambda: respondents(survey) == 160, seconds=45, what="the task to be run again")
    document = results_document(survey=survey)
    assert document["respondents"] == 160
    assert document["concerns"][0]["raised"]["count"] == 100


HOLD_COMMIT = """
CREATE FUNCTION hold_commit() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN PERFORM pg_advisory_lock(424242); PERFORM pg_advisory_unlock(424242); RETURN NULL; END $$;
CREATE CONSTRAINT TRIGGER hold_commit AFTER INSERT ON survey_response
DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION hold_commit();
"""


@pytest.mark.django_db(transaction=True)
def test_aggregation_is_asked_for_only_once_the_batch_has_committed(survey):
    """The mixing transaction is held at its COMMIT (a deferred trigger waits
    on a lock the test holds) while a worker watches the queue: anything
    enqueued before the commit would be aggregated without the batch, and
    nothing would aggregate it afterwards."""
    need_services()
    from django.db import connection

    for i in range(12):
        submit_response(
            survey=survey,
            answers=answers(raised="yes" if i % 3 else "no", outcome="not" if i % 3 else None),
            nonce=f"n{i}",
        )
    purge_queue()
    with connection.cursor() as cursor:
        cursor.execute(HOLD_COMMIT)
    try:
        with worker() as _, blocker() as other:
            with other.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_lock(424242)")
            mixing = subprocess.Popen(
                [
                    sys.executable,
                    "-c",
                    "import django; django.setup(); "
                    "from survey.responses.mixing import mix_pending_submissions; mix_pending_submissions()",
                ],
                cwd=settings.BASE_DIR,
                env=environment(),
            )
            try:
                wait_for(lambda: backends_waiting("advisory") >= 1, what="mixing to reach its commit")
                # Whatever mixing enqueued so far, the worker has taken and run.
                wait_for(queue_is_idle, what="the worker to empty the queue")
                with other.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_unlock(424242)")
                assert mixing.wait(60) == 0
            finally:
                if mixing.poll() is None:
                    mixing.kill()
            wait_for(lambda: respondents(survey) == 12, seconds=30, what="the batch to be aggregated")
    finally:
        with connection.cursor() as cursor:
            cursor.execute(
                "DROP TRIGGER IF EXISTS hold_commit ON survey_response; DROP FUNCTION IF EXISTS hold_commit()"
            )
    assert results_document(survey=survey)["concerns"][0]["raised"]["count"] == 8


def queue_is_idle() -> bool:
    """Nothing waiting in the queue and nothing taken but unacknowledged, twice
    half a second apart (a message is briefly in neither while being taken)."""
    import time

    import redis

    client = redis.Redis.from_url(settings.REDIS_URL)
    for attempt in range(2):
        if client.llen("celery") or client.hlen("unacked"):
            return False
        if attempt == 0:
            time.sleep(0.5)
    return True
