"""Co-signed publication: a joint survey's report is published only once
every partner has approved exactly that version; the pending version shown
to a partner is a release to that partner; any change to the draft means
asking again; every approval is audited in words, with the day only."""

import datetime

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from survey.figures.releases import figures_of
from survey.models import (
    Approval,
    AuditEvent,
    Member,
    Organisation,
    OrganisationMember,
    Partner,
    Release,
    ReportVersion,
    Survey,
)
from survey.reports import cosigning
from survey.reports.drafting import save_report_settings
from survey.reports.publishing import PublishRefused, publish_report
from tests.factories import close_and_release, make_joint_survey, submit_joint, varied

WAITING_BOTH = "waiting for approval from: Royal College of Nursing, UNISON Wales"


def _member(django_user_model, slug, username):
    user = django_user_model.objects.create_user(username, password="correct horse battery")
    OrganisationMember.objects.create(
        organisation=Organisation.objects.get(slug=slug), user=user, role=OrganisationMember.Role.ORGANISER
    )
    return user


@pytest.fixture
def joint(db):
    """Run by the Royal College of Nursing (its own organisation) with UNISON
    Wales as partner; 15 respondents each, closed and released."""
    survey = make_joint_survey()
    Survey.objects.filter(pk=survey.pk).update(organisation=Organisation.objects.get(slug="rcn"))
    submit_joint(survey, varied("iapt", 15), partner="rcn")
    submit_joint(survey, varied("other", 15), partner="unison-wales")
    close_and_release(survey)
    survey.refresh_from_db()
    return survey


@pytest.fixture
def ria(django_user_model, joint):
    """An organiser of the Royal College of Nursing: organises the survey, and speaks for that partner."""
    return _member(django_user_model, "rcn", "ria")


@pytest.fixture
def uma(django_user_model, joint):
    """An organiser of UNISON Wales: a partner organiser only."""
    return _member(django_user_model, "unison-wales", "uma")


def _partner(survey, slug):
    return Partner.objects.get(survey=survey, organisation__slug=slug)


def _approve(survey, user, slug):
    version = cosigning.prepared_version(survey=survey).version
    return cosigning.approve_version(survey=survey, partner=_partner(survey, slug), acting_user=user, version=version)


def test_publishing_waits_for_every_partner_and_says_whom(joint, ria):
    with pytest.raises(PublishRefused, match=WAITING_BOTH):
        publish_report(survey=joint, acting_user=ria)
    assert not ReportVersion.objects.exists()


def test_publish_report_command_names_whom_it_waits_for_and_publishes_nothing(joint, ria, uma):
    with pytest.raises(CommandError, match=WAITING_BOTH):
        call_command("publish_report", joint.slug, "--as", "ria")
    cosigning.ask_partners(survey=joint, acting_user=ria)
    _approve(joint, uma, "unison-wales")
    with pytest.raises(CommandError, match="waiting for approval from: Royal College of Nursing\\.$"):
        call_command("publish_report", joint.slug, "--as", "ria")
    assert not ReportVersion.objects.exists()


def test_once_every_partner_approves_the_organisers_publish_it(joint, ria, uma, django_capture_on_commit_callbacks):
    request = cosigning.ask_partners(survey=joint, acting_user=ria)
    assert request.number == 1 and isinstance(request.asked_on, datetime.date)
    _approve(joint, uma, "unison-wales")
    with pytest.raises(PublishRefused, match="waiting for approval from: Royal College of Nursing\\.$"):
        publish_report(survey=joint, acting_user=ria)
    _approve(joint, ria, "rcn")
    with django_capture_on_commit_callbacks(execute=True):
        report = publish_report(survey=joint, acting_user=ria)
    assert report.number == 1
    assert report.snapshot["partners"] == ["Royal College of Nursing", "UNISON Wales"]
    approvals = Approval.objects.filter(request=request)
    assert {(a.partner.organisation.slug, a.approved_by.username) for a in approvals} == {
        ("rcn", "ria"),
        ("unison-wales", "uma"),
    }
    # The day only: the field holds a date, never a time.
    assert all(type(a.approved_on) is datetime.date for a in approvals)
    assert Approval._meta.get_field("approved_on").get_internal_type() == "DateField"
    details = list(
        AuditEvent.objects.filter(action=AuditEvent.Action.REPORT_APPROVED)
        .order_by("at")
        .values_list("detail", flat=True)
    )
    assert details == [
        "UNISON Wales approved version 1 of the report. Still waiting for approval from: Royal College of Nursing.",
        "Royal College of Nursing approved version 1 of the report. Every partner has approved it: the organisers "
        "may publish it.",
    ]
    assert AuditEvent.objects.filter(action=AuditEvent.Action.REPORT_APPROVAL_ASKED, user=ria).count() == 1


