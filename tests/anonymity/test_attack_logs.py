"""Attack: read the server's logs and database to find who answered what.

A canary respondent answers through gunicorn (configured as in production)
with a made-up forwarded address, user agent and referrer and a marker in its
free text; on the way, a request with a forged Host header forces an error
record, which is also mailed to the admins (the console e-mail backend prints
the mail into the server's log). A worker then mixes the canary in and
aggregates; the test waits until its log says both tasks succeeded. The
address and user agent must appear in no log and nowhere in a database dump;
the marker only in its answer row. The site runs on PostgreSQL and Redis
where the test run has them (CI), else on SQLite and the file broker.

To see it fail: put ``%(a)s`` back in gunicorn.conf.py's access_log_format;
or put ``%(h)s`` back and also drop ``logger_class = AddresslessLogger``
(which rewrites addresses out of every gunicorn record, so ``%(h)s`` alone
logs "[address]"); or make the ``no_request`` filter in config/settings.py a
plain ``logging.Filter`` (the admin mail then carries the request's headers;
taking it off the mail handler alone is not enough, because the console
handler's filter has already stripped the record the mail handler gets).
"""

import http.cookiejar
import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings

from tests.network import free_port

ADDRESS = "198.51.100.23"
AGENT = "CanaryBrowser/9.9 (Ward 7 PC)"
REFERRER = "https://intranet.example/rota/ward-7"
MARKER = "canary-marker-4711"
ROOT = Path(settings.BASE_DIR)


@pytest.fixture
def services(tmp_path):
    """Where the site keeps its data: on CI (and wherever the test run has
    them) a PostgreSQL database of its own and the run's Redis, as in
    production; otherwise SQLite and the file broker."""
    env = {"CANDOUR_BROKER_DIR": str(tmp_path / "broker")}
    if settings.REDIS_URL:
        from tests.faults.real_worker import purge_queue

        purge_queue()
        env["REDIS_URL"] = settings.REDIS_URL
    db = settings.DATABASES["default"]
    if db["ENGINE"] != "django.db.backends.postgresql":
        yield env | {"DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"}
        return
    import psycopg

    name = f"{db['NAME']}_site"
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    server = f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    yield env | {"DATABASE_URL": f"{server}/{name}"}
    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def site(tmp_path, services):
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "DEBUG")}
    env |= services
    env |= {
        "CANDOUR_ENV": "development",
        "DEBUG": "0",
        "GUNICORN_WORKERS": "1",
        "PYTHONUNBUFFERED": "1",
        # Error records are mailed to the admins; the console backend prints
        # the mail into the server's log, request and all unless filtered.
        "ADMINS": "admin@example.org",
        "EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend",
    }
    manage = [sys.executable, "manage.py"]
    # The built-in survey asks for free text: it opens with a safeguarding contact.
    document = json.loads((ROOT / "survey/definitions/builtin/raising-concerns.json").read_text())
    (tmp_path / "survey.json").write_text(json.dumps({**document, "safeguarding_contact": "sg@example.org"}))
    for args in (["migrate", "--noinput"], ["load_survey", str(tmp_path / "survey.json")]):
        subprocess.run(manage + args, cwd=ROOT, env=env, check=True, capture_output=True)
    port = free_port()
    log = open(tmp_path / "gunicorn.log", "w")  # noqa: SIM115 - closed below
    env["GUNICORN_BIND"] = f"127.0.0.1:{port}"
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "-c", "gunicorn.conf.py", "config.wsgi"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            time.sleep(0.2)
    yield {"url": f"http://127.0.0.1:{port}", "env": env, "tmp": tmp_path, "manage": manage}
    server.terminate()
    server.wait(10)
    log.close()


def walk(base: str) -> None:
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    headers = {"X-Forwarded-For": ADDRESS, "User-Agent": AGENT, "Referer": REFERRER}

    def call(path, data=None, extra=None):
        body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
        request = urllib.request.Request(base + path, body, headers | (extra or {}))
        try:
            return opener.open(request).read().decode()
        except urllib.error.HTTPError as exc:
            return exc.read().decode()

    call("/s/raising-concerns/")
    call("/s/raising-concerns/", extra={"Host": "evil.example"})  # forced error: DisallowedHost
    csrf = next(c.value for c in jar if c.name == "csrftoken")
    html = call("/s/raising-concerns/answer/", {"action": "start", "csrfmiddlewaretoken": csrf})
    pages = [
        {"q_service": "iapt", "q_role": "nurse"},
        {"q_raised_patient_care": "yes"},
        {"q_outcome_patient_care": "not", "q_patient_care_comment": MARKER},
        {"q_raised_working_conditions": "no"},
        {"q_safe_to_speak": "2"},
    ]
    for answers in pages:
        state = re.search(r'name="state" value="([^"]+)"', html).group(1)
        page = re.search(r'name="page" value="(\d+)"', html).group(1)
        html = call(
            "/s/raising-concerns/answer/",
            {"action": "next", "state": state, "page": page, "csrfmiddlewaretoken": csrf, **answers},
        )
    state = re.search(r'name="state" value="([^"]+)"', html).group(1)
    thanks = call("/s/raising-concerns/answer/", {"action": "submit", "state": state, "csrfmiddlewaretoken": csrf})
    assert "Thank you" in thanks


