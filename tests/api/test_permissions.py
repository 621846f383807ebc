"""Every keyed operation, for each kind of caller: no key, a key of another
survey, a read-only key, and a key of an organiser (who may, within the
key's access). Each refused call changes nothing."""

import json

import pytest

from survey.models import AuditEvent, Member, ReportVersion, Survey
from tests.api.conftest import bearer
from tests.factories import answers, definition, to_csv

BASE = "/api/v1"


def _calls(slug):
    doc = definition(slug=slug)
    return {
        "list": ("get", f"{BASE}/surveys", None, False),
        "definition-get": ("get", f"{BASE}/surveys/{slug}/definition", None, False),
        "figures": ("get", f"{BASE}/surveys/{slug}/figures", None, False),
        "definition-put": ("put", f"{BASE}/surveys/{slug}/definition", doc, True),
        "status": ("post", f"{BASE}/surveys/{slug}/status", {"status": "open"}, True),
        "schedule": ("put", f"{BASE}/surveys/{slug}/schedule", {"opens_at": None, "closes_at": None}, True),
        "import": ("post", f"{BASE}/surveys/{slug}/responses", {"csv": to_csv([answers()])}, True),
        "publish": ("post", f"{BASE}/surveys/{slug}/reports", {"note": ""}, True),
        "create": ("post", f"{BASE}/surveys", definition(slug="made-by-api"), True),
    }


OPERATIONS = list(_calls("x"))


def _call(client, name, slug, token=None):
    method, url, body, _ = _calls(slug)[name]
    kwargs = bearer(token) if token else {}
    if body is not None:
        kwargs.update(data=json.dumps(body), content_type="application/json")
    return getattr(client, method)(url, **kwargs)


def _state():
    return (
        list(Survey.objects.order_by("pk").values_list("slug", "status", "opens_at", "title")),
        AuditEvent.objects.count(),
    )


@pytest.mark.parametrize("name", OPERATIONS)
def test_without_a_key_every_operation_is_refused(client, survey, name):
    before = _state()
    response = _call(client, name, survey.slug)
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    assert response["WWW-Authenticate"] == "Bearer"
    assert _state() == before


@pytest.mark.parametrize("name", OPERATIONS)
def test_a_wrong_or_revoked_key_is_refused(client, survey, name):
    response = _call(client, name, survey.slug, token="cdr_not-a-real-key")
    assert response.status_code == 401


@pytest.mark.parametrize("name", [n for n in OPERATIONS if n not in ("list", "create")])
def test_a_key_for_another_survey_sees_nothing(client, survey, other_token, name):
    before = _state()
    response = _call(client, name, survey.slug, token=other_token)
    assert response.status_code == 404
    assert response.json()["status"] == 404
    assert _state() == before


def test_a_key_for_another_survey_does_not_list_ours(client, survey, other_token):
    slugs = [s["slug"] for s in _call(client, "list", survey.slug, token=other_token).json()]
    assert slugs == ["other-survey"]


@pytest.mark.parametrize("name", [n for n, c in _calls("x").items() if c[3]])
def test_a_read_only_key_changes_nothing(client, survey, read_token, name):
    before = _state()
    response = _call(client, name, survey.slug, token=read_token)
    assert response.status_code == 403
    assert "read-only" in response.json()["detail"]
    assert _state() == before


@pytest.mark.parametrize("name", [n for n, c in _calls("x").items() if not c[3]])
def test_a_read_only_key_reads(client, survey, read_token, name):
    assert _call(client, name, survey.slug, token=read_token).status_code == 200


@pytest.mark.parametrize(
    "name,status", [("definition-put", 200), ("status", 200), ("schedule", 200), ("import", 201), ("create", 201)]
)
def test_an_organisers_write_key_writes_and_each_write_is_audited(client, survey, write_token, name, status):
    response = _call(client, name, survey.slug, token=write_token)
    assert response.status_code == status, response.content
    assert AuditEvent.objects.filter(action=AuditEvent.Action.API_WRITE, detail__startswith='key "dashboard"').exists()


