"""A worker killed with SIGKILL in the middle of an aggregation: no
half-written results are ever visible, and the figures are right after the
next reconciliation, run by a new worker on the same queue.

The test holds a lock that the aggregation needs only after it has replaced
the survey's result rows, so the worker is provably mid-transaction when it
is killed."""

import os
import signal
import subprocess
import sys
import time

import pytest
from django.conf import settings
from django.db import connection, connections

from survey.figures.aggregate import compute_results
from survey.figures.documents import results_document
from survey.models import Result, ResultSet
from survey.responses.importing import import_responses
from tests.factories import answers, to_csv
from tests.faults.helpers import need
from tests.faults.real_worker import purge_queue, wait_for


def waiting_on_lock() -> bool:
    with connections["default"].cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0] > 0


@pytest.mark.django_db(transaction=True)
def test_sigkill_mid_aggregation_leaves_the_old_figures_whole(survey, tmp_path):
    need(connection.vendor == "postgresql", "needs PostgreSQL (CI)")
    import_responses(survey=survey, text=to_csv([answers(raised="yes", outcome="not")] * 60 + [answers()] * 60))
    compute_results(survey_id=survey.pk)
    before = results_document(survey=survey)
    rows_before = Result.objects.filter(survey=survey).count()
    import_responses(survey=survey, text=to_csv([answers(raised="yes", outcome="partly")] * 40))

    db = settings.DATABASES["default"]
    env = os.environ | {
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}",
        "CANDOUR_BROKER_DIR": str(tmp_path / "broker"),
    }
    if settings.REDIS_URL:
        purge_queue()  # leftovers of earlier tests
    else:
        env.pop("REDIS_URL", None)
    blocker = connections.create_connection("default")
    blocker.set_autocommit(False)
    with blocker.cursor() as cursor:
        cursor.execute("LOCK TABLE survey_resultset IN EXCLUSIVE MODE")  # reads pass, the final write waits
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=solo", "--loglevel=WARNING"],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        subprocess.run(
            [
                sys.executable,
                "-c",
                f"import django; django.setup(); from survey.tasks import aggregate_survey; "
                f"aggregate_survey.apply_async(args=[{survey.pk}])",
            ],
            cwd=settings.BASE_DIR,
            env=env | {"DJANGO_SETTINGS_MODULE": "config.settings"},
            check=True,
        )
        deadline = time.monotonic() + 60
        while not waiting_on_lock() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert waiting_on_lock(), "the worker never reached the end of its aggregation"
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(10)
    finally:
        blocker.rollback()
        blocker.close()
        if worker.poll() is None:
            worker.kill()

    # Nothing half-written: the old result rows, whole.
    assert Result.objects.filter(survey=survey).count() == rows_before
    assert results_document(survey=survey) == before
    assert ResultSet.objects.get(survey=survey).respondents == 120

    # The killed worker's server process ends (rolling back) once it next
    # talks to its vanished client; until then it holds the aggregation lock.
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'")
            if cursor.fetchone()[0] == 0:
                break
        time.sleep(0.1)
    # A new worker, and beat's reconciliation on the same queue.
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=solo", "--loglevel=WARNING"],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        subprocess.run(
            [
                sys.executable,
                "-c",
                "import django; django.setup(); from survey.tasks import reconcile; reconcile.delay()",
            ],
            cwd=settings.BASE_DIR,
            env=env | {"DJANGO_SETTINGS_MODULE": "config.settings"},
            check=True,
        )
        wait_for(lambda: ResultSet.objects.get(survey=survey).respondents == 160, what="reconciliation")
    finally:
        worker.terminate()
        worker.wait(20)
    after = results_document(survey=survey)
    assert after["respondents"] == 160
    assert after["concerns"][0]["raised"]["count"] == 100