SUCCEEDED = re.compile(r"Task survey\.tasks\.(mix_pending|aggregate_survey)\[[0-9a-f-]+\] succeeded")


def run_worker(site) -> str:
    """Queue the mixing task, then run a worker until it has mixed the canary
    in and aggregated the survey (its log says both tasks succeeded); return its log."""
    env = site["env"]
    celery = [sys.executable, "-m", "celery", "-A", "config"]
    subprocess.run(celery + ["call", "survey.tasks.mix_pending"], cwd=ROOT, env=env, check=True, capture_output=True)
    path = site["tmp"] / "worker.log"
    with open(path, "w") as log:
        worker = subprocess.Popen(
            celery + ["worker", "--pool=solo", "--loglevel=DEBUG", "--without-mingle", "--without-gossip"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and worker.poll() is None:
                if {m.group(1) for m in SUCCEEDED.finditer(path.read_text())} == {"mix_pending", "aggregate_survey"}:
                    break
                time.sleep(0.2)
        finally:
            worker.terminate()
            worker.wait(20)
    return path.read_text()


def test_no_log_or_dump_holds_the_address_or_user_agent(site):
    walk(site["url"])
    env, manage = site["env"], site["manage"]
    worker_log = run_worker(site)
    aggregate = subprocess.run(
        manage + ["aggregate", "raising-concerns"], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    dump = subprocess.run(manage + ["dumpdata"], cwd=ROOT, env=env, capture_output=True, text=True, check=True).stdout
    server_log = (site["tmp"] / "gunicorn.log").read_text()

    assert "POST /s/raising-concerns/answer/" in server_log  # the access log is on
    assert "Invalid HTTP_HOST header" in server_log  # and the forced error was logged
    assert "Subject: [Django] ERROR" in server_log  # and mailed to the admins (printed by the console backend)
    # The worker really did the work: both tasks succeeded, and the figures it computed are there.
    assert {m.group(1) for m in SUCCEEDED.finditer(worker_log)} == {"mix_pending", "aggregate_survey"}, worker_log
    assert re.search(r'"model": "survey.resultset", "pk": \d+, "fields": \{[^}]*"respondents": 1,', dump)
    for text in (server_log, worker_log, aggregate.stdout + aggregate.stderr, dump):
        for trace in (ADDRESS, AGENT, "CanaryBrowser", "intranet.example"):
            assert trace not in text
    # The real client address (127.0.0.1 here) is in no request line either.
    request_lines = [line for line in server_log.splitlines() if '"GET ' in line or '"POST ' in line]
    assert request_lines and not any("127.0.0.1" in line for line in request_lines)
    assert MARKER not in server_log + worker_log
    assert dump.count(MARKER) == 1
    assert re.search(r'"model": "survey.answer", "pk": "[0-9a-f-]+", "fields": \{[^}]*' + MARKER, dump)


def test_a_malformed_request_is_logged_without_the_client_address(site):
    """Gunicorn warns "Invalid request from ip=..." for a request it cannot
    parse; the warning stays (something happened) but without the address."""
    port = int(site["url"].rsplit(":", 1)[1])
    for malformed in (b"GET / HTTP/9.9\r\n\r\n", b"GET / HTTP/1.1\r\nBad Header\r\n\r\n"):
        with socket.create_connection(("127.0.0.1", port), timeout=5) as connection:
            connection.sendall(malformed)
            assert connection.recv(1024).startswith(b"HTTP/1.1 400")
    path = site["tmp"] / "gunicorn.log"
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and path.read_text().count("Invalid request") < 2:
        time.sleep(0.1)
    server_log = path.read_text()
    assert server_log.count("Invalid request") == 2, server_log
    assert "127.0.0.1" not in server_log
