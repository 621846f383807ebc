"""Schemathesis against the OpenAPI description the app serves: generated
requests to every operation, with a write key of the survey's organiser.
No server error, and every answer (status, media type, body, headers)
matches the description. `make test` runs a few examples per operation;
`make fuzz` (API_FUZZ_EXAMPLES) many more."""

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from config.wsgi import application
from tests.api.conftest import bearer

EXAMPLES = int(os.environ.get("API_FUZZ_EXAMPLES", "8"))

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)


@pytest.fixture
def headers(write_token, settings):
    settings.CANDOUR_API_RATE = "1000000/60"
    return {"Authorization": bearer(write_token)["HTTP_AUTHORIZATION"]}


@pytest.mark.django_db(transaction=False)
@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much],
)
def test_every_answer_matches_the_description(case, headers):
    # A schema-valid definition may still be refused (422, as described): its
    # cross-references (show_if, concern topics) are beyond JSON Schema.
    case.call_and_validate(headers=headers, excluded_checks=[positive_data_acceptance])
