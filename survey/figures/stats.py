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


def wilson_interval_fpc(count: int, n: int, population: int, z: float = Z95) -> tuple[float, float]:
    """Wilson interval allowing for a known, finite population of N people of
    whom n answered: the variance shrinks by (N - n)/(N - 1), which is the
    Wilson formula with n replaced by n(N - 1)/(N - n)."""
    if not 0 < n < population:
        raise ValueError("n must be positive and below the population")
    p = count / n
    effective = n * (population - 1) / (population - n)
    z2 = z * z
    denominator = 1 + z2 / effective
    centre = (p + z2 / (2 * effective)) / denominator
    half = z * math.sqrt(p * (1 - p) / effective + z2 / (4 * effective * effective)) / denominator
    low = 0.0 if count == 0 else max(0.0, centre - half)
    high = 1.0 if count == n else min(1.0, centre + half)
    return low, high


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
    return f"From the exact shares; the rounded figures differ by {number(printed)}."


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


# --- Tests for small counts and for more than two groups ----------------------

SMALL_EXPECTED = 5  # an expected count under this calls for an exact test (Cochran)
_EXACT_TABLES = 200_000  # more tables than this to enumerate: the chi-square approximation is used
_RELATIVE = 1 + 1e-7  # tables this close to the observed probability count as "as extreme" (as scipy does)


def _log_comb(n: int, r: int) -> float:
    return math.lgamma(n + 1) - math.lgamma(r + 1) - math.lgamma(n - r + 1)


def expected_counts(counts: Sequence[int], bases: Sequence[int]) -> list[float]:
    """Expected counts of a groups-by-(yes, no) table under no difference, every cell."""
    total, yes = sum(bases), sum(counts)
    return [e for n in bases for e in (n * yes / total, n * (total - yes) / total)]


def fisher_exact(count1: int, n1: int, count2: int, n2: int) -> float:
    """Two-sided Fisher's exact test of a 2x2 table: the probability, with
    the margins fixed, of a table no more likely than the one observed."""
    return exact_homogeneity([count1, count2], [n1, n2])


def exact_homogeneity(counts: Sequence[int], bases: Sequence[int]) -> float:
    """Exact test that every group has the same proportion (Freeman-Halton,
    the r-group form of Fisher's test): the sum of the probabilities of all
    tables with the same group sizes and total count whose probability is no
    more than the observed one's. Raises ValueError when there are too many
    tables to enumerate."""
    total, yes = sum(bases), sum(counts)
    k = min(yes, total - yes)
    flip = k != yes
    observed = [n - c if flip else c for c, n in zip(counts, bases, strict=True)]
    norm = _log_comb(total, k)

    def log_p(table):
        return sum(_log_comb(n, x) for n, x in zip(bases, table, strict=True)) - norm

    limit = log_p(observed) + math.log(_RELATIVE)
    # Tables: ways to spread k among the groups, each at most its size.
    tables = math.comb(k + len(bases) - 1, len(bases) - 1)
    if tables > _EXACT_TABLES:
        raise ValueError("too many tables to enumerate")
    room = [sum(bases[i:]) for i in range(len(bases))] + [0]
    p = 0.0

    def spread(i: int, left: int, partial: float) -> None:
        nonlocal p
        if i == len(bases) - 1:
            if left <= bases[i]:
                lp = partial + _log_comb(bases[i], left)
                if lp - norm <= limit:
                    p += math.exp(lp - norm)
            return
        for x in range(max(0, left - room[i + 1]), min(bases[i], left) + 1):
            spread(i + 1, left - x, partial + _log_comb(bases[i], x))

    spread(0, k, 0.0)
    return min(1.0, p)


def chi2_sf(x: float, df: int) -> float:
    """P(X >= x) for a chi-square variable with ``df`` degrees of freedom:
    the regularised upper incomplete gamma function Q(df/2, x/2)."""
    if x <= 0:
        return 1.0
    a, t = df / 2, x / 2
    if t < a + 1:  # series for the lower function
        term = total = 1 / a
        for i in range(1, 1000):
            term *= t / (a + i)
            total += term
            if abs(term) < abs(total) * 1e-15:
                break
        return max(0.0, 1 - total * math.exp(-t + a * math.log(t) - math.lgamma(a)))
    # Continued fraction for the upper function (Lentz).
    tiny = 1e-300
    b = t + 1 - a
    c, d = 1 / tiny, 1 / b
    h = d
    for i in range(1, 1000):
        an = -i * (i - a)
        b += 2
        d = an * d + b
        d = tiny if abs(d) < tiny else d
        c = b + an / c
        c = tiny if abs(c) < tiny else c
        d = 1 / d
        delta = d * c
        h *= delta
        if abs(delta - 1) < 1e-15:
            break
    return math.exp(-t + a * math.log(t) - math.lgamma(a)) * h


def homogeneity_test(counts: Sequence[int], bases: Sequence[int]) -> dict:
    """Do these groups differ at all? Pearson's chi-square test of a
    groups-by-(yes, no) table, or the exact test where an expected count is
    under 5 (and the tables can be enumerated)."""
    expected = expected_counts(counts, bases)
    df = len(bases) - 1
    if any(e == 0 for e in expected):  # everyone alike: nothing differs
        return {"test": "chi-square", "statistic": 0.0, "df": df, "p_value": 1.0}
    observed = [v for c, n in zip(counts, bases, strict=True) for v in (c, n - c)]
    statistic = sum((o - e) ** 2 / e for o, e in zip(observed, expected, strict=True))
    if min(expected) < SMALL_EXPECTED:
        try:
            return {"test": "exact", "statistic": statistic, "df": df, "p_value": exact_homogeneity(counts, bases)}
        except ValueError:
            pass
    return {"test": "chi-square", "statistic": statistic, "df": df, "p_value": chi2_sf(statistic, df)}


def two_group_test(count1: int, n1: int, count2: int, n2: int) -> dict:
    """The comparison of two groups: difference, Newcombe's interval (for this
    comparison alone) and the p-value of the z-test, or of Fisher's exact
    test where an expected count is under 5."""
    result = compare_proportions(count1, n1, count2, n2)
    if min(expected_counts([count1, count2], [n1, n2])) < SMALL_EXPECTED:
        result |= {"test": "Fisher's exact", "p_value": fisher_exact(count1, n1, count2, n2)}
    else:
        result |= {"test": "z"}
    return result
