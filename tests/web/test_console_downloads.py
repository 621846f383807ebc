"""The console downloads the figures released at closing (CSV with the
question summaries too, XLSX, JSON), with labels, title and release day; a
download is a release like any other, and there is none before closing."""

import csv
import io
import json

from openpyxl import load_workbook

from survey.models import Release, ReportVersion
from survey.responses.importing import import_responses
from tests.factories import close_and_release, to_csv, varied

URL = "/console/therapy-2026/figures."


def closed(survey):
    import_responses(survey=survey, text=to_csv(varied("iapt", 20, barriers=True) + varied("other", 20)))
    return close_and_release(survey)


def test_nothing_to_download_while_open(client, alice, survey):
    client.force_login(alice)
    import_responses(survey=survey, text=to_csv(varied("iapt", 20)))
    for fmt in ("csv", "xlsx", "json"):
        response = client.get(URL + fmt)
        assert response.status_code == 302 and response["Location"] == "/console/therapy-2026/"
    assert not Release.objects.filter(audience=Release.Audience.DOWNLOAD).exists()
    page = client.get("/console/therapy-2026/").content.decode()
    assert URL + "csv" not in page and "no figures to download yet" in page


def test_csv_has_title_release_day_labels_and_question_summaries(client, alice, survey):
    release = closed(survey)
    client.force_login(alice)
    assert URL + "csv" in client.get("/console/therapy-2026/").content.decode()
    response = client.get(URL + "csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["Working in mental health services", f"final figures released on {release.released_on}"]
    questions = rows[rows.index([]) + 1 :]
    questions = questions[: questions.index([])] if [] in questions else questions  # then the comparisons
    assert questions[0][:5] == ["question_key", "question", "breakdown", "group", "answer"]
    service = [r for r in questions[1:] if r[0] == "service" and r[2] == ""]
    assert {r[4] for r in service} >= {"IAPT"} and "iapt" not in {r[4] for r in service}
    by_service = [r for r in questions[1:] if r[2] == "Which service do you work in?"]
    assert by_service and {r[3] for r in by_service} <= {"IAPT", "Other NHS", "Bank", "Agency"}
    assert not ReportVersion.objects.exists()  # no need to publish first


def test_xlsx_and_json_carry_labels_and_the_release_day(client, alice, survey):
    release = closed(survey)
    client.force_login(alice)
    workbook = load_workbook(io.BytesIO(client.get(URL + "xlsx").content))
    sheet = list(workbook["Questions"].iter_rows(values_only=True))
    assert sheet[0][:2] == ("Working in mental health services", f"final figures released on {release.released_on}")
    assert "iapt" not in {r[4] for r in sheet[2:]} and "IAPT" in {r[3] for r in sheet[2:]}
    document = json.loads(client.get(URL + "json").content)
    assert document["title"] == "Working in mental health services"
    assert document["released_on"] == release.released_on.isoformat() and document["questions"]


def test_a_download_is_recorded_as_a_release_of_the_same_figures(client, alice, survey):
    release = closed(survey)
    client.force_login(alice)
    client.get(URL + "csv")
    client.get(URL + "json")
    download = Release.objects.get(survey=survey, audience=Release.Audience.DOWNLOAD)  # once, for the same figures
    assert download.digest == release.digest and download.report is None
