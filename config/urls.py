from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.generic import RedirectView

from survey.web import accounts

urlpatterns = [
    path("", include("survey.web.urls")),
    path("accounts/login/", accounts.SignInView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/two-factor/", accounts.two_factor, name="two-factor"),
    path(
        "accounts/invitation/<uidb64>/<token>/", accounts.TeamInvitationAcceptView.as_view(), name="invitation-accept"
    ),
    # One sign-in page for everyone, with throttling and two-factor.
    path("admin/login/", RedirectView.as_view(pattern_name="login", query_string=True)),
    path("admin/", admin.site.urls),
]

handler404 = "survey.web.errors.not_found"
handler500 = "survey.web.errors.server_error"
