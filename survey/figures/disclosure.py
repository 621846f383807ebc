"""Disclosure control: pure functions on plain numbers (no queries).

DESIGN rule 5 and the rules we added to it (docs/anonymity.md):

- Primary: a figure resting on fewer than k respondents is hidden.
- Dominance: a "raised" figure is hidden when fewer than DOMINANCE
  respondents answered differently from the rest of their group (all, or all
  but one, said the same), because group membership is known to managers and
  such a figure tells each member's answer. "Resolved" figures rest on the
  people who raised a concern, whom nobody can list, so they are exempt.
- Secondary: within one breakdown, hidden cells together must be safe by the
  same tests (at least k people, not dominated), or more visible cells are
  hidden too (the cheapest set that works, sparing key groups), so
  subtracting visible cells from the total never reveals a hidden one.
- Differencing: a released set of figures is replaced only when every figure
  in it has grown by 0 or by at least k respondents since the last time it
  was shown (hidden in between or not).
"""

from collections.abc import Hashable, Mapping

from survey.models import Result

DOMINANCE = 2
MEASURES = Result.MEASURES

# A cell: its counts by category (choice, or yes/no for a concern figure) and its base n.
Cell = tuple[Mapping[Hashable, int], int]


def unsafe_distribution(counts: Mapping[Hashable, int], n: int, k: int, dominance: int = 0) -> bool:
    """Would publishing this distribution of n people disclose something about fewer than k?

    Fewer than k people, or fewer than ``dominance`` answering anything but
    one category (all, or all but one, said the same)."""
    if n == 0:
        return False  # nobody to protect; such a cell has no figure anyway
    return n < k or any(n - c < dominance for c in counts.values())


def binary(count: int, n: int) -> Cell:
    """A count-of-n figure as a cell: those counted and the rest."""
    return {"yes": count, "no": n - count}, n


def unsafe(count: int, n: int, k: int, dominance: int = 0) -> bool:
    """Would publishing count-of-n disclose something about fewer than k people?"""
    return unsafe_distribution(*binary(count, n), k, dominance)


# Why a cell is hidden: what its row says (issue finding 7: a group hidden to
# protect another must not say "too few respondents").
NOBODY = "no respondents"
FEWER_THAN_K = "fewer than k respondents"
TOO_UNIFORM = "answers too uniform to show"
PROTECTS_ANOTHER = "hidden to protect another group"
# Hidden because the same group is hidden in the question this one follows
# (show_if, or a concern's outcome after its raised question), whose answers
# its base would tell.
FOLLOWS_HIDDEN = "hidden with the question it follows"
# Reasons that stay true when passed on to a follow-up question: its base is
# at most the other question's count.
PASSED_ON = (NOBODY, FEWER_THAN_K, PROTECTS_ANOTHER)


def passed_on(reasons: Mapping) -> dict:
    """The reasons of one question's hidden groups, as a follow-up question gives them."""
    return {c: reason if reason in PASSED_ON else FOLLOWS_HIDDEN for c, reason in reasons.items()}


def suppression_reasons(
    cells: Mapping[Hashable, Cell],
    k: int,
    dominance: int = 0,
    already_hidden: frozenset | set | Mapping = frozenset(),
    keep: frozenset | set = frozenset(),
) -> dict:
    """Which cells of one partition must be hidden, each with its true reason
    (primary and secondary suppression).

    The partition's total is assumed public. Cells with n == 0 are hidden
    (they have no figure) but need no protection. Cells in ``already_hidden``
    (hidden for another measure or another table; a mapping gives their
    reasons) stay hidden. Then the hidden cells together must be safe by the
    same test, or more cells are hidden (the complement), so that
    subtracting the visible cells from the total never reveals a hidden one.
    The complement is the cheapest that works (``complement``): a key group
    (``keep``, marked by the organiser) only when nothing else will do, then
    the fewest respondents, then the fewest cells.
    """
    reasons: dict = {}
    for c, (counts, n) in cells.items():
        if n == 0:
            reasons[c] = NOBODY
        elif n < k:
            reasons[c] = FEWER_THAN_K
        elif unsafe_distribution(counts, n, k, dominance):
            reasons[c] = TOO_UNIFORM
    given = already_hidden if isinstance(already_hidden, Mapping) else dict.fromkeys(already_hidden, PROTECTS_ANOTHER)
    for c, reason in given.items():
        if c in cells and c not in reasons:
            reasons[c] = reason
    for c in complement(cells, set(reasons), k, dominance, keep):
        reasons[c] = PROTECTS_ANOTHER
    return reasons


# Above this many candidate cells the complement is chosen greedily (cheapest first).
_SEARCH_LIMIT = 12


