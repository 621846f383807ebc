"""Known populations: response rates (hidden where respondents, or those who
did not answer, are under k) and intervals corrected for a finite population."""

import math

import pytest
from django.template.loader import render_to_string

from survey.definitions.format import DefinitionError, export_definition, load_definition, validate_definition
from survey.figures.releases import released_document
from survey.figures.stats import wilson_interval_fpc
from survey.models import Survey
from survey.reports.publishing import publish_report
from survey.responses.importing import import_responses
from tests.factories import answers, close_and_release, definition, to_csv

Z = 1.959963984540054
POPULATIONS = {"iapt": 30, "other": 130, "agency": 20, "bank": 40}


def with_populations(total=250, groups=POPULATIONS):
    document = definition(population=total)
    for c in document["sections"][0]["questions"][0]["choices"]:
        if c["value"] in groups:
            c["population"] = groups[c["value"]]
    return document


def released(survey, rows):
    import_responses(survey=survey, text=to_csv(rows))
    close_and_release(survey)  # figures are released at closing
    return released_document(survey=survey)


# iapt 25 of 30 (5 did not answer: hidden); other 100 of 130; agency 10 of 20; bank 12 of 40.
ROWS = (
    [answers(service="iapt", raised="yes", outcome="not")] * 10
    + [answers(service="iapt")] * 15
    + [answers(service="other", raised="yes", outcome="adequately")] * 40
    + [answers(service="other")] * 60
    + [answers(service="agency", raised="yes", outcome="partly")] * 4
    + [answers(service="agency")] * 6
    + [answers(service="bank", raised="yes", outcome="not")] * 5
    + [answers(service="bank")] * 7
)


def test_response_rates_overall_and_by_group_with_the_k_rule(db):
    survey = load_definition(definition=validate_definition(with_populations()))
    rates = released(survey, ROWS)["response_rates"]
    assert rates["overall"] == {"respondents": 147, "population": 250, "pct": 58.8}
    groups = {g["value"]: g for g in rates["breakdowns"][0]["groups"]}
    assert groups["other"] == {
        "value": "other",
        "label": "Other NHS",
        "respondents": 100,
        "population": 130,
        "pct": 76.9,
    }
    assert groups["agency"]["pct"] == 50.0 and groups["bank"]["pct"] == 30.0
    # 25 of 30 answered: the 5 who did not are fewer than k, so no rate and no population.
    assert groups["iapt"] == {
        "value": "iapt",
        "label": "IAPT",
        "suppressed": True,
        "reason": "fewer than k respondents, or fewer than k who did not answer",
    }


def test_a_group_hidden_in_the_figures_has_no_rate(db):
    survey = load_definition(definition=validate_definition(with_populations()))
    rows = [r for r in ROWS if r["service"] != "agency"] + [answers(service="agency")] * 4
    groups = {g["value"]: g for g in released(survey, rows)["response_rates"]["breakdowns"][0]["groups"]}
    assert groups["agency"]["suppressed"] and "respondents" not in groups["agency"]


def test_raised_figures_gain_the_finite_population_interval(db):
    survey = load_definition(definition=validate_definition(with_populations()))
    document = released(survey, ROWS)
    raised = document["concerns"][0]["raised"]
    # By hand: Wilson with n replaced by n(N-1)/(N-n): 59 of 147 among 250.
    n, N, p = 147, 250, 59 / 147
    e = n * (N - 1) / (N - n)
    centre = (p + Z * Z / (2 * e)) / (1 + Z * Z / e)
    half = Z * math.sqrt(p * (1 - p) / e + Z * Z / (4 * e * e)) / (1 + Z * Z / e)
    assert raised["ci95_fpc"] == [round(100 * (centre - half), 1), round(100 * (centre + half), 1)]
    assert raised["ci95_fpc"][1] - raised["ci95_fpc"][0] < raised["ci95"][1] - raised["ci95"][0]
    other = next(g for g in document["concerns"][0]["breakdowns"][0]["groups"] if g["value"] == "other")
    assert "ci95_fpc" in other["raised"]
    iapt = next(g for g in document["concerns"][0]["breakdowns"][0]["groups"] if g["value"] == "iapt")
    assert "ci95_fpc" not in iapt["raised"]  # its rate is hidden, so its population is too


def test_the_corrected_interval_tends_to_wilson_for_a_huge_population():
    from survey.figures.stats import wilson_interval

    assert wilson_interval_fpc(38, 100, 10**9) == pytest.approx(wilson_interval(38, 100), abs=1e-6)
    with pytest.raises(ValueError):
        wilson_interval_fpc(5, 10, 10)


def test_a_code_survey_counts_the_codes_issued(db):
    survey = load_definition(definition=validate_definition(definition(access="codes")))
    Survey.objects.filter(pk=survey.pk).update(codes_issued=400)
    survey.refresh_from_db()
    rates = released(survey, ROWS)["response_rates"]
    assert rates["overall"] == {"respondents": 147, "population": 400, "pct": 36.8}


def test_no_population_no_rates(db):
    survey = load_definition(definition=validate_definition(definition()))
    assert "response_rates" not in released(survey, ROWS)


def test_populations_round_trip_and_bad_ones_are_refused(db):
    survey = load_definition(definition=validate_definition(with_populations()))
    exported = export_definition(survey=survey)
    assert exported["population"] == 250
    assert exported["sections"][0]["questions"][0]["choices"][0] == {"value": "iapt", "label": "IAPT", "population": 30}
    with pytest.raises(DefinitionError, match="add to 220, more than the survey's population") as refused:
        validate_definition(with_populations(total=200))
    assert refused.value.path == "sections[0].questions[0].choices"
    document = definition()
    document["sections"][2]["questions"][1]["choices"][0]["population"] = 5
    with pytest.raises(DefinitionError, match="only the choices of a breakdown question have a population"):
        validate_definition(document)


def test_populations_may_change_after_answers_and_are_audited(db):
    survey = load_definition(definition=validate_definition(with_populations()))
    import_responses(survey=survey, text=to_csv(ROWS))
    document = export_definition(survey=survey)
    document["population"] = 260
    load_definition(definition=validate_definition(document))
    assert Survey.objects.get(pk=survey.pk).population == 260
    assert "Staff in scope (population): 250 → 260" in survey.audit.order_by("-pk").first().detail


def test_the_report_shows_who_answered(db, alice):
    survey = load_definition(definition=validate_definition(with_populations()))
    released(survey, ROWS)
    report = publish_report(survey=survey, acting_user=alice)
    results = report.snapshot["results"]
    assert results["response_rates"]["overall"]["pct"] == 58.8
    page = render_to_string("survey/_figures.html", {"document": results, "questions_text": {}, "questions": []})
    assert "Who answered" in page and "58.8%" in page and "allowing for the known population" in page
