"""Every console view, for each of the four people who might ask for it:
an anonymous visitor, an organiser of another survey, this survey's
moderator, and this survey's organiser. The table must name every console
URL, so a new view without a permission test fails here."""

import pytest
from django.urls import get_resolver, reverse

from survey.figures.aggregate import compute_results
from survey.models import Member
from survey.responses.importing import import_responses
from tests.factories import answers, to_csv

SLUG = "therapy-2026"

# url name -> (method, extra kwargs)
CONSOLE_VIEWS = {
    "survey-results": ("get", {}),
    "report-publish": ("post", {}),
    "codes-generate": ("get", {}),
    "report-builder": ("get", {}),
    "survey-explore": ("get", {}),
    "survey-compare": ("get", {}),
    "survey-chart": ("get", {"what": "concern"}),
    "report-update": ("post", {}),
    "moderation-settings": ("get", {}),
    "survey-build": ("get", {}),
    "survey-settings": ("post", {}),
    "section-new": ("get", {}),
    "section-edit": ("get", {"index": 0}),
    "question-new": ("get", {}),
    "question-edit": ("get", {"key": "service"}),
    "concern-new": ("get", {}),
    "concern-edit": ("get", {"key": "patient-care"}),
    "structure-move": ("post", {"what": "question", "ident": "service"}),
    "structure-remove": ("post", {"what": "question", "ident": "patient_care_comment"}),
    "definition-upload": ("post", {}),
    "definition-download": ("get", {}),
    "survey-status": ("post", {}),
    "survey-schedule": ("post", {}),
    "survey-preview": ("get", {}),
    "survey-preview-answer": ("post", {}),
    "survey-share": ("get", {}),
    "survey-qr": ("get", {"fmt": "png"}),
    "team": ("get", {}),
    "member-remove": ("post", {"member_id": 999999}),
}


def _url(name, extra):
    url = reverse(f"survey:{name}", kwargs={"slug": SLUG, **extra})
    return url + "?section=0" if name == "question-new" else url


def test_every_console_view_is_in_the_table():
    patterns = get_resolver().url_patterns[0].url_patterns
    console = {
        p.name
        for p in patterns
        if str(p.pattern).lstrip("^").startswith("console/<slug") or "console/(?P<slug>" in str(p.pattern)
    }
    assert console == set(CONSOLE_VIEWS)


@pytest.mark.parametrize("name", CONSOLE_VIEWS)
def test_anonymous_visitor_is_sent_to_sign_in(client, survey, name):
    method, extra = CONSOLE_VIEWS[name]
    response = getattr(client, method)(_url(name, extra))
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("name", CONSOLE_VIEWS)
def test_organiser_of_another_survey_gets_404(client, charlie, survey, name):
    method, extra = CONSOLE_VIEWS[name]
    client.force_login(charlie)
    assert getattr(client, method)(_url(name, extra)).status_code == 404


@pytest.mark.parametrize("name", CONSOLE_VIEWS)
def test_moderator_of_this_survey_gets_404(client, bob, name):
    method, extra = CONSOLE_VIEWS[name]
    client.force_login(bob)
    assert getattr(client, method)(_url(name, extra)).status_code == 404


@pytest.mark.parametrize("name", CONSOLE_VIEWS)
def test_organiser_of_this_survey_is_served(client, alice, survey, name):
    method, extra = CONSOLE_VIEWS[name]
    if name == "survey-chart":
        # A chart exists only once there are released figures to draw.
        rows = [answers(service=s, raised="yes", outcome="partly") for s in ("iapt", "other") for _ in range(12)]
        import_responses(survey=survey, text=to_csv(rows))
        compute_results(survey_id=survey.pk)
    client.force_login(alice)
    response = getattr(client, method)(_url(name, extra))
    # GETs answer with a page or a file; POSTs without data redirect back or
    # show the form's errors. Never a refusal, never a server error.
    assert response.status_code in ((200,) if method == "get" else (200, 302, 400))


def test_new_survey_page_needs_sign_in_only(client, charlie):
    assert client.get(reverse("survey:survey-new")).status_code == 302
    client.force_login(charlie)
    assert client.get(reverse("survey:survey-new")).status_code == 200


def test_organiser_of_another_survey_cannot_touch_this_ones_members(client, alice, charlie):
    member = Member.objects.get(user=alice)
    client.force_login(charlie)
    response = client.post(reverse("survey:member-remove", kwargs={"slug": SLUG, "member_id": member.pk}))
    assert response.status_code == 404
    assert Member.objects.filter(pk=member.pk).exists()
