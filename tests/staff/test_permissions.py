"""Every console view, for each of the people who might ask for it: an
anonymous visitor, an organiser of another survey, an organiser of another
organisation, this survey's moderator, a partner organiser of a joint
survey (its Results page and the version waiting for approval only), and
this survey's organisers (named on the survey, or an organiser or owner of
the organisation that runs it).
The table must name every console URL, so a new view without a permission
test fails here."""

import pytest
from django.contrib.auth.views import redirect_to_login
from django.urls import get_resolver, reverse
from django.utils.timezone import now

from survey.models import Action, LedgerEntry, Member, Organisation, OrganisationMember, Partner, Survey
from survey.responses.importing import import_responses
from survey.staff.permissions import partner_of, partnered_by, partners_of
from tests.factories import answers, close_and_release, to_csv

SLUG = "therapy-2026"
ACTION_ID = "0b7f3c1e-9a4d-4c2e-8f10-5d6a7b8c9d0e"
CHANGE = {"text": "Weekly supervision.", "role": "Director of Nursing", "status": "in_progress", "note": "Begun."}

# url name -> (method, extra kwargs, POST data)
CONSOLE_VIEWS = {
    "survey-results": ("get", {}, None),
    "report-publish": ("post", {}, {"confirmed": "yes"}),
    "report-approval": ("get", {}, None),
    "codes-generate": ("get", {}, None),
    "results-download": ("get", {"fmt": "csv"}, None),
    "report-builder": ("get", {}, None),
    "survey-explore": ("get", {}, None),
    "survey-compare": ("get", {}, None),
    "survey-chart": ("get", {"what": "concern"}, None),
    "ledger-console": ("get", {}, None),
    "action-add": ("post", {}, {"add-concern": "patient-care", **{f"add-{k}": v for k, v in CHANGE.items()}}),
    "action-change": ("post", {"action_id": ACTION_ID}, {f"action-{ACTION_ID}-{k}": v for k, v in CHANGE.items()}),
    "pulse-new": ("get", {"action_id": ACTION_ID}, None),
    "help-change": ("post", {"concern_key": "patient-care"}, {"help-patient-care-text": "The Guardian."}),
    "moderation-settings": ("get", {}, None),
    "survey-build": ("get", {}, None),
    "survey-settings": (
        "post",
        {},
        {
            "settings-title": "Working in mental health services",
            "settings-intro": "All answers are anonymous.",
            "settings-min_group_size": "10",
            "settings-access": "open",
        },
    ),
    "section-new": ("get", {}, None),
    "section-edit": ("get", {"index": 0}, None),
    "question-new": ("get", {}, None),
    "question-edit": ("get", {"key": "service"}, None),
    "concern-new": ("get", {}, None),
    "concern-edit": ("get", {"key": "patient-care"}, None),
    "structure-move": ("post", {"what": "question", "ident": "service"}, {}),
    "structure-remove": ("post", {"what": "question", "ident": "patient_care_comment"}, {"confirmed": "yes"}),
    "definition-upload": ("post", {}, {}),
    "definition-download": ("get", {}, None),
    "survey-status": ("post", {}, {}),
    "survey-schedule": ("post", {}, {}),
    "survey-preview": ("get", {}, None),
    "survey-preview-answer": ("post", {}, {"action": "start"}),
    "survey-share": ("get", {}, None),
    "survey-qr": ("get", {"fmt": "png"}, None),
    "survey-poster": ("get", {}, None),
    "survey-poster-png": ("get", {}, None),
    "survey-duplicate": ("post", {}, {}),
    "team": ("get", {}, None),
    "survey-audit": ("get", {}, None),
    "member-remove": ("post", {"member_id": 999999}, {}),
    "survey-partners": ("get", {}, None),
    "partners-start": ("post", {}, {"partners_from": "link"}),
    "partners-settings": ("post", {}, {}),
    "partner-add": ("post", {}, {}),
    "partner-remove": ("post", {}, {"organisation": "mind-union", "confirmed": "yes"}),
    "partner-move": ("post", {}, {"organisation": "mind-union", "direction": "down"}),
    "partners-end": ("post", {}, {"confirmed": "yes"}),
}

