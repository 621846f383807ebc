"""Comparisons: groups within a breakdown, and one survey against another.

The rules (docs/statistics.md, "Comparisons"), fixed by the survey, never by
what a page or report selects:

- a family is one concern and one breakdown (both measures): Holm's
  correction runs over the comparisons of that family in the release, so a
  report showing one breakdown gives each verdict the console gives;
- a breakdown of two groups is tested once, one group against the other;
  with more groups, an omnibus test says whether they differ at all, and
  each group is compared with the rest of the respondents;
- no verdict for a group (or a rest) under the testing minimum, 30 or k if
  larger: the figures are shown, the test is not made;
- Fisher's exact test where an expected count is under 5, else the z-test;
- the interval is Newcombe's 95% interval for the one comparison, not
  corrected: every caption says so.
"""

from survey.figures.documents import MEASURES
from survey.figures.stats import (
    ALPHA,
    holm_adjust,
    homogeneity_test,
    percent,
    printed_difference_note,
    two_group_test,
)

TEST_MINIMUM = 30


def test_minimum(k: int) -> int:
    """The smallest group a verdict is given for: 30, or k if larger."""
    return max(TEST_MINIMUM, k)


def _pair(count1: int, n1: int, count2: int, n2: int, minimum: int) -> dict:
    """Difference and test of two groups; untested when either is under the minimum."""
    result = two_group_test(count1, n1, count2, n2)
    if min(n1, n2) < minimum:
        result |= {"test": "", "p_value": None, "untested": f"fewer than {minimum} respondents: not tested"}
    return result


def comparisons(document: dict) -> list[dict]:
    """Every comparison of a released (or published) document, with verdicts.

    Each row is a group against the rest (or, in a breakdown of two groups,
    against the other group), or an omnibus row (``"kind": "omnibus"``) for a
    breakdown of more than two groups. The rest is the overall figure minus
    the group's, so it reveals nothing the document does not show; it is
    left out when it rests on fewer than k respondents."""
    k = document["min_group_size"]
    minimum = test_minimum(k)
    found: list[dict] = []
    for concern in document["concerns"]:
        for breakdown in concern["breakdowns"]:
            family: list[dict] = []
            omnibus: list[dict] = []
            for m in MEASURES:
                total = concern[m]
                if total.get("suppressed"):
                    continue
                visible = [
                    g
                    for g in breakdown["groups"]
                    if not g.get("suppressed") and not g.get(m, {"suppressed": True}).get("suppressed") and g[m]["n"]
                ]
                base = {
                    "concern": concern["key"],
                    "concern_label": concern["label"],
                    "measure": m,
                    "question": breakdown["question"],
                }
                if len(breakdown["groups"]) == 2:
                    if len(visible) == 2:  # one test: the two groups are each other's rest
                        a, b = visible
                        family.append(base | _row(a, a[m], b[m], b["label"], minimum))
                    continue
                for group in visible:
                    part = group[m]
                    rest = {"count": total["count"] - part["count"], "n": total["n"] - part["n"]}
                    if rest["n"] < k:
                        continue
                    rest["pct"] = percent(rest["count"], rest["n"])
                    family.append(base | _row(group, part, rest, "the rest", minimum))
                tested = [g for g in visible if g[m]["n"] >= minimum]
                if len(tested) > 2:
                    test = homogeneity_test([g[m]["count"] for g in tested], [g[m]["n"] for g in tested])
                    omnibus.append(
                        base
                        | {
                            "kind": "omnibus",
                            "groups": [g["label"] for g in tested],
                            "minimum": minimum,
                            "label": "Do the groups differ at all?",
                            **test,
                        }
                    )
            found += _adjusted(family) + _adjusted(omnibus)
    return found


