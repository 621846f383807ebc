"""Each concern leads with a plain headline; comparisons show labels, not keys,
collapsed, with one sentence on "significant" (console and public report)."""

import re

import pytest

from survey.reports.publishing import publish_report
from survey.responses.importing import import_responses
from tests.factories import answers, close_and_release, to_csv


@pytest.fixture
def figures(survey):
    rows = [answers(service="iapt", raised="yes", outcome="adequately")] * 20
    rows += [answers(service="iapt", raised="yes", outcome="not")] * 10 + [answers(service="iapt")] * 20
    rows += [answers(service="other", raised="yes", outcome="partly")] * 10 + [answers(service="other")] * 40
    import_responses(survey=survey, text=to_csv(rows))
    close_and_release(survey)


def pages(client, survey, alice):
    client.force_login(alice)
    console = client.get("/console/therapy-2026/").content.decode()
    publish_report(survey=survey, acting_user=alice)
    public = client.get("/r/therapy-2026/").content.decode()
    return {"console": console, "public": public}


def test_each_concern_leads_with_a_plain_headline(client, survey, alice, figures):
    for name, html in pages(client, survey, alice).items():
        # 40 of 100 raised (40.0%), 20 of 40 resolved (50.0%): from the shown figures.
        headline = "40 in 100 raised a concern about patient care; 1 in 2 of them said it was resolved."
        assert headline in html, name
        section = html[html.index('id="concern-patient-care"') :]
        assert section.index(headline) < section.index("<table"), f"{name}: the headline comes first"


def test_comparisons_use_labels_are_collapsed_and_say_what_significant_means(client, survey, alice, figures):
    for name, html in pages(client, survey, alice).items():
        part = html[html.index('id="comparisons"') :]
        part = part[: part.index("</section>")]
        assert "<details" in part and "<details open" not in part, name
        assert "“Significant” means" in part, name
        rows = re.sub(r"<[^>]+>", " ", part[part.index("<tbody>") :])
        assert "Patient care: raised a concern" in rows and "Patient care: concern resolved" in rows, name
        assert "(Which service do you work in?)" in rows, name
        cells = [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", part, re.S)]
        assert not {"raised", "resolved", "patient-care", "service"} & set(cells), name
