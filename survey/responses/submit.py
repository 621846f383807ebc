"""Submitting a response: one statement-safe transaction burns the
invitation code and stores the sealed answers in the pending pool (DESIGN
rules 1, 4, 8).

Nothing here can fail in a way PostgreSQL logs with a token, a code hash or
an answer: a replayed form token is caught by INSERT ... ON CONFLICT DO
NOTHING, a spent code by a DELETE that finds nothing.
"""

import hashlib
import hmac
import uuid
from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from survey.definitions.format import PARTNER_KEY
from survey.models import InvitationCode, Survey, UsedFormToken
from survey.responses.answers import AnswerValue
from survey.responses.invitation_codes import code_partner
from survey.responses.pending import seal


def form_token_hash(nonce: str) -> str:
    """Keyed hash of a form token's nonce: the nonce itself is never stored."""
    return hmac.new(settings.SECRET_KEY.encode(), nonce.encode(), hashlib.sha256).hexdigest()


def pending_nonce_hash(nonce: str) -> str:
    """A second keyed hash of the nonce, for the pending row: it never equals the spent-token hash."""
    return hmac.new(settings.SECRET_KEY.encode(), b"pending:" + nonce.encode(), hashlib.sha256).hexdigest()


class CodeNotAccepted(Exception):
    """A well-formed code that is not (or no longer) among the survey's codes."""


def submit_response(
    *, survey: Survey, answers: dict[str, AnswerValue], nonce: str, invitation_hash: str | None = None
) -> bool:
    """Store one validated submission; return False if its form token was spent.

    One transaction deletes the invitation code (for code surveys) and
    stores the sealed answers in the pending pool with the date only (DESIGN
    rules 1, 4 and 8). The form token is not written here: the pending row
    carries a keyed hash of it under a unique constraint, and the
    UsedFormToken row is written by the mixer in a transaction of its own,
    so that a waiting row shares its xmin with no token and no code.
    Raises CodeNotAccepted, storing nothing, if the code is not there.
    Nothing here talks to the broker.

    In a joint survey whose partners are known from links and codes, a
    code's partner decides the partner question's answer: read here from the
    code row, whatever the form said, and gone with the row.
    """
    token = form_token_hash(nonce)
    today = timezone.localdate()
    with transaction.atomic():
        if survey.access == Survey.Access.CODES and survey.partners_from == Survey.PartnersFrom.LINK:
            partner = code_partner(survey=survey, hashed=invitation_hash)
            if partner is None:
                raise CodeNotAccepted  # not there, or from no partner's batch: nothing stored
            answers = {**answers, PARTNER_KEY: partner}
        if not _insert_pending(survey.pk, seal(answers, token), pending_nonce_hash(nonce), token, today):
            return False  # a replay (a double-click): the same thank-you, nothing stored
        if survey.access == Survey.Access.CODES:
            burned, _ = InvitationCode.objects.filter(survey=survey, code_hash=invitation_hash or "").delete()
            if burned != 1:
                raise CodeNotAccepted  # rolls the pending row back
    return True


def _insert_pending(survey_id: int, payload: str, nonce_hash: str, token: str, today) -> bool:
    """INSERT unless the token waits already (ON CONFLICT) or was spent (NOT EXISTS)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO survey_pendingsubmission (id, survey_id, payload, nonce_hash, submitted_on)"
            " SELECT %s, %s, %s, %s, %s WHERE NOT EXISTS"
            " (SELECT 1 FROM survey_usedformtoken WHERE token_hash = %s)"
            " ON CONFLICT (nonce_hash) DO NOTHING",
            [uuid.uuid4().hex, survey_id, payload, nonce_hash, today, token],
        )
        return cursor.rowcount == 1


def spend_tokens(token_hashes: list[str], day) -> None:
    """Record spent form tokens (the mixer, in a transaction of its own)."""
    UsedFormToken.objects.bulk_create(
        [UsedFormToken(token_hash=t, used_on=day) for t in token_hashes], ignore_conflicts=True
    )


def forget_spent_tokens() -> int:
    """Delete spent-token hashes too old to matter: a form state older than
    CANDOUR_FORM_TOKEN_MAX_AGE is refused anyway, so its token cannot replay."""
    keep_days = settings.CANDOUR_FORM_TOKEN_MAX_AGE // 86400 + 2
    cutoff = timezone.localdate() - timedelta(days=keep_days)
    deleted, _ = UsedFormToken.objects.filter(used_on__lt=cutoff).delete()
    return deleted
