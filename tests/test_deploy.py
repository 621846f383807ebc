import os
import subprocess
import sys

from django.conf import settings

PRODUCTION = {
    "CANDOUR_ENV": "production",
    "SECRET_KEY": "k" * 20 + "-not-a-default-but-long-enough-" + "z" * 10,
    "ALLOWED_HOSTS": "survey.example.org",
    "DATABASE_URL": "sqlite:////tmp/candour-deploy-check.sqlite3",
}


def test_check_deploy_passes_with_production_settings():
    skip = ("DEBUG", "REDIS_URL", "DJANGO_ALLOW_ASYNC_UNSAFE")
    environment = {k: v for k, v in os.environ.items() if k not in skip} | PRODUCTION
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=settings.BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_page_sends_csp_and_keeps_referrers_home(client, survey):
    for url, policy in (("/", "same-origin"), ("/s/therapy-2026/", "no-referrer"), ("/accounts/login/", "same-origin")):
        response = client.get(url)
        assert "default-src 'self'" in response["Content-Security-Policy"]
        assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
        assert response["Referrer-Policy"] == policy


POLICY = {
    "default-src": "'self'",
    "img-src": "'self' data:",
    "style-src": "'self'",
    "script-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'none'",
    "frame-ancestors": "'none'",
    "form-action": "'self'",
}


def directives(header: str) -> dict[str, str]:
    """A CSP header as {directive: sources}; the order of directives has no
    meaning (django-csp writes them in no fixed order), that of sources is kept."""
    parts = [part.strip().split(" ", 1) for part in header.split(";")]
    assert len({name for name, _ in parts}) == len(parts), header
    return {name: sources for name, sources in parts}


def test_csp_is_exactly_the_sites_policy_and_admin_alone_allows_inline_styles(client, survey, django_user_model):
    for url in ("/", "/s/therapy-2026/", "/accounts/login/", "/no-such-page/"):
        assert directives(client.get(url)["Content-Security-Policy"]) == POLICY, url
    client.force_login(django_user_model.objects.create_superuser("root", password="pw-root-123456"))
    for url in ("/admin/", f"/admin/survey/survey/{survey.pk}/change/"):
        response = client.get(url)
        assert response.status_code == 200
        assert directives(response["Content-Security-Policy"]) == POLICY | {"style-src": "'self' 'unsafe-inline'"}
    assert directives(client.get("/console/")["Content-Security-Policy"]) == POLICY


def test_respondent_post_with_null_origin_still_needs_the_csrf_token(survey):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.get("/s/therapy-2026/")
    token = strict.cookies["csrftoken"].value
    ok = strict.post("/s/therapy-2026/answer/", {"action": "start", "csrfmiddlewaretoken": token}, HTTP_ORIGIN="null")
    assert ok.status_code == 200
    forged = Client(enforce_csrf_checks=True).post("/s/therapy-2026/answer/", {"action": "start"}, HTTP_ORIGIN="null")
    assert forged.status_code == 403
    staff = strict.post("/accounts/login/", {"csrfmiddlewaretoken": token}, HTTP_ORIGIN="null")
    assert staff.status_code == 403
