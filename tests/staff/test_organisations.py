"""Organisations: an admin creates them and names their people, every change
is audited, their organisers run their surveys everywhere the console,
commands and e-mails ask who organises a survey, and the migration gave each
existing survey an organisation of its own."""

import pytest
from django.core.management.base import CommandError
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse

from survey.management.base import acting_organiser
from survey.models import AuditEvent, Member, Organisation, OrganisationMember, Survey
from survey.moderation.safeguarding import flag_recipients
from survey.staff.permissions import organisers_of

SLUG = "therapy-2026"
ADMIN = "/admin/survey/organisation/"


@pytest.fixture
def root(django_user_model):
    return django_user_model.objects.create_superuser("root", password="pw-root-123456")


@pytest.fixture
def organisation(survey):
    org = Organisation.objects.create(slug="mind-union", name="Mind Union")
    Survey.objects.filter(pk=survey.pk).update(organisation=org)
    survey.organisation = org
    return org


@pytest.fixture
def olive(django_user_model, organisation):
    """An organiser of the organisation, not named on the survey."""
    user = django_user_model.objects.create_user("olive", email="olive@example.org", password="pw-olive-123456")
    OrganisationMember.objects.create(organisation=organisation, user=user, role=OrganisationMember.Role.ORGANISER)
    return user


def _members(*rows, initial=0):
    data = {"members-TOTAL_FORMS": len(rows), "members-INITIAL_FORMS": initial}
    for i, row in enumerate(rows):
        data.update({f"members-{i}-{k}": v for k, v in row.items()})
    return data


# --- The admin creates organisations; every change is audited -----------------


