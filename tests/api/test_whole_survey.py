"""A whole survey driven through the HTTP API of a running server with one
personal key: create it from a definition, open it, import responses, close
it, publish, and read the public figures, which are exactly the download."""

import json
import urllib.error
import urllib.request

import pytest
from django.core.management import call_command

from survey.api.keys import create_key
from survey.models import AuditEvent, Member, Survey
from tests.factories import answers, definition, make_survey, to_csv


def _http(url, method="GET", body=None, token=None):
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request) as response:
            return response.status, response.headers.get("Content-Type"), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers.get("Content-Type"), exc.read()


@pytest.mark.django_db(transaction=True)
def test_a_survey_from_definition_to_public_figures(live_server, alice, settings):
    settings.CANDOUR_API_RATE = "10000/60"
    # alice organises the fixture's survey; a key needs at least one survey to reach.
    _, token = create_key(acting_user=alice, name="scripts", surveys=list(Survey.objects.all()), can_write=True)
    api = f"{live_server.url}/api/v1"
    document = definition(slug="wave-2027", title="Speaking up, 2027")

    status, _, body = _http(f"{api}/surveys", "POST", document, token)
    assert status == 201, body
    assert json.loads(body)["status"] == "draft"
    assert Member.objects.filter(survey__slug="wave-2027", user=alice, role=Member.Role.ORGANISER).exists()

    assert _http(f"{api}/surveys/wave-2027/status", "POST", {"status": "open"}, token)[0] == 200
    rows = [answers(service="iapt", raised="yes", outcome="adequately")] * 12 + [answers(service="other")] * 14
    status, _, body = _http(f"{api}/surveys/wave-2027/responses", "POST", {"csv": to_csv(rows)}, token)
    assert (status, json.loads(body)) == (201, {"imported": 26})
    call_command("aggregate", "wave-2027")  # what the worker does
    # While open: the number of respondents only, as the console shows; figures come at closing.
    status, _, body = _http(f"{api}/surveys/wave-2027/figures", token=token)
    assert (status, json.loads(body)["concerns"], json.loads(body)["respondents"]) == (200, [], 26)

    # A structural change is refused once answered, with the path at fault, as load_survey does.
    changed = definition(slug="wave-2027", title="Speaking up, 2027")
    changed["sections"][0]["questions"][0]["key"] = "team"
    status, kind, body = _http(f"{api}/surveys/wave-2027/definition", "PUT", changed, token)
    assert (status, kind) == (422, "application/problem+json")
    assert "only wording can change" in json.loads(body)["detail"]

    assert _http(f"{api}/surveys/wave-2027/status", "POST", {"status": "closed"}, token)[0] == 200
    status, _, body = _http(f"{api}/surveys/wave-2027/figures", token=token)
    assert status == 200 and json.loads(body)["respondents"] == 26

    status, _, body = _http(f"{api}/surveys/wave-2027/reports", "POST", {"note": "final"}, token)
    assert status == 201, body
    assert json.loads(body)["version"] == 1

    status, _, body = _http(f"{api}/public/surveys/wave-2027/reports")
    assert status == 200 and [v["version"] for v in json.loads(body)] == [1]
    status, kind, body = _http(f"{api}/public/surveys/wave-2027/reports/1")
    assert (status, kind) == (200, "application/json")
    download = urllib.request.urlopen(f"{live_server.url}/r/wave-2027/v1/report.json").read()
    assert body == download
    figures = json.loads(body)
    assert figures["respondents"] == 26
    assert figures["concerns"][0]["raised"]["count"] == 12

    writes = AuditEvent.objects.filter(action=AuditEvent.Action.API_WRITE, survey__slug="wave-2027")
    assert writes.count() == 5  # created, opened, imported, closed, published


@pytest.mark.django_db(transaction=True)
def test_a_group_under_k_stays_hidden_through_the_api(live_server, alice, settings):
    survey = make_survey(slug="small-groups")
    Member.objects.create(survey=survey, user=alice, role=Member.Role.ORGANISER)
    _, token = create_key(acting_user=alice, name="s", surveys=[survey], can_write=True)
    api = f"{live_server.url}/api/v1"
    rows = [answers(service="iapt", raised="yes", outcome="adequately")] * 3 + [answers(service="other")] * 20
    assert _http(f"{api}/surveys/small-groups/status", "POST", {"status": "open"}, token)[0] == 200
    assert _http(f"{api}/surveys/small-groups/responses", "POST", {"csv": to_csv(rows)}, token)[0] == 201
    call_command("aggregate", "small-groups")
    assert _http(f"{api}/surveys/small-groups/status", "POST", {"status": "closed"}, token)[0] == 200
    _, _, body = _http(f"{api}/surveys/small-groups/figures", token=token)
    groups = json.loads(body)["concerns"][0]["breakdowns"][0]["groups"]
    iapt = next(g for g in groups if g["value"] == "iapt")
    assert iapt["suppressed"] is True and "raised" not in iapt
    assert _http(f"{api}/surveys/small-groups/reports", "POST", {}, token)[0] == 201
    _, _, body = _http(f"{api}/public/surveys/small-groups/reports/1")
    text = body.decode()
    assert '"suppressed": true' in text
    assert "comment" not in json.dumps(json.loads(text).get("concerns"))
