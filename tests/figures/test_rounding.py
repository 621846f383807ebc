"""Rounding: from the integers, exactly, halves away from zero; notes where
printed figures do not add up; p-values that never contradict the verdict."""

from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from survey.figures.stats import (
    compare_proportions,
    difference,
    number,
    p_text,
    percent,
    printed_difference_note,
    proportion,
    shares_note,
)
from survey.templatetags.candour import pvalue


def half_up(count, n):
    # Independent check: decimal arithmetic on the integers.
    return float((Decimal(100 * count) / Decimal(n)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


@pytest.mark.parametrize(
    ("count", "n", "shown"),
    [
        (115, 400, 28.8),
        (285, 400, 71.3),
        (200, 640, 31.3),
        (1, 2000, 0.1),
        (0, 40, 0.0),
        (40, 40, 100.0),
        (10, 10, 100.0),
    ],
)
def test_ties_round_half_up_from_the_integers(count, n, shown):
    assert percent(count, n) == shown
    assert proportion(count, n)["pct"] == shown


@given(st.integers(1, 100_000).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))))
def test_every_percentage_is_the_exact_half_up_rounding(case):
    count, n = case
    assert percent(count, n) == half_up(count, n)


def test_yes_no_split_of_400_adds_to_100_and_notes_when_it_does_not():
    shares = [percent(115, 400), percent(285, 400)]
    assert (
        shares == [28.8, 71.3]
        and shares_note(shares) == "The shares add to 100.1%, not 100%, because each is rounded on its own."
    )
    assert shares_note([percent(1, 4), percent(3, 4)]) == ""
    assert shares_note([percent(1, 3)] * 3) == "The shares add to 99.9%, not 100%, because each is rounded on its own."
    assert "more than one" in shares_note([50.0, 70.0], multiple=True)
    assert shares_note([20.0, 30.0], multiple=True) == ""


def test_differences_come_from_exact_shares_and_never_print_minus_zero():
    # 1/3 - 1/3 is zero; 1/2001 - 1/2000 is a tiny negative: both print "0.0".
    assert difference(1, 3, 2, 6) == 0.0 and number(difference(1, 2001, 1, 2000)) == "0.0"
    assert number(-0.0) == "0.0" and number(compare_proportions(1, 2001, 1, 2000)["ci95"][0]) != "-0.0"
    # 28.75 - 31.25 = -2.5 exactly: half away from zero, -2.5.
    assert difference(115, 400, 200, 640) == -2.5
    # 0.05% and 0.04% print as 0.1 and 0.0, a printed difference of 0.1; the exact one is 0.0.
    diff = difference(1, 2000, 1, 2500)
    assert diff == 0.0
    assert printed_difference_note(diff, percent(1, 2000), percent(1, 2500)) == (
        "From the exact shares; the rounded figures differ by 0.1."
    )
    assert printed_difference_note(difference(38, 100, 25, 100), 38.0, 25.0) == ""


@pytest.mark.parametrize(
    ("p", "text"),
    [
        (0.0496, "0.0496"),
        (0.0501, "0.050"),
        (0.05, "0.050"),
        (0.04996, "0.04996"),
        (0.1304, "0.130"),
        (0.0009, "< 0.001"),
        (1.0, "1.000"),
    ],
)
def test_printed_p_value_never_contradicts_the_verdict(p, text):
    assert p_text(p) == text == pvalue(p)
    assert (Decimal(text) < Decimal("0.05")) == (p < 0.05) if text[0] != "<" else p < 0.05


def test_margin_of_error_sentence_comes_from_the_documents_own_figures():
    from scipy import stats as sp

    from survey.figures.documents import margin_of_error

    def widest(n):  # the half-width of the 95% Wilson interval at 50%, by scipy
        ci = sp.binomtest(n // 2, n).proportion_ci(method="wilson")
        return f"{(ci.high - ci.low) / 2 * 100:.1f}"

    groups = [
        {"value": v, "label": v, "raised": proportion(n // 3, n)} for v, n in (("a", 96), ("b", 104), ("c", 1300))
    ]
    document = {
        "concerns": [
            {"raised": proportion(570, 1500), "breakdowns": [{"question": "team", "groups": groups}]},
        ]
    }
    assert margin_of_error(document) == (
        f"Figures for everyone are within about {widest(1500)} points either way; for groups of about 100, "
        f"about {widest(100)} points (95% intervals). This covers chance only, not who chose to answer."
    )
    assert widest(1500) == "2.5"
    assert margin_of_error({"concerns": [{"raised": {"suppressed": True}, "breakdowns": []}]}) == ""
