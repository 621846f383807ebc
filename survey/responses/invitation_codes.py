"""Invitation codes: generated in batches, stored only as keyed hashes.

A code is 12 characters from an alphabet without look-alikes (no 0/O, 1/I/L,
U/V, Z/2), printed in groups of four: 11 random characters (about 53 bits) and a
Luhn mod-N check character, so a mistyped code is told apart from an
unknown one without asking the database.
"""

import hashlib
import hmac
import random
import secrets

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import F
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext
from stdnum import luhn

from survey.models import AuditEvent, InvitationCode, Partner, Survey
from survey.refused import Refused

# 28 symbols: Luhn mod N catches every single substitution only for an even N.
ALPHABET = "ABCDEFGHJKMNPQRSTWXY23456789"
RANDOM_LENGTH = 11
MAX_BATCH = 5000
_shuffle = random.SystemRandom().shuffle


class CodeError(Refused):
    pass


def check_character(body: str) -> str:
    """Luhn mod N: detects any single wrong character and most swaps."""
    return luhn.calc_check_digit(body, alphabet=ALPHABET)


def normalise(typed: str) -> str:
    """Upper-case and drop the spaces and dashes people type."""
    return "".join(ch for ch in typed.upper() if ch.isalnum())


def format_code(code: str) -> str:
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def _key() -> bytes:
    if settings.CANDOUR_CODE_KEY:
        return settings.CANDOUR_CODE_KEY.encode()
    return salted_hmac("candour.invitation-code-key", "v1").digest()


def code_hash(code: str) -> str:
    return hmac.new(_key(), code.encode(), hashlib.sha256).hexdigest()


def validate_code(typed: str) -> str:
    """Return the code's hash, or raise CodeError saying what is wrong with it."""
    code = normalise(typed)
    if not code:
        raise CodeError(gettext("Please enter the invitation code you were given."))
    if len(code) != RANDOM_LENGTH + 1 or any(ch not in ALPHABET for ch in code):
        raise CodeError(
            gettext("That is not an invitation code: codes have 12 letters and digits, like ABCD-EFGH-JKMN.")
        )
    if check_character(code[:-1]) != code[-1]:
        raise CodeError(gettext("That code has a typing mistake in it. Please check it and try again."))
    return code_hash(code)


def new_code() -> str:
    body = "".join(secrets.choice(ALPHABET) for _ in range(RANDOM_LENGTH))
    return body + check_character(body)


@transaction.atomic
def generate_codes(*, survey: Survey, count: int, acting_user: User, partner: Partner | None = None) -> list[str]:
    """Create ``count`` codes and return them formatted; they are never shown again.

    A joint survey whose partners are known from their links issues codes in
    batches per partner: a code's respondent counts for its partner (the
    code row says which, and goes when the code is used)."""
    if not 1 <= count <= MAX_BATCH:
        raise CodeError(f"A batch holds between 1 and {MAX_BATCH} codes.")
    if survey.partners_from == Survey.PartnersFrom.LINK:
        if partner is None or partner.survey_id != survey.pk:
            raise CodeError("Choose which partner this batch of codes is for: its respondents count for that partner.")
    elif partner is not None:
        raise CodeError("Only a joint survey whose partners are known from their links has codes per partner.")
    codes = [new_code() for _ in range(count)]
    # Rows go in shuffled, keyed by the hash: neither their order nor a key follows the printed list.
    rows = [InvitationCode(survey=survey, code_hash=code_hash(c), partner=partner) for c in codes]
    _shuffle(rows)
    InvitationCode.objects.bulk_create(rows)
    Survey.objects.filter(pk=survey.pk).update(codes_issued=F("codes_issued") + count)
    AuditEvent.objects.create(
        survey=survey,
        organisation=partner.organisation if partner else None,
        user=acting_user,
        action=AuditEvent.Action.CODES_GENERATED,
        detail=f"{count} codes" + (f" for {partner.organisation.name}" if partner else ""),
    )
    return [format_code(c) for c in codes]


def code_partner(*, survey: Survey, hashed: str | None) -> str | None:
    """The organisation slug of the partner whose batch an unused code is
    from; None if the code is not there (or is from no partner's batch)."""
    codes = InvitationCode.objects.filter(survey=survey, code_hash=hashed or "")
    return codes.values_list("partner__organisation__slug", flat=True).first()


def code_status(*, survey: Survey, hashed: str) -> str:
    """ "ok" for a code of this survey not yet used, else "not_accepted".

    A burned code leaves no row, so "already used" and "never issued" are one answer.
    """
    return "ok" if InvitationCode.objects.filter(survey=survey, code_hash=hashed).exists() else "not_accepted"
