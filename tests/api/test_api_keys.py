"""Personal API keys: shown once, stored only as a keyed hash, scoped,
created and revoked in the console, each audited."""

import re

import pytest

from survey.api.keys import KeyRefused, create_key, token_digest
from survey.models import ApiKey, AuditEvent
from tests.api.conftest import bearer


def test_only_a_keyed_hash_of_the_token_is_stored(alice, survey):
    key, token = create_key(acting_user=alice, name="dashboard", surveys=[survey], can_write=False)
    stored = ApiKey.objects.filter(pk=key.pk).values()[0]
    assert token not in str(stored)
    assert stored["digest"] == token_digest(token) and len(stored["digest"]) == 64
    import hashlib

    assert stored["digest"] != hashlib.sha256(token.encode()).hexdigest()  # keyed, not a bare hash


def test_creating_a_key_for_a_survey_one_does_not_organise_is_refused(alice, survey, charlie):
    from survey.models import Survey

    other = Survey.objects.get(slug="other-survey")
    with pytest.raises(KeyRefused):
        create_key(acting_user=alice, name="x", surveys=[other], can_write=True)
    assert not ApiKey.objects.exists()


def test_console_shows_the_token_once_and_audits(organiser, survey):
    response = organiser.post("/console/keys/", {"name": "union dashboard", "surveys": [survey.pk], "access": "write"})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    token = re.search(r'value="(cdr_[^"]+)"', response.content.decode()).group(1)
    assert ApiKey.objects.get().digest == token_digest(token)
    again = organiser.get("/console/keys/").content.decode()
    assert token not in again and "union dashboard" in again
    event = AuditEvent.objects.get(action=AuditEvent.Action.API_KEY_CREATED)
    assert event.survey == survey and '"union dashboard", read and write' in event.detail
    assert event.get_action_display() == "Created a personal API key"


def test_console_form_without_a_survey_says_so_beside_the_field(organiser, survey):
    response = organiser.post("/console/keys/", {"name": "x", "access": "read"})
    assert response.status_code == 400
    assert not ApiKey.objects.exists()
    assert "This field is required" in response.content.decode()


def test_revoking_in_the_console_stops_the_key_and_is_audited(organiser, client, survey, alice):
    key, token = create_key(acting_user=alice, name="old", surveys=[survey], can_write=False)
    assert client.get("/api/v1/surveys", **bearer(token)).status_code == 200
    organiser.post(f"/console/keys/{key.pk}/revoke/")
    assert client.get("/api/v1/surveys", **bearer(token)).status_code == 401
    assert AuditEvent.objects.filter(action=AuditEvent.Action.API_KEY_REVOKED, detail='"old"').count() == 1


def test_nobody_else_can_revoke_a_key(client, survey, alice, charlie):
    key, token = create_key(acting_user=alice, name="mine", surveys=[survey], can_write=False)
    client.force_login(charlie)
    client.post(f"/console/keys/{key.pk}/revoke/")
    assert ApiKey.objects.get(pk=key.pk).revoked_at is None


def test_wrong_keys_are_rate_limited_like_sign_in(client, survey, settings):
    settings.CANDOUR_API_KEY_FAILURE_RATE = "3/900"
    codes = [client.get("/api/v1/surveys", **bearer(f"cdr_guess{i}")).status_code for i in range(5)]
    assert codes == [401, 401, 401, 429, 429]
    response = client.get("/api/v1/surveys", **bearer("cdr_guess"))
    assert response["Content-Type"] == "application/problem+json" and int(response["Retry-After"]) > 0


def test_every_request_counts_against_the_api_rate(client, survey, settings):
    settings.CANDOUR_API_RATE = "2/60"
    codes = [client.get("/api/v1/public/surveys/therapy-2026/reports").status_code for _ in range(3)]
    assert codes == [404, 404, 429]


def test_key_changes_and_api_writes_appear_in_the_surveys_audit_list(organiser, client, survey, alice):
    _, token = create_key(acting_user=alice, name="rota", surveys=[survey], can_write=True)
    client.put(
        f"/api/v1/surveys/{survey.slug}/schedule",
        data='{"opens_at": null, "closes_at": null}',
        content_type="application/json",
        **bearer(token),
    )
    page = organiser.get(f"/console/{survey.slug}/changes/").content.decode()
    assert "Created a personal API key" in page
    assert "Changed the survey through the API" in page and "key &quot;rota&quot;: set the schedule" in page
