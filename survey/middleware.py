from django.conf import settings


class ContentSecurityPolicyMiddleware:
    """Send the site's Content-Security-Policy (Django 5.2 has no built-in CSP)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        policy = settings.CONTENT_SECURITY_POLICY
        if request.path.startswith("/admin/"):
            # Django's admin uses inline styles; it is staff-only.
            policy = policy.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")
        response.headers.setdefault("Content-Security-Policy", policy)
        return response
