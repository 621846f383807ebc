"""DESIGN rule 5: no figure resting on fewer than k respondents in any output.

To see it fail, delete the ``while visible and union_unsafe()`` loop in
survey/figures/disclosure.py, or change ``n < k`` in ``unsafe`` to ``n < 2``.
"""

import csv
import io
import json
import re

import pytest
from django.core.management import call_command

from survey.reports.publishing import publish_report
from survey.responses.importing import import_responses
from tests.factories import BANK_AND_AGENCY_HIDDEN, answers, close_and_release, to_csv

# bank: 7 respondents (under k = 10); agency: 20, hidden by secondary suppression.
ROWS = (
    [answers(service="iapt", raised="yes", outcome="adequately")] * 40
    + [answers(service="iapt")] * 10
    + [answers(service="other", raised="yes", outcome="not")] * 20
    + [answers(service="other")] * 40
    + [answers(service="agency", raised="yes", outcome="partly")] * 15
    + [answers(service="agency")] * 5
    + [answers(service="bank", raised="yes", outcome="not")] * 7
)


@pytest.fixture
def published(survey, alice):
    import_responses(survey=survey, text=to_csv(ROWS))
    close_and_release(survey)
    publish_report(survey=survey, acting_user=alice)


def out(*args) -> str:
    buffer = io.StringIO()
    call_command(*args, stdout=buffer)
    return buffer.getvalue()


def hidden_in_html(html: str, label: str) -> bool:
    row = re.search(rf'<th scope="row">{label}</th>(.*?)</tr>', html, re.S).group(1)
    return "suppressed" in row and not re.search(r"\d+ of \d+", row)


def hidden_in_csv(text: str) -> bool:
    lines = text.splitlines()
    if not lines[0].startswith("concern,"):  # a download: a title line, the concern table, then the questions
        questions = list(csv.DictReader(io.StringIO("\n".join(lines[lines.index("") + 1 :]))))
        small = [r for r in questions if r["group"] in ("Bank", "Agency")]
        if not small or any(r["suppressed"] != "yes" or r["count"] for r in small):
            return False
        text = "\n".join(lines[1 : lines.index("")])
    rows = [r for r in csv.DictReader(io.StringIO(text)) if r["group"] in ("bank", "agency")]
    return len(rows) == 4 and all(r["suppressed"] == "yes" and not (r["count"] or r["n"] or r["pct"]) for r in rows)


def test_small_group_and_its_partner_are_hidden_in_every_output(client, alice, published):
    groups = {
        g["value"]: g
        for g in json.loads(out("export_results", "therapy-2026"))["concerns"][0]["breakdowns"][0]["groups"]
    }
    assert {g: groups[g] for g in ("bank", "agency")} == BANK_AND_AGENCY_HIDDEN
    assert "raised" in groups["iapt"]

    assert hidden_in_csv(out("export_results", "therapy-2026", "--format", "csv"))
    assert hidden_in_csv(client.get("/r/therapy-2026/report.csv").content.decode())

    public = client.get("/r/therapy-2026/").content.decode()
    client.force_login(alice)
    assert hidden_in_csv(client.get("/console/therapy-2026/figures.csv").content.decode())
    console = client.get("/console/therapy-2026/").content.decode()
    for html in (public, console):
        assert hidden_in_html(html, "Bank") and hidden_in_html(html, "Agency")
        assert not hidden_in_html(html, "IAPT")


def test_comparisons_leave_out_hidden_groups(published, survey):
    from survey.models import ReportVersion

    compared = {c["value"] for c in ReportVersion.objects.get().snapshot["comparisons"] if c["kind"] == "pair"}
    assert compared == {"iapt", "other"}
