"""Staff accounts: sign-in, accepting an invitation, two-factor set-up, and a survey's team."""

import base64

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import user_has_device

from survey.models import Member, Survey
from survey.staff import signin as accounts
from survey.staff import team
from survey.staff.permissions import member_required
from survey.web.confirm import confirm_first
from survey.web.forms import InviteForm, TokenForm
from survey.web.refusals import refusal_as_message


class SignInView(auth_views.LoginView):
    form_class = accounts.SignInForm


class PasswordResetView(auth_views.PasswordResetView):
    """Django's reset by e-mail, with Candour's own tokens and throttle. The
    next page says the same whether or not the address has an account."""

    token_generator = accounts.password_reset_tokens
    email_template_name = "registration/password_reset_email.txt"
    subject_template_name = "registration/password_reset_subject.txt"
    success_url = reverse_lazy("password-reset-done")

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "minutes": settings.CANDOUR_PASSWORD_RESET_TIMEOUT // 60}

    def form_valid(self, form):
        if not accounts.reset_request_allowed(request=self.request, email=form.cleaned_data["email"]):
            return render(self.request, "registration/password_reset_throttled.html", status=429)
        self.extra_email_context = {"minutes": settings.CANDOUR_PASSWORD_RESET_TIMEOUT // 60}
        return super().form_valid(form)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    token_generator = accounts.password_reset_tokens
    success_url = reverse_lazy("login")

    def form_valid(self, form):
        messages.success(self.request, "Your new password is set. Sign in with it.")
        return super().form_valid(form)


class TeamInvitationAcceptView(auth_views.PasswordResetConfirmView):
    """Django's password-reset confirmation, worded as accepting an invitation."""

    template_name = "registration/invitation_accept.html"
    success_url = reverse_lazy("login")
    reset_url_token = "set-password"  # noqa: S105 - a URL segment, not a secret

    def form_valid(self, form):
        messages.success(self.request, "Your password is set. Sign in to see your surveys.")
        return super().form_valid(form)


@require_http_methods(["GET", "POST"])
@login_required
def two_factor(request):
    user = request.user
    enabled = user_has_device(user, confirmed=True)
    form = TokenForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        token = form.cleaned_data["token"]
        done = (
            accounts.turn_off_two_factor(user=user, one_time_password=token)
            if enabled
            else accounts.confirm_two_factor(user=user, one_time_password=token)
        )
        if done:
            messages.success(request, "Two-factor sign-in is " + ("off." if enabled else "on."))
            return redirect("two-factor")
        form.add_error("token", "That code is not right: enter the code your app shows now.")
    context = {"form": form, "enabled": enabled}
    if not enabled:
        device = accounts.pending_device(user=user)
        context.update(qr=accounts.qr_data_uri(device.config_url), secret=base64.b32encode(device.bin_key).decode())
    return render(request, "registration/two_factor.html", context, status=400 if form.errors else 200)


def _team_page(request, survey: Survey, form, status=200):
    members = Member.objects.filter(survey=survey).select_related("user").order_by("role", "user__email")
    rows = [{"member": m, "pending": team.is_pending(m.user)} for m in members]
    return render(request, "survey/console/team.html", {"survey": survey, "form": form, "rows": rows}, status=status)


@require_http_methods(["GET", "POST"])
@member_required(Member.Role.ORGANISER)
def team_page(request, survey: Survey):
    form = InviteForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            team.invite_member(
                survey=survey,
                acting_user=request.user,
                site_url=request.build_absolute_uri("/"),
                **form.cleaned_data,
            )
        except team.TeamRefused as exc:
            form.add_error("email", str(exc))
        else:
            messages.success(request, f"Invitation sent to {form.cleaned_data['email']}.")
            return redirect("survey:team", slug=survey.slug)
    return _team_page(request, survey, form, status=400 if form.errors else 200)


@require_POST
@member_required(Member.Role.ORGANISER)
def member_remove(request, survey: Survey, member_id: int):
    member = Member.objects.select_related("user").filter(survey=survey, pk=member_id).first()
    if member is not None:
        role = member.get_role_display().lower()
        asking = confirm_first(
            request,
            survey=survey,
            title=f"Remove {member.user.email or member.user.get_username()} from the team?",
            consequences=[
                f"They stop being {'an' if role[0] in 'aeiou' else 'a'} {role} of this survey at once: "
                "they can no longer open its console"
                + (" or its moderation queue." if member.role == Member.Role.MODERATOR else "."),
                "Their earlier changes and decisions stay in the list of changes.",
                "To have them back, invite them again.",
            ],
            button="Remove from the team",
            cancel=reverse("survey:team", kwargs={"slug": survey.slug}),
        )
        if asking:
            return asking
    with refusal_as_message(request):
        team.remove_member(survey=survey, member_id=member_id, acting_user=request.user)
        messages.success(request, "Removed from the team.")
    return redirect("survey:team", slug=survey.slug)
