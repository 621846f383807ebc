"""One invitation code submitted 1,000 times, 50 at once, over HTTP: exactly one response.

The server is Django's test server with a listen queue longer than the
number of clients at once: with the default (10), a busy machine lets the
kernel's accept queue overflow and connections are reset before Django
ever sees them (ConnectionResetError), which says nothing about the code."""

import http.cookiejar
import re
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core.servers.basehttp import ThreadedWSGIServer
from django.db import connection
from django.test.testcases import LiveServerThread, _StaticFilesHandler

from survey.models import InvitationCode, PendingSubmission, Survey
from survey.responses.invitation_codes import generate_codes, validate_code
from survey.web.respondent import _sign
from tests.factories import answers
from tests.faults.helpers import need

N, AT_ONCE = 1000, 50


class LongQueueServer(ThreadedWSGIServer):
    request_queue_size = 4 * AT_ONCE


class ServerThread(LiveServerThread):
    server_class = LongQueueServer


@pytest.fixture
def server(settings):
    """Django's live server (this module's own), with the long listen queue."""
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "127.0.0.1"]
    thread = ServerThread("127.0.0.1", _StaticFilesHandler)
    thread.daemon = True
    thread.start()
    thread.is_ready.wait()
    if thread.error:
        raise thread.error
    thread.url = f"http://127.0.0.1:{thread.port}"
    yield thread
    thread.terminate()


@pytest.mark.django_db(transaction=True)
def test_one_code_a_thousand_times(server, survey, alice, settings):
    # Real concurrency needs PostgreSQL; the in-memory SQLite of local test
    # runs shares one cache between threads and does not model it.
    need(connection.vendor == "postgresql", "needs PostgreSQL (CI)")
    settings.CANDOUR_SUBMIT_RATE = "100000/3600"
    Survey.objects.filter(pk=survey.pk).update(access=Survey.Access.CODES)
    (code,) = generate_codes(survey=survey, count=1, acting_user=alice)
    hashed = validate_code(code)
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(f"{server.url}/s/therapy-2026/").read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    cookie = next(c for c in jar if c.name == "csrftoken").value

    def submit(i: int) -> int:
        body = urllib.parse.urlencode(
            {
                "action": "submit",
                "csrfmiddlewaretoken": token,
                "state": _sign({"t": f"n{i}", "a": answers(), "c": hashed}),
            }
        ).encode()
        request = urllib.request.Request(
            f"{server.url}/s/therapy-2026/answer/", body, {"Cookie": f"csrftoken={cookie}"}
        )
        opener_no_redirect = urllib.request.build_opener(NoRedirect)
        try:
            return opener_no_redirect.open(request).status
        except urllib.error.HTTPError as exc:
            return exc.code

    with ThreadPoolExecutor(AT_ONCE) as pool:
        statuses = list(pool.map(submit, range(N)))
    assert statuses.count(302) == 1  # one thank-you
    assert set(statuses) <= {302, 409, 503}  # the rest: "already used" (or busy), never a 500
    assert PendingSubmission.objects.count() == 1
    assert not InvitationCode.objects.exists()  # burned: deleted


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None
