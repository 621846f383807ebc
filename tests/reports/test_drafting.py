import io
import json

import pytest
from django.contrib.auth.views import redirect_to_login
from openpyxl import load_workbook

from survey.models import Action, AuditEvent, ReportVersion
from survey.reports.markup import render
from survey.responses.importing import import_responses
from tests.factories import answers, close_and_release, to_csv


@pytest.fixture
def figures(survey):
    rows = [answers(service="iapt", raised="yes", outcome="adequately", safe="4")] * 20
    rows += [answers(service="iapt", safe="2")] * 10
    rows += [answers(service="other", raised="yes", outcome="not", safe="5")] * 15 + [answers(service="other")] * 25
    import_responses(survey=survey, text=to_csv(rows))
    close_and_release(survey)


def test_markdown_is_sanitised():
    html = render("# Title\n\n**We** will act. <script>alert(1)</script> [x](javascript:alert(1)) [ok](https://nhs.uk)")
    assert "<h2>Title</h2>" in html and "<strong>We</strong>" in html
    assert "<script" not in html and "javascript:" not in html
    assert 'href="https://nhs.uk"' in html


def test_narrative_headings_start_below_the_reports_own_h1_and_carry_no_ids():
    html = render("# One\n\n## Two\n\n### Three\n\n#### Four\n\n##### Five\n\n###### Six\n\ntext")
    assert html == (
        "<h2>One</h2>\n<h3>Two</h3>\n<h4>Three</h4>\n<h5>Four</h5>\n<h6>Five</h6>\n<h6>Six</h6>\n<p>text</p>"
    )
    # The page has its own ids (actions, quotes, ...): a heading adds none, and "[TOC]" stays text.
    html = render("[TOC]\n\n# Actions\n\n## Quotes")
    assert html == "<p>[TOC]</p>\n<h2>Actions</h2>\n<h3>Quotes</h3>"


def test_builder_saves_narrative_and_choices_and_the_ledger_goes_into_the_next_version(client, alice, survey, figures):
    client.force_login(alice)
    response = client.post(
        "/console/therapy-2026/report/",
        {
            "title": "What you told us",
            "narrative": "Thank you to the **70** of you who answered.",
            "concerns": ["patient-care"],
            "questions": ["safe"],
        },
    )
    assert response.status_code == 302
    add = {"concern": "patient-care", "text": "Monthly listening sessions.", "role": "Director of Nursing"}
    client.post(
        "/console/therapy-2026/actions/new/", {f"add-{k}": v for k, v in add.items()} | {"add-status": "planned"}
    )
    client.post(
        "/console/therapy-2026/actions/help/patient-care/",
        {"help-patient-care-text": "The Freedom to Speak Up Guardian: [email](mailto:ftsu@example.org)"},
    )
    action = Action.objects.get()
    change = {"text": "Monthly listening sessions.", "role": "Director of Nursing", "status": "in_progress"}
    client.post(
        f"/console/therapy-2026/actions/{action.pk}/",
        {f"action-{action.pk}-{k}": v for k, v in (change | {"note": "Sessions started."}).items()},
    )
    client.post("/console/therapy-2026/publish/", {"note": "", "confirmed": "yes"})
    report = ReportVersion.objects.get()
    assert report.title == "What you told us"
    page = client.get("/r/therapy-2026/").content.decode()
    assert "<strong>70</strong>" in page
    assert "Monthly listening sessions." in page and 'href="mailto:ftsu@example.org"' in page
    assert "Sessions started." in page and "You said, we did" in page
    assert "Director of Nursing" in page and 'href="/r/therapy-2026/actions/"' in page
    assert "I feel safe to speak up." in page and "What made you hesitate?" not in page
    assert (
        AuditEvent.objects.filter(
            action__in=[
                "report.settings_changed",
                "ledger.action_added",
                "ledger.help_changed",
                "ledger.action_changed",
            ]
        ).count()
        == 4
    )


def test_three_downloads_of_one_snapshot(client, alice, survey, figures):
    from survey.reports.publishing import publish_report

    publish_report(survey=survey, acting_user=alice)
    csv_text = client.get("/r/therapy-2026/v1/report.csv").content.decode()
    document = json.loads(client.get("/r/therapy-2026/v1/report.json").content)
    workbook = load_workbook(io.BytesIO(client.get("/r/therapy-2026/v1/report.xlsx").content))
    raised = document["concerns"][0]["raised"]
    assert (raised["count"], raised["n"]) == (35, 70)
    assert "patient-care,Patient care,,,All respondents,raised,no,35,70," in csv_text
    rows = list(workbook["Concerns"].iter_rows(values_only=True))
    assert ("patient-care", "Patient care", None, None, "All respondents", "raised", "no", 35, 70) == rows[2][:9]
    assert any(r[0] == "safe" for r in workbook["Questions"].iter_rows(values_only=True))
    assert client.get("/r/therapy-2026/report.pdf").status_code == 404
    # Each download is recorded as a release of the version's figures, once per audience.
    from survey.models import Release

    assert Release.objects.filter(survey=survey, audience=Release.Audience.DOWNLOAD).count() == 1


