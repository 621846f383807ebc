"""The API keys page and the API's readable description, in a browser:
accessible, no sideways scrolling at 390 px, nothing blocked by the CSP."""

import pytest

from survey.models import ApiKey
from tests.browser.a11y import assert_accessible, go
from tests.browser.test_builder_share_reset import PASSWORD, olu, shoot, sign_in  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True)


def test_create_and_revoke_a_key_then_read_the_description(live_server, page, olu):  # noqa: F811
    refused = []
    page.on("console", lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None)
    sign_in(page, live_server.url)
    page.goto(f"{live_server.url}/console/")
    shoot(page, "console-home")
    page.get_by_role("link", name="Your API keys").click()
    assert_accessible(page)
    shoot(page, "api-keys-empty")
    page.get_by_label("Name").fill("union dashboard")
    page.get_by_label(olu.title).check()
    page.get_by_label("Read and write", exact=False).check()
    go(page, "Create the key")
    token = page.get_by_label("Key").input_value()
    assert token.startswith("cdr_") and ApiKey.objects.get().can_write
    shoot(page, "api-keys-created")
    go(page, "Revoke “union dashboard”")
    assert "revoked" in page.content()
    page.goto(f"{live_server.url}/api/v1/docs")
    assert_accessible(page)
    assert page.get_by_role("heading", name="Candour API").is_visible()
    shoot(page, "api-docs")
    page.goto(f"{live_server.url}/console/new/")  # the definition file may now be an XLSForm
    assert "XLSForm" in page.content()
    shoot(page, "survey-new")
    assert not refused