def test_admin_creates_an_organisation_with_its_people_audited_one_by_one(client, root, django_user_model):
    dana = django_user_model.objects.create_user("dana")
    eve = django_user_model.objects.create_user("eve")
    client.force_login(root)
    data = {"name": "Nurses' Union", "slug": "nurses-union"}
    data |= _members({"user": dana.pk, "role": "owner"}, {"user": eve.pk, "role": "organiser"})
    response = client.post(f"{ADMIN}add/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    org = Organisation.objects.get(slug="nurses-union")
    assert set(org.members.values_list("user__username", "role")) == {("dana", "owner"), ("eve", "organiser")}
    events = AuditEvent.objects.filter(organisation=org, user=root)
    assert events.filter(action=AuditEvent.Action.ORGANISATION_CREATED).count() == 1
    added = events.filter(action=AuditEvent.Action.ORGANISATION_MEMBER_ADDED)
    assert sorted(e.detail.splitlines()[-1] for e in added) == ["dana: owner", "eve: organiser"]


def test_admin_role_change_and_removal_are_audited_with_before_and_after(client, root, organisation, olive):
    client.force_login(root)
    member = OrganisationMember.objects.get(user=olive)
    url = f"{ADMIN}{organisation.pk}/change/"
    data = {"name": organisation.name, "slug": organisation.slug}
    change = data | _members({"id": member.pk, "user": olive.pk, "role": "owner"}, initial=1)
    assert client.post(url, change).status_code == 302
    changed = AuditEvent.objects.get(action=AuditEvent.Action.ORGANISATION_MEMBER_CHANGED)
    assert changed.organisation == organisation and "olive: organiser → owner" in changed.detail
    remove = data | _members({"id": member.pk, "user": olive.pk, "role": "owner", "DELETE": "on"}, initial=1)
    assert client.post(url, remove).status_code == 302
    assert not OrganisationMember.objects.filter(pk=member.pk).exists()
    removed = AuditEvent.objects.get(action=AuditEvent.Action.ORGANISATION_MEMBER_REMOVED)
    assert removed.user == root and "olive: owner" in removed.detail


def test_admin_moving_a_survey_is_audited_in_both_organisations(client, root, survey, organisation):
    other = Organisation.objects.create(slug="trust", name="The Trust")
    client.force_login(root)
    data = {"title": survey.title, "organisation": other.pk, "min_group_size": 10} | _members()
    assert client.post(f"/admin/survey/survey/{survey.pk}/change/", data).status_code == 302
    assert Survey.objects.get(pk=survey.pk).organisation == other
    moved = AuditEvent.objects.filter(survey=survey, action=AuditEvent.Action.SURVEY_ORGANISATION_CHANGED)
    assert {e.organisation for e in moved} == {organisation, other}
    assert all("Mind Union → The Trust" in e.detail for e in moved)


def test_an_organisation_that_runs_surveys_cannot_be_deleted(client, root, organisation):
    client.force_login(root)
    client.post(f"{ADMIN}{organisation.pk}/delete/", {"post": "yes"})
    assert Organisation.objects.filter(pk=organisation.pk).exists()
    empty = Organisation.objects.create(slug="empty", name="Empty")
    assert client.post(f"{ADMIN}{empty.pk}/delete/", {"post": "yes"}).status_code == 302
    assert not Organisation.objects.filter(pk=empty.pk).exists()
    assert AuditEvent.objects.filter(action=AuditEvent.Action.ORGANISATION_DELETED, detail__contains="Empty").exists()


def test_survey_audit_list_shows_changes_to_its_organisations_people(organiser, client, root, organisation, olive):
    client.force_login(root)
    member = OrganisationMember.objects.get(user=olive)
    data = {"name": organisation.name, "slug": organisation.slug}
    client.post(
        f"{ADMIN}{organisation.pk}/change/",
        data | _members({"id": member.pk, "user": olive.pk, "role": "owner"}, initial=1),
    )
    organiser.force_login(Member.objects.get(survey__slug=SLUG, role="organiser").user)
    html = organiser.get(reverse("survey:survey-audit", kwargs={"slug": SLUG})).content.decode()
    assert "Changed someone&#x27;s role in the organisation" in html and "olive: organiser → owner" in html


# --- Everywhere that asks who organises a survey -------------------------------


def test_organisers_of_a_survey_are_its_own_and_its_organisations(survey, alice, bob, olive):
    assert set(organisers_of(survey)) == {alice, olive}  # bob only moderates


def test_safeguarding_flags_reach_the_organisations_organisers_too(survey, alice, olive):
    Survey.objects.filter(pk=survey.pk).update(safeguarding_contact="")
    alice.email = "alice@example.org"
    alice.save()
    recipients, _ = flag_recipients(Survey.objects.get(pk=survey.pk))
    assert recipients == ["alice@example.org", "olive@example.org"]


def test_commands_accept_an_organisation_organiser_as_acting_organiser(survey, olive, charlie):
    assert acting_organiser(survey, "olive") == olive
    with pytest.raises(CommandError, match="not an organiser"):
        acting_organiser(survey, "charlie")


def test_the_last_named_organiser_may_leave_when_the_organisation_still_runs_the_survey(
    organiser, alice, survey, olive
):
    member = Member.objects.get(survey=survey, user=alice)
    url = reverse("survey:member-remove", kwargs={"slug": SLUG, "member_id": member.pk})
    organiser.post(url, {"confirmed": "yes"})
    assert not Member.objects.filter(pk=member.pk).exists()


def test_console_home_lists_the_organisations_surveys_and_the_organisation(client, survey, olive, organisation):
    client.force_login(olive)
    html = client.get(reverse("survey:console-home")).content.decode()
    assert reverse("survey:survey-results", kwargs={"slug": SLUG}) in html
    assert reverse("survey:organisation-detail", kwargs={"org": "mind-union"}) in html


def test_a_new_survey_may_be_run_by_one_of_the_creators_organisations(client, olive, organisation, charlie):
    foreign = Organisation.objects.create(slug="foreign", name="Foreign")
    client.force_login(olive)
    new = reverse("survey:survey-new")
    refused = client.post(new, {"title": "Pulse", "slug": "pulse", "start": "blank", "organisation": foreign.pk})
    assert refused.status_code == 400 and "organisation" in refused.context["form"].errors
    assert not Survey.objects.filter(slug="pulse").exists()
    client.post(new, {"title": "Pulse", "slug": "pulse", "start": "blank", "organisation": organisation.pk})
    assert Survey.objects.get(slug="pulse").organisation == organisation
    # Someone in no organisation is not asked.
    client.force_login(charlie)
    assert "organisation" not in client.get(new).context["form"].fields


def test_a_copy_stays_with_the_organisation(client, survey, olive, organisation):
    client.force_login(olive)
    client.post(reverse("survey:survey-duplicate", kwargs={"slug": SLUG}))
    assert Survey.objects.get(slug=f"{SLUG}-copy").organisation == organisation


# --- The migration: each existing survey into an organisation of its own -------


def _organisations_migration():
    graph = MigrationExecutor(connection).loader.graph
    (name,) = [n for app, n in graph.nodes if app == "survey" and n.endswith("_organisations")]
    (before,) = [p.key for p in graph.node_map[("survey", name)].parents if p.key[0] == "survey"]
    leaf = graph.leaf_nodes("survey")
    return before, ("survey", name), leaf


@pytest.mark.django_db(transaction=True)
def test_migration_gives_each_survey_an_organisation_of_its_own_and_loses_nothing():
    before, after, leaf = _organisations_migration()
    executor = MigrationExecutor(connection)
    executor.migrate([before])
    try:
        apps = executor.loader.project_state(before).apps
        User = apps.get_model("auth", "User")
        S, M = apps.get_model("survey", "Survey"), apps.get_model("survey", "Member")
        ann, ben = User.objects.create(username="ann"), User.objects.create(username="ben")
        titled = S.objects.create(slug="staff-2025", title="Staff survey 2025")
        untitled = S.objects.create(slug="pulse", title="")
        M.objects.create(survey=titled, user=ben, role="moderator")
        M.objects.create(survey=titled, user=ann, role="organiser")
        M.objects.create(survey=untitled, user=ben, role="organiser")
        lonely = S.objects.create(slug="nobody", title="")
        executor = MigrationExecutor(connection)
        executor.migrate([after])
        apps = executor.loader.project_state(after).apps
        S, M = apps.get_model("survey", "Survey"), apps.get_model("survey", "Member")
        OM = apps.get_model("survey", "OrganisationMember")
        rows = {s.slug: (s.organisation.slug, s.organisation.name) for s in S.objects.select_related("organisation")}
        assert rows == {
            "staff-2025": ("staff-2025", "Staff survey 2025"),
            "pulse": ("pulse", "ben's organisation"),
            "nobody": ("nobody", "nobody"),
        }
        assert set(OM.objects.values_list("organisation__slug", "user__username", "role")) == {
            ("staff-2025", "ann", "owner"),
            ("pulse", "ben", "owner"),
        }
        # Every per-survey role is still there.
        assert M.objects.count() == 3
        events = apps.get_model("survey", "AuditEvent").objects.filter(action="organisation.created")
        assert set(events.values_list("survey__slug", flat=True)) == {"staff-2025", "pulse", lonely.slug}
    finally:
        MigrationExecutor(connection).migrate(leaf)


def test_team_page_names_who_organises_through_the_organisation(organiser, survey, olive):
    html = organiser.get(reverse("survey:team", kwargs={"slug": SLUG})).content.decode()
    assert "Organising through Mind Union" in html and "olive@example.org (organiser)" in html


def test_load_survey_gives_the_survey_to_an_organisation_audited(db, tmp_path):
    from django.core.management import call_command

    from tests.factories import definition

    org = Organisation.objects.create(slug="mind-union", name="Mind Union")
    path = tmp_path / "s.json"
    path.write_text(__import__("json").dumps(definition()))
    with pytest.raises(CommandError, match="no organisation"):
        call_command("load_survey", str(path), organisation="nobody")
    assert not Survey.objects.filter(slug=SLUG).exists()  # refused before anything was loaded
    call_command("load_survey", str(path), organisation="mind-union")
    survey = Survey.objects.get(slug=SLUG)
    assert survey.organisation == org
    moved = AuditEvent.objects.get(survey=survey, action=AuditEvent.Action.SURVEY_ORGANISATION_CHANGED)
    assert moved.organisation == org and "none → Mind Union" in moved.detail
    call_command("load_survey", str(path), organisation="mind-union")  # loading again changes nothing
    assert AuditEvent.objects.filter(action=AuditEvent.Action.SURVEY_ORGANISATION_CHANGED).count() == 1
