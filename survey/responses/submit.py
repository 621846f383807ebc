"""Submitting a response: one transaction burns the form token and the
invitation code and stores the answers in the pending pool (DESIGN rules 1, 4, 8)."""

import hashlib
import hmac
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from survey.models import (
    InvitationCode,
    PendingSubmission,
    Survey,
    UsedFormToken,
)
from survey.responses.answers import AnswerValue


def form_token_hash(nonce: str) -> str:
    """Keyed hash of a form token's nonce: the nonce itself is never stored."""
    return hmac.new(settings.SECRET_KEY.encode(), nonce.encode(), hashlib.sha256).hexdigest()


class CodeAlreadyUsed(Exception):
    pass


def submit_response(
    *, survey: Survey, answers: dict[str, AnswerValue], nonce: str, invitation_hash: str | None = None
) -> bool:
    """Store one validated submission; return False if its form token was spent.

    One transaction burns the one-time form token, burns the invitation code
    (for code surveys) and stores the answers in the pending pool with the
    date only (DESIGN rules 1, 4 and 8). The code row keeps no link to the
    submission and no time. Raises CodeAlreadyUsed, storing nothing, if the
    code was spent by another submission. Nothing here talks to the broker.
    """
    try:
        with transaction.atomic():
            UsedFormToken.objects.create(token_hash=form_token_hash(nonce), used_on=timezone.localdate())
            if survey.access == Survey.Access.CODES:
                burned = InvitationCode.objects.filter(
                    survey=survey, code_hash=invitation_hash or "", used=False
                ).update(used=True)
                if burned != 1:
                    raise CodeAlreadyUsed
            PendingSubmission.objects.create(survey=survey, answers=answers, submitted_on=timezone.localdate())
            Survey.hold_min_group_size(survey.pk)  # from now on k may only be raised
    except IntegrityError:
        return False
    return True


def forget_spent_tokens() -> int:
    """Delete spent-token hashes too old to matter: a form state older than
    CANDOUR_FORM_TOKEN_MAX_AGE is refused anyway, so its token cannot replay."""
    keep_days = settings.CANDOUR_FORM_TOKEN_MAX_AGE // 86400 + 2
    cutoff = timezone.localdate() - timedelta(days=keep_days)
    deleted, _ = UsedFormToken.objects.filter(used_on__lt=cutoff).delete()
    return deleted