def test_a_new_version_says_what_changed(client, alice, survey, figures):
    """Versions published while a survey was open (before figures waited for
    closing) may differ from the final one: the final version says how."""
    import copy

    from django.utils import timezone

    from survey.models import Survey
    from survey.reports.publishing import publish_report

    first = publish_report(survey=survey, acting_user=alice)
    interim = copy.deepcopy(first.snapshot)
    interim["results"]["respondents"] = 50
    interim["results"]["concerns"][0]["raised"] |= {"count": 20, "n": 50, "pct": 40.0}
    ReportVersion.objects.filter(pk=first.pk).update(snapshot=interim, published_at=timezone.now())
    report = publish_report(survey=Survey.objects.get(pk=survey.pk), acting_user=alice, note="More answers")
    assert report.snapshot["changes"][0] == "Respondents: 50 → 70"
    changes = report.snapshot["changes"]
    assert any(line.startswith("Patient care, raised: 40.0% of 50 → 50.0% of 70") for line in changes)
    page = client.get("/r/therapy-2026/").content.decode()
    assert "What changed since the previous version" in page and "More answers" in page


@pytest.mark.parametrize("user", ["bob", "charlie", None])
def test_only_organisers_build_reports_or_explore(client, survey, bob, charlie, user):
    if user:
        client.force_login({"bob": bob, "charlie": charlie}[user])
    for url in (
        "/console/therapy-2026/report/",
        "/console/therapy-2026/explore/",
        "/console/therapy-2026/chart/concern.svg",
    ):
        response = client.get(url)
        if user:
            assert response.status_code == 404
        else:
            assert response.status_code == 302 and response["Location"] == redirect_to_login(url)["Location"]
    client.post("/console/therapy-2026/report/", {"title": "x"})
    assert not AuditEvent.objects.filter(action="report.settings_changed").exists()


def test_explorer_shows_tables_and_server_drawn_charts(client, alice, figures):
    client.force_login(alice)
    html = client.get(
        "/console/therapy-2026/explore/?concern=patient-care&breakdown=service&question=safe"
    ).content.decode()
    assert "(20 of 30;" in html  # iapt raised, in the table
    assert "/console/therapy-2026/chart/concern.svg?" in html
    svg = client.get("/console/therapy-2026/chart/concern.svg?concern=patient-care&breakdown=service&measure=raised")
    assert svg["Content-Type"] == "image/svg+xml"
    assert svg["Content-Security-Policy"] == "default-src 'none'; style-src 'unsafe-inline'"  # its own, kept
    body = svg.content.decode()
    assert body.lstrip().startswith("<?xml") and "<script" not in body and "http://kozea" not in body
    assert "66.7%" in body  # the iapt bar carries its value as text
    question = client.get("/console/therapy-2026/chart/question.svg?question=safe").content.decode()
    assert "Point 4" in question


def test_this_year_against_last_year(client, alice, survey, figures):
    from survey.definitions.format import load_definition, validate_definition
    from survey.models import Member
    from tests.factories import definition

    last = load_definition(definition=validate_definition(definition(slug="therapy-2025")))
    Member.objects.create(survey=last, user=alice, role="organiser")
    rows = [answers(service="iapt", raised="yes", outcome="not")] * 10 + [answers(service="iapt")] * 20
    rows += [answers(service="other", raised="yes", outcome="not")] * 5 + [answers(service="other")] * 35
    import_responses(survey=last, text=to_csv(rows))
    close_and_release(last)
    client.force_login(alice)
    html = client.get("/console/therapy-2026/compare/?with=therapy-2025").content.decode()
    # Patient care raised: 35/70 this year against 15/70 last year.
    from survey.figures.stats import compare_proportions

    expected = compare_proportions(35, 70, 15, 70)
    assert f"{expected['difference']} ({expected['ci95'][0]} to {expected['ci95'][1]})" in html
    assert "significant" in html
    assert "comparisons of figures shown in both" in html
