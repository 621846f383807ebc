"""The whole figures path: definition -> CSV import -> aggregation -> JSON export."""

import json
from io import StringIO

import pytest
from django.core.management import call_command
from scipy import stats as sp

from survey.figures.aggregate import compute_results
from survey.figures.documents import results_document
from survey.models import Result, ResultSet, Survey
from tests.factories import BANK_AND_AGENCY_HIDDEN, answers, make_survey, to_csv

# (service, respondents, raised, outcomes of those who raised)
GROUPS = [
    ("iapt", 230, 133, {"adequately": 28, "partly": 65, "not": 40}),
    ("other", 750, 247, {"adequately": 67, "partly": 100, "not": 80}),
    ("agency", 20, 8, {"adequately": 3, "not": 5}),
    ("bank", 7, 4, {"adequately": 2, "partly": 2}),
]


def known_rows() -> list[dict]:
    rows = []
    for service, total, raised, outcomes in GROUPS:
        for outcome, count in outcomes.items():
            rows += [answers(service=service, raised="yes", outcome=outcome)] * count
        rows += [answers(service=service, raised="no")] * (total - raised)
    return rows


def expected(count: int, n: int) -> dict:
    ci = sp.binomtest(count, n).proportion_ci(method="wilson")
    return {
        "count": count,
        "n": n,
        "pct": round(100 * count / n, 1),
        "ci95": [round(100 * ci.low, 1), round(100 * ci.high, 1)],
    }


def test_import_aggregate_export_gives_every_figure(db, tmp_path):
    survey = make_survey()
    path = tmp_path / "responses.csv"
    path.write_text(to_csv(known_rows()))
    call_command("import_responses", "therapy-2026", str(path))
    Survey.objects.filter(pk=survey.pk).update(status=Survey.Status.CLOSED)  # figures are released at closing
    call_command("aggregate", "therapy-2026")
    out = StringIO()
    call_command("export_results", "therapy-2026", "--format", "json", stdout=out)
    document = json.loads(out.getvalue())

    assert document["survey"] == "therapy-2026"
    assert document["respondents"] == 1007
    assert document["min_group_size"] == 10
    concern = document["concerns"][0]
    assert (concern["key"], concern["label"]) == ("patient-care", "Patient care")
    assert concern["raised"] == expected(392, 1007)
    assert concern["resolved"] == expected(100, 392)
    groups = {g["value"]: g for g in concern["breakdowns"][0]["groups"]}
    assert concern["breakdowns"][0]["question"] == "service"
    assert groups["iapt"] == {
        "value": "iapt",
        "label": "IAPT",
        "raised": expected(133, 230),
        "resolved": expected(28, 133),
    }
    assert groups["other"] == {
        "value": "other",
        "label": "Other NHS",
        "raised": expected(247, 750),
        "resolved": expected(67, 247),
    }
    # bank (7) is under the minimum; agency (20) is the next smallest and is
    # hidden too, or bank's figures would follow from the total by subtraction.
    assert {g: groups[g] for g in ("bank", "agency")} == BANK_AND_AGENCY_HIDDEN
    # The released document's documented keys (jsonb keeps no key order on PostgreSQL).
    assert sorted(document) == sorted(["survey", "respondents", "min_group_size", "concerns", "questions"])
    assert sorted(concern) == sorted(
        ["key", "label", "raised", "resolved", "outcome_question", "resolved_base_leaves_out", "breakdowns"]
    )


def test_suppressed_result_rows_keep_no_counts(db):
    survey = make_survey()
    from survey.responses.importing import import_responses

    import_responses(survey=survey, text=to_csv(known_rows()))
    compute_results(survey_id=survey.pk)
    hidden = Result.objects.filter(survey=survey, suppressed=True)
    assert hidden.count() == 4  # bank and agency, raised and resolved
    assert not hidden.exclude(count=None, n=None).exists()


def test_resolved_hidden_alone_when_only_it_is_small(db):
    survey = make_survey()
    from survey.responses.importing import import_responses

    rows = (
        [answers(service="iapt", raised="yes", outcome="not")] * 5
        + [answers(service="iapt")] * 45
        + [answers(service="other", raised="yes", outcome="adequately")] * 30
        + [answers(service="other")] * 30
        + [answers(service="agency", raised="yes", outcome="partly")] * 20
        + [answers(service="agency")] * 20
    )
    import_responses(survey=survey, text=to_csv(rows))
    compute_results(survey_id=survey.pk)
    groups = {g["value"]: g for g in results_document(survey=survey)["concerns"][0]["breakdowns"][0]["groups"]}
    assert groups["iapt"]["raised"] == expected(5, 50)
    assert groups["iapt"]["resolved"] == {"suppressed": True}
    # agency's resolved (20) is the next smallest: hidden so iapt's 5 cannot be recovered.
    assert groups["agency"]["resolved"] == {"suppressed": True}
    assert groups["other"]["resolved"] == expected(30, 30)
    assert groups["bank"] == {"value": "bank", "label": "Bank", "suppressed": True, "reason": "no respondents"}


