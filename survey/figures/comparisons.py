"""Comparisons: each group against the rest, and one survey against another."""

from survey.figures.documents import MEASURES
from survey.figures.stats import compare_proportions, holm_adjust, printed_difference_note, proportion


def comparisons(document: dict) -> list[dict]:
    """Each visible group against the rest of the respondents, per measure.

    The rest is the overall figure minus the group's, so it reveals nothing
    the document does not already show; it is left out when it rests on
    fewer than k respondents. p-values are Holm-adjusted over all the
    comparisons made, and "significant" means adjusted p < 0.05.
    """
    k = document["min_group_size"]
    found = []
    for concern in document["concerns"]:
        for breakdown in concern["breakdowns"]:
            for group in breakdown["groups"]:
                for m in MEASURES:
                    total, part = concern[m], group.get(m, {"suppressed": True})
                    if total.get("suppressed") or part.get("suppressed") or not part.get("n"):
                        continue
                    rest_n, rest_count = total["n"] - part["n"], total["count"] - part["count"]
                    if rest_n < k:
                        continue
                    found.append(
                        {
                            "concern": concern["key"],
                            "measure": m,
                            "question": breakdown["question"],
                            "value": group["value"],
                            "label": group["label"],
                            "group_pct": part["pct"],
                            "rest_pct": proportion(rest_count, rest_n)["pct"],
                            **compare_proportions(part["count"], part["n"], rest_count, rest_n),
                        }
                    )
    return _adjusted(found)


def compare_surveys(this: dict, other: dict) -> list[dict]:
    """Side by side: every figure shown in both released documents, this
    survey minus the other, with a two-proportion test (Holm-adjusted)."""
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
        for label, a, b in pairs:
            for m in MEASURES:
                if a[m].get("suppressed") or b[m].get("suppressed"):
                    continue
                found.append(
                    {
                        "concern": concern["label"],
                        "group": label,
                        "measure": m,
                        "this_pct": a[m]["pct"],
                        "this_n": a[m]["n"],
                        "other_pct": b[m]["pct"],
                        "other_n": b[m]["n"],
                        **compare_proportions(a[m]["count"], a[m]["n"], b[m]["count"], b[m]["n"]),
                    }
                )
    return _adjusted(found)


def _adjusted(found: list[dict]) -> list[dict]:
    """Holm-adjust the p-values of one family of comparisons; "significant" means adjusted p < 0.05."""
    for item in found:
        first, second = ("group_pct", "rest_pct") if "group_pct" in item else ("this_pct", "other_pct")
        note = printed_difference_note(item["difference"], item[first], item[second])
        if note:
            item["note"] = note
    for item, adjusted in zip(found, holm_adjust([c["p_value"] for c in found]), strict=True):
        item["p_adjusted"] = adjusted
        item["significant"] = adjusted < 0.05
    return found
