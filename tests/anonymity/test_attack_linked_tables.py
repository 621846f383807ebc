"""Attack: linked tables (issue finding 1).

The concern table's "resolved" figures and the summary of the outcome
question are counts of the same people. Teams A/B/C/D of 20/20/20/40, of
whom 3/11/12/20 raised a concern; A's outcomes were partly, partly, not; all
12 of C were adequately resolved. If the concern table hides A and B and
shows C (12 of 12) while the summaries hide A and C and show B, then overall
outcomes minus B, C and D give team A's three answers.

To see it fail, let the summaries ignore the groups hidden for "resolved"
(pass only the groups hidden for "raised", as before).
"""

import json

from survey.figures.releases import released_document
from survey.models import Survey
from survey.responses.importing import import_responses
from tests.factories import answers, close_and_release, make_survey, to_csv

K = 10
TEAMS = {"iapt": "A", "other": "B", "agency": "C", "bank": "D"}


def linked_rows() -> list[dict]:
    outcomes = {
        "iapt": ["partly", "partly", "not"],
        "other": ["adequately"] * 5 + ["partly"] * 3 + ["not"] * 3,
        "agency": ["adequately"] * 12,
        "bank": ["adequately"] * 8 + ["partly"] * 6 + ["not"] * 6,
    }
    sizes = {"iapt": 20, "other": 20, "agency": 20, "bank": 40}
    rows = []
    for service, size in sizes.items():
        rows += [answers(service=service, raised="yes", outcome=o) for o in outcomes[service]]
        rows += [answers(service=service)] * (size - len(outcomes[service]))
    return rows


def exported(slug: str) -> dict:
    """The released document, as every output (console, public report JSON) shows it."""
    return json.loads(json.dumps(released_document(survey=Survey.objects.get(slug=slug))))


def recovered_outcomes(document: dict) -> tuple[set, dict, int]:
    """What the attacker learns about groups whose outcome summary is hidden:
    overall outcomes minus every group known from the summary or (all
    resolved, or none) from the concern table. Returns (groups left,
    their outcome counts together, their number of people)."""
    question = next(q for q in document["questions"] if q["key"] == "outcome_patient_care")
    concern = document["concerns"][0]
    summary = next(b for b in question["breakdowns"] if b["question"] == "service")["groups"]
    table = {g["value"]: g for g in next(b for b in concern["breakdowns"] if b["question"] == "service")["groups"]}
    left = {c["value"]: c["count"] for c in question["choices"]}
    n_left = question["n"]
    unknown = set()
    for group in summary:
        if not group.get("suppressed"):
            for c in group["choices"]:
                left[c["value"]] -= c["count"]
            n_left -= group["n"]
            continue
        row = table[group["value"]]
        resolved = {} if row.get("suppressed") else row["resolved"]
        if not resolved.get("suppressed") and resolved and resolved["count"] in (0, resolved["n"]):
            # Every one of them, or none, adequately resolved: the concern table tells their outcomes.
            left["adequately"] -= resolved["count"]
            n_left -= resolved["n"]
            continue
        unknown.add(TEAMS[group["value"]])
    return unknown, left, n_left


def test_linked_tables_never_give_a_small_group_away(db):
    survey = make_survey(slug="linked")
    import_responses(survey=survey, text=to_csv(linked_rows()))
    close_and_release(survey)
    unknown, left, n = recovered_outcomes(exported("linked"))
    assert n == 0 or n >= K, f"teams {sorted(unknown)} recovered: {left} of {n}"
    assert left != {"adequately": 0, "partly": 2, "not": 1}


def test_the_outcome_summary_hides_every_group_the_concern_table_hides(db):
    survey = make_survey(slug="linked2")
    import_responses(survey=survey, text=to_csv(linked_rows()))
    close_and_release(survey)
    document = exported("linked2")
    question = next(q for q in document["questions"] if q["key"] == "outcome_patient_care")
    summary_hidden = {
        g["value"]
        for b in question["breakdowns"]
        if b["question"] == "service"
        for g in b["groups"]
        if g.get("suppressed")
    }
    table_hidden = {
        g["value"]
        for b in document["concerns"][0]["breakdowns"]
        if b["question"] == "service"
        for g in b["groups"]
        if g.get("suppressed") or g["resolved"].get("suppressed")
    }
    assert table_hidden <= summary_hidden
