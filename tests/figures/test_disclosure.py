from hypothesis import example, given
from hypothesis import strategies as st

from survey.figures.disclosure import DOMINANCE, binary, differencing_risks, hidden_cells, shown_bases


def hide(cells, k, **options):
    """hidden_cells over count-of-n figures (a concern table's cells)."""
    return hidden_cells({c: binary(count, n) for c, (count, n) in cells.items()}, k, **options)


def sized(**sizes):
    """Cells where half answered yes: only size matters."""
    return {name: (n // 2, n) for name, n in sizes.items()}


def test_group_under_minimum_is_suppressed_with_the_next_smallest():
    assert hide(sized(iapt=230, other=750, agency=20, bank=7), k=10) == {"bank", "agency"}


def test_nothing_hidden_when_every_group_is_large_enough():
    assert hide(sized(a=10, b=11), k=10) == set()


def test_hidden_cells_already_holding_k_need_no_partner():
    assert hide(sized(a=6, b=5, c=100, d=200), k=10) == {"a", "b"}


def test_empty_groups_do_not_count_as_protection():
    # Hiding an empty group beside a group of 3 would let subtraction recover the 3.
    assert hide(sized(a=3, b=0, c=50, d=60), k=10) == {"a", "b", "c"}


def test_empty_group_alone_hides_nothing_else():
    assert hide(sized(a=0, c=50, d=60), k=10) == {"a"}


def test_cells_hidden_for_another_measure_stay_hidden():
    assert hide(sized(a=30, b=40, c=50), k=10, already_hidden=frozenset({"a", "b"})) == {"a", "b"}


def test_unanimous_group_is_hidden_with_a_partner_under_the_dominance_rule():
    # Everyone on a ward of 12 raised a concern: publishing 100% tells each one's answer.
    cells = {"ward": (12, 12), "clinic": (10, 40), "office": (20, 60)}
    assert hide(cells, k=10) == set()
    assert hide(cells, k=10, dominance=DOMINANCE) == {"ward", "clinic"}


def test_single_dissenter_is_dominance():
    cells = {"a": (1, 30), "b": (10, 40), "c": (20, 60)}
    assert "a" in hide(cells, k=10, dominance=DOMINANCE)


def test_a_distribution_is_dominated_when_all_but_one_chose_the_same():
    # A question summary: 11 of 12 on a ward agreed; the one who did not is known by elimination.
    cells = {
        "ward": ({"agree": 11, "neutral": 1, "disagree": 0}, 12),
        "clinic": ({"agree": 10, "neutral": 15, "disagree": 15}, 40),
        "office": ({"agree": 20, "neutral": 20, "disagree": 20}, 60),
    }
    assert hidden_cells(cells, k=10, dominance=DOMINANCE) == {"ward", "clinic"}
    assert hidden_cells(cells, k=10) == set()


cells_strategy = st.dictionaries(
    st.text(min_size=1, max_size=3),
    st.integers(0, 60).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))),
    min_size=1,
    max_size=8,
)


# Whatever inputs a run draws, the dominance rule is tried on the cases it
# exists for: a unanimous group, a lone dissenter, two dominated groups
# that are unsafe together, and a dominated group beside large ones.
@example({"a": (12, 12), "b": (10, 30), "c": (20, 40)}, 10, DOMINANCE)
@example({"a": (11, 12), "b": (15, 30), "c": (0, 25)}, 10, DOMINANCE)
@example({"a": (1, 12), "b": (14, 15), "c": (20, 40), "d": (20, 41)}, 10, DOMINANCE)
@example({"a": (20, 20), "b": (0, 20), "c": (10, 20)}, 10, DOMINANCE)
@given(cells_strategy, st.integers(5, 20), st.sampled_from([0, DOMINANCE]))
def test_nothing_unsafe_is_visible_or_recoverable_by_subtraction(cells, k, dominance):
    hidden = hide(cells, k, dominance=dominance)
    for c, (count, n) in cells.items():
        if c not in hidden:
            assert n >= k and min(count, n - count) >= dominance
    # Subtracting the visible cells from the total gives the hidden cells
    # together: safe by the same tests, or nobody at all, unless all are hidden.
    if len(hidden) < len(cells):
        count = sum(cells[c][0] for c in hidden)
        n = sum(cells[c][1] for c in hidden)
        assert n == 0 or (n >= k and min(count, n - count) >= dominance)


def doc(respondents, raised_n, group_n):
    figure = lambda n: {"count": n // 2, "n": n, "pct": 50.0, "ci95": [0, 100]}  # noqa: E731
    return {
        "respondents": respondents,
        "concerns": [
            {
                "key": "c",
                "raised": figure(raised_n),
                "resolved": {"suppressed": True},
                "breakdowns": [
                    {
                        "question": "q",
                        "groups": [{"value": "a", "raised": figure(group_n), "resolved": figure(group_n)}],
                    }
                ],
            }
        ],
    }


def risks(old, new):
    return differencing_risks(shown_bases([old]), new, k=10)


def test_differencing_blocks_a_step_of_one_respondent():
    assert risks(doc(100, 100, 40), doc(101, 101, 41)) != []


def test_differencing_allows_steps_of_k_or_none():
    assert risks(doc(100, 100, 40), doc(110, 110, 40)) == []
    assert risks(doc(100, 100, 40), doc(100, 100, 40)) == []
    assert risks(doc(100, 100, 40), doc(120, 120, 50)) == []


def test_differencing_remembers_figures_hidden_in_between():
    shown, hidden, back = doc(100, 100, 40), doc(110, 110, 41), doc(120, 120, 41)
    hidden["concerns"][0]["breakdowns"][0]["groups"][0] = {"value": "a", "suppressed": True}
    assert differencing_risks(shown_bases([shown]), hidden, k=10) == []
    # Shown at 40, hidden at 41, shown again at 41: the 41st person would be exposed.
    assert differencing_risks(shown_bases([shown, hidden]), back, k=10) != []