PARTNER_SET_UP = [name for name in CONSOLE_VIEWS if name.startswith("partner")] + ["survey-partners"]

# What the organiser is served: the url name of the page they end on (the
# view's own, or the console page its POST redirects to) and that page's
# template, or the file's content type.
SERVED = {
    "survey-results": ("survey-results", "survey/console/results.html"),
    "report-publish": ("survey-results", "survey/console/results.html"),
    "report-approval": ("report-approval", "survey/console/approval.html"),
    "codes-generate": ("codes-generate", "survey/console/codes.html"),
    "results-download": ("survey-results", "survey/console/results.html"),  # nothing before closing
    "report-builder": ("report-builder", "survey/console/report_builder.html"),
    "survey-explore": ("survey-explore", "survey/console/explore.html"),
    "survey-compare": ("survey-compare", "survey/console/compare.html"),
    "survey-chart": ("survey-chart", "image/svg+xml"),
    "ledger-console": ("ledger-console", "survey/console/ledger.html"),
    "action-add": ("ledger-console", "survey/console/ledger.html"),
    "action-change": ("ledger-console", "survey/console/ledger.html"),
    "pulse-new": ("pulse-new", "survey/console/pulse_new.html"),
    "help-change": ("ledger-console", "survey/console/ledger.html"),
    "moderation-settings": ("moderation-settings", "survey/console/moderation_settings.html"),
    "survey-build": ("survey-build", "survey/console/build.html"),
    "survey-settings": ("survey-build", "survey/console/build.html"),
    "section-new": ("section-new", "survey/console/section.html"),
    "section-edit": ("section-edit", "survey/console/section.html"),
    "question-new": ("question-new", "survey/console/question.html"),
    "question-edit": ("question-edit", "survey/console/question.html"),
    "concern-new": ("concern-new", "survey/console/concern.html"),
    "concern-edit": ("concern-edit", "survey/console/concern.html"),
    "structure-move": ("survey-build", "survey/console/build.html"),
    "structure-remove": ("survey-build", "survey/console/build.html"),
    "definition-upload": ("survey-build", "survey/console/build.html"),
    "definition-download": ("definition-download", "application/json"),
    "survey-status": ("survey-build", "survey/console/build.html"),
    "survey-schedule": ("survey-build", "survey/console/build.html"),
    "survey-preview": ("survey-preview", "survey/console/preview/intro.html"),
    "survey-preview-answer": ("survey-preview-answer", "survey/console/preview/page.html"),
    "survey-share": ("survey-share", "survey/console/share.html"),
    "survey-qr": ("survey-qr", "image/png"),
    "survey-poster": ("survey-poster", "survey/console/poster.html"),
    "survey-poster-png": ("survey-poster-png", "image/png"),
    "survey-duplicate": ("survey-build", "survey/console/build.html"),
    "team": ("team", "survey/console/team.html"),
    "survey-audit": ("survey-audit", "survey/console/audit.html"),
    "member-remove": ("team", "survey/console/team.html"),
    **{
        name: ("survey-partners", "survey/console/partners.html")
        for name in ("survey-partners", "partners-start", "partners-settings", "partner-add")
        + ("partner-remove", "partner-move", "partners-end")
    },
}


@pytest.fixture
def organisation(survey):
    """The organisation that runs the survey."""
    org = Organisation.objects.create(slug="mind-union", name="Mind Union")
    Survey.objects.filter(pk=survey.pk).update(organisation=org)
    survey.organisation = org
    return org


def _in_organisation(django_user_model, organisation, username, role):
    user = django_user_model.objects.create_user(username, password="correct horse battery")
    OrganisationMember.objects.create(organisation=organisation, user=user, role=role)
    return user


