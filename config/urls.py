from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.generic import RedirectView

from survey.api.endpoints import api
from survey.web import accounts

urlpatterns = [
    path("", include("survey.web.urls")),
    path("api/v1/", api.urls),
    path("accounts/login/", accounts.SignInView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/two-factor/", accounts.two_factor, name="two-factor"),
    path("accounts/password-reset/", accounts.PasswordResetView.as_view(), name="password-reset"),
    path(
        "accounts/password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(
            extra_context={"minutes": settings.CANDOUR_PASSWORD_RESET_TIMEOUT // 60}
        ),
        name="password-reset-done",
    ),
    path(
        "accounts/password-reset/<uidb64>/<token>/",
        accounts.PasswordResetConfirmView.as_view(),
        name="password-reset-confirm",
    ),
    path(
        "accounts/invitation/<uidb64>/<token>/", accounts.TeamInvitationAcceptView.as_view(), name="invitation-accept"
    ),
    # One sign-in page for everyone, with throttling and two-factor.
    path("admin/login/", RedirectView.as_view(pattern_name="login", query_string=True)),
    path("admin/", admin.site.urls),
]

handler404 = "survey.web.errors.not_found"
handler500 = "survey.web.errors.server_error"
