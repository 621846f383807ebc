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


def environment() -> dict:
    """The environment of a child process that uses the test database and the same queue."""
    db = settings.DATABASES["default"]
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return os.environ | {
        "DATABASE_URL": f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
        "REDIS_URL": settings.REDIS_URL,
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }


def purge_queue() -> None:
    with app.connection_for_write() as conn:
        conn.default_channel.queue_purge("celery")  # leftovers of earlier tests


@contextlib.contextmanager
def worker(pool: str = "solo"):
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
        env=environment(),
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
