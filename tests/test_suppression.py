from hypothesis import given
from hypothesis import strategies as st

from survey.suppression import hidden_cells


def test_group_under_minimum_is_suppressed_with_the_next_smallest():
    assert hidden_cells({"iapt": 230, "other": 750, "agency": 20, "bank": 7}, k=10) == {"bank", "agency"}


def test_nothing_hidden_when_every_group_is_large_enough():
    assert hidden_cells({"a": 10, "b": 11}, k=10) == set()


def test_hidden_cells_already_holding_k_need_no_partner():
    assert hidden_cells({"a": 6, "b": 5, "c": 100, "d": 200}, k=10) == {"a", "b"}


def test_empty_groups_do_not_count_as_protection():
    # Hiding an empty group beside a group of 3 would let subtraction recover the 3.
    assert hidden_cells({"a": 3, "b": 0, "c": 50, "d": 60}, k=10) == {"a", "b", "c"}


def test_cells_hidden_for_another_measure_stay_hidden():
    assert hidden_cells({"a": 30, "b": 40, "c": 50}, k=10, already_hidden=frozenset({"a", "b"})) == {"a", "b"}


@given(st.dictionaries(st.text(min_size=1, max_size=3), st.integers(0, 60), min_size=1, max_size=8), st.integers(5, 20))
def test_no_cell_under_k_is_visible_and_subtraction_never_recovers_fewer_than_k(sizes, k):
    hidden = hidden_cells(sizes, k)
    assert all(sizes[c] >= k for c in sizes if c not in hidden)
    # What a reader can work out by subtracting the visible cells from the
    # total is the hidden cells together: never fewer than k people, unless
    # everything is hidden. Hidden cells holding nobody reveal no one.
    people_hidden = sum(sizes[c] for c in hidden)
    if len(hidden) < len(sizes):
        assert people_hidden == 0 or people_hidden >= k


def test_empty_group_alone_hides_nothing_else():
    assert hidden_cells({"a": 0, "c": 50, "d": 60}, k=10) == {"a"}
