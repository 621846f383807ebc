"""A survey's team: organisers and moderators, invited by e-mail address.

An invited person without an account gets one with no usable password and
a link to set it (Django's password-reset token: single use, it stops
working once a password is set, and expires after PASSWORD_RESET_TIMEOUT).
Until then their membership is listed as a pending invitation.
"""

import logging

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from survey.models import AuditEvent, Member, Survey
from survey.refused import Refused
from survey.staff.permissions import organisers_of

logger = logging.getLogger(__name__)


class TeamRefused(Refused):
    pass


def team_invitation_link(*, user, site_url: str) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    path = reverse("invitation-accept", kwargs={"uidb64": uid, "token": default_token_generator.make_token(user)})
    return site_url.rstrip("/") + path


def is_pending(user) -> bool:
    return not user.has_usable_password()


def _send_invitation(subject: str, body: str, email: str) -> None:
    """Send an invitation after its membership is committed. A mail failure
    must not turn a done invitation into an error page: the member stays on
    the team, pending, and "Send a new invitation link" sends another."""
    try:
        send_mail(subject, body, None, [email])
    except Exception:  # noqa: BLE001 - SMTP down, refused, ...: the invitation itself stands
        logger.warning("A team invitation e-mail could not be sent; send a new link from the team page.")


@transaction.atomic
def invite_member(*, survey: Survey, email: str, role: str, acting_user: User, site_url: str) -> Member:
    """Add ``email`` to the survey's team with ``role`` and tell them by e-mail.

    Inviting a pending person again sends a fresh link.
    """
    email = email.strip().lower()
    User = get_user_model()
    user = User.objects.filter(email__iexact=email).first() or User.objects.filter(username__iexact=email).first()
    if user is None:
        user = User(username=email, email=email)
        user.set_unusable_password()
        user.save()
    member, created = Member.objects.get_or_create(survey=survey, user=user, role=role)
    if not created and not is_pending(user):
        raise TeamRefused(f"{email} is already a {member.get_role_display().lower()} of this survey.")
    role_name = member.get_role_display().lower()
    if is_pending(user):
        link = team_invitation_link(user=user, site_url=site_url)
        body = (
            f"{acting_user.get_username()} has invited you to be a {role_name} of the survey "
            f'"{survey.title}" on Candour.\n\nChoose your password here to accept (the link works once):\n{link}\n'
        )
    else:
        body = (
            f"{acting_user.get_username()} has made you a {role_name} of the survey "
            f'"{survey.title}" on Candour. Sign in as usual to see it.\n'
        )
    # Sent after commit, so a rolled-back invitation sends nothing.
    subject = " ".join(f"Candour: {survey.title}".split())  # a header holds no newline
    transaction.on_commit(lambda: _send_invitation(subject, body, email))
    AuditEvent.objects.create(
        survey=survey,
        user=acting_user,
        action=AuditEvent.Action.TEAM_INVITED if created else AuditEvent.Action.TEAM_REINVITED,
        detail=f"{email} ({role})",
    )
    return member


@transaction.atomic
def remove_member(*, survey: Survey, member_id: int, acting_user: User) -> None:
    member = Member.objects.select_related("user").filter(survey=survey, pk=member_id).first()
    if member is None:
        raise TeamRefused("That person is not on this survey's team.")
    others = organisers_of(survey).exclude(pk=member.user_id)
    if member.role == Member.Role.ORGANISER and not others.exists():
        raise TeamRefused("A survey keeps at least one organiser.")
    member.delete()
    AuditEvent.objects.create(
        survey=survey,
        user=acting_user,
        action=AuditEvent.Action.TEAM_REMOVED,
        detail=f"{member.user.email} ({member.role})",
    )