@pytest.fixture
def erin(django_user_model, charlie):
    """An owner of another organisation, the one that runs charlie's survey."""
    other = Organisation.objects.create(slug="other-org", name="Other Org")
    Survey.objects.filter(slug="other-survey").update(organisation=other)
    return _in_organisation(django_user_model, other, "erin", OrganisationMember.Role.OWNER)


@pytest.fixture(params=["named on the survey", "organisation organiser", "organisation owner"])
def an_organiser(request, django_user_model, alice, organisation):
    """Each way of being this survey's organiser."""
    if request.param == "named on the survey":
        return alice
    role = OrganisationMember.Role.OWNER if request.param == "organisation owner" else OrganisationMember.Role.ORGANISER
    return _in_organisation(django_user_model, organisation, "olive", role)


def _url(name, extra):
    url = reverse(f"survey:{name}", kwargs={"slug": SLUG, **extra})
    return url + "?section=0" if name == "question-new" else url


def _ask(client, name, **options):
    method, extra, data = CONSOLE_VIEWS[name]
    return getattr(client, method)(_url(name, extra), data, **options)


def test_every_console_view_is_in_the_table():
    def named(patterns, prefix=""):
        for p in patterns:
            route = prefix + str(p.pattern).lstrip("^")
            if hasattr(p, "url_patterns"):
                yield from named(p.url_patterns, route)
            else:
                yield route, p.name

    console = {name for route, name in named(get_resolver().url_patterns) if route.startswith("console/<slug")}
    assert console == set(CONSOLE_VIEWS) == set(SERVED)


@pytest.mark.parametrize("name", CONSOLE_VIEWS)
def test_anonymous_visitor_is_sent_to_sign_in(client, survey, name):
    response = _ask(client, name)
    assert response.status_code == 302
    assert response["Location"] == redirect_to_login(_url(name, CONSOLE_VIEWS[name][1]))["Location"]


@pytest.mark.parametrize("name", CONSOLE_VIEWS)
def test_organiser_of_another_survey_gets_404(client, charlie, survey, name):
    client.force_login(charlie)
    assert _ask(client, name).status_code == 404


@pytest.mark.parametrize("name", CONSOLE_VIEWS)
def test_owner_of_another_organisation_gets_404(client, erin, organisation, name):
    client.force_login(erin)
    assert _ask(client, name).status_code == 404


@pytest.mark.parametrize("name", CONSOLE_VIEWS)
def test_moderator_of_this_survey_gets_404(client, bob, name):
    client.force_login(bob)
    assert _ask(client, name).status_code == 404


@pytest.mark.parametrize("name", CONSOLE_VIEWS)
def test_moderator_who_organises_for_another_organisation_still_gets_404(client, bob, erin, organisation, name):
    OrganisationMember.objects.create(organisation=Organisation.objects.get(slug="other-org"), user=bob, role="owner")
    client.force_login(bob)
    assert _ask(client, name).status_code == 404


# What a partner organiser may open: the Results page and the version waiting for approval.
PARTNER_VIEWS = {"survey-results", "report-approval"}


@pytest.fixture(params=["owner", "organiser"])
def pat(request, django_user_model, survey, organisation):
    """An owner or organiser of a partner organisation of this survey, now a
    joint survey of the organisation that runs it and that partner."""
    nurses = Organisation.objects.create(slug="nurses", name="Nurses Together")
    Survey.objects.filter(pk=survey.pk).update(partners_from=Survey.PartnersFrom.QUESTION)
    survey.partners_from = Survey.PartnersFrom.QUESTION
    Partner.objects.create(survey=survey, organisation=organisation, position=0)
    Partner.objects.create(survey=survey, organisation=nurses, position=1)
    return _in_organisation(django_user_model, nurses, "pat", request.param)


@pytest.mark.parametrize("name", sorted(set(CONSOLE_VIEWS) - PARTNER_VIEWS))
def test_partner_organiser_gets_404_everywhere_else(client, pat, name):
    client.force_login(pat)
    assert _ask(client, name).status_code == 404


