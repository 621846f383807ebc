"""Staff sign-in: throttled by django-axes (per username, nothing stored or
logged about the address), with optional TOTP two-factor (django-otp)."""

import logging

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

PASSWORD = "correct horse battery"  # noqa: S105 - the fixtures' password


def sign_in(client, username, password, token="", address="198.51.100.23"):
    data = {"username": username, "password": password, "otp_token": token}
    return client.post(reverse("login"), data, REMOTE_ADDR=address)


def current_token(device: TOTPDevice, drift: int = 0) -> str:
    """The code an authenticator app shows now (drift=1: in the next 30 s step,
    which django-otp also accepts; a code once used is never accepted again)."""
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=drift):06d}"


def test_sign_in_works_and_nothing_about_the_address_is_stored_or_logged(client, alice, caplog):
    caplog.set_level(logging.DEBUG)
    for _ in range(2):
        assert sign_in(client, "alice", "wrong").status_code == 200
    assert sign_in(client, "alice", PASSWORD).status_code == 302
    assert not AccessAttempt.objects.exists() and not AccessLog.objects.exists()
    assert not AccessFailureLog.objects.exists()
    assert "198.51.100.23" not in caplog.text


@pytest.mark.django_db
def test_guessing_locks_the_account_even_from_other_addresses(client, alice):
    for i in range(5):
        sign_in(client, "alice", f"guess {i}", address=f"203.0.113.{i}")
    locked = sign_in(client, "alice", PASSWORD, address="192.0.2.9")
    assert locked.status_code == 429 and b"Too many attempts" in locked.content
    assert "_auth_user_id" not in client.session


def test_two_factor_turned_on_then_required_at_sign_in(client, alice):
    client.force_login(alice)
    page = client.get(reverse("two-factor"))
    assert page.status_code == 200 and b"data:image/svg+xml" in page.content
    device = TOTPDevice.objects.get(user=alice, confirmed=False)
    wrong = f"{(int(current_token(device)) + 1) % 1_000_000:06d}"
    assert client.post(reverse("two-factor"), {"token": wrong}).status_code == 400
    device.refresh_from_db()
    device.throttle_reset()  # django-otp makes the next try wait after a wrong code
    client.post(reverse("two-factor"), {"token": current_token(device)})
    device.refresh_from_db()
    assert device.confirmed
    client.logout()

    without = sign_in(client, "alice", PASSWORD)
    assert without.status_code == 200 and "_auth_user_id" not in client.session
    assert "authenticator app" in without.context["form"].non_field_errors()[0]
    device.refresh_from_db()
    with_code = sign_in(client, "alice", PASSWORD, token=current_token(device, drift=1))
    assert with_code.status_code == 302
    assert client.session.get("otp_device_id") == device.persistent_id


def test_wrong_codes_count_towards_the_lock(client, alice):
    device = TOTPDevice.objects.create(user=alice, name="app", confirmed=True)
    wrong = f"{(int(current_token(device)) + 1) % 1_000_000:06d}"
    for _ in range(5):
        sign_in(client, "alice", PASSWORD, token=wrong)
    assert sign_in(client, "alice", PASSWORD, token=current_token(device)).status_code == 429


def test_admin_sign_in_goes_through_the_same_throttled_page(client):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302 and response["Location"] == "/accounts/login/?next=/admin/"