def test_whole_survey_under_minimum_shows_no_figure(db):
    survey = make_survey()
    from survey.responses.importing import import_responses

    import_responses(survey=survey, text=to_csv([answers(raised="yes", outcome="not")] * 9))
    compute_results(survey_id=survey.pk)
    concern = results_document(survey=survey)["concerns"][0]
    assert concern["raised"] == {"suppressed": True} and concern["resolved"] == {"suppressed": True}
    assert all(g.get("suppressed") for g in concern["breakdowns"][0]["groups"])


def test_query_count_does_not_grow_with_responses(db):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from survey.responses.importing import import_responses

    survey = make_survey()
    import_responses(survey=survey, text=to_csv([answers()] * 5))
    compute_results(survey_id=survey.pk)  # first run also creates the ResultSet row
    counts = []
    for batch in (20, 400):
        import_responses(survey=survey, text=to_csv([answers(raised="yes", outcome="partly")] * batch))
        with CaptureQueriesContext(connection) as ctx:
            compute_results(survey_id=survey.pk)
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]


def test_running_twice_gives_the_same_results(db):
    from survey.responses.importing import import_responses

    survey = make_survey()
    import_responses(survey=survey, text=to_csv(known_rows()))
    compute_results(survey_id=survey.pk)
    first = results_document(survey=survey)
    compute_results(survey_id=survey.pk)
    assert results_document(survey=survey) == first
    assert Result.objects.filter(survey=survey).count() == 2 * (1 + 4)
    assert ResultSet.objects.get(survey=survey).version == survey.__class__.objects.get(pk=survey.pk).data_version


@pytest.mark.django_db(transaction=True)
def test_concurrent_runs_leave_one_consistent_set(settings):
    import threading

    from django.db import connection

    from survey.responses.importing import import_responses

    if connection.vendor != "postgresql":
        pytest.skip("concurrency is decided by PostgreSQL's locks; SQLite serialises writers anyway")
    survey = make_survey()
    import_responses(survey=survey, text=to_csv(known_rows()))
    errors = []

    def run():
        try:
            compute_results(survey_id=survey.pk)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert Result.objects.filter(survey=survey).count() == 10
    assert results_document(survey=survey)["concerns"][0]["raised"] == expected(392, 1007)


def test_closing_releases_the_final_figures_held_back_while_open(survey, alice, django_capture_on_commit_callbacks):
    """While open, only the number of respondents is shown; closing releases the figures at once."""
    from survey.definitions.status import set_status
    from survey.figures.releases import released_document
    from survey.responses.importing import import_responses

    import_responses(survey=survey, text=to_csv(known_rows()[:40]))
    compute_results(survey_id=survey.pk)
    shown = released_document(survey=survey)
    assert (shown["respondents"], shown["concerns"], shown["questions"]) == (40, [], [])
    import_responses(survey=survey, text=to_csv(known_rows()[40:43]))
    compute_results(survey_id=survey.pk)
    assert released_document(survey=survey)["concerns"] == []  # still no figure while open
    with django_capture_on_commit_callbacks(execute=True):
        set_status(survey=survey, acting_user=alice, status="closed")
    final = released_document(survey=survey)
    assert final["respondents"] == 43 and final["concerns"] and final["questions"]


def test_a_closed_surveys_last_submissions_do_not_wait_for_company(survey, settings):
    from survey.models import PendingSubmission, Survey
    from survey.responses.importing import import_responses
    from survey.responses.mixing import mix_pending_submissions
    from survey.responses.submit import submit_response

    settings.CANDOUR_MIX_MIN_BATCH = 10
    import_responses(survey=survey, text=to_csv(known_rows()[:20]))
    for i in range(3):
        submit_response(survey=survey, answers=answers(service="iapt"), nonce=f"late-{i}")
    assert mix_pending_submissions() == {}  # open: three wait for company
    Survey.objects.filter(pk=survey.pk).update(status=Survey.Status.CLOSED)
    assert mix_pending_submissions() == {survey.pk: 3}
    assert not PendingSubmission.objects.exists()


def test_a_closed_survey_with_nothing_stored_yet_gets_its_final_release(survey, settings):
    """All of a small survey's answers still wait when it closes: nobody else
    can come, so they move together and the final release is made (before,
    they waited for company for ever and the survey never got its figures)."""
    from survey.figures.releases import release_final
    from survey.models import PendingSubmission, Release, Survey
    from survey.responses.mixing import mix_pending_submissions
    from survey.responses.submit import submit_response

    settings.CANDOUR_MIX_MIN_BATCH = 10
    for i in range(3):
        submit_response(survey=survey, answers=answers(service="iapt"), nonce=f"few-{i}")
    Survey.objects.filter(pk=survey.pk).update(status=Survey.Status.CLOSED)
    assert mix_pending_submissions() == {survey.pk: 3}
    assert not PendingSubmission.objects.exists()
    compute_results(survey_id=survey.pk)  # what the worker does once the batch has committed
    release = release_final(survey_id=survey.pk)
    assert release is not None and Release.objects.filter(survey=survey, final=True).exists()
    # Three people are fewer than k: the final release shows none of their figures.
    document = release.document
    assert all(c["raised"].get("suppressed") for c in document["concerns"])
    assert all(q.get("suppressed") for q in document["questions"])