@pytest.mark.parametrize("name", sorted(PARTNER_VIEWS))
def test_partner_organiser_is_served_results_and_approval(client, pat, name):
    client.force_login(pat)
    response = _ask(client, name)
    assert response.status_code == 200
    assert response.templates[0].name == SERVED[name][1]
    html = response.content.decode()
    # Their tabs are Results and Approval only.
    assert 'href="/console/therapy-2026/build/"' not in html and 'href="/console/therapy-2026/team/"' not in html
    assert "Nurses Together" in html and "Mind Union" in html


def test_a_partner_of_a_survey_that_is_not_joint_is_nobody(client, pat, survey):
    """Partners count only while the survey is joint (partners_from set)."""
    Survey.objects.filter(pk=survey.pk).update(partners_from="")
    client.force_login(pat)
    for name in PARTNER_VIEWS:
        assert _ask(client, name).status_code == 404


def test_partner_organiser_of_another_survey_gets_404(client, pat, django_user_model, charlie):
    """Being a partner of one joint survey opens nothing of another survey."""
    other = Survey.objects.get(slug="other-survey")
    Survey.objects.filter(pk=other.pk).update(partners_from=Survey.PartnersFrom.QUESTION)
    client.force_login(pat)
    assert client.get(reverse("survey:survey-results", kwargs={"slug": "other-survey"})).status_code == 404


def test_partner_organiser_finds_the_joint_survey_in_your_surveys(client, pat):
    client.force_login(pat)
    html = client.get(reverse("survey:console-home")).content.decode()
    assert f'href="/console/{SLUG}/"' in html


def test_partner_of_names_the_one_partner_a_person_speaks_for(pat, survey, organisation, charlie):
    assert partner_of(pat, survey).organisation.slug == "nurses"
    assert partner_of(charlie, survey) is None
    assert list(partnered_by(pat)) == [survey] and not partnered_by(charlie).exists()
    # In two partners of the same survey: no one partner (pooled figures only).
    OrganisationMember.objects.create(organisation=organisation, user=pat, role=OrganisationMember.Role.ORGANISER)
    assert partner_of(pat, survey) is None
    assert {p.organisation.slug for p in partners_of(pat, survey)} == {"nurses", "mind-union"}


@pytest.mark.parametrize("name", CONSOLE_VIEWS)
def test_organiser_of_this_survey_is_served(client, an_organiser, survey, name):
    if name == "survey-chart":
        # A chart exists only once there are released figures to draw.
        rows = [answers(service=s, raised="yes", outcome="partly") for s in ("iapt", "other") for _ in range(12)]
        import_responses(survey=survey, text=to_csv(rows))
        close_and_release(survey)
    if name in ("action-change", "pulse-new"):
        action = Action.objects.create(id=ACTION_ID, survey=survey, concern_key="patient-care", created_at=now())
        LedgerEntry.objects.create(
            survey=survey,
            concern_key="patient-care",
            kind="action",
            action=action,
            text="Supervision.",
            role="Director of Nursing",
            status="planned",
            entered_at=now(),
        )
    client.force_login(an_organiser)
    response = _ask(client, name, follow=True)
    landing, what = SERVED[name]
    # The page asked for, or the console page the POST redirects to; never
    # the sign-in page, a refusal or a form sent back with errors.
    assert response.status_code == 200
    assert response.resolver_match.url_name == landing
    # "Duplicate this survey" lands on the copy's build page.
    slug = f"{SLUG}-copy" if name == "survey-duplicate" else SLUG
    hops = [] if landing == name else [(reverse(f"survey:{landing}", kwargs={"slug": slug}), 302)]
    assert response.redirect_chain == hops
    if what.endswith(".html"):
        assert response.templates[0].name == what
        assert SLUG in response.content.decode()
    else:
        assert response["Content-Type"].startswith(what)


def test_new_survey_page_needs_sign_in_only(client, charlie):
    url = reverse("survey:survey-new")
    response = client.get(url)
    assert response.status_code == 302 and response["Location"] == redirect_to_login(url)["Location"]
    client.force_login(charlie)
    response = client.get(url)
    assert response.status_code == 200 and response.resolver_match.url_name == "survey-new"


