"""An organiser makes a survey joint on the Partners page, adds a partner and
finds its link on the Share page; a respondent answers through that link on a
phone and is counted for that partner. Every page passes axe at 390 and 1280 px."""

import os

import pytest
from django.contrib.auth import get_user_model

from survey.models import Organisation, OrganisationMember, Partner, PendingSubmission, Survey
from tests.browser.a11y import assert_accessible, go, layout_problems
from tests.factories import make_survey

SHOTS = os.environ.get("CANDOUR_SHOTS", "/tmp/shots-partners")


def _shoot(page, name):
    os.makedirs(SHOTS, exist_ok=True)
    for width in (390, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        assert_accessible(page)
        assert layout_problems(page) == [], name
        page.screenshot(path=f"{SHOTS}/{name}-{width}.png", full_page=True)


@pytest.mark.django_db(transaction=True)
def test_an_organiser_sets_up_partners_and_a_respondent_answers_through_one(live_server, page):
    survey = make_survey()
    trust = Organisation.objects.create(slug="leeds-trust", name="Leeds Teaching Hospitals")
    Organisation.objects.create(slug="unison-leeds", name="UNISON Leeds Health")
    Organisation.objects.create(slug="rcn-yorkshire", name="Royal College of Nursing, Yorkshire")
    Survey.objects.filter(pk=survey.pk).update(organisation=trust)
    olive = get_user_model().objects.create_user("olive", password="correct horse battery")
    OrganisationMember.objects.create(organisation=trust, user=olive, role=OrganisationMember.Role.ORGANISER)

    page.goto(f"{live_server.url}/console/")
    page.get_by_label("Username").fill("olive")
    page.get_by_label("Password").fill("correct horse battery")
    go(page, "Sign in")
    page.goto(f"{live_server.url}/console/{survey.slug}/build/")
    page.get_by_role("navigation", name="This survey").get_by_role("link", name="Partners").click()
    assert page.get_by_role("heading", name="Partners").is_visible()
    _shoot(page, "partners-start")

    page.get_by_label("From each partner's own link or invitation codes").check()
    go(page, "Run this survey with partners")
    assert page.get_by_text("is now a joint survey").is_visible()
    page.get_by_label("Organisation to add").select_option(label="UNISON Leeds Health")
    go(page, "Add the partner")
    page.get_by_label("Organisation to add").select_option(label="Royal College of Nursing, Yorkshire")
    go(page, "Add the partner")
    rows = page.get_by_role("table").inner_text()
    assert rows.index("Leeds Teaching Hospitals") < rows.index("UNISON") < rows.index("Royal College")
    _shoot(page, "partners-set-up")

    # Removing asks first.
    go(page, "Remove Royal College of Nursing, Yorkshire")
    assert page.get_by_role("heading", name="Remove Royal College of Nursing, Yorkshire as a partner?").is_visible()
    _shoot(page, "partners-remove-confirm")
    go(page, "Remove Royal College of Nursing, Yorkshire")
    assert "Royal College" not in page.get_by_role("table").inner_text()

    page.goto(f"{live_server.url}/console/{survey.slug}/build/")
    assert page.get_by_text("The partner question, always first").is_visible()
    _shoot(page, "build-partner-question")
    page.goto(f"{live_server.url}/console/{survey.slug}/partners/")
    page.get_by_role("link", name="Share page").click()
    assert page.get_by_role("heading", name="Each partner's own link").is_visible()
    token = Partner.objects.get(organisation__slug="unison-leeds").token
    link = page.get_by_role("link", name=f"{live_server.url}/s/{survey.slug}/p/{token}/")
    assert link.is_visible()
    assert page.get_by_role("img", name="QR code of the link for UNISON Leeds Health").is_visible()
    _shoot(page, "share-partners")

    Survey.objects.filter(pk=survey.pk).update(status=Survey.Status.OPEN)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/s/{survey.slug}/")
    assert page.get_by_text("Please answer through the link your organisation sent you").is_visible()
    _shoot(page, "respondent-plain-link")

    page.goto(f"{live_server.url}/s/{survey.slug}/p/{token}/")
    assert page.get_by_text("You are answering through the link from UNISON Leeds Health").is_visible()
    _shoot(page, "respondent-partner-intro")
    page.set_viewport_size({"width": 390, "height": 844})
    go(page, "Start the survey")
    assert page.get_by_text("Partner organisation").count() == 0
    page.get_by_label("IAPT").check()
    go(page, "Continue")
    page.get_by_label("No").check()
    go(page, "Continue")
    go(page, "Continue")
    page.get_by_label("Point 4").check()
    go(page, "Continue")
    assert page.get_by_role("heading", name="Check your answers").is_visible()
    assert page.get_by_text("Partner organisation").count() == 0
    go(page, "Send my answers")
    assert page.get_by_role("heading", name="Thank you").is_visible()
    assert PendingSubmission.objects.get().answers["partner"] == "unison-leeds"
