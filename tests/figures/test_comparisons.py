"""Comparisons: families fixed by the survey, one test per two-group
breakdown, an omnibus test beyond two, exact tests for small counts and no
verdict under the testing minimum; each checked against scipy."""

import itertools
import math

import pytest
from django.template.loader import render_to_string
from scipy import stats as sp

from survey.figures.comparisons import compare_surveys, comparisons
from survey.figures.stats import (
    exact_homogeneity,
    expected_counts,
    fisher_exact,
    holm_adjust,
    homogeneity_test,
    proportion,
)

SUPPRESSED = {"suppressed": True}


def group(value, raised, resolved=None):
    return {
        "value": value,
        "label": value.title(),
        "raised": proportion(*raised),
        "resolved": proportion(*resolved) if resolved else SUPPRESSED,
    }


def concern(key, breakdowns, raised, resolved=None):
    return {
        "key": key,
        "label": key.title(),
        "raised": proportion(*raised),
        "resolved": proportion(*resolved) if resolved else SUPPRESSED,
        "breakdowns": breakdowns,
    }


def pairs(found):
    return [c for c in found if c["kind"] == "pair"]


def test_a_two_group_breakdown_is_tested_once_against_scipy():
    band = {"question": "band", "groups": [group("band5", (40, 100)), group("band6", (60, 100))]}
    found = comparisons({"min_group_size": 10, "concerns": [concern("care", [band], (100, 200))]})
    assert len(found) == 1  # not "band5 vs rest" and "band6 vs rest": one test
    row = found[0]
    assert (row["label"], row["against"], row["test"]) == ("Band5", "Band6", "z")
    _, p, _, _ = sp.chi2_contingency([[40, 60], [60, 40]], correction=False)
    assert row["p_value"] == pytest.approx(p, rel=1e-9) and row["p_adjusted"] == pytest.approx(p, rel=1e-9)
    assert row["difference"] == -20.0 and row["family_size"] == 1


def test_a_group_whose_rest_is_under_k_is_not_compared():
    # 60 respondents in three services; iapt holds 52, so its rest (8) is
    # under k = 10 and would describe the hidden groups exactly.
    service = {
        "question": "service",
        "groups": [group("iapt", (28, 52)), {"value": "bank", "label": "Bank", **SUPPRESSED}, group("agency", (2, 8))],
    }
    document = {"min_group_size": 10, "concerns": [concern("care", [service], (30, 60))]}
    assert all(c["value"] != "iapt" for c in pairs(comparisons(document)))


def two_breakdowns(selected=None):
    service = {
        "question": "service",
        "groups": [group("iapt", (133, 230), (28, 133)), group("other", (247, 770), (67, 247))],
    }
    team = {
        "question": "team",
        "groups": [
            group("north", (120, 300), (30, 120)),
            group("south", (100, 300), (20, 100)),
            group("east", (95, 250), (30, 95)),
            group("west", (65, 150), (12, 65)),
        ],
    }
    concerns = [
        concern("care", [service, team], (380, 1000), (95, 380)),
        concern("work", [service, team], (380, 1000), (95, 380)),
    ]
    if selected:
        concerns = [c | {"breakdowns": [b for b in c["breakdowns"] if b["question"] == selected]} for c in concerns]
        concerns = concerns[:1]
    return {"min_group_size": 10, "concerns": concerns}


def test_a_report_showing_fewer_comparisons_gives_the_same_verdicts():
    # The console shows every comparison; a report shows one concern and one
    # breakdown. The family is one concern and breakdown, so each verdict
    # and corrected p is the same in both (finding 3: 0.130 vs 0.041 before).
    console = {(c["concern"], c["question"], c["measure"], c.get("value")): c for c in comparisons(two_breakdowns())}
    report = comparisons(two_breakdowns(selected="team"))
    assert report
    for row in report:
        same = console[(row["concern"], row["question"], row["measure"], row.get("value"))]
        assert (row["p_adjusted"], row["significant"]) == (same["p_adjusted"], same["significant"])
    # The family: care x team holds 4 + 4 group-against-rest rows (both measures).
    team_rows = [c for c in pairs(report)]
    assert {c["family_size"] for c in team_rows} == {8}
    raw = [c["p_value"] for c in team_rows]
    assert [c["p_adjusted"] for c in team_rows] == pytest.approx(holm_adjust(raw))


def test_more_than_two_groups_get_an_omnibus_test_matching_scipy():
    found = comparisons(two_breakdowns(selected="team"))
    omnibus = [c for c in found if c["kind"] == "omnibus"]
    raised = next(c for c in omnibus if c["measure"] == "raised")
    table = [[120, 180], [100, 200], [95, 155], [65, 85]]
    chi2, p, df, _ = sp.chi2_contingency(table, correction=False)
    assert raised["test"] == "chi-square" and raised["df"] == df == 3
    assert raised["statistic"] == pytest.approx(chi2) and raised["p_value"] == pytest.approx(p, rel=1e-9)
    assert raised["groups"] == ["North", "South", "East", "West"]
    # Two omnibus tests (one per measure) form their own family.
    assert raised["p_adjusted"] == pytest.approx(holm_adjust([c["p_value"] for c in omnibus])[0])


