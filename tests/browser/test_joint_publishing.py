"""Two organisations run a joint survey: respondents of each partner answer
through the respondent's service; each partner's organiser signs in and sees
everyone's figures and their own organisation's; the organisers ask
the partners to approve version 1, both approve, and the public report names
both partners above the pooled figures. Every page passes axe at a phone's
and a desk's width."""

import os

import pytest
from django.contrib.auth import get_user_model

from survey.figures.releases import partner_release, released_document
from survey.models import Organisation, OrganisationMember, ReportVersion, Survey
from tests.browser.a11y import assert_accessible, go
from tests.factories import close_and_release, make_joint_survey, submit_joint, varied

SHOTS = os.environ.get("CANDOUR_SHOTS", "/tmp/shots-cosign")
PASSWORD = "correct horse battery"


def _shoot(page, name):
    os.makedirs(SHOTS, exist_ok=True)
    for width in (390, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        assert_accessible(page)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 1, f"{name} at {width}px: {overflow}px wider than the screen"
        page.screenshot(path=f"{SHOTS}/{name}-{width}.png", full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


def _sign_in(page, url, username):
    page.goto(url)
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    go(page, "Sign in")


def _organiser(slug, username):
    user = get_user_model().objects.create_user(username, password=PASSWORD)
    OrganisationMember.objects.create(
        organisation=Organisation.objects.get(slug=slug), user=user, role=OrganisationMember.Role.ORGANISER
    )
    return user


def _sees_both_sections(page, own_name, own, pooled):
    """Both sections, each with its own figures: the partner's respondents
    alone ("x of 16") and everyone's ("y of 30")."""
    assert page.get_by_role("heading", name="Everyone's figures").is_visible()
    assert page.get_by_role("heading", name="Your organisation's figures").is_visible()
    mine = page.locator(".own-figures").inner_text()
    assert own_name in mine and f"({own['count']} of {own['n']};" in mine
    # How it went, from the partner's own summary (its raised count is under
    # k, so it is hidden), never the pooled one's.
    assert "How it went" not in mine
    assert f"({pooled['count']} of {pooled['n']};" in page.locator(".pooled-figures").inner_text()
    partners = page.locator(".partners-run").inner_text()
    assert "Royal College of Nursing" in partners and "UNISON Wales" in partners


@pytest.mark.django_db(transaction=True)
def test_two_organisations_approve_and_publish_a_joint_report(live_server, page, chromium):
    survey = make_joint_survey(title="Raising concerns across Wales")
    Survey.objects.filter(pk=survey.pk).update(organisation=Organisation.objects.get(slug="rcn"))
    submit_joint(survey, varied("iapt", 16), partner="rcn")
    submit_joint(survey, varied("other", 14), partner="unison-wales")
    close_and_release(survey)
    pooled = released_document(survey=survey)["concerns"][0]["raised"]
    assert pooled["n"] == 30
    own = {
        p.organisation.slug: partner_release(survey=survey, partner=p).document["concerns"][0]["raised"]
        for p in survey.partners.select_related("organisation")
    }
    assert (own["rcn"]["n"], own["unison-wales"]["n"]) == (16, 14)
    _organiser("rcn", "ria")
    _organiser("unison-wales", "uma")
    console = f"{live_server.url}/console/{survey.slug}/"

    # The Royal College of Nursing's organiser runs the survey and is a partner too.
    _sign_in(page, f"{live_server.url}/console/", "ria")
    page.get_by_role("link", name="Raising concerns across Wales").click()
    _sees_both_sections(page, "Royal College of Nursing", own["rcn"], pooled)
    _shoot(page, "results-rcn")

    page.goto(f"{console}report/")
    assert page.get_by_text("The partners have not been asked to approve this version yet.").is_visible()
    assert page.get_by_role("button", name="Publish version 1").count() == 0
    go(page, "Ask partners to approve")
    assert page.get_by_role("heading", name="Ask the partners to approve version 1?").is_visible()
    _shoot(page, "ask-confirm")
    go(page, "Ask partners to approve")
    assert page.get_by_text("Version 1 is waiting for the partners' approval.").is_visible()
    assert page.get_by_text("waiting for approval from: Royal College of Nursing, UNISON Wales").is_visible()
    _shoot(page, "report-tab-waiting")

    page.get_by_role("link", name="Approval", exact=True).click()
    assert page.get_by_role("heading", name="For Royal College of Nursing").is_visible()
    go(page, "Approve version 1")
    assert page.get_by_role("heading", name="Approve version 1 for Royal College of Nursing?").is_visible()
    go(page, "Approve version 1")
    assert page.get_by_text("You approved version 1 for Royal College of Nursing.").is_visible()

    # UNISON Wales's organiser, a partner organiser only, in a browser of their own.
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    other = context.new_page()
    other.set_default_timeout(15000)
    _sign_in(other, f"{live_server.url}/console/", "uma")
    other.get_by_role("link", name="Raising concerns across Wales").click()
    _sees_both_sections(other, "UNISON Wales", own["unison-wales"], pooled)
    tabs = other.get_by_role("navigation", name="This survey").inner_text()
    assert "Results" in tabs and "Approval" in tabs and "Build" not in tabs and "Team" not in tabs
    _shoot(other, "results-unison")
    other.get_by_role("link", name="Approval", exact=True).click()
    assert other.get_by_role("heading", name="Version 1, waiting for approval").is_visible()
    assert "Royal College of Nursing: approved on" in other.locator(".approval-list").inner_text()
    assert other.locator(".report-preview .report-partners").is_visible()
    _shoot(other, "approval-unison")
    go(other, "Approve version 1")
    _shoot(other, "approve-confirm")
    go(other, "Approve version 1")
    assert other.get_by_text("Every partner has approved this version").is_visible()
    _shoot(other, "approval-done")
    context.close()

    # Every partner approved: the survey's organisers publish.
    page.goto(f"{console}report/")
    assert page.get_by_text("Every partner has approved this version.").is_visible()
    go(page, "Publish version 1")
    go(page, "Publish version 1")
    assert page.get_by_text("Version 1 of the report is published.").is_visible()
    assert ReportVersion.objects.filter(survey=survey, number=1).exists()

    page.goto(f"{live_server.url}/r/{survey.slug}/")
    partners = page.locator(".report-partners").inner_text()
    assert "Run jointly by:" in partners
    assert "Royal College of Nursing" in partners and "UNISON Wales" in partners
    body = page.locator("article").inner_text()
    assert f"({pooled['count']} of {pooled['n']};" in body  # the pooled figures
    _shoot(page, "public-report")