def test_any_change_to_the_draft_means_approving_again(joint, ria, uma):
    cosigning.ask_partners(survey=joint, acting_user=ria)
    old = cosigning.prepared_version(survey=joint).version
    _approve(joint, uma, "unison-wales")
    _approve(joint, ria, "rcn")
    save_report_settings(
        survey=joint, acting_user=ria, title="", narrative="A new word.", concerns=[], breakdowns=[], questions=[]
    )
    with pytest.raises(PublishRefused, match=WAITING_BOTH):
        publish_report(survey=joint, acting_user=ria)
    # The old version can no longer be approved; the new one has not been asked for.
    with pytest.raises(cosigning.ApprovalRefused, match="no longer the version waiting for approval"):
        cosigning.approve_version(survey=joint, partner=_partner(joint, "rcn"), acting_user=ria, version=old)
    assert cosigning.prepared_version(survey=joint).request is None


def test_approvals_of_one_version_do_not_carry_to_the_next(joint, ria, uma, django_capture_on_commit_callbacks):
    cosigning.ask_partners(survey=joint, acting_user=ria)
    _approve(joint, uma, "unison-wales")
    _approve(joint, ria, "rcn")
    with django_capture_on_commit_callbacks(execute=True):
        publish_report(survey=joint, acting_user=ria)
    with pytest.raises(PublishRefused, match=WAITING_BOTH):
        publish_report(survey=joint, acting_user=ria)  # version 2, even with the same content


def test_not_yet_takes_a_partners_approval_back_with_its_note(joint, ria, uma):
    cosigning.ask_partners(survey=joint, acting_user=ria)
    _approve(joint, uma, "unison-wales")
    _approve(joint, ria, "rcn")
    version = cosigning.prepared_version(survey=joint).version
    cosigning.not_yet(
        survey=joint, partner=_partner(joint, "unison-wales"), acting_user=uma, version=version, note="Add Welsh."
    )
    with pytest.raises(PublishRefused, match="waiting for approval from: UNISON Wales\\.$"):
        publish_report(survey=joint, acting_user=ria)
    event = AuditEvent.objects.get(action=AuditEvent.Action.REPORT_NOT_YET)
    assert event.user == uma
    assert (
        event.detail == "UNISON Wales said version 1 of the report is not ready to publish yet. Their note: Add Welsh."
    )


def test_a_survey_run_by_one_organisation_publishes_without_approvals(survey, django_user_model):
    alice = django_user_model.objects.create_user("alice")
    with pytest.raises(cosigning.ApprovalRefused, match="run by one organisation"):
        cosigning.ask_partners(survey=survey, acting_user=alice)


# --- The console: asking, the pending version, Approve and Not yet -----------


def test_report_tab_asks_partners_to_approve_instead_of_publishing(client, joint, ria):
    client.force_login(ria)
    url = reverse("survey:report-builder", kwargs={"slug": joint.slug})
    html = client.get(url).content.decode()
    assert "Ask partners to approve" in html and "Publish version 1</button>" not in html
    previewed = cosigning.prepared_version(survey=joint).version
    data = {"publish": "ask", "previewed": previewed, "title": "", "narrative": ""}
    asking = client.post(url, data)
    assert asking.templates[0].name == "survey/confirm.html"
    assert "Ask the partners to approve version 1?" in asking.content.decode()
    assert cosigning.prepared_version(survey=joint).request is None  # nothing until confirmed
    response = client.post(url, data | {"confirmed": "yes"}, follow=True)
    assert "Version 1 is waiting for the partners" in response.content.decode()
    html = client.get(url).content.decode()
    assert "waiting for approval from: Royal College of Nursing, UNISON Wales" in html


