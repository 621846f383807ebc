"""Settings for benchmarks: the production configuration (DEBUG off, static
files compressed and collected) plus two baseline views. The load comes over
plain HTTP on 127.0.0.1, so nothing redirects to HTTPS."""

import os

os.environ.setdefault("CANDOUR_ENV", "production")
os.environ.setdefault("SECRET_KEY", "benchmark-only-key-never-used-elsewhere-0123456789")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")

from config.settings import *  # noqa: E402, F403
from config.settings import BASE_DIR, TEMPLATES  # noqa: E402

ROOT_URLCONF = "bench.urls"
CANDOUR_SUBMIT_RATE = "100000000/3600"
TEMPLATES[0]["DIRS"] = [*TEMPLATES[0]["DIRS"], BASE_DIR / "bench" / "templates"]