def _row(group: dict, part: dict, other: dict, against: str, minimum: int) -> dict:
    result = _pair(part["count"], part["n"], other["count"], other["n"], minimum)
    row = {
        "kind": "pair",
        "value": group["value"],
        "label": group["label"],
        "against": against,
        "group_pct": part["pct"],
        "rest_pct": other["pct"],
        "minimum": minimum,
        **result,
    }
    note = printed_difference_note(row["difference"], part["pct"], other["pct"])
    if note:
        row["note"] = note
    return row


def compare_surveys(this: dict, other: dict) -> list[dict]:
    """Side by side: every figure shown in both released documents, this
    survey minus the other, with a test; one family per concern topic."""
    minimum = test_minimum(max(this["min_group_size"], other["min_group_size"]))
    found = []
    theirs = {c["key"]: c for c in other["concerns"]}
    for concern in this["concerns"]:
        match = theirs.get(concern["key"])
        if match is None:
            continue
        pairs = [("All respondents", concern, match)]
        their_groups = {
            (b["question"], g["value"]): g for b in match["breakdowns"] for g in b["groups"] if not g.get("suppressed")
        }
        for b in concern["breakdowns"]:
            for g in b["groups"]:
                if not g.get("suppressed") and (b["question"], g["value"]) in their_groups:
                    pairs.append((g["label"], g, their_groups[(b["question"], g["value"])]))
        family = []
        for label, a, b in pairs:
            for m in MEASURES:
                if a[m].get("suppressed") or b[m].get("suppressed"):
                    continue
                row = {
                    "kind": "pair",
                    "concern": concern["label"],
                    "group": label,
                    "measure": m,
                    "this_pct": a[m]["pct"],
                    "this_n": a[m]["n"],
                    "other_pct": b[m]["pct"],
                    "other_n": b[m]["n"],
                    **_pair(a[m]["count"], a[m]["n"], b[m]["count"], b[m]["n"], minimum),
                }
                note = printed_difference_note(row["difference"], a[m]["pct"], b[m]["pct"])
                if note:
                    row["note"] = note
                family.append(row)
        found += _adjusted(family)
    return found


def _adjusted(family: list[dict]) -> list[dict]:
    """Holm-adjust the p-values of one family (its tested rows only);
    "significant" means adjusted p < 0.05. Untested rows get no verdict."""
    tested = [c for c in family if c.get("p_value") is not None]
    for item, adjusted in zip(tested, holm_adjust([c["p_value"] for c in tested]), strict=True):
        item["p_adjusted"] = adjusted
        item["significant"] = adjusted < ALPHA
        item["family_size"] = len(tested)
    for item in family:
        if item.get("p_value") is None:
            item |= {"p_adjusted": None, "significant": None}
    return family


def trend(waves: list[tuple[str, dict]]) -> list[dict]:
    """Each concern's overall figures across waves (earliest first), with a
    test of each change from one wave to the next.

    ``waves``: (label, document) pairs. One family per concern topic (both
    measures, every change); the tests treat the waves as independent
    samples, although they share people, which every caption says."""
    if len(waves) < 2:
        return []
    latest = waves[-1][1]
    minimum = test_minimum(max(d["min_group_size"] for _, d in waves))
    found = []
    for concern in latest["concerns"]:
        family = []
        rows = []
        for m in MEASURES:
            points = []
            for label, document in waves:
                match = next((c for c in document["concerns"] if c["key"] == concern["key"]), None)
                figure = match[m] if match else {"suppressed": True}
                points.append({"wave": label, **figure})
            changes = []
            shown = [p for p in points if not p.get("suppressed")]
            for before, after in zip(shown, shown[1:], strict=False):
                change = {
                    "kind": "change",
                    "from": before["wave"],
                    "to": after["wave"],
                    **_pair(after["count"], after["n"], before["count"], before["n"], minimum),
                }
                note = printed_difference_note(change["difference"], after["pct"], before["pct"])
                if note:
                    change["note"] = note
                changes.append(change)
            family += changes
            rows.append(
                {
                    "concern": concern["key"],
                    "label": concern["label"],
                    "measure": m,
                    "points": points,
                    "changes": changes,
                }
            )
        _adjusted(family)
        found += rows
    return found
