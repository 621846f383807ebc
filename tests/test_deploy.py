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
