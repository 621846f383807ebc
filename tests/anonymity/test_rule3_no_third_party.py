"""DESIGN rule 3: respondent pages load nothing from third parties, send no
referrer and set no cookie beyond CSRF (a threat from network observers and
from whoever uses the computer next).

To see it fail, link Bootstrap from a CDN in templates/base.html, take
"/s/" or "/r/" out of ``PRIVATE_PREFIXES`` in survey/web/middleware.py, or
set ``CSRF_COOKIE_AGE`` in config/settings.py.
"""

import re
from html.parser import HTMLParser
from pathlib import Path

from django.conf import settings

from tests.respondent import answer_all


class Loads(HTMLParser):
    def __init__(self):
        super().__init__()
        self.urls = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in ("src", "href", "action", "srcset", "data") and value and tag != "a":
                self.urls.append(value)


def external(html: str) -> list[str]:
    parser = Loads()
    parser.feed(html)
    return [u for u in parser.urls if re.match(r"^(https?:)?//", u)]


def test_every_respondent_page_is_self_contained_private_and_cookie_light(client, survey):
    walk = answer_all("therapy-2026", raised="yes")
    pages = [client.get("/s/therapy-2026/")]
    walk2 = answer_all("therapy-2026", raised="no")
    pages += [walk.response, walk2.response, walk.submit(), client.get("/s/therapy-2026/thanks/")]
    for response in pages:
        assert response["Referrer-Policy"] == "no-referrer"
        assert external(response.content.decode()) == []
        assert set(response.cookies) <= {settings.CSRF_COOKIE_NAME}
        if settings.CSRF_COOKIE_NAME in response.cookies:
            assert response.cookies[settings.CSRF_COOKIE_NAME]["max-age"] == ""  # gone when the browser closes
        assert "no-store" in response.get("Cache-Control", "")  # nothing left in a shared browser's cache


def test_static_files_reference_no_other_host():
    static = Path(settings.BASE_DIR) / "survey" / "static"
    for path in static.rglob("*.css"):
        for url in re.findall(r"url\(([^)]*)\)", path.read_text()):
            url = url.strip("'\" ")
            assert url.startswith("data:") or not re.match(r"^(https?:)?//", url), f"{path}: {url}"
    for path in static.rglob("*.js"):
        assert not re.search(r"""(fetch|XMLHttpRequest|import)\(\s*["'](https?:)?//""", path.read_text())


def test_public_reports_and_their_downloads_send_no_referrer(client, survey, alice):
    """A report's reader follows its links (a helpline, a union page): the
    page they came from, which names the survey, is not sent along."""
    from survey.reports.publishing import publish_report
    from survey.responses.importing import import_responses
    from tests.factories import answers, close_and_release, to_csv

    rows = [answers(service="iapt", raised="yes", outcome="partly")] * 12 + [answers(service="other")] * 12
    import_responses(survey=survey, text=to_csv(rows))
    close_and_release(survey)  # figures are published once the survey has closed
    publish_report(survey=survey, acting_user=alice)
    for url in (
        "/r/therapy-2026/",
        "/r/therapy-2026/v1/",
        "/r/therapy-2026/report.csv",
        "/r/therapy-2026/v1/report.json",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert response["Referrer-Policy"] == "no-referrer", url
    # Staff pages keep "same-origin" (their form posts need an Origin).
    assert client.get("/accounts/login/")["Referrer-Policy"] == "same-origin"