def test_a_tiny_team_gets_no_verdict():
    # Finding 6: a team of 6, 2 raising, against 50 of 1,000: the z-test says
    # p 0.0018; Fisher's exact test says 0.034. Under 30 respondents: no verdict.
    team = {
        "question": "team",
        "groups": [group("tiny", (2, 6)), group("big", (50, 1000)), group("mid", (40, 100))],
    }
    found = comparisons({"min_group_size": 5, "concerns": [concern("care", [team], (92, 1106))]})
    tiny = next(c for c in pairs(found) if c["value"] == "tiny")
    assert tiny["p_value"] is None and tiny["significant"] is None and "not tested" in tiny["untested"]
    assert all(c["family_size"] == 2 for c in pairs(found) if c["value"] != "tiny")
    assert fisher_exact(2, 6, 50, 1000) == pytest.approx(sp.fisher_exact([[2, 4], [50, 950]]).pvalue, rel=1e-9)
    assert not [c for c in found if c["kind"] == "omnibus"]  # two groups left to test: their pair is enough


def test_small_expected_counts_use_fishers_exact_test():
    # 3 of 40 against 10 of 1,000: an expected count under 5.
    team = {"question": "team", "groups": [group("small", (3, 40)), group("large", (10, 1000))]}
    row = comparisons({"min_group_size": 10, "concerns": [concern("care", [team], (13, 1040))]})[0]
    assert row["test"] == "Fisher's exact"
    assert row["p_value"] == pytest.approx(sp.fisher_exact([[3, 37], [10, 990]]).pvalue, rel=1e-9)


@pytest.mark.parametrize(
    ("counts", "bases"),
    [([1, 4, 0], [30, 32, 31]), ([0, 0, 3, 1], [30, 40, 35, 30]), ([2, 9], [35, 40]), ([30, 0, 1], [30, 31, 33])],
)
def test_exact_omnibus_matches_enumeration_with_scipy(counts, bases):
    # Every table with these group sizes and total, weighed by scipy's
    # multivariate hypergeometric distribution.
    total = sum(counts)
    observed = sp.multivariate_hypergeom.pmf(counts, bases, total)
    p = 0.0
    for table in itertools.product(*[range(min(n, total) + 1) for n in bases]):
        if sum(table) == total:
            prob = sp.multivariate_hypergeom.pmf(list(table), bases, total)
            if prob <= observed * (1 + 1e-7):
                p += prob
    assert exact_homogeneity(counts, bases) == pytest.approx(p, rel=1e-7)
    small = min(expected_counts(counts, bases)) < 5
    assert homogeneity_test(counts, bases)["test"] == ("exact" if small else "chi-square")
    if len(bases) == 2:
        table = [[counts[0], bases[0] - counts[0]], [counts[1], bases[1] - counts[1]]]
        assert exact_homogeneity(counts, bases) == pytest.approx(sp.fisher_exact(table).pvalue, rel=1e-9)


@pytest.mark.parametrize(("x", "df"), [(0.5, 1), (3.84, 1), (12.0, 3), (0.01, 5), (80.0, 7), (250.0, 2)])
def test_chi_square_tail_matches_scipy(x, df):
    assert homogeneity_test([1], [1])["p_value"] == 1.0  # nothing to differ
    from survey.figures.stats import chi2_sf

    assert chi2_sf(x, df) == pytest.approx(sp.chi2.sf(x, df), rel=1e-9, abs=1e-300)


def test_captions_say_the_interval_is_not_corrected():
    document = two_breakdowns(selected="team")
    page = render_to_string(
        "survey/_figures.html",
        {"document": document, "comparisons": comparisons(document), "questions_text": {}, "questions": []},
    )
    assert "The 95% interval is for each comparison on its own, not corrected" in page
    assert "do the groups differ at all?" in page and "Groups of fewer than 30" in page
    assert "Figures for everyone are within about 3.1 points either way; for groups of about 300" in page


def test_survey_against_survey_one_family_per_concern():
    this, last = two_breakdowns(), two_breakdowns()
    last["concerns"][0]["raised"] = proportion(300, 1000)
    rows = compare_surveys(this, last)
    care = [r for r in rows if r["concern"] == "Care"]
    assert {r["family_size"] for r in care} == {len(care)}
    overall = next(r for r in care if r["group"] == "All respondents" and r["measure"] == "raised")
    _, p, _, _ = sp.chi2_contingency([[380, 620], [300, 700]], correction=False)
    assert overall["p_value"] == pytest.approx(p, rel=1e-9) and math.isclose(overall["difference"], 8.0)


def test_significant_means_significant_after_correcting_for_the_family():
    # Three teams: North against the rest alone gives p = 0.038, but the
    # family holds three such comparisons, so its corrected p (0.076) is not; East
    # differs by far more and stays significant after the correction.
    team = {
        "question": "team",
        "groups": [group("north", (30, 100)), group("south", (50, 200)), group("east", (10, 100))],
    }
    found = comparisons({"min_group_size": 10, "concerns": [concern("care", [team], (90, 400))]})
    tested = [c for c in found if c.get("p_value") is not None]
    assert tested
    for c in tested:
        assert c["significant"] == (c["p_adjusted"] < 0.05), c
    north = next(c for c in pairs(found) if c["value"] == "north")
    assert north["p_value"] < 0.05 < north["p_adjusted"] and not north["significant"]
    assert next(c for c in pairs(found) if c["value"] == "east")["significant"]
