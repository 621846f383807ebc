"""Browser tests: Playwright driving Debian's headless Chromium against live_server."""

import json
import os
import shutil
import tempfile

import pytest

CHROMIUM = "/usr/bin/chromium"
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def chromium():
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CANDOUR_REQUIRE_SERVICES") == "1":
            pytest.fail("Chromium is missing: `make browser` installs it")
        pytest.skip("Chromium is not installed (make browser)")
    # Playwright's sync API runs an event loop in this thread; the ORM calls
    # the tests make around it are still synchronous.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    profile = tempfile.mkdtemp(prefix="candour-chromium-")
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
            yield browser
            browser.close()
    finally:
        # Playwright's loop is gone with the module; leave no async-unsafe flag behind.
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture
def page(chromium):
    context = chromium.new_context(viewport={"width": 1200, "height": 900}, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


@pytest.fixture
def builtin(db):
    """The built-in survey, in English and Welsh."""
    from survey.definitions.format import builtin_definitions, load_definition, parse_definition

    document = json.loads(builtin_definitions()["raising-concerns"].read_text())
    # It asks for free text, so it opens only with a safeguarding contact.
    document["safeguarding_contact"] = "safeguarding@example.org"
    return load_definition(definition=parse_definition(json.dumps(document)))


@pytest.fixture
def screen(chromium, request):
    """A page at the matrix variant's width, in a browser asking for its language (tests/browser/matrix.py)."""
    params = request.node.callspec.params
    locale = "cy-GB" if params["lang"] == "cy" else "en-GB"
    context = chromium.new_context(
        viewport={"width": params["width"], "height": 900}, locale=locale, accept_downloads=True
    )
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()