def test_organiser_of_another_survey_cannot_touch_this_ones_members(client, alice, charlie):
    member = Member.objects.get(user=alice)
    client.force_login(charlie)
    response = client.post(reverse("survey:member-remove", kwargs={"slug": SLUG, "member_id": member.pk}))
    assert response.status_code == 404
    assert Member.objects.filter(pk=member.pk).exists()


def test_leaving_the_organisation_ends_its_organisers_rights(client, django_user_model, organisation):
    olive = _in_organisation(django_user_model, organisation, "olive", OrganisationMember.Role.ORGANISER)
    client.force_login(olive)
    assert _ask(client, "survey-results").status_code == 200
    OrganisationMember.objects.filter(user=olive).delete()
    assert _ask(client, "survey-results").status_code == 404


def test_a_survey_moved_to_another_organisation_leaves_the_old_ones_organisers(
    client, django_user_model, organisation, erin
):
    olive = _in_organisation(django_user_model, organisation, "olive", OrganisationMember.Role.OWNER)
    Survey.objects.filter(slug=SLUG).update(organisation=Organisation.objects.get(slug="other-org"))
    client.force_login(olive)
    assert _ask(client, "survey-results").status_code == 404
    client.force_login(erin)
    assert _ask(client, "survey-results").status_code == 200


@pytest.mark.parametrize("who", ["organisation organiser", "organisation owner"])
def test_organisation_organisers_do_not_moderate(client, django_user_model, organisation, who):
    """Moderators stay named per survey: running the survey does not open its comments."""
    role = OrganisationMember.Role.OWNER if who == "organisation owner" else OrganisationMember.Role.ORGANISER
    client.force_login(_in_organisation(django_user_model, organisation, "olive", role))
    assert client.get(reverse("survey:moderation-queue", kwargs={"slug": SLUG})).status_code == 404


def test_organisation_page_is_for_its_members_only(client, django_user_model, organisation, alice, bob, erin):
    url = reverse("survey:organisation-detail", kwargs={"org": organisation.slug})
    response = client.get(url)
    assert response.status_code == 302 and response["Location"] == redirect_to_login(url)["Location"]
    # Organisers named on one of its surveys, its moderators and other organisations' people: 404.
    for outsider in (alice, bob, erin):
        client.force_login(outsider)
        assert client.get(url).status_code == 404
    for role in OrganisationMember.Role.values:
        member = _in_organisation(django_user_model, organisation, f"m-{role}", role)
        client.force_login(member)
        response = client.get(url)
        assert response.status_code == 200
        assert response.templates[0].name == "survey/console/organisation.html"
        assert f"m-{role}" in response.content.decode()


@pytest.mark.parametrize("name", PARTNER_SET_UP)
def test_a_partner_organisations_organiser_cannot_change_the_partners(
    client, django_user_model, alice, organisation, name
):
    """Only the survey's organisers set up its partners: an organiser of a
    partner organisation (not the one running the survey) gets 404, and
    nothing changes."""
    from survey.staff import partners

    partners.start_partners(survey=Survey.objects.get(slug=SLUG), acting_user=alice, partners_from="link")
    union = Organisation.objects.create(slug="partner-union", name="Partner Union")
    partners.add_partner(survey=Survey.objects.get(slug=SLUG), acting_user=alice, organisation=union)
    paula = _in_organisation(django_user_model, union, "paula", OrganisationMember.Role.OWNER)
    client.force_login(paula)
    method, extra, data = CONSOLE_VIEWS[name]
    data = dict(data or {}, organisation="partner-union") if method == "post" else data
    assert getattr(client, method)(_url(name, extra), data).status_code == 404
    survey = Survey.objects.get(slug=SLUG)
    assert survey.partners_from == "link"
    assert list(survey.partners.values_list("organisation__slug", flat=True)) == ["mind-union", "partner-union"]
