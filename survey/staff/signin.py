"""Staff sign-in: throttled by django-axes, with optional TOTP two-factor (django-otp).

Axes counts failures per username only and keeps its counters in the cache,
never in the database: a sign-in page is reachable by respondents too, and
no address of anyone's is stored or logged (DESIGN rule 1).
"""

import segno
from django import forms
from django.conf import settings
from django.contrib.auth import user_login_failed
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.db import transaction
from django.utils.http import base36_to_int
from django_otp import match_token, user_has_device
from django_otp.plugins.otp_totp.models import TOTPDevice

from survey.models import AuditEvent
from survey.responses import ratelimit


def axes_client_str(username, ip_address, user_agent, path_info, request) -> str:
    """What axes writes in its log lines: the username, never an address."""
    return f"username {username!r}"


class SignInForm(AuthenticationForm):
    otp_token = forms.CharField(
        label="Code from your authenticator app",
        required=False,
        max_length=8,
        help_text="Only if you have turned on two-factor sign-in.",
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )

    def clean(self):
        cleaned = super().clean()
        user = self.get_user()
        if user is not None and user_has_device(user, confirmed=True):
            one_time_password = (cleaned.get("otp_token") or "").replace(" ", "")
            device = match_token(user, one_time_password) if one_time_password else None
            if device is None:
                # A wrong code counts as a failed sign-in, so axes throttles guessing it.
                user_login_failed.send(
                    sender=type(self), credentials={"username": user.get_username()}, request=self.request
                )
                raise forms.ValidationError(
                    "Enter the current six-digit code from your authenticator app.", code="otp_required"
                )
            # django-otp marks the session verified on sign-in when the user carries this.
            user.otp_device = device
        return cleaned


def qr_data_uri(data: str) -> str:
    """A QR code as an SVG data: URI for an <img> (no inline markup or style)."""
    return segno.make(data, error="m").svg_data_uri(scale=5)


def pending_device(*, user) -> TOTPDevice:
    """The unconfirmed device a person is setting up (made on first visit)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    return device or TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)


@transaction.atomic
def confirm_two_factor(*, user, one_time_password: str) -> bool:
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None or not device.verify_token(one_time_password.replace(" ", "")):
        return False
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    AuditEvent.objects.create(user=user, action=AuditEvent.Action.TWO_FACTOR_ON)
    return True


@transaction.atomic
def turn_off_two_factor(*, user, one_time_password: str) -> bool:
    if match_token(user, one_time_password.replace(" ", "")) is None:
        return False
    TOTPDevice.objects.filter(user=user).delete()
    AuditEvent.objects.create(user=user, action=AuditEvent.Action.TWO_FACTOR_OFF)
    return True


# --- "Forgot your password?" ---------------------------------------------------


class PasswordResetTokens(PasswordResetTokenGenerator):
    """Reset links: their own key (a team invitation's token never opens a
    reset page, nor the reverse) and their own life,
    CANDOUR_PASSWORD_RESET_TIMEOUT, shorter than the invitations' seven days
    (PASSWORD_RESET_TIMEOUT, which Django's generator checks for every token).
    Like an invitation, a link stops working once the password changes or
    the person signs in."""

    key_salt = "candour.staff.signin.PasswordResetTokens"

    def check_token(self, user, token) -> bool:
        if not super().check_token(user, token):
            return False
        issued = base36_to_int(token.split("-")[0])
        return self._num_seconds(self._now()) - issued <= settings.CANDOUR_PASSWORD_RESET_TIMEOUT


password_reset_tokens = PasswordResetTokens()


def reset_request_allowed(*, request, email: str) -> bool:
    """Count a reset request per typed address and per client address, in
    clock-aligned windows held only in the cache as keyed hashes (DESIGN
    rule 8); False once either is over its rate. Every address counts the
    same, with or without an account, so the answer tells nothing."""
    over_network = ratelimit.take("password-reset", request, settings.CANDOUR_PASSWORD_RESET_NETWORK_RATE)
    over_account = ratelimit.take_for(
        "password-reset-account", email.strip().lower(), settings.CANDOUR_PASSWORD_RESET_ACCOUNT_RATE
    )
    return not (over_network or over_account)
