"""The accessibility check itself: it must catch a violation, or a green run proves nothing."""

import pytest

from tests.browser.a11y import assert_accessible, axe_violations


def test_check_reports_violations_readably(page):
    page.set_content('<html><body><main><img src="x.png"><input type="text"></main></body></html>')
    ids = {v["id"] for v in axe_violations(page)}
    assert {"image-alt", "label", "html-has-lang"} <= ids
    with pytest.raises(AssertionError, match=r"image-alt \(critical\)"):
        assert_accessible(page)


@pytest.mark.django_db(transaction=True)
def test_check_runs_under_the_sites_content_security_policy(live_server, page):
    response = page.goto(f"{live_server.url}/")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert page.evaluate("() => typeof axe") == "undefined"
    assert_accessible(page)
    assert page.evaluate("() => typeof axe.run") == "function"
