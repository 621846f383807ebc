"""An organisation's organiser, named on no survey, signs in, finds the
organisation from the console, sees its people, surveys and changes, and
opens its survey; every page passes axe at a phone's and a desk's width."""

import os

import pytest
from django.contrib.auth import get_user_model

from survey.models import AuditEvent, Member, Organisation, OrganisationMember, Survey
from tests.browser.a11y import assert_accessible, go
from tests.factories import make_survey

SHOTS = os.environ.get("CANDOUR_SHOTS", "/tmp/shots-coalition")


def _shoot(page, name):
    os.makedirs(SHOTS, exist_ok=True)
    for width in (390, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        assert_accessible(page)
        page.screenshot(path=f"{SHOTS}/{name}-{width}.png", full_page=True)


@pytest.mark.django_db(transaction=True)
def test_organisation_organiser_finds_and_runs_its_survey(live_server, page):
    User = get_user_model()
    survey = make_survey()
    org = Organisation.objects.create(slug="mind-union", name="Mind Union")
    Survey.objects.filter(pk=survey.pk).update(organisation=org)
    olive = User.objects.create_user("olive", email="olive@mind-union.org", password="correct horse battery")
    owner = User.objects.create_user("sam", email="sam@mind-union.org", password="correct horse battery")
    OrganisationMember.objects.create(organisation=org, user=olive, role=OrganisationMember.Role.ORGANISER)
    OrganisationMember.objects.create(organisation=org, user=owner, role=OrganisationMember.Role.OWNER)
    moderator = User.objects.create_user("mo", password="correct horse battery")
    Member.objects.create(survey=survey, user=moderator, role=Member.Role.MODERATOR)
    AuditEvent.objects.create(
        organisation=org, action=AuditEvent.Action.ORGANISATION_MEMBER_ADDED, detail="In the admin\nolive: organiser"
    )

    page.goto(f"{live_server.url}/console/")
    page.get_by_label("Username").fill("olive")
    page.get_by_label("Password").fill("correct horse battery")
    go(page, "Sign in")
    assert page.get_by_role("link", name=survey.title).is_visible()
    _shoot(page, "console-home")

    page.get_by_role("link", name="Mind Union").click()
    assert page.get_by_role("heading", name="Mind Union", level=1).is_visible()
    people = page.get_by_role("table")
    assert "olive@mind-union.org" in people.inner_text() and "Owner" in people.inner_text()
    assert "mo" not in [c.strip() for c in people.locator("td").all_inner_texts()]  # moderators are per survey
    assert page.get_by_text("olive: organiser").is_visible()
    _shoot(page, "organisation")

    page.get_by_role("link", name=survey.title).click()
    assert page.url.endswith(f"/console/{survey.slug}/")
    assert_accessible(page)
    page.goto(f"{live_server.url}/console/{survey.slug}/team/")
    assert page.get_by_role("heading", name="Organising through Mind Union").is_visible()
    _shoot(page, "team")

    page.goto(f"{live_server.url}/console/new/")
    assert page.get_by_label("Run by").is_visible()
    _shoot(page, "new-survey")
    assert page.get_by_label("Run by").input_value() == str(org.pk)  # their only organisation, chosen already
