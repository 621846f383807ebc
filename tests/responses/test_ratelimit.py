"""Rate-limit counters date nothing and cannot be tested against an address
with what the cache holds (DESIGN rule 8)."""

import hashlib
import hmac
import pickle
import time

from django.core.cache import cache, caches
from django.core.cache.backends.redis import RedisCache
from django.test import RequestFactory

from survey.responses import ratelimit
from tests.faults.helpers import need

WINDOW = 3600


def request_from(address: str):
    return RequestFactory().post("/", REMOTE_ADDR=address)


def stored() -> dict[str, object]:
    """Every key the cache holds, with its value (unpickled where pickled)."""
    if isinstance(caches["default"], RedisCache):
        client = caches["default"]._cache.get_client()
        raw = {k.decode(): client.get(k) for k in client.keys("*")}
    else:
        raw = dict(caches["default"]._cache)
    items = {}
    for key, value in raw.items():
        try:
            items[key] = pickle.loads(value)
        except Exception:  # noqa: BLE001 - an int counter, stored as plain digits in Redis
            items[key] = value
    return items


def test_counters_of_one_window_expire_together(settings):
    need(isinstance(caches["default"], RedisCache), "needs Redis (REDIS_URL)")
    client = caches["default"]._cache.get_client()
    for _attempt in range(3):  # a window boundary between the two hits: try again
        cache.clear()
        window = int(time.time() // WINDOW)
        ratelimit.take("submit", request_from("203.0.113.1"), f"10/{WINDOW}")
        time.sleep(1.5)
        ratelimit.take("submit", request_from("203.0.113.2"), f"10/{WINDOW}")
        if int(time.time() // WINDOW) == window:
            break
    keys = [k for k in client.keys("*") if b":rl:submit:" in k]
    assert len(keys) == 2
    now = time.time()
    ends = [now + client.pttl(k) / 1000 for k in keys]
    # The same expiry instant for both, whenever each address came: the end of the window.
    assert abs(ends[0] - ends[1]) < 1
    assert abs(ends[0] - (window + 1) * WINDOW) < 1


def test_nothing_in_the_cache_lets_one_test_an_address(settings):
    address = "203.0.113.77"
    ratelimit.take("submit", request_from(address), f"10/{WINDOW}")
    ratelimit.hit("code", request_from(address), "20/900")
    items = stored()
    counters = [k for k in items if ":rl:" in k]
    assert len(counters) == 2
    assert not any("salt" in k for k in items)
    # No stored value works as the key of the address's counter.
    for value in items.values():
        secret = value if isinstance(value, bytes) else str(value).encode()
        digest = hmac.new(secret, address.encode(), hashlib.sha256).hexdigest()[:32]
        assert not any(digest in k for k in counters)
    # The key comes from SECRET_KEY (every web host computes the same) ...
    key = ratelimit.counter_key("submit", address, WINDOW)
    assert any(k.endswith(key) for k in counters)
    # ... and without it cannot be reproduced.
    settings.SECRET_KEY = "another-secret-key-" + "x" * 40
    assert ratelimit.counter_key("submit", address, WINDOW) != key


def digest(key: str) -> str:
    return key.rsplit(":", 1)[1]


def test_counter_keys_change_with_every_window(settings):
    """Keys are HMACs under a key of the window's number: one window's keys
    say nothing about the next's, so an address is not followed across
    windows by a key that stays the same."""
    address = "203.0.113.9"
    now = time.time()
    keys = [ratelimit.counter_key("submit", address, WINDOW, now + i * WINDOW) for i in range(50)]
    assert len({digest(k) for k in keys}) == 50
    ratelimit.take("submit", request_from(address), f"10/{WINDOW}")
    counters = [k for k in stored() if ":rl:submit:" in k]
    assert len(counters) == 1
    current = ratelimit.counter_key("submit", address, WINDOW)
    assert counters[0].endswith(current)
    assert not any(digest(counters[0]) == digest(k) for k in keys if k != current)


def test_behind_our_proxy_the_address_is_the_one_the_proxy_appended(settings):
    """X-Forwarded-For's first hops are whatever the client sent; only the
    last is our proxy's. Spoofed first hops do not escape the limit."""
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

    def through_proxy(sent: str, real: str):
        return RequestFactory().post("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=f"{sent}, {real}")

    taken = [ratelimit.take("submit", through_proxy(f"192.0.2.{i}", "198.51.100.7"), "2/3600") for i in range(4)]
    assert taken == [False, False, True, True]
    assert ratelimit.take("submit", through_proxy("192.0.2.1", "198.51.100.8"), "2/3600") is False
    assert ratelimit.client_address(through_proxy("192.0.2.1", "198.51.100.8")) == "198.51.100.8"
    # Not behind a proxy: the header is the client's own words and is ignored.
    settings.SECURE_PROXY_SSL_HEADER = None
    assert ratelimit.client_address(through_proxy("192.0.2.1", "198.51.100.8")) == "10.0.0.2"
