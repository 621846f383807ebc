"""Rate limits held only in the cache (Redis without persistence, or memory).

DESIGN rule 8: the client address is used in memory to pick a counter and
is never stored. Counters are fixed, clock-aligned windows: window number
floor(now / window), every counter of a window expiring at its end, so a
counter's lifetime says nothing about when its address first came. Its key
is an HMAC of the address under a key derived from SECRET_KEY and the
window number, so every web host computes the same keys while the cache
holds nothing (no salt) that would let its reader test an address against
them; a new window has keys unrelated to the last one's.
"""

import math
import time

from django.conf import settings
from django.core.cache import cache, caches
from django.core.cache.backends.redis import RedisCache
from django.http import HttpRequest
from django.utils.crypto import salted_hmac

# After a cache failure, skip rate limiting for a while rather than make
# every respondent wait on a dead Redis.
PAUSE_AFTER_FAILURE = 30.0
_paused_until = 0.0


def _available() -> bool:
    return time.monotonic() >= _paused_until


def _failed() -> None:
    global _paused_until
    _paused_until = time.monotonic() + PAUSE_AFTER_FAILURE


def _redis():
    """The Redis client behind the cache, or None for the in-memory cache."""
    backend = caches["default"]
    return backend._cache.get_client(write=True) if isinstance(backend, RedisCache) else None


def client_address(request: HttpRequest) -> str:
    """The client's address, for rate limiting only; never logged or stored."""
    if settings.SECURE_PROXY_SSL_HEADER:  # behind our own proxy: it appends the real address
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[-1].strip()
    return request.META.get("REMOTE_ADDR", "")


def counter_key(bucket: str, address: str, window: int, now: float | None = None) -> str:
    """The cache key counting ``address`` in ``bucket`` during the current
    ``window``-second window (named by its number)."""
    number = int((time.time() if now is None else now) // window)
    digest = salted_hmac(f"candour.ratelimit.{window}.{number}", address, algorithm="sha256").hexdigest()[:32]
    return f"rl:{bucket}:{number}:{digest}"


def _key(bucket: str, request: HttpRequest, window: int, now: float) -> str:
    return counter_key(bucket, client_address(request), window, now)


def _window_end(window: int, now: float) -> int:
    """The Unix time at which the current window ends (and its counters go)."""
    return (int(now // window) + 1) * window


def _parse(rate: str) -> tuple[int, int]:
    limit, window = rate.split("/")
    return int(limit), int(window)


def is_limited(bucket: str, request: HttpRequest, rate: str) -> bool:
    """True if this client has already used up ``rate`` ("count/seconds")."""
    limit, window = _parse(rate)
    if not _available():
        return False
    try:
        return (cache.get(_key(bucket, request, window, time.time())) or 0) >= limit
    except Exception:  # noqa: BLE001 - a cache outage must not stop anyone answering
        _failed()
        return False


def _count(key: str, window: int, now: float) -> int:
    """Add one to a counter that expires at the end of its window; its new value.
    With Redis, one round trip (a pipeline) and an absolute expiry (EXAT), the
    same instant for every counter of the window."""
    client = _redis()
    if client is None:
        if not cache.add(key, 1, math.ceil(_window_end(window, now) - now)):
            return cache.incr(key)
        return 1
    stored = cache.make_and_validate_key(key)
    pipe = client.pipeline(transaction=False)
    pipe.set(stored, 0, exat=_window_end(window, now), nx=True)
    pipe.incr(stored)
    return pipe.execute()[1]


def hit(bucket: str, request: HttpRequest, rate: str) -> None:
    """Count one event for this client in the current window."""
    _, window = _parse(rate)
    if not _available():
        return
    try:
        now = time.time()
        _count(_key(bucket, request, window, now), window, now)
    except Exception:  # noqa: BLE001
        _failed()


def take(bucket: str, request: HttpRequest, rate: str) -> bool:
    """Count one event for this client and say whether it is over ``rate``
    (refused events count too)."""
    return take_for(bucket, client_address(request), rate)


def take_for(bucket: str, ident: str, rate: str) -> bool:
    """``take`` for any identifier (a client address, or an e-mail address
    typed into a form): kept only as a keyed hash, in the same windows."""
    limit, window = _parse(rate)
    if not _available():
        return False
    try:
        now = time.time()
        return _count(counter_key(bucket, ident, window, now), window, now) > limit
    except Exception:  # noqa: BLE001 - a cache outage must not stop anyone answering
        _failed()
        return False
