import csv
import io

from survey.figures.aggregate import compute_results
from survey.models import Member, Result
from survey.reports.publishing import publish_report
from survey.responses.importing import import_responses
from tests.factories import answers, close_and_release, to_csv


def seed(survey, n_iapt=30, n_other=40):
    rows = [answers(service="iapt", raised="yes", outcome="partly")] * n_iapt + [answers(service="other")] * n_other
    rows += [answers(service="bank", raised="yes", outcome="not")] * 3 + [answers(service="agency")] * 8
    import_responses(survey=survey, text=to_csv(rows))
    close_and_release(survey)


def test_no_report_until_published(client, survey):
    assert client.get("/r/therapy-2026/").status_code == 404
    assert client.get("/r/therapy-2026/report.csv").status_code == 404


def test_published_report_is_public_and_frozen(client, survey, alice, django_capture_on_commit_callbacks):
    seed(survey)
    with django_capture_on_commit_callbacks(execute=True):
        publish_report(survey=survey, acting_user=alice)
    before = client.get("/r/therapy-2026/").content.decode()
    assert "Version 1" in before and "81 respondents" in before
    assert "By answer to “Which service do you work in?”" in before
    # A new aggregation does not change a published version.
    Result.objects.filter(survey=survey).delete()
    compute_results(survey_id=survey.pk)
    after = client.get("/r/therapy-2026/").content.decode()
    assert "81 respondents" in after
    with django_capture_on_commit_callbacks(execute=True):
        publish_report(survey=survey, acting_user=alice, note="A corrected narrative")
    latest = client.get("/r/therapy-2026/").content.decode()
    assert "Version 2" in latest and "81 respondents" in latest and "A corrected narrative" in latest
    assert "81 respondents" in client.get("/r/therapy-2026/v1/").content.decode()


def test_csv_download_is_the_snapshot_with_suppressed_cells_blank(client, survey, alice):
    seed(survey)
    report = publish_report(survey=survey, acting_user=alice)
    response = client.get("/r/therapy-2026/report.csv")
    assert response["Content-Type"].startswith("text/csv")
    lines = response.content.decode().splitlines()
    assert lines[0].startswith('Working in mental health services,"version 1, published ')
    rows = list(csv.DictReader(io.StringIO("\n".join(lines[1 : lines.index("")]))))  # the concern table
    overall = next(r for r in rows if r["breakdown"] == "" and r["measure"] == "raised")
    assert (overall["count"], overall["n"]) == ("33", "81")
    assert overall["n"] == str(report.snapshot["results"]["concerns"][0]["raised"]["n"])
    bank = [r for r in rows if r["group"] == "bank"]
    assert bank and all(r["suppressed"] == "yes" and r["count"] == r["n"] == r["pct"] == "" for r in bank)


def test_report_page_needs_no_account_and_no_membership(client, survey, alice):
    seed(survey)
    publish_report(survey=survey, acting_user=alice)
    assert not Member.objects.filter(user__username="anonymous").exists()
    assert client.get("/r/therapy-2026/").status_code == 200


def test_a_rolled_back_version_leaves_the_page_cache_alone(client, survey, alice, django_capture_on_commit_callbacks):
    from django.core.cache import cache
    from django.db import transaction

    from survey.reports.publishing import latest_page_key

    seed(survey)
    with django_capture_on_commit_callbacks(execute=True):
        publish_report(survey=survey, acting_user=alice)
    assert "Version 1" in client.get("/r/therapy-2026/").content.decode()
    named = cache.get(latest_page_key("therapy-2026"))
    try:
        with transaction.atomic():
            publish_report(survey=survey, acting_user=alice, note="never committed")
            raise RuntimeError("roll back")
    except RuntimeError:
        pass
    assert cache.get(latest_page_key("therapy-2026")) == named  # still version 1's page
    assert "Version 1" in client.get("/r/therapy-2026/").content.decode()
