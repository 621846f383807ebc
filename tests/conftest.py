import os
import socket
import tempfile
from urllib.parse import urlparse

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model

from config.celery import app as celery_app
from survey.models import Member, Organisation
from survey.staff.organisations import move_survey
from tests.factories import make_survey


def _reachable(url: str, default_port: int) -> bool:
    parts = urlparse(url)
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or default_port), timeout=3):
            return True
    except OSError:
        return False


def pytest_configure(config):
    """On CI the real services must be there: fail the run, never skip."""
    if os.environ.get("CANDOUR_REQUIRE_SERVICES") == "1":
        if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
            raise pytest.UsageError("CANDOUR_REQUIRE_SERVICES=1 but DATABASE_URL is not PostgreSQL")
        db = settings.DATABASES["default"]
        if not _reachable(f"postgres://{db['HOST']}:{db['PORT'] or 5432}", 5432):
            raise pytest.UsageError("PostgreSQL is unreachable")
        if not settings.REDIS_URL or not _reachable(settings.REDIS_URL, 6379):
            raise pytest.UsageError("Redis is unreachable (REDIS_URL)")
    if not settings.REDIS_URL:
        # Keep the tests' embedded broker away from the development one.
        folder = tempfile.mkdtemp(prefix="candour-broker-")
        celery_app.conf.broker_transport_options = {
            "data_folder_in": folder,
            "data_folder_out": folder,
            "processed_folder": folder,
            "store_processed": False,
            "control_folder": f"{folder}/control",
        }


@pytest.fixture
def survey(db):
    return make_survey()


def _person(username):
    return get_user_model().objects.create_user(username=username, password="correct horse battery")


@pytest.fixture
def alice(survey):
    """The survey's organiser."""
    user = _person("alice")
    Member.objects.create(survey=survey, user=user, role=Member.Role.ORGANISER)
    return user


@pytest.fixture
def bob(survey):
    """The survey's moderator (not an organiser)."""
    user = _person("bob")
    Member.objects.create(survey=survey, user=user, role=Member.Role.MODERATOR)
    return user


@pytest.fixture
def organiser(client, alice):
    """The test client, signed in as the survey's organiser."""
    client.force_login(alice)
    return client


@pytest.fixture
def charlie(db):
    """An organiser of another survey: an outsider to ours."""
    user = _person("charlie")
    other = make_survey(slug="other-survey")
    Member.objects.create(survey=other, user=user, role=Member.Role.ORGANISER)
    return user


@pytest.fixture
def trust(survey, alice):
    """An organisation that runs the test survey (a joint survey's first partner)."""
    organisation = Organisation.objects.create(name="Leeds Teaching Hospitals", slug="leeds-trust")
    move_survey(survey=survey, organisation=organisation, acting_user=None, where="test")
    return organisation


@pytest.fixture
def union(db):
    """Another organisation, to be the test survey's partner."""
    return Organisation.objects.create(name="UNISON Leeds Health", slug="unison-leeds")


@pytest.fixture
def eager():
    """Celery tasks run at once, in the caller, as if a worker took them instantly."""
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = False


@pytest.fixture
def tasks():
    """Tasks run as production runs them where the test run has PostgreSQL
    and Redis (CI): by a worker process on the real queue; else eagerly.
    Tests using it need ``django_db(transaction=True)``."""
    from tests.faults.real_worker import tasks_as_in_production

    with tasks_as_in_production() as runner:
        yield runner


@pytest.fixture(autouse=True)
def fresh_cache():
    """Every test starts with an empty cache: no rate-limit counters (and
    rate limiting on, not paused by another test's cache outage), no sign-in
    failures counted, and no report page cached from another test's database."""
    from django.core.cache import cache

    from survey.responses import ratelimit

    cache.clear()
    ratelimit._paused_until = 0.0
