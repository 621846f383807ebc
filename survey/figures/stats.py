"""Statistics for proportions: pure functions on plain numbers, no ORM."""

import math
from collections.abc import Sequence

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


def pct(x: float) -> float:
    """A proportion as a percentage rounded to one decimal place."""
    return round(100 * x + 0.0, 1)


def proportion(count: int, n: int) -> dict:
    """The published form of a figure: count, base n, percentage and 95% CI."""
    low, high = wilson_interval(count, n)
    return {"count": count, "n": n, "pct": pct(count / n), "ci95": [pct(low), pct(high)]}


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
        "difference": pct(diff),
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
