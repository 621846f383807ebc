"""Every choice question summarised, checked against independently computed values."""

import pytest
from scipy import stats as sp

from survey.figures.aggregate import compute_results
from survey.figures.documents import released_document
from survey.responses.importing import import_responses
from tests.factories import answers, to_csv


def wilson(count, n):
    ci = sp.binomtest(count, n).proportion_ci(method="wilson")
    return [round(100 * ci.low, 1), round(100 * ci.high, 1)]


@pytest.fixture
def summaries(survey):
    rows = (
        [answers(service="iapt", raised="yes", outcome="not", barriers=["fear"], safe="5")] * 4
        + [answers(service="iapt", raised="no", barriers=["fear", "time"], safe="4")] * 3
        + [answers(service="iapt", raised="no", safe="1")] * 3
        + [answers(service="other", raised="yes", outcome="partly", barriers=["time"], safe="2")] * 12
        + [answers(service="other", raised="no", safe="3")] * 18
        + [answers(service="bank", raised="no", safe="3")] * 4
        + [answers(service="agency", raised="yes", outcome="not", safe="2")] * 3
        + [answers(service="agency", raised="no", safe="2")] * 5
    )
    import_responses(survey=survey, text=to_csv(rows))
    compute_results(survey_id=survey.pk)
    return {q["key"]: q for q in released_document(survey=survey)["questions"]}


def choice(summary, value):
    return next(c for c in summary["choices"] if c["value"] == value)


def test_single_choice_counts_and_shares(summaries):
    service = summaries["service"]
    assert service["n"] == 52
    assert choice(service, "other") == {
        "value": "other",
        "label": "Other NHS",
        "count": 30,
        "n": 52,
        "pct": round(100 * 30 / 52, 1),
        "ci95": wilson(30, 52),
    }
    raised = summaries["raised_patient_care"]
    assert choice(raised, "yes")["count"] == 19 and choice(raised, "yes")["ci95"] == wilson(19, 52)


def test_multiple_choice_base_is_those_who_answered(summaries):
    barriers = summaries["barriers"]
    assert barriers["n"] == 4 + 3 + 12  # respondents who ticked anything
    assert choice(barriers, "fear")["count"] == 7
    assert choice(barriers, "time")["count"] == 15


def test_scale_distribution_and_share_agreeing(summaries):
    safe = summaries["safe"]
    assert safe["n"] == 52
    assert [c["count"] for c in safe["choices"]] == [3, 20, 22, 3, 4]
    assert safe["agree"]["labels"] == ["Point 4", "Point 5"]
    assert safe["agree"]["count"] == 7 and safe["agree"]["ci95"] == wilson(7, 52)


def test_groups_hidden_under_k_or_when_nearly_unanimous(summaries):
    by_group = {g["value"]: g for g in summaries["safe"]["breakdowns"][0]["groups"]}
    # iapt has exactly k = 10 respondents: shown, with its interval.
    assert by_group["iapt"]["n"] == 10
    assert next(c for c in by_group["iapt"]["choices"] if c["value"] == "5")["ci95"] == wilson(4, 10)
    assert by_group["bank"] == {"value": "bank", "label": "Bank", "suppressed": True}
    assert by_group["agency"]["suppressed"]  # 8: under k
    outcome = {g["value"]: g for g in summaries["outcome_patient_care"]["breakdowns"][0]["groups"]}
    # All 12 "other" who raised a concern said "partly": that tells each one's answer.
    assert outcome["other"].get("suppressed")


def test_free_text_is_not_summarised(summaries):
    assert "patient_care_comment" not in summaries


def test_a_choice_nobody_chose_has_an_interval_from_zero(summaries):
    agency = choice(summaries["service"], "agency")
    assert agency["count"] == 8
    by_group = {g["value"]: g for g in summaries["safe"]["breakdowns"][0]["groups"]}
    nobody = next(c for c in by_group["other"]["choices"] if c["value"] == "5")
    assert nobody["count"] == 0 and nobody["ci95"] == wilson(0, 30) and nobody["ci95"][0] == 0.0