def test_publish_while_open_is_refused_with_the_consoles_words(client, survey, write_token):
    before = ReportVersion.objects.count()
    response = _call(client, "publish", survey.slug, token=write_token)
    assert response.status_code == 409
    assert response["Content-Type"] == "application/problem+json"
    assert "The survey is still open" in response.json()["detail"]
    assert ReportVersion.objects.count() == before


def test_a_key_stops_working_when_its_owner_is_no_longer_an_organiser(client, survey, alice, write_token):
    Member.objects.filter(user=alice, survey=survey).update(role=Member.Role.MODERATOR)
    assert _call(client, "definition-get", survey.slug, token=write_token).status_code == 404
    assert _call(client, "list", survey.slug, token=write_token).json() == []


def test_a_moderator_cannot_create_a_key_for_the_survey(bob, survey):
    from survey.api.keys import KeyRefused, create_key

    with pytest.raises(KeyRefused):
        create_key(acting_user=bob, name="m", surveys=[survey], can_write=False)


def test_a_note_with_a_nul_character_is_refused_not_a_server_error(client, survey, write_token):
    response = client.post(
        f"{BASE}/surveys/{survey.slug}/reports",
        data=json.dumps({"note": "a\u0000b"}),
        content_type="application/json",
        **bearer(write_token),
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["path"] == "body.publish.note"


def test_a_csv_with_a_nul_character_is_refused_whole(client, survey, write_token):
    response = client.post(
        f"{BASE}/surveys/{survey.slug}/responses",
        data=json.dumps({"csv": to_csv([answers()]) + "iapt,\u0000,,\n"}),
        content_type="application/json",
        **bearer(write_token),
    )
    assert response.status_code == 422 and "nothing was imported" in response.json()["detail"]


@pytest.mark.parametrize("name", OPERATIONS)
def test_a_signed_in_organiser_without_a_key_is_refused(organiser, survey, name):
    """A browser session never authenticates the API, so no other site can
    make an organiser's browser change a survey through it."""
    assert _call(organiser, name, survey.slug).status_code == 401


@pytest.mark.parametrize("path", ["reports", "reports/1"])
def test_public_operations_need_no_key_and_show_only_published_versions(client, survey, path):
    assert client.get(f"{BASE}/public/surveys/{survey.slug}/{path}").status_code == 404  # nothing published yet
    assert client.get(f"{BASE}/public/surveys/no-such-survey/{path}").status_code == 404


def test_an_organisation_organisers_key_works_while_the_organisation_runs_the_survey(client, survey, django_user_model):
    """Organisers through the survey's organisation are organisers here too (one rule, survey/staff/permissions.py)."""
    from survey.api.keys import create_key
    from survey.models import Organisation, OrganisationMember

    org = Organisation.objects.create(slug="mind-union", name="Mind Union")
    Survey.objects.filter(pk=survey.pk).update(organisation=org)
    olive = django_user_model.objects.create_user("olive")
    OrganisationMember.objects.create(organisation=org, user=olive, role=OrganisationMember.Role.ORGANISER)
    token = create_key(acting_user=olive, name="union", surveys=[survey], can_write=False)[1]
    assert _call(client, "definition-get", survey.slug, token=token).status_code == 200
    assert [s["slug"] for s in _call(client, "list", survey.slug, token=token).json()] == [survey.slug]
    OrganisationMember.objects.filter(user=olive).delete()
    assert _call(client, "definition-get", survey.slug, token=token).status_code == 404
    assert _call(client, "list", survey.slug, token=token).json() == []


@pytest.mark.parametrize("path", ["/nothing-here", "/surveys/x/no-such-operation", "/public/surveys"])
def test_an_unknown_api_address_answers_as_a_problem_document(client, path):
    response = client.get(f"{BASE}{path}")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    assert response.json() == {
        "type": "about:blank",
        "title": "Not found",
        "status": 404,
        "detail": "The API has no such address: see /api/v1/docs for what it offers.",
        "errors": [],
    }
