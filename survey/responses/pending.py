"""Waiting submissions are sealed at rest: Fernet under CANDOUR_PENDING_KEY.

The key comes from the environment, never from the database, so a dump or
a copy of the heap files shows only ciphertext. Several keys (comma
separated, newest first) are all accepted on reading: rotate by putting the
new key in front and dropping the old one once the pool has been mixed.
The plaintext is padded to a multiple of PAD bytes so that a ciphertext's
length tells little about the answers, and every token carries the same
timestamp (0) so that it holds no clock.
"""

import base64
import json

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.utils.crypto import salted_hmac

PAD = 512


def _keys() -> list[bytes]:
    configured = [k.strip() for k in settings.CANDOUR_PENDING_KEY.split(",") if k.strip()]
    if configured:
        return [k.encode() for k in configured]
    # Development default: derived from SECRET_KEY (production sets its own).
    return [base64.urlsafe_b64encode(salted_hmac("candour.pending-key", "v1", algorithm="sha256").digest())]


def _fernet() -> MultiFernet:
    return MultiFernet([Fernet(k) for k in _keys()])


def seal(answers: dict, token_hash: str) -> str:
    plain = json.dumps({"a": answers, "t": token_hash}, separators=(",", ":")).encode()
    plain += b" " * (-len(plain) % PAD)
    return _fernet().encrypt_at_time(plain, 0).decode()


def unseal(payload: str) -> tuple[dict, str]:
    """The answers and the form-token hash; raises InvalidToken for a payload no key opens."""
    data = json.loads(_fernet().decrypt(payload.encode()))
    return data["a"], data["t"]


__all__ = ["InvalidToken", "seal", "unseal"]