def complement(cells: Mapping[Hashable, Cell], hidden: set, k: int, dominance: int = 0, keep=frozenset()) -> list:
    """The visible cells to hide too so that the hidden cells together are
    safe: of every set that makes them safe, the one that costs least, cost
    being (key groups hidden, respondents hidden, cells hidden). Issue
    finding 7: hiding the next-smallest group could hide the group the
    survey exists to report on. If no set makes them safe, every visible cell."""
    categories = sorted({category for counts, _ in cells.values() for category in counts}, key=str)

    def vector(c):
        counts, n = cells[c]
        return [counts.get(category, 0) for category in categories], n

    def unsafe_union(total, n):
        return unsafe_distribution(dict(zip(categories, total, strict=True)), n, k, dominance)

    total, n = [0] * len(categories), 0
    for c in hidden:
        v, m = vector(c)
        total, n = [a + b for a, b in zip(total, v, strict=True)], n + m
    if not unsafe_union(total, n):
        return []
    # Cheapest first; the order also breaks ties the same way every time.
    candidates = sorted((c for c in cells if c not in hidden), key=lambda c: (c in keep, cells[c][1], str(c)))
    if len(candidates) > _SEARCH_LIMIT:
        chosen = []
        for c in candidates:
            chosen.append(c)
            v, m = vector(c)
            total, n = [a + b for a, b in zip(total, v, strict=True)], n + m
            if not unsafe_union(total, n):
                break
        return chosen
    vectors = [vector(c) for c in candidates]
    everything = [sum(column) for column in zip(total, *(v for v, _ in vectors), strict=True)]
    if unsafe_union(everything, n + sum(m for _, m in vectors)):
        return candidates  # nothing protects them but hiding every cell
    best: list = [None, list(candidates)]  # cost, cells

    def search(start, chosen, total, n, cost):
        # Depth first over sets in cheapest-first order; a superset of a
        # safe set costs more, so a safe set is not extended.
        for i in range(start, len(candidates)):
            c = candidates[i]
            v, m = vectors[i]
            new_cost = (cost[0] + (c in keep), cost[1] + m, cost[2] + 1)
            if best[0] is not None and new_cost >= best[0]:
                continue
            new_total = [a + b for a, b in zip(total, v, strict=True)]
            if unsafe_union(new_total, n + m):
                search(i + 1, [*chosen, c], new_total, n + m, new_cost)
            else:
                best[0], best[1] = new_cost, [*chosen, c]

    search(0, [], total, n, (0, 0, 0))
    return best[1]


def hidden_cells(
    cells: Mapping[Hashable, Cell],
    k: int,
    dominance: int = 0,
    already_hidden: frozenset | set = frozenset(),
    keep: frozenset | set = frozenset(),
) -> set:
    """The cells ``suppression_reasons`` hides, without their reasons."""
    return set(suppression_reasons(cells, k, dominance, already_hidden, keep))


def _figures(document: dict):
    """Every shown figure of a results document, keyed by where it is."""
    yield ("respondents",), {"n": document["respondents"]}
    for concern in document["concerns"]:
        for measure in MEASURES:
            yield (concern["key"], measure), concern[measure]
        for breakdown in concern["breakdowns"]:
            for group in breakdown["groups"]:
                for measure in MEASURES:
                    figure = {"suppressed": True} if group.get("suppressed") else group[measure]
                    yield (concern["key"], breakdown["question"], group["value"], measure), figure
    for question in document.get("questions", []):
        yield ("q", question["key"]), question
        for breakdown in question["breakdowns"]:
            for group in breakdown["groups"]:
                yield ("q", question["key"], breakdown["question"], group["value"]), group


def shown_bases(documents, into: dict | None = None) -> dict[str, int]:
    """The base n each figure had the last time it was shown, over a series of
    documents (oldest first). Figures hidden later keep their last shown n."""
    bases = dict(into or {})
    for document in documents:
        for key, figure in _figures(document):
            if not figure.get("suppressed"):
                bases["/".join(key)] = figure["n"]
    return bases


def differencing_risks(shown: dict[str, int], new: dict, k: int) -> list[str]:
    """Figures of ``new`` whose base differs by 1 to k-1 respondents from the
    last time they were shown (``shown_bases``), or went down.

    Comparing the two would reveal the answers of fewer than k people, even
    when the figure was hidden in between; an empty list means ``new`` may
    be shown.
    """
    risks = []
    for key, figure in _figures(new):
        name = "/".join(key)
        if figure.get("suppressed") or name not in shown:
            continue
        grown = figure["n"] - shown[name]
        if grown < 0 or 0 < grown < k:
            risks.append(name)
    return risks
