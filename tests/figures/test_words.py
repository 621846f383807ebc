"""Figures in plain words: from the shown, rounded figures only."""

from hypothesis import given
from hypothesis import strategies as st

from survey.figures.words import about_one_in, headline, in_100


def test_the_issue_example():
    concern = {"label": "Patient care", "raised": {"pct": 38.6}, "resolved": {"pct": 25.3}}
    assert headline(concern) == (
        "39 in 100 raised a concern about patient care; about 1 in 4 of them said it was resolved."
    )


def test_halves_and_round_shares_are_exact():
    assert about_one_in(50.0) == ("exactly", 1, 2)
    assert about_one_in(12.5) == ("exactly", 1, 8)
    assert about_one_in(55.0) == ("exactly", 11, 20)


def test_the_ends_say_fewer_or_more_than_one_in_twenty():
    assert about_one_in(2.9) == ("fewer than", 1, 20)
    assert about_one_in(97.0) == ("more than", 19, 20)
    assert about_one_in(0.0) == ("", 0, 1) and about_one_in(100.0) == ("", 1, 1)


@given(st.floats(min_value=0.1, max_value=99.9))
def test_a_share_is_never_far_from_the_figure(pct):
    qualifier, a, b = about_one_in(pct)
    if qualifier == "fewer than":
        assert pct < 5
    elif qualifier == "more than":
        assert pct > 95
    else:
        assert abs(100 * a / b - pct) <= 2.5
        assert abs(100 * a / b - pct) <= pct * 0.1 + 1e-9


def test_a_hidden_resolved_figure_gives_no_share():
    concern = {"label": "Patient care", "raised": {"pct": 40.0}, "resolved": {"suppressed": True}}
    text = headline(concern)
    assert text.startswith("40 in 100 raised a concern about patient care;") and " in 4" not in text
    hidden = {"label": "Patient care", "raised": {"suppressed": True}, "resolved": {"suppressed": True}}
    assert headline(hidden) == "Patient care: too few answers to show safely."


def test_an_acronym_keeps_its_capitals():
    concern = {"label": "IAPT access", "raised": {"pct": 20.0}, "resolved": {"pct": 50.0}}
    assert "about IAPT access" in headline(concern)


def test_raised_is_whole_people_in_100():
    assert in_100(38.5) == 39 and in_100(0.4) == 0
