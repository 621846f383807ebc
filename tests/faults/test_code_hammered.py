"""One invitation code submitted 1,000 times, 50 at once, over HTTP: exactly one response.

The server is Django's test server with a listen queue longer than the
number of clients at once (the default is 10), so no client waits on a full
accept queue. A connection that drops on a busy machine
(ConnectionResetError) counts as "no answer" rather than an error of the
test: the rule is checked on what the database holds, exactly one waiting
submission and the code burned, and on no answer being a 500."""

import http.client
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
NO_ANSWER = "no answer"


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
        except (ConnectionError, http.client.HTTPException, urllib.error.URLError):
            # The connection dropped (a busy machine): no answer came back,
            # which says nothing about the code. What was stored is checked below.
            return NO_ANSWER

    with ThreadPoolExecutor(AT_ONCE) as pool:
        statuses = list(pool.map(submit, range(N)))
    # One thank-you (unless the connection that carried it dropped).
    assert statuses.count(302) == 1 or (statuses.count(302) == 0 and NO_ANSWER in statuses)
    assert statuses.count(NO_ANSWER) < N // 10, "most requests got no answer: the server is not being tested"
    assert set(statuses) <= {302, 409, 503, NO_ANSWER}  # the rest: "already used" (or busy), never a 500
    assert PendingSubmission.objects.count() == 1
    assert not InvitationCode.objects.exists()  # burned: deleted


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None
