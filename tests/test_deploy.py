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
    environment = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "REDIS_URL")} | PRODUCTION
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=settings.BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_page_sends_csp_and_no_referrer(client, survey):
    for url in ("/", "/s/therapy-2026/", "/accounts/login/"):
        response = client.get(url)
        assert "default-src 'self'" in response["Content-Security-Policy"]
        assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
        assert response["Referrer-Policy"] == "no-referrer"