def test_partner_sees_the_pending_version_recorded_as_a_release_to_them(client, joint, ria, uma):
    cosigning.ask_partners(survey=joint, acting_user=ria)
    prepared = cosigning.prepared_version(survey=joint)
    client.force_login(uma)
    html = client.get(reverse("survey:report-approval", kwargs={"slug": joint.slug})).content.decode()
    assert "Version 1, waiting for approval" in html and "Approve version 1" in html
    assert "Run jointly by:" in html  # the preview names the partners as the public page will
    shown = Release.objects.get(
        audience=Release.Audience.PARTNER,
        audience_name="unison-wales",
        report=None,
        document=figures_of(prepared.snapshot),
    )
    assert shown.survey == joint
    # Shown to UNISON Wales only: nobody of the other partner looked.
    assert not Release.objects.filter(
        audience=Release.Audience.PARTNER, audience_name="rcn", document=figures_of(prepared.snapshot)
    ).exists()


def test_partner_approves_through_a_confirmation_page(client, joint, ria, uma):
    cosigning.ask_partners(survey=joint, acting_user=ria)
    version = cosigning.prepared_version(survey=joint).version
    client.force_login(uma)
    url = reverse("survey:report-approval", kwargs={"slug": joint.slug})
    data = {"partner": "unison-wales", "version": version, "decision": "approve"}
    asking = client.post(url, data)
    assert asking.templates[0].name == "survey/confirm.html"
    assert "Approve version 1 for UNISON Wales?" in asking.content.decode()
    assert not Approval.objects.exists()
    response = client.post(url, data | {"confirmed": "yes"}, follow=True)
    assert "You approved version 1 for UNISON Wales." in response.content.decode()
    assert Approval.objects.get().partner.organisation.slug == "unison-wales"


def test_a_partner_organiser_cannot_approve_for_another_partner(client, joint, ria, uma):
    cosigning.ask_partners(survey=joint, acting_user=ria)
    version = cosigning.prepared_version(survey=joint).version
    client.force_login(uma)
    url = reverse("survey:report-approval", kwargs={"slug": joint.slug})
    response = client.post(url, {"partner": "rcn", "version": version, "decision": "approve", "confirmed": "yes"})
    assert response.status_code == 302
    assert not Approval.objects.exists()


def test_an_organiser_outside_the_partners_approves_for_nobody(client, joint, ria, django_user_model):
    alice = django_user_model.objects.create_user("alice")
    Member.objects.create(survey=joint, user=alice, role=Member.Role.ORGANISER)
    cosigning.ask_partners(survey=joint, acting_user=ria)
    client.force_login(alice)
    html = client.get(reverse("survey:report-approval", kwargs={"slug": joint.slug})).content.decode()
    assert "Approve version 1" not in html and "you do not approve versions" in html


# --- The Results page of a joint survey --------------------------------------


def test_results_page_shows_everyones_figures_and_your_organisations_section(client, joint, uma):
    client.force_login(uma)
    html = client.get(reverse("survey:survey-results", kwargs={"slug": joint.slug})).content.decode()
    assert "Your organisation's figures" in html and "Everyone's figures" in html
    assert "Royal College of Nursing" in html and "UNISON Wales" in html
    # The pooled figures were recorded as shown to UNISON Wales.
    assert Release.objects.filter(audience=Release.Audience.PARTNER, audience_name="unison-wales").exists()


def test_a_member_of_two_partners_sees_pooled_figures_only(client, joint, uma):
    OrganisationMember.objects.create(organisation=Organisation.objects.get(slug="rcn"), user=uma, role="organiser")
    client.force_login(uma)
    html = client.get(reverse("survey:survey-results", kwargs={"slug": joint.slug})).content.decode()
    assert "You belong to more than one partner of this survey" in html
    assert "have not been released to you" not in html


# --- The public report names the partners, in every language ------------------


