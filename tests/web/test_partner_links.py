"""Respondents of a joint survey: each partner's own link, its codes, or the partner question."""

from survey.definitions.format import PARTNER_KEY
from survey.models import Answer, Partner, PendingSubmission, Survey
from survey.responses.invitation_codes import generate_codes
from survey.responses.mixing import mix_pending_submissions
from survey.staff import partners
from tests.respondent import Walk


def _joint(survey, alice, union, how="link", access="open"):
    Survey.objects.filter(pk=survey.pk).update(access=access)
    survey.refresh_from_db()
    partners.start_partners(survey=survey, acting_user=alice, partners_from=how)
    survey = partners.add_partner(survey=survey, acting_user=alice, organisation=union)
    Survey.objects.filter(pk=survey.pk).update(status=Survey.Status.OPEN)
    survey.refresh_from_db()
    return survey


def _walk_to_review(walk: Walk, **first_page):
    walk.next(service="iapt", **first_page)
    walk.next(raised_patient_care="no")
    walk.next(patient_care_comment="")
    walk.next(safe="4")
    return walk


def _start_at(client, url: str) -> Walk:
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "You are answering through the link from UNISON Leeds Health: your answers are counted with theirs" in html
    walk = Walk("therapy-2026", client=client)
    token = html.split('name="partner" value="')[1].split('"')[0] if 'name="partner"' in html else ""
    walk.post({"action": "start", "partner": token})
    return walk


def _partner_answers(survey) -> list[str]:
    mix_pending_submissions(force=True)
    return list(
        Answer.objects.filter(question__survey=survey, question__partner=True).values_list("choice__value", flat=True)
    )


def test_a_response_through_a_partners_link_counts_for_that_partner(client, survey, alice, trust, union):
    survey = _joint(survey, alice, union)
    link = Partner.objects.get(survey=survey, organisation=union).token
    walk = _start_at(client, f"/s/therapy-2026/p/{link}/")
    assert "Which service" in walk.html
    assert "Partner organisation" not in walk.html  # the partner question is on no page
    _walk_to_review(walk)
    assert "Partner organisation" not in walk.html  # nor on the review
    assert walk.submit().status_code == 302
    assert _partner_answers(survey) == ["unison-leeds"]


def test_the_plain_link_asks_for_the_organisations_link_and_stores_nothing(client, survey, alice, trust, union):
    _joint(survey, alice, union)
    page = client.get("/s/therapy-2026/")
    assert page.status_code == 200 and "the link your organisation sent you" in page.content.decode()
    started = Walk("therapy-2026", client=client).start()
    assert started.status_code == 400 and "the link your organisation sent you" in started.content.decode()
    assert client.get("/s/therapy-2026/p/not-a-partner/").status_code == 404
    assert not PendingSubmission.objects.exists()


def test_a_code_from_a_partners_batch_counts_for_that_partner(client, survey, alice, trust, union):
    survey = _joint(survey, alice, union, access="codes")
    [code] = generate_codes(survey=survey, count=1, acting_user=alice, partner=Partner.objects.get(organisation=union))
    # The plain link works on a code survey: the code says whose respondent this is.
    assert "invitation code" in client.get("/s/therapy-2026/").content.decode()
    walk = Walk("therapy-2026", client=client)
    walk.post({"action": "start", "code": code})
    _walk_to_review(walk)
    assert walk.submit().status_code == 302
    assert _partner_answers(survey) == ["unison-leeds"]


def test_in_question_mode_respondents_answer_the_partner_question(client, survey, alice, trust, union):
    _joint(survey, alice, union, how="question")
    page = client.get("/s/therapy-2026/")
    assert page.status_code == 200
    walk = Walk("therapy-2026", client=client)
    walk.start()
    assert "Which organisation invited you to this survey?" in walk.html
    assert "UNISON Leeds Health" in walk.html
    _walk_to_review(walk, **{PARTNER_KEY: "leeds-trust"})
    assert walk.submit().status_code == 302
    assert _partner_answers(survey) == ["leeds-trust"]


def test_the_partners_page_sets_a_survey_up_and_share_shows_each_link(client, survey, alice, trust, union):
    client.force_login(alice)
    assert client.get("/console/therapy-2026/partners/").status_code == 200
    client.post("/console/therapy-2026/partners/start/", {"partners_from": "link"})
    client.post("/console/therapy-2026/partners/add/", {"organisation": union.pk})
    page = client.get("/console/therapy-2026/partners/").content.decode()
    assert "UNISON Leeds Health" in page and "Leeds Teaching Hospitals" in page
    share = client.get("/console/therapy-2026/share/").content.decode()
    token = Partner.objects.get(organisation=union).token
    assert f"/s/therapy-2026/p/{token}/" in share
    qr = client.get(f"/console/therapy-2026/share/qr.svg?partner={token}")
    assert qr.status_code == 200 and qr["Content-Type"] == "image/svg+xml"
    # Removing asks first; confirming removes.
    asking = client.post("/console/therapy-2026/partners/remove/", {"organisation": "unison-leeds"})
    assert "Remove UNISON Leeds Health as a partner?" in asking.content.decode()
    assert Partner.objects.filter(organisation=union).exists()
    client.post("/console/therapy-2026/partners/remove/", {"organisation": "unison-leeds", "confirmed": "yes"})
    assert not Partner.objects.filter(organisation=union).exists()


def test_the_build_page_shows_the_partner_question_first(client, survey, alice, trust, union):
    _joint(survey, alice, union)
    client.force_login(alice)
    page = client.get("/console/therapy-2026/build/").content.decode()
    assert page.index('id="partner-question"') < page.index('id="q-service"')
    assert "never shown to respondents" in page
