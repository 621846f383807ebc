"""survey.web.middleware."""

from csp.constants import SELF, UNSAFE_INLINE
from csp.middleware import CSPMiddleware
from django.conf import settings
from django.middleware.csrf import CsrfViewMiddleware
from django.utils import translation

PRIVATE_PREFIXES = ("/s/", "/r/")


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's middleware sending settings.CONTENT_SECURITY_POLICY, with
    one exception: Django's admin uses inline styles (it is staff-only).

    A view that sets its own Content-Security-Policy header keeps it:
    django-csp never overwrites an existing header.
    """

    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only)
        if request.path.startswith("/admin/") and parts.replace is None:
            parts.replace = {"style-src": [SELF, UNSAFE_INLINE]}
        return parts


class LanguageMiddleware:
    """Every request starts in the default language (staff pages are in
    English); respondent views switch to the respondent's choice. No language
    cookie and no URL prefix: nothing about the respondent is kept."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        translation.activate(settings.LANGUAGE_CODE)
        request.LANGUAGE_CODE = settings.LANGUAGE_CODE
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", translation.get_language())
        translation.activate(settings.LANGUAGE_CODE)  # never leak a choice into the next request
        return response


class PrivateReferrerMiddleware:
    """DESIGN rule 3: respondent pages (and public reports) send no referrer at all.

    Staff pages use "same-origin" (set in settings): with "no-referrer" the
    browser sends ``Origin: null`` on every form post.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.path.startswith(PRIVATE_PREFIXES):
            response.headers["Referrer-Policy"] = "no-referrer"
        return response


class RespondentCsrfMiddleware(CsrfViewMiddleware):
    """Django's CSRF protection, accepting ``Origin: null`` on respondent pages.

    Under ``Referrer-Policy: no-referrer`` browsers send ``Origin: null`` (and
    no Referer) with a form post, which Django's origin check would refuse.
    On respondent pages the CSRF token is still required and the CSRF cookie
    is SameSite=Lax, so a cross-site post still fails; only the origin
    comparison is skipped.
    """

    def _origin_verified(self, request):
        if request.META.get("HTTP_ORIGIN") == "null" and request.path.startswith("/s/"):
            return True
        return super()._origin_verified(request)


class DatabaseUnavailableMiddleware:
    """When the database cannot be reached, answer 503 with a clear "try
    again" page instead of an error. Nothing partial is stored: every write
    runs in a transaction that the failure rolls back."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        from django.db import InterfaceError, OperationalError
        from django.shortcuts import render

        if isinstance(exception, OperationalError | InterfaceError):
            response = render(request, "503.html", status=503)
            response["Retry-After"] = "60"
            return response
        return None
