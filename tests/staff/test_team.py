"""A survey's team: invitations by e-mail, pending until a password is set."""

import re

from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse

from survey.models import AuditEvent, Member

SLUG = "therapy-2026"
LINK = re.compile(r"http://testserver(/accounts/invitation/\S+/)")


def invite(client, email, role="moderator", **extra):
    with_callbacks = extra.pop("capture")
    with with_callbacks(execute=True):
        return client.post(reverse("survey:team", kwargs={"slug": SLUG}), {"email": email, "role": role})


def test_invited_person_sets_a_password_through_the_link_once(
    organiser, client, survey, django_capture_on_commit_callbacks
):
    response = invite(organiser, "Dana@Example.org", capture=django_capture_on_commit_callbacks)
    assert response.status_code == 302
    assert mail.outbox[0].to == ["dana@example.org"] and "moderator" in mail.outbox[0].body
    dana = get_user_model().objects.get(email="dana@example.org")
    assert Member.objects.filter(survey=survey, user=dana, role="moderator").exists()
    page = organiser.get(reverse("survey:team", kwargs={"slug": SLUG}))
    assert "Invitation pending" in page.content.decode()

    link = LINK.search(mail.outbox[0].body).group(1)
    client.logout()
    form_page = client.get(link, follow=True)
    assert form_page.context["validlink"]
    done = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "a long new passphrase", "new_password2": "a long new passphrase"},
    )
    assert done.status_code == 302
    dana.refresh_from_db()
    assert dana.check_password("a long new passphrase")
    # The link works once.
    assert not client.get(link, follow=True).context["validlink"]
    assert AuditEvent.objects.filter(
        survey=survey, action="team.invited", detail="dana@example.org (moderator)"
    ).exists()


def test_inviting_someone_with_an_account_gives_the_role_without_a_password_link(
    organiser, survey, charlie, django_capture_on_commit_callbacks
):
    charlie.email = "charlie@example.org"
    charlie.save()
    invite(organiser, "charlie@example.org", role="organiser", capture=django_capture_on_commit_callbacks)
    assert Member.objects.filter(survey=survey, user=charlie, role="organiser").exists()
    assert "/accounts/invitation/" not in mail.outbox[0].body
    again = invite(organiser, "charlie@example.org", role="organiser", capture=django_capture_on_commit_callbacks)
    assert again.status_code == 400 and "already" in again.context["form"].errors["email"][0]


def test_the_last_organiser_cannot_be_removed(organiser, alice, survey):
    member = Member.objects.get(survey=survey, user=alice)
    organiser.post(reverse("survey:member-remove", kwargs={"slug": SLUG, "member_id": member.pk}), {"confirmed": "yes"})
    assert Member.objects.filter(pk=member.pk).exists()


def test_removing_a_moderator_is_recorded(organiser, bob, survey):
    member = Member.objects.get(survey=survey, user=bob)
    organiser.post(reverse("survey:member-remove", kwargs={"slug": SLUG, "member_id": member.pk}), {"confirmed": "yes"})
    assert not Member.objects.filter(pk=member.pk).exists()
    assert AuditEvent.objects.filter(survey=survey, action="team.removed").exists()


def test_a_newline_in_the_title_neither_breaks_nor_loses_the_invitation(
    organiser, survey, django_capture_on_commit_callbacks, settings
):
    from survey.models import Survey

    Survey.objects.filter(pk=survey.pk).update(title="Ward 7\nsurvey")
    response = invite(organiser, "erin@example.org", capture=django_capture_on_commit_callbacks)
    assert response.status_code == 302
    assert mail.outbox[0].subject == "Candour: Ward 7 survey"
    # A mail server that refuses: the invitation stands, to be sent again from the team page.
    settings.EMAIL_BACKEND = "tests.staff.test_team.RefusingBackend"
    assert invite(organiser, "fay@example.org", capture=django_capture_on_commit_callbacks).status_code == 302
    assert Member.objects.filter(survey=survey, user__email="fay@example.org").exists()


class RefusingBackend:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError("SMTP is down")
