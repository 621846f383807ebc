"""Staff sign-in: throttled by django-axes, with optional TOTP two-factor (django-otp).

Axes counts failures per username only and keeps its counters in the cache,
never in the database: a sign-in page is reachable by respondents too, and
no address of anyone's is stored or logged (DESIGN rule 1).
"""

import segno
from django import forms
from django.contrib.auth import user_login_failed
from django.contrib.auth.forms import AuthenticationForm
from django.db import transaction
from django_otp import match_token, user_has_device
from django_otp.plugins.otp_totp.models import TOTPDevice

from survey.models import AuditEvent


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
