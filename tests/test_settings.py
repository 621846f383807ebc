import os
import subprocess
import sys

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
