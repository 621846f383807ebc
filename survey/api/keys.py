"""Personal API keys: created and revoked by their owner in the console,
shown once, kept only as an HMAC-SHA256 of the token.

A key reaches the surveys chosen for it, and only while its owner is still an
organiser of each; a read key never changes anything. Creating and revoking
are audited on every survey in the key's scope.
"""

import secrets

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac

from survey.models import ApiKey, AuditEvent, Member, Survey
from survey.refused import Refused

PREFIX = "cdr_"


class KeyRefused(Refused):
    pass


def token_digest(token: str) -> str:
    """The stored form of a token: keyed by SECRET_KEY, so a copy of the
    database alone cannot be used to test guesses."""
    return salted_hmac("candour.api-key", token, algorithm="sha256").hexdigest()


def organised_surveys(user: User):
    return Survey.objects.filter(members__user=user, members__role=Member.Role.ORGANISER).order_by("title")


@transaction.atomic
def create_key(*, acting_user: User, name: str, surveys: list[Survey], can_write: bool) -> tuple[ApiKey, str]:
    """A new key and its token (returned once, never stored)."""
    name = name.strip()
    if not name:
        raise KeyRefused("Give the key a name, so you can tell it apart later.")
    allowed = set(organised_surveys(acting_user).values_list("pk", flat=True))
    if not surveys or any(s.pk not in allowed for s in surveys):
        raise KeyRefused("Choose at least one of the surveys you organise.")
    token = PREFIX + secrets.token_urlsafe(32)
    key = ApiKey.objects.create(user=acting_user, name=name, digest=token_digest(token), can_write=can_write)
    key.surveys.set(surveys)
    access = "read and write" if can_write else "read only"
    AuditEvent.objects.bulk_create(
        AuditEvent(survey=s, user=acting_user, action=AuditEvent.Action.API_KEY_CREATED, detail=f'"{name}", {access}')
        for s in surveys
    )
    return key, token


@transaction.atomic
def revoke_key(*, acting_user: User, key_id: int) -> ApiKey:
    key = ApiKey.objects.select_for_update().filter(pk=key_id, user=acting_user, revoked_at=None).first()
    if key is None:
        raise KeyRefused("That key is already revoked, or is not yours.")
    key.revoked_at = timezone.now()
    key.save(update_fields=["revoked_at"])
    AuditEvent.objects.bulk_create(
        AuditEvent(survey=s, user=acting_user, action=AuditEvent.Action.API_KEY_REVOKED, detail=f'"{key.name}"')
        for s in key.surveys.all()
    )
    return key


def key_for_token(token: str) -> ApiKey | None:
    """The live key a token belongs to, or None."""
    if not token.startswith(PREFIX) or len(token) > 200:
        return None
    return ApiKey.objects.select_related("user").filter(digest=token_digest(token), revoked_at=None).first()


def survey_for_key(key: ApiKey, slug: str) -> Survey | None:
    """The survey, if it is in the key's scope and the key's owner still organises it."""
    return Survey.objects.filter(
        slug=slug, api_keys=key, members__user=key.user_id, members__role=Member.Role.ORGANISER
    ).first()


def surveys_for_key(key: ApiKey):
    return Survey.objects.filter(api_keys=key, members__user=key.user_id, members__role=Member.Role.ORGANISER).order_by(
        "slug"
    )


def audit_write(*, key: ApiKey, survey: Survey, what: str) -> None:
    """The service audits the change itself; this says it came through which key."""
    AuditEvent.objects.create(
        survey=survey, user=key.user, action=AuditEvent.Action.API_WRITE, detail=f'key "{key.name}": {what}'
    )


def add_to_scope(*, key: ApiKey, survey: Survey) -> None:
    key.surveys.add(survey)
