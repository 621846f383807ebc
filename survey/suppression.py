"""Small-cell suppression (DESIGN rule 5): pure functions, no ORM."""

from collections.abc import Hashable, Mapping


def hidden_cells(sizes: Mapping[Hashable, int], k: int, already_hidden: frozenset = frozenset()) -> set:
    """Which cells of one partition must be hidden.

    ``sizes`` maps each cell (a group of a breakdown) to the number of
    respondents its figure rests on; the total of the partition is assumed
    public. Primary: every cell under ``k`` is hidden. Secondary: while the
    hidden cells together hold fewer than ``k`` respondents, the smallest
    visible cell is hidden too (unless the hidden cells hold nobody at
    all), so that subtracting the visible cells from
    the total never gives a figure resting on fewer than ``k`` people.
    Cells in ``already_hidden`` (hidden for another measure) stay hidden.
    """
    hidden = {cell for cell, n in sizes.items() if n < k} | set(already_hidden)
    visible = sorted((n, str(cell), cell) for cell, n in sizes.items() if cell not in hidden)
    # Hidden cells holding nobody need no protection: they reveal no one.
    while 0 < sum(sizes[cell] for cell in hidden) < k and visible:
        hidden.add(visible.pop(0)[2])
    return hidden
