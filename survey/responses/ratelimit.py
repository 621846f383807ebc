"""Rate limits held only in the cache (Redis without persistence, or memory).

DESIGN rule 8: the client address is used in memory to pick a counter and
is never stored. Counter keys are HMACs of the address under a random salt
that lives in the cache and expires (rotates) every hour; once it is gone,
no key can be turned back into an address, not even by brute force over
all IPv4 addresses.
"""

import hashlib
import hmac
import secrets
import time

from django.conf import settings
from django.core.cache import cache, caches
from django.core.cache.backends.redis import RedisCache
from django.http import HttpRequest

SALT_KEY = "rl:salt"
SALT_LIFETIME = 3600
# After a cache failure, skip rate limiting for a while rather than make
# every respondent wait on a dead Redis.
PAUSE_AFTER_FAILURE = 30.0
_paused_until = 0.0


def _available() -> bool:
    return time.monotonic() >= _paused_until


def _failed() -> None:
    global _paused_until
    _paused_until = time.monotonic() + PAUSE_AFTER_FAILURE


# The salt as last read from the cache, kept in this process no longer than
# the cache keeps it (its remaining lifetime), so that rotation still forgets it.
_local_salt: tuple[bytes, float] | None = None


def _redis():
    """The Redis client behind the cache, or None for the in-memory cache."""
    backend = caches["default"]
    return backend._cache.get_client(write=True) if isinstance(backend, RedisCache) else None


def _salt() -> bytes:
    global _local_salt
    if _local_salt is not None and time.monotonic() < _local_salt[1]:
        return _local_salt[0]
    cache.add(SALT_KEY, secrets.token_hex(32), SALT_LIFETIME)
    salt, lifetime = cache.get(SALT_KEY), SALT_LIFETIME
    client = _redis()
    if client is not None:
        lifetime = client.ttl(cache.make_and_validate_key(SALT_KEY))
    salt = (salt or secrets.token_hex(32)).encode()
    _local_salt = (salt, time.monotonic() + max(0, min(lifetime, SALT_LIFETIME) - 1))
    return salt


def forget_salt() -> None:
    """Drop this process's copy of the salt (tests rotate it between cases)."""
    global _local_salt
    _local_salt = None


def client_address(request: HttpRequest) -> str:
    """The client's address, for rate limiting only; never logged or stored."""
    if settings.SECURE_PROXY_SSL_HEADER:  # behind our own proxy: it appends the real address
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[-1].strip()
    return request.META.get("REMOTE_ADDR", "")


def _key(bucket: str, request: HttpRequest) -> str:
    digest = hmac.new(_salt(), client_address(request).encode(), hashlib.sha256).hexdigest()[:32]
    return f"rl:{bucket}:{digest}"


def _parse(rate: str) -> tuple[int, int]:
    limit, window = rate.split("/")
    return int(limit), int(window)


def is_limited(bucket: str, request: HttpRequest, rate: str) -> bool:
    """True if this client has already used up ``rate`` ("count/seconds")."""
    limit, _ = _parse(rate)
    if not _available():
        return False
    try:
        return (cache.get(_key(bucket, request)) or 0) >= limit
    except Exception:  # noqa: BLE001 - a cache outage must not stop anyone answering
        _failed()
        return False


def hit(bucket: str, request: HttpRequest, rate: str) -> None:
    """Count one event for this client; the counter expires after the window."""
    _, window = _parse(rate)
    if not _available():
        return
    try:
        key = _key(bucket, request)
        if not cache.add(key, 1, window):
            cache.incr(key)
    except Exception:  # noqa: BLE001
        _failed()


def take(bucket: str, request: HttpRequest, rate: str) -> bool:
    """Count one event for this client and say whether it is over ``rate``:
    one round trip to Redis (a pipeline), counting refused events too."""
    limit, window = _parse(rate)
    if not _available():
        return False
    try:
        key = _key(bucket, request)
        client = _redis()
        if client is None:
            if not cache.add(key, 1, window):
                return cache.incr(key) > limit
            return 1 > limit
        stored = cache.make_and_validate_key(key)
        pipe = client.pipeline(transaction=False)
        pipe.set(stored, 0, ex=window, nx=True)
        pipe.incr(stored)
        return pipe.execute()[1] > limit
    except Exception:  # noqa: BLE001 - a cache outage must not stop anyone answering
        _failed()
        return False
