import math

import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats as sp

from survey.figures.stats import compare_proportions, holm_adjust, proportion, wilson_interval


@given(st.integers(1, 5000).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))))
def test_wilson_matches_scipy(case):
    count, n = case
    expected = sp.binomtest(count, n).proportion_ci(confidence_level=0.95, method="wilson")
    low, high = wilson_interval(count, n)
    assert low == pytest.approx(expected.low, abs=1e-9)
    assert high == pytest.approx(expected.high, abs=1e-9)


def test_wilson_by_hand_for_design_example():
    # 380 of 1000: centre (p + z²/2n)/(1 + z²/n), half-width z√(p(1-p)/n + z²/4n²)/(1 + z²/n).
    z, n, p = 1.959963984540054, 1000, 0.38
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    assert proportion(380, 1000) == {
        "count": 380,
        "n": 1000,
        "pct": 38.0,
        "ci95": [round(100 * (centre - half), 1), round(100 * (centre + half), 1)],
    }
    assert proportion(380, 1000)["ci95"] == [35.0, 41.0]  # as in DESIGN.md


def test_interval_at_zero_hundred_and_n_equal_k():
    assert proportion(0, 10) == {"count": 0, "n": 10, "pct": 0.0, "ci95": [0.0, 27.8]}
    assert proportion(10, 10) == {"count": 10, "n": 10, "pct": 100.0, "ci95": [72.2, 100.0]}
    assert proportion(5, 10)["ci95"] == [23.7, 76.3]


def test_two_proportion_test_matches_scipy_chi_square():
    # IAPT against the rest, shaped like DESIGN.md's example.
    result = compare_proportions(133, 230, 247, 770)
    table = [[133, 230 - 133], [247, 770 - 247]]
    chi2, p, _, _ = sp.chi2_contingency(table, correction=False)
    assert result["z"] == pytest.approx(math.sqrt(chi2), abs=1e-3)
    assert result["p_value"] == pytest.approx(p, rel=1e-9)
    assert result["difference"] == round(100 * (133 / 230 - 247 / 770), 1)
    low, high = result["ci95"]
    assert low < result["difference"] < high


def test_no_difference_is_not_significant():
    result = compare_proportions(50, 100, 50, 100)
    assert result["difference"] == 0.0
    assert result["p_value"] == pytest.approx(1.0)


def test_holm_adjustment_by_hand():
    # Sorted p: 0.01, 0.02, 0.04 -> x3, x2, x1 with running max: 0.03, 0.04, 0.04.
    assert holm_adjust([0.04, 0.01, 0.02]) == pytest.approx([0.04, 0.03, 0.04])
    assert holm_adjust([0.5, 0.9]) == pytest.approx([1.0, 1.0])
