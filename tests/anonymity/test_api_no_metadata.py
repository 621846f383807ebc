"""DESIGN rule 1 for the HTTP API: a request leaves no address, browser,
referrer or key in the database, the logs or the cache keys; a response
never carries an answer or a comment.

To see it fail, use ninja's own HttpBearer in survey/api/endpoints.py (with
DEBUG on it logs the Authorization header of a malformed request), or key
rate-limit counters by the raw address in survey/responses/ratelimit.py.
"""

import json
import logging

from django.core.cache import cache
from django.core.management import call_command

from survey.api.keys import create_key
from survey.responses import ratelimit
from tests.anonymity.test_rule1_no_metadata import CANARY, TRACES, call_command_output
from tests.factories import answers, to_csv


def _cache_keys():
    """Every key in the cache: local memory, or this run's Redis database."""
    client = ratelimit._redis()
    keys = client.keys("*") if client is not None else list(cache._cache)
    return " ".join(str(k) for k in keys)


def test_api_requests_leave_no_trace(client, survey, alice, caplog, settings):
    settings.DEBUG = True  # the most talkative logging a deployment could have
    _, token = create_key(acting_user=alice, name="canary", surveys=[survey], can_write=True)
    rows = [answers(comment="canary-comment-5150")] * 12
    with caplog.at_level(logging.DEBUG):
        client.post(
            f"/api/v1/surveys/{survey.slug}/responses",
            data=json.dumps({"csv": to_csv(rows)}),
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {token}",
            **CANARY,
        )
        client.get("/api/v1/surveys", HTTP_AUTHORIZATION=f"Basic {token}", **CANARY)  # a malformed header
        client.get("/api/v1/surveys", HTTP_AUTHORIZATION="Bearer cdr_wrong", **CANARY)
        call_command("aggregate", survey.slug)
        figures = client.get(
            f"/api/v1/surveys/{survey.slug}/figures", HTTP_AUTHORIZATION=f"Bearer {token}", **CANARY
        ).content.decode()
    dump = call_command_output("dumpdata")
    for trace in [*TRACES, token]:
        assert trace not in dump
        assert trace not in caplog.text
        assert trace not in _cache_keys()
    assert "canary-comment-5150" not in figures
