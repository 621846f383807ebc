"""Forgot your password?: Django's reset views by e-mail, with their own
token (its own key and a life of an hour, not the team invitations' seven
days), throttled per typed address and per client address in clock-aligned
windows, answering the same whether or not the address has an account."""

import logging
import re
from datetime import datetime, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import PasswordResetTokenGenerator, default_token_generator
from django.core import mail
from django.core.cache import cache
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from survey.staff.signin import password_reset_tokens
from survey.staff.team import team_invitation_link

NEW_PASSWORD = "a brand new long passphrase"  # noqa: S105 - test value


@pytest.fixture
def dana(db):
    return get_user_model().objects.create_user(
        username="dana@example.org", email="dana@example.org", password="an old long passphrase"
    )


def ask(client, email, address="198.51.100.7"):
    return client.post(reverse("password-reset"), {"email": email}, REMOTE_ADDR=address)


def reset_link() -> str:
    return re.search(r"https?://testserver(\S+)", mail.outbox[-1].body)[1]


def test_sign_in_page_links_to_forgot_your_password(client, db):
    html = client.get(reverse("login")).content.decode()
    assert f'href="{reverse("password-reset")}">Forgot your password?</a>' in html


def test_the_answer_is_the_same_with_or_without_an_account(client, dana):
    known, unknown = ask(client, "dana@example.org"), ask(client, "nobody@example.org")
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"] == reverse("password-reset-done")
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["dana@example.org"]
    page = client.get(known["Location"]).content.decode()
    assert "If the address you gave belongs to a Candour account" in page


def test_the_link_sets_a_new_password_once(client, dana):
    ask(client, "DANA@example.org")
    link = reset_link()
    form = client.get(link, follow=True)
    assert form.context["validlink"]
    done = client.post(form.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert done.status_code == 302 and done["Location"] == reverse("login")
    dana.refresh_from_db()
    assert dana.check_password(NEW_PASSWORD)
    assert not client.get(link, follow=True).context["validlink"]  # used: it works once


def test_the_link_lives_an_hour_not_the_seven_days_of_an_invitation(client, dana, monkeypatch, settings):
    assert settings.PASSWORD_RESET_TIMEOUT == 7 * 24 * 3600 and settings.CANDOUR_PASSWORD_RESET_TIMEOUT == 3600
    ask(client, "dana@example.org")
    link = reset_link()
    uid = urlsafe_base64_encode(force_bytes(dana.pk))
    invitation = reverse("invitation-accept", kwargs={"uidb64": uid, "token": default_token_generator.make_token(dana)})
    now = datetime.now()
    monkeypatch.setattr(PasswordResetTokenGenerator, "_now", lambda self: now + timedelta(minutes=59))
    assert client.get(link, follow=True).context["validlink"]
    monkeypatch.setattr(PasswordResetTokenGenerator, "_now", lambda self: now + timedelta(minutes=61))
    assert not client.get(link, follow=True).context["validlink"]
    # An invitation made at the same moment still works: its own life, seven days.
    assert client.get(invitation, follow=True).context["validlink"]


def test_reset_and_invitation_tokens_do_not_open_each_others_pages(client, dana):
    uid = urlsafe_base64_encode(force_bytes(dana.pk))
    invitation = default_token_generator.make_token(dana)
    page = client.get(reverse("password-reset-confirm", kwargs={"uidb64": uid, "token": invitation}), follow=True)
    assert not page.context["validlink"]
    reset = password_reset_tokens.make_token(dana)
    page = client.get(reverse("invitation-accept", kwargs={"uidb64": uid, "token": reset}), follow=True)
    assert not page.context["validlink"]
    assert team_invitation_link(user=dana, site_url="http://testserver/")  # invitations still made as before


def test_requests_for_one_address_are_throttled_from_any_network(client, dana, settings):
    for i in range(3):
        assert ask(client, "dana@example.org", address=f"203.0.113.{i}").status_code == 302
    refused = ask(client, "dana@example.org", address="192.0.2.50")
    assert refused.status_code == 429 and "Nothing was sent" in refused.content.decode()
    assert len(mail.outbox) == 3
    # An address without an account is counted the same: the refusal tells nothing.
    for _ in range(3):
        ask(client, "ghost@example.org", address="192.0.2.60")
    assert ask(client, "ghost@example.org", address="192.0.2.61").status_code == 429


def test_requests_from_one_network_are_throttled_whatever_the_address(client, dana, caplog):
    caplog.set_level(logging.DEBUG)
    for i in range(20):
        assert ask(client, f"someone{i}@example.org", address="198.51.100.99").status_code == 302
    assert ask(client, "dana@example.org", address="198.51.100.99").status_code == 429
    assert not mail.outbox
    assert ask(client, "dana@example.org", address="198.51.100.100").status_code == 302
    # Counters are keyed hashes in clock-aligned windows: no address or e-mail in a key or a log line.
    keys = " ".join(str(k) for k in getattr(cache, "_cache", {}).keys())
    assert "198.51.100.99" not in keys and "dana@example.org" not in keys
    assert "198.51.100.99" not in caplog.text