@pytest.fixture
def published_jointly(db, django_user_model, django_capture_on_commit_callbacks):
    survey = make_joint_survey(
        title={"en": "Working in mental health services", "cy": "Gweithio mewn gwasanaethau iechyd meddwl"}
    )
    Survey.objects.filter(pk=survey.pk).update(organisation=Organisation.objects.get(slug="rcn"))
    submit_joint(survey, varied("iapt", 15), partner="rcn")
    submit_joint(survey, varied("other", 15), partner="unison-wales")
    close_and_release(survey)
    ria = _member(django_user_model, "rcn", "ria")
    uma = _member(django_user_model, "unison-wales", "uma")
    cosigning.ask_partners(survey=survey, acting_user=ria)
    _approve(survey, uma, "unison-wales")
    _approve(survey, ria, "rcn")
    with django_capture_on_commit_callbacks(execute=True):
        publish_report(survey=survey, acting_user=ria)
    return survey


def test_public_report_names_the_partners_in_every_language(client, published_jointly):
    english = client.get("/r/therapy-2026/").content.decode()
    assert "Run jointly by:" in english
    assert '<strong lang="en">Royal College of Nursing</strong>, <strong lang="en">UNISON Wales</strong>' in english
    welsh = client.get("/r/therapy-2026/?lang=cy").content.decode()
    assert "Wedi’i gynnal ar y cyd gan:" in welsh and "Run jointly by" not in welsh
    assert "Royal College of Nursing" in welsh and "UNISON Wales" in welsh


def test_report_downloads_name_the_partners(client, published_jointly):
    import json

    data = json.loads(client.get("/r/therapy-2026/report.json").content)
    assert data["partners"] == ["Royal College of Nursing", "UNISON Wales"]
    first = client.get("/r/therapy-2026/report.csv").content.decode().splitlines()[0]
    assert first.endswith('"run jointly by Royal College of Nursing, UNISON Wales"')


def test_a_pending_version_the_auditor_refuses_is_not_shown_nor_approved(client, db, django_user_model):
    """Three agency staff are a group under k. An earlier release (here: one
    made before this policy, showing the IAPT group that the final figures
    hide to protect them) means the version waiting for approval would pin
    the agency group: it is refused with the auditor's reason, nothing is
    recorded for the partner, and it cannot be approved."""
    import copy

    from django.utils import timezone

    from survey.figures.releases import digest, released_document

    survey = make_joint_survey()
    Survey.objects.filter(pk=survey.pk).update(organisation=Organisation.objects.get(slug="rcn"))
    submit_joint(survey, varied("iapt", 15), partner="rcn")
    submit_joint(survey, varied("other", 15), partner="unison-wales")
    submit_joint(survey, varied("agency", 3), partner="unison-wales")
    close_and_release(survey)
    ria = _member(django_user_model, "rcn", "ria")
    uma = _member(django_user_model, "unison-wales", "uma")
    earlier = copy.deepcopy(released_document(survey=survey))
    for breakdown in earlier["concerns"][0]["breakdowns"]:
        if breakdown["question"] == "service":
            assert breakdown["groups"][0]["reason"] == "hidden to protect another group"
            breakdown["groups"][0] = {"value": "iapt", "label": "IAPT", "raised": {"count": 7, "n": 15}}
    Release.objects.create(
        survey=survey,
        audience=Release.Audience.COMMAND,
        released_on=timezone.localdate(),
        document=earlier,
        digest=digest(earlier),
    )
    # The organisers chose the service breakdown and one question (the pooled figures leave the partner
    # breakdown out already): a version not shown before, so it is audited.
    save_report_settings(
        survey=survey, acting_user=ria, title="", narrative="", concerns=[], breakdowns=["service"], questions=["safe"]
    )
    cosigning.ask_partners(survey=survey, acting_user=ria)
    client.force_login(uma)
    url = reverse("survey:report-approval", kwargs={"slug": survey.slug})
    html = client.get(url).content.decode()
    assert "These figures cannot be shown" in html
    assert "Approve version 1" not in html and "waiting for approval</h2>" not in html
    # Nothing recorded for the partner but its own figures, released at closing.
    assert not Release.objects.filter(audience=Release.Audience.PARTNER, final=False).exists()
    version = cosigning.prepared_version(survey=survey).version
    response = client.post(
        url, {"partner": "unison-wales", "version": version, "decision": "approve", "confirmed": "yes"}, follow=True
    )
    assert "These figures cannot be shown" in response.content.decode()
    assert not Approval.objects.exists()
