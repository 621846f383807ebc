import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings


def load_settings(**env) -> subprocess.CompletedProcess:
    environment = {
        k: v
        for k, v in os.environ.items()
        if k not in ("SECRET_KEY", "DEBUG", "CANDOUR_ENV", "DJANGO_ALLOW_ASYNC_UNSAFE")
    }
    environment.update(env)
    return subprocess.run(
        [sys.executable, "-c", "import django; from django.conf import settings; settings.SECRET_KEY"],
        env=environment | {"DJANGO_SETTINGS_MODULE": "config.settings"},
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        check=False,
    )


def test_production_refuses_to_start_without_a_real_secret():
    result = load_settings(CANDOUR_ENV="production")
    assert result.returncode != 0 and "needs a real SECRET_KEY" in result.stderr
    result = load_settings(CANDOUR_ENV="production", SECRET_KEY="short")
    assert result.returncode != 0


def test_production_starts_with_a_real_secret():
    result = load_settings(CANDOUR_ENV="production", SECRET_KEY="x" * 50)
    assert result.returncode == 0, result.stderr


def test_production_refuses_debug():
    result = load_settings(CANDOUR_ENV="production", SECRET_KEY="x" * 50, DEBUG="1")
    assert result.returncode != 0 and "DEBUG must be off" in result.stderr


def test_a_mistyped_yes_no_setting_refuses_to_start():
    result = load_settings(SECURE_SSL_REDIRECT="ture")
    assert result.returncode != 0 and "SECURE_SSL_REDIRECT='ture' is not a yes/no value" in result.stderr
    assert load_settings(SECURE_SSL_REDIRECT="false").returncode == 0


def test_env_example_lists_every_setting_read():
    root = Path(settings.BASE_DIR)
    read = set(re.findall(r'env(?:\.\w+|_bool)\(\s*"([A-Z0-9_]+)"', (root / "config" / "settings.py").read_text()))
    read |= set(re.findall(r'os\.environ\.get\("([A-Z0-9_]+)"', (root / "gunicorn.conf.py").read_text()))
    listed = set(re.findall(r"^([A-Z0-9_]+)=", (root / ".env.example").read_text(), flags=re.M))
    assert len(read) > 30  # the patterns above still find what settings read
    assert read - listed == set()


def test_health_check_answers_over_plain_http_when_https_is_enforced(client, db, settings):
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/healthz").content == b"ok"
    assert client.get("/").status_code == 301  # everything else goes to HTTPS


def test_seed_demo_refuses_in_production(settings):
    from django.core.management import CommandError, call_command

    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="development only"):
        call_command("seed_demo", respondents=1)


def test_error_reports_mask_passwords_in_url_settings(settings):
    from django.views.debug import get_exception_reporter_filter

    settings.REDIS_URL = "redis://:s3cret@cache.internal:6379/0"
    settings.CELERY_BROKER_URL = "redis://broker:s3cret@cache.internal:6379/0"
    settings.CACHES = {"default": {"BACKEND": "x", "LOCATION": "redis://:s3cret@cache.internal:6379/0"}}
    settings.SOME_LIST = ["postgres://app:s3cret@db.internal/candour"]
    shown = repr(get_exception_reporter_filter(None).get_safe_settings())
    assert "s3cret" not in shown
    assert "cache.internal:6379/0" in shown  # the rest of the URL still helps whoever reads the report
