"""Statistics for proportions: pure functions on plain numbers, no ORM.

Rounding (docs/statistics.md): every percentage is rounded once, to one
decimal place, halves away from zero, computed exactly from the integers
(``Fraction``), never from a binary float: 115/400 = 28.75% is 28.8, 1/2000
= 0.05% is 0.1. Differences are computed from the exact shares and rounded
the same way; nothing prints "-0.0".
"""

import math
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

Z95 = 1.959963984540054  # two-sided 95% normal quantile


def wilson_interval(count: int, n: int, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval for count/n, as proportions in [0, 1]."""
    if n <= 0:
        raise ValueError("n must be positive")
    if not 0 <= count <= n:
        raise ValueError("count must be between 0 and n")
    p = count / n
    z2 = z * z
    denominator = 1 + z2 / n
    centre = (p + z2 / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / denominator
    # Clamp rounding noise so 0% and 100% give exact bounds.
    low = 0.0 if count == 0 else max(0.0, centre - half)
    high = 1.0 if count == n else min(1.0, centre + half)
    return low, high


def round_half_up(value: Fraction, places: int = 1) -> float:
    """An exact number rounded to ``places`` decimals, halves away from zero;
    zero is always +0.0 (never "-0.0")."""
    scale = 10**places
    scaled = abs(value) * scale
    whole = math.floor(scaled + Fraction(1, 2))
    if whole == 0:
        return 0.0
    return float(Fraction(whole if value > 0 else -whole, scale))


def percent(count: int, n: int) -> float:
    """count/n as a percentage to one decimal place, from the integers exactly."""
    return round_half_up(Fraction(100 * count, n))


def pct(x: float) -> float:
    """A proportion that is not a ratio of integers (an interval bound) as a
    percentage to one decimal place, halves away from zero. The float's own
    decimal expansion is rounded, so no tie is decided by binary noise."""
    return round_half_up(Fraction(Decimal(repr(100 * x))))


def proportion(count: int, n: int) -> dict:
    """The published form of a figure: count, base n, percentage and 95% CI."""
    low, high = wilson_interval(count, n)
    return {"count": count, "n": n, "pct": percent(count, n), "ci95": [pct(low), pct(high)]}


def difference(count1: int, n1: int, count2: int, n2: int) -> float:
    """Group 1 minus group 2 in percentage points, from the exact shares."""
    return round_half_up(Fraction(100 * count1, n1) - Fraction(100 * count2, n2))


def printed_difference_note(diff: float, pct1: float, pct2: float) -> str:
    """A note where the difference (from exact shares) is not the difference
    of the two printed percentages, else ""."""
    printed = round_half_up(Fraction(Decimal(repr(pct1))) - Fraction(Decimal(repr(pct2))))
    if printed == diff:
        return ""
    return (
        f"The difference, {number(diff)} points, is worked out from the exact shares before rounding, "
        f"so it is not quite {number(pct1)} minus {number(pct2)}."
    )


def number(value: float) -> str:
    """A rounded figure as text, one decimal place, never "-0.0"."""
    return f"{value + 0.0:.1f}" if value != 0 else "0.0"


def shares_note(shares: Sequence[float], *, multiple: bool = False) -> str:
    """A note where the printed shares of one question do not add to 100."""
    total = round_half_up(sum((Fraction(Decimal(repr(s))) for s in shares), Fraction(0)))
    if multiple:
        return "People could choose more than one answer, so the shares add to more than 100%." if total > 100 else ""
    if total == 100.0 or not shares:
        return ""
    return f"The shares add to {number(total)}%, not 100%, because each is rounded on its own."


ALPHA = 0.05


def p_text(p: float, alpha: float = ALPHA) -> str:
    """A p-value as text that never contradicts the verdict at ``alpha``:
    three decimals, or as many more as it takes for the printed value to fall
    on the same side of ``alpha`` as the value itself (0.0496 is "0.0496",
    never "0.050" beside "significant")."""
    if p < 0.001:
        return "< 0.001"
    for places in range(3, 9):
        shown = Decimal(repr(p)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
        if (shown < Decimal(repr(alpha))) == (p < alpha):
            return f"{shown:f}"
    return f"< {alpha}" if p < alpha else f"{alpha:.3f}"


def compare_proportions(count1: int, n1: int, count2: int, n2: int) -> dict:
    """Difference between two independent proportions, group 1 minus group 2.

    Carries Newcombe's hybrid score interval for the difference (built from
    the two Wilson intervals) and the pooled two-proportion z-test.
    """
    p1, p2 = count1 / n1, count2 / n2
    l1, u1 = wilson_interval(count1, n1)
    l2, u2 = wilson_interval(count2, n2)
    diff = p1 - p2
    low = diff - math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2)
    high = diff + math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)
    pooled = (count1 + count2) / (n1 + n2)
    se = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    z = 0.0 if se == 0 else diff / se
    p_value = math.erfc(abs(z) / math.sqrt(2))
    return {
        "difference": difference(count1, n1, count2, n2),
        "ci95": [pct(low), pct(high)],
        "z": round(z, 3),
        "p_value": p_value,
    }


def holm_adjust(p_values: Sequence[float]) -> list[float]:
    """Holm-Bonferroni adjusted p-values, in the order given."""
    m = len(p_values)
    order = sorted(range(m), key=lambda i: p_values[i])
    adjusted = [0.0] * m
    running = 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (m - rank) * p_values[i]))
        adjusted[i] = running
    return adjusted
