"""DESIGN rule 1: no account, address, user agent, referrer or precise time with a response.

To see it fail, add ``created = models.DateTimeField(auto_now_add=True)`` to
Response in survey/models.py, or delete ``record.request = None`` in
survey/web/log_filters.py (error e-mails then carry the address and user agent).
"""

import logging

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.management import call_command
from django.db import models

from survey.figures.aggregate import compute_results
from survey.models import Answer, PendingSubmission, Response, UsedFormToken
from survey.responses.mixing import mix_pending_submissions
from tests.respondent import answer_all

CANARY = {
    "REMOTE_ADDR": "203.0.113.77",
    "HTTP_X_FORWARDED_FOR": "198.51.100.23",
    "HTTP_USER_AGENT": "CanaryBrowser/9.9 (Ward 7 PC)",
    "HTTP_REFERER": "https://intranet.example/rota/ward-7",
}
TRACES = ["203.0.113.77", "198.51.100.23", "CanaryBrowser", "intranet.example"]
RESPONSE_SIDE = [PendingSubmission, Response, Answer, UsedFormToken]


@pytest.mark.parametrize("model", RESPONSE_SIDE)
def test_response_side_models_cannot_hold_identity_or_time(model):
    """Fails if someone adds a user, an address or a datetime to a response-side model."""
    user_model = get_user_model()
    for field in model._meta.get_fields():
        assert not isinstance(field, models.DateTimeField), f"{model.__name__}.{field.name} stores a precise time"
        assert not isinstance(field, models.GenericIPAddressField), f"{model.__name__}.{field.name} stores an address"
        assert getattr(field, "related_model", None) is not user_model, f"{model.__name__}.{field.name} links a user"
        assert not any(word in field.name for word in ("ip", "agent", "referr", "user", "session"))


def test_canary_submission_leaves_no_trace_in_database_or_logs(client, survey, alice, caplog):
    client.force_login(alice)  # even a signed-in member answers anonymously
    with caplog.at_level(logging.DEBUG):
        walk = answer_all("therapy-2026", raised="yes", comment="canary-marker-4711", **CANARY)
        walk.client = client
        walk.submit()
        mix_pending_submissions()
        compute_results(survey_id=survey.pk)
    assert Answer.objects.filter(text="canary-marker-4711").count() == 1
    dump = call_command_output("dumpdata")
    for trace in TRACES:
        assert trace not in dump
        assert trace not in caplog.text
    # Response-side and derived rows hold no link to the signed-in user who answered.
    derived = call_command_output(
        "dumpdata", "survey.response", "survey.answer", "survey.usedformtoken", "survey.result", "survey.resultset"
    )
    assert '"user"' not in derived and "alice" not in derived


def call_command_output(*args) -> str:
    from io import StringIO

    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_error_report_carries_no_request_metadata(client, survey, settings, monkeypatch):
    settings.ADMINS = [("Ops", "ops@example.org")]
    walk = answer_all("therapy-2026", raised="no", comment="canary-marker-4711", **CANARY)

    def explode(**kwargs):
        raise RuntimeError("database on fire")

    monkeypatch.setattr("survey.web.respondent.submit_response", explode)
    walk.client.raise_request_exception = False
    response = walk.submit()
    assert response.status_code == 500
    assert len(mail.outbox) == 1
    report = mail.outbox[0].subject + mail.outbox[0].body
    assert "database on fire" in report
    for trace in [*TRACES, "canary-marker-4711"]:
        assert trace not in report


def test_response_carries_only_its_date(survey):
    walk = answer_all("therapy-2026", raised="no")
    walk.submit()
    mix_pending_submissions()
    values = Response.objects.values().get()
    assert set(values) == {"id", "survey_id", "submitted_on"}
