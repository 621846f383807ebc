"""The command-line twins of console actions: close_survey, publish_report, export_report."""

import io
import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import load_workbook

from survey.figures.aggregate import compute_results
from survey.figures.releases import released_document
from survey.models import AuditEvent, Release, Survey
from survey.reports.downloads import report_csv, report_json, report_xlsx
from survey.responses.importing import import_responses
from tests.factories import answers, to_csv

ROWS = [answers(service="iapt", raised="yes", outcome="not")] * 20 + [answers(service="other")] * 30


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_close_survey_is_the_consoles_close(survey, alice, django_capture_on_commit_callbacks):
    import_responses(survey=survey, text=to_csv(ROWS))
    compute_results(survey_id=survey.pk)
    with django_capture_on_commit_callbacks(execute=True):
        assert "closed" in run("close_survey", survey.slug, "--as", "alice")
    survey.refresh_from_db()
    assert survey.status == Survey.Status.CLOSED
    assert AuditEvent.objects.filter(survey=survey, user=alice, action=AuditEvent.Action.SURVEY_CLOSED).exists()
    # Closing released the final figures at once.
    assert released_document(survey=survey)["respondents"] == len(ROWS)
    assert Release.objects.get(survey=survey, audience=Release.Audience.ORGANISERS).final


def test_commands_act_only_as_an_organiser_of_the_survey(survey, alice, bob):
    with pytest.raises(CommandError, match="not an organiser"):
        run("close_survey", survey.slug, "--as", "bob")
    with pytest.raises(CommandError, match="not an organiser"):
        run("publish_report", survey.slug, "--as", "nobody")


def test_publish_report_refusal_is_an_error_with_the_consoles_reason(survey, alice):
    with pytest.raises(CommandError, match="The survey is still open"):
        run("publish_report", survey.slug, "--as", "alice")
    run("close_survey", survey.slug, "--as", "alice")
    with pytest.raises(CommandError, match="fewer than 10 respondents"):
        run("publish_report", survey.slug, "--as", "alice")
    assert not survey.reports.exists()


def test_export_report_is_exactly_the_download(survey, alice, django_capture_on_commit_callbacks):
    import_responses(survey=survey, text=to_csv(ROWS))
    compute_results(survey_id=survey.pk)
    with django_capture_on_commit_callbacks(execute=True):
        run("close_survey", survey.slug, "--as", "alice")
    assert "Version 1" in run("publish_report", survey.slug, "--as", "alice", "--note", "first")
    report = survey.reports.get()
    assert report.note == "first"
    assert run("export_report", survey.slug, "--format", "json") == report_json(report)
    assert json.loads(run("export_report", survey.slug, "--version", "1", "--format", "json"))["version"] == 1
    assert run("export_report", survey.slug, "--format", "csv") == report_csv(report)
    raw = io.TextIOWrapper(io.BytesIO())
    call_command("export_report", survey.slug, "--format", "xlsx", stdout=raw)
    raw.flush()
    got, want = load_workbook(io.BytesIO(raw.buffer.getvalue())), load_workbook(io.BytesIO(report_xlsx(report)))
    for name in want.sheetnames:
        assert list(got[name].values) == list(want[name].values)
    # Each output was recorded once as a command's release of the same figures.
    assert Release.objects.filter(survey=survey, audience=Release.Audience.COMMAND).count() == 1
    with pytest.raises(CommandError, match="no published report version 2"):
        run("export_report", survey.slug, "--version", "2", "--format", "csv")
