"""Each group against the rest: only where the rest rests on at least k."""

from survey.figures.comparisons import comparisons
from survey.figures.stats import proportion

SUPPRESSED = {"suppressed": True}


def group(value, raised):
    return {"value": value, "label": value.title(), "raised": proportion(*raised), "resolved": SUPPRESSED}


def test_a_group_whose_rest_is_under_k_is_not_compared():
    # 60 respondents. By service, iapt holds 52: the rest (8) is under k = 10,
    # and its figure (2 of 8) would describe the hidden group exactly. By band,
    # each half's rest is 30 people: both are compared.
    document = {
        "min_group_size": 10,
        "concerns": [
            {
                "key": "patient-care",
                "label": "Patient care",
                "raised": proportion(30, 60),
                "resolved": SUPPRESSED,
                "breakdowns": [
                    {
                        "question": "service",
                        "groups": [group("iapt", (28, 52)), {"value": "other", "label": "Other", **SUPPRESSED}],
                    },
                    {"question": "band", "groups": [group("band5", (10, 30)), group("band6", (20, 30))]},
                ],
            }
        ],
    }
    found = comparisons(document)
    assert {(c["question"], c["value"]) for c in found} == {("band", "band5"), ("band", "band6")}
    band5 = next(c for c in found if c["value"] == "band5")
    assert (band5["group_pct"], band5["rest_pct"]) == (33.3, 66.7)


def test_significant_means_significant_after_adjusting_for_every_comparison_made():
    # By band, 10 of 30 against 18 of 30: p = 0.038 on its own, but four
    # comparisons are made (two by band, two by service), so its adjusted p
    # is 0.077: not significant. By service, 2 of 30 against 26 of 30 stays
    # significant however many comparisons are made.
    document = {
        "min_group_size": 10,
        "concerns": [
            {
                "key": "patient-care",
                "label": "Patient care",
                "raised": proportion(28, 60),
                "resolved": SUPPRESSED,
                "breakdowns": [
                    {"question": "band", "groups": [group("band5", (10, 30)), group("band6", (18, 30))]},
                    {"question": "service", "groups": [group("iapt", (2, 30)), group("other", (26, 30))]},
                ],
            }
        ],
    }
    found = {c["value"]: c for c in comparisons(document)}
    assert set(found) == {"band5", "band6", "iapt", "other"}
    assert 0.03 < found["band5"]["p_value"] < 0.05 and found["band5"]["p_adjusted"] > 0.05
    assert not found["band5"]["significant"] and not found["band6"]["significant"]
    assert found["iapt"]["significant"] and found["other"]["significant"]
