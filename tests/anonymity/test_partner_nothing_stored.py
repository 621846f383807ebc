"""A joint survey's respondent: the partner is known from their link or code
and nothing about it is stored but the partner question's answer (DESIGN
rules 1 and 4). Not the token of the link, not the code, not which link was
used beside the answer; and the partner cannot be changed in the browser.

To see them fail: store ``state["p"]`` in the sealed payload (submit_response
called with the token in the answers), or read a code's partner from the
signed state instead of the code row (survey/responses/submit.py), or accept
an unsigned state in survey/web/respondent.py ``_unsign``.
"""

import pytest
from django.core import signing

from survey.definitions.format import PARTNER_KEY
from survey.models import Answer, InvitationCode, Organisation, Partner, PendingSubmission, Response, Survey
from survey.responses.invitation_codes import generate_codes
from survey.responses.mixing import mix_pending_submissions
from survey.responses.pending import unseal
from survey.staff import partners
from survey.staff.organisations import move_survey
from tests.respondent import Walk


@pytest.fixture
def joint(survey, alice):
    trust = Organisation.objects.create(name="Leeds Teaching Hospitals", slug="leeds-trust")
    union = Organisation.objects.create(name="UNISON Leeds Health", slug="unison-leeds")
    move_survey(survey=survey, organisation=trust, acting_user=None, where="test")
    partners.start_partners(survey=survey, acting_user=alice, partners_from="link")
    partners.add_partner(survey=survey, acting_user=alice, organisation=union)
    Survey.objects.filter(pk=survey.pk).update(status=Survey.Status.OPEN)
    survey.refresh_from_db()
    return survey


def _answer(walk: Walk) -> Walk:
    walk.next(service="iapt")
    walk.next(raised_patient_care="no")
    walk.next(patient_care_comment="")
    walk.next(safe="4")
    return walk


def _through_link(client, token: str) -> Walk:
    assert client.get(f"/s/therapy-2026/p/{token}/").status_code == 200
    walk = Walk("therapy-2026", client=client)
    walk.post({"action": "start", "partner": token})
    return _answer(walk)


def test_nothing_of_the_partner_link_is_stored_but_the_answer(client, joint):
    token = Partner.objects.get(organisation__slug="unison-leeds").token
    _through_link(client, token).submit()
    [pending] = PendingSubmission.objects.all()
    sealed, spent = unseal(pending.payload)
    assert sealed[PARTNER_KEY] == "unison-leeds"
    assert token not in pending.payload and token not in repr(sealed) and token not in spent
    assert {f.name for f in PendingSubmission._meta.get_fields()} == {
        "id",
        "survey",
        "payload",
        "nonce_hash",
        "submitted_on",
    }
    mix_pending_submissions(force=True)
    [response] = Response.objects.all()
    rows = list(Answer.objects.filter(response=response).values_list("question__key", "choice__value", "text"))
    assert (PARTNER_KEY, "unison-leeds", "") in rows
    assert not any(token in str(row) for row in rows)


def test_a_forged_partner_in_the_state_is_refused(client, joint):
    union = Partner.objects.get(organisation__slug="unison-leeds").token
    trust = Partner.objects.get(organisation__slug="leeds-trust").token
    walk = _through_link(client, union)
    state = walk.state()
    payload = signing.TimestampSigner(salt="candour.respond.state").unsign_object(state)
    forged_payload = signing.dumps(payload | {"p": trust}, compress=True).split(":")[0]
    response = walk.post({"action": "submit", "state": forged_payload + state[state.index(":") :]})
    assert response.status_code == 400
    assert not PendingSubmission.objects.exists()


def test_a_code_counts_for_its_batch_whatever_the_state_says(client, joint):
    Survey.objects.filter(pk=joint.pk).update(access=Survey.Access.CODES)
    joint.refresh_from_db()
    union = Partner.objects.get(organisation__slug="unison-leeds")
    [code] = generate_codes(survey=joint, count=1, acting_user=None, partner=union)
    walk = Walk("therapy-2026", client=client)
    # A partner token slipped into the start form is ignored on a code survey: the code decides.
    trust = Partner.objects.get(organisation__slug="leeds-trust").token
    walk.post({"action": "start", "code": code, "partner": trust})
    _answer(walk).submit()
    assert not InvitationCode.objects.exists()  # burned, and its partner with it
    [pending] = PendingSubmission.objects.all()
    assert pending.answers[PARTNER_KEY] == "unison-leeds"
