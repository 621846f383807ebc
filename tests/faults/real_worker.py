"""A real Celery worker, in a process of its own, on the real queue (Redis)
and the test database (PostgreSQL): what recovery is promised with."""

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings
from django.db import connection, connections

from config.celery import app
from tests.faults.helpers import need


def need_services() -> None:
    """PostgreSQL and Redis, as in production: skip on a developer machine without them, fail on CI."""
    need(connection.vendor == "postgresql", "needs PostgreSQL (DATABASE_URL; CI has it)")
    need(bool(settings.REDIS_URL), "needs Redis (REDIS_URL; CI has it)")


def environment(broker: str = "") -> dict:
    """The environment of a child process that uses the test database and
    the same queue (or the Redis at ``broker``)."""
    db = settings.DATABASES["default"]
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return os.environ | {
        "DATABASE_URL": f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
        "REDIS_URL": broker or settings.REDIS_URL,
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }


def purge_queue() -> None:
    """Leftovers of earlier tests: waiting messages, and those a killed
    worker took but never acknowledged (Redis keeps them aside)."""
    with app.connection_for_write() as conn:
        conn.default_channel.queue_purge("celery")
    if settings.REDIS_URL:
        import redis

        redis.Redis.from_url(settings.REDIS_URL).delete("unacked", "unacked_index", "unacked_mutex")


@contextlib.contextmanager
def worker(pool: str = "solo", broker: str = ""):
    """A worker process (``celery -A config worker``) for the duration of the block."""
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            f"--pool={pool}",
            "--concurrency=1",
            "--loglevel=WARNING",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ],
        cwd=settings.BASE_DIR,
        env=environment(broker),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        yield process
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def children(pid: int) -> list[int]:
    """The pool processes of a prefork worker."""
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(p) for p in (task / "children").read_text().split()]
    return found


def wait_for(condition, seconds: float = 60, what: str = "the condition") -> None:
    """Poll ``condition`` until it holds; fail after ``seconds``."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {seconds} s waiting for {what}")
        time.sleep(0.1)


def backends_waiting(kind: str = "") -> int:
    """Database sessions of the test database waiting on a lock (``kind``: e.g. "advisory")."""
    with connections["default"].cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
            + (" AND wait_event = %s" if kind else ""),
            [kind] if kind else [],
        )
        return cursor.fetchone()[0]


@contextlib.contextmanager
def blocker():
    """A second database connection in a transaction of its own, rolled back on the way out."""
    other = connections.create_connection("default")
    other.set_autocommit(False)
    try:
        yield other
    finally:
        other.rollback()
        other.close()


class Tasks:
    """Runs a task and waits for what it promises: on a real worker where
    the test run has PostgreSQL and Redis (CI), else eagerly in the test."""

    def __init__(self, real: bool):
        self.real = real

    def run(self, task, *args, until, what: str, seconds: float = 120) -> None:
        task.delay(*args)  # eagerly: it has run; on the worker: wait for it
        wait_for(until, seconds, what)


@contextlib.contextmanager
def tasks_as_in_production(broker: str = ""):
    """Tasks for recovery tests (use with ``django_db(transaction=True)``):
    a worker process on the real queue where the run has the services, so
    that acknowledgement, redelivery and commit order are production's."""
    if connection.vendor == "postgresql" and (broker or settings.REDIS_URL):
        if not broker:
            purge_queue()
        with worker(broker=broker):
            yield Tasks(real=True)
        return
    app.conf.task_always_eager = True
    try:
        yield Tasks(real=False)
    finally:
        app.conf.task_always_eager = False
