"""PostgreSQL unavailable: respondents get a clear "try again" page (503) and
nothing partial is stored."""

import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.db import OperationalError

from survey.models import PendingSubmission, UsedFormToken
from survey.web.respondent import _sign
from tests.factories import answers
from tests.network import free_port


def test_failure_mid_submission_rolls_back_and_answers_503(client, survey, monkeypatch):
    def lost(*args, **kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr("survey.responses.submit._insert_pending", lost)
    response = client.post("/s/therapy-2026/answer/", {"action": "submit", "state": _sign({"t": "n1", "a": answers()})})
    assert response.status_code == 503
    assert "Please try again in a minute" in response.content.decode()
    assert response["Retry-After"] == "60"
    assert not UsedFormToken.objects.exists()  # the token burn was rolled back with it
    assert not PendingSubmission.objects.exists()


SCRIPT = """
import django
django.setup()
from django.test import Client
response = Client().get("/s/any-survey/")
print(response.status_code)
print("Please try again in a minute" in response.content.decode())
"""


@pytest.mark.parametrize("path", ["/s/any-survey/"])
def test_respondent_page_with_the_database_unreachable(path):
    env = os.environ | {
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:{free_port()}/candour",  # nothing listens there
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT], cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.stdout.split() == ["503", "True"], result.stderr[-2000:]
