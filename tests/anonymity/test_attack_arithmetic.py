"""Attack: recover a hidden cell by arithmetic on the published figures.

The attacker holds the JSON export (the same document every output is made
from) and works out every figure it can: each total minus the visible groups
of each breakdown (which gives the hidden groups together), for every concern
topic. The defence holds if everything the attacker learns is either nothing
(no one) or rests on at least k people and is not dominated (all or all but
one of a known group giving the same answer to "raised").

To see it fail, delete the ``while visible and union_unsafe()`` loop in
survey/figures/disclosure.py (secondary suppression) or set DOMINANCE = 0.
"""

import copy
import json
import random
from collections import Counter
from io import StringIO

import pytest
from django.core.management import call_command

from survey.definitions.format import load_definition, validate_definition
from survey.responses.importing import import_responses
from tests.factories import answers, close_and_release, definition, to_csv

K = 10
DOMINANCE = 2  # the documented rule: all, or all but one, giving the same answer is hidden


def two_breakdown_definition() -> dict:
    document = definition(slug="attack")
    document["sections"][0]["questions"].append(
        {
            "key": "role",
            "kind": "single_choice",
            "breakdown": True,
            "text": "Your role?",
            "choices": [{"value": v, "label": v.title()} for v in ("nurse", "therapist", "doctor")],
        }
    )
    second = copy.deepcopy(document["sections"][1])
    for q in second["questions"]:
        q["key"] = q["key"].replace("patient_care", "conditions")
        if "show_if" in q:
            q["show_if"]["question"] = "raised_conditions"
    second["title"] = "Working conditions"
    document["sections"].insert(2, second)
    document["concerns"].append(
        {
            "key": "conditions",
            "label": "Working conditions",
            "raised": "raised_conditions",
            "outcome": "outcome_conditions",
            "resolved_values": ["adequately"],
        }
    )
    return document


def random_rows(rng: random.Random) -> list[dict]:
    sizes = {
        "iapt": rng.randint(0, 40),
        "other": rng.randint(5, 60),
        "agency": rng.randint(0, 15),
        "bank": rng.randint(0, 12),
    }
    rows = []
    for service, size in sizes.items():
        p_raise = rng.choice([0.0, 0.05, 0.5, 0.95, 1.0])
        for _ in range(size):
            row = answers(service=service)
            row["role"] = rng.choice(["nurse", "therapist", "doctor"])
            for topic in ("patient_care", "conditions"):
                if rng.random() < p_raise:
                    row[f"raised_{topic}"] = "yes"
                    row[f"outcome_{topic}"] = rng.choice(["adequately", "partly", "not"])
                else:
                    row[f"raised_{topic}"] = "no"
            rows.append(row)
    return rows


HEADER = [
    "service",
    "role",
    "raised_patient_care",
    "outcome_patient_care",
    "raised_conditions",
    "outcome_conditions",
    "safe",
]


def as_csv(rows: list[dict]) -> str:
    lines = [",".join(HEADER)]
    for row in rows:
        lines.append(",".join(row.get(k, "") for k in HEADER))
    return "\n".join(lines) + "\n"


def derivable(document: dict) -> list[tuple[str, str, int, int]]:
    """Everything the attacker can compute: (where, measure, count, n)."""
    found = []
    for concern in document["concerns"]:
        for measure in ("raised", "resolved"):
            total = concern[measure]
            if total.get("suppressed"):
                continue
            found.append((concern["key"], measure, total["count"], total["n"]))
            for breakdown in concern["breakdowns"]:
                visible = [
                    g[measure]
                    for g in breakdown["groups"]
                    if not g.get("suppressed") and not g[measure].get("suppressed")
                ]
                found += [(breakdown["question"], measure, f["count"], f["n"]) for f in visible]
                hidden_count = total["count"] - sum(f["count"] for f in visible)
                hidden_n = total["n"] - sum(f["n"] for f in visible)
                found.append((f"{concern['key']}/{breakdown['question']}/hidden", measure, hidden_count, hidden_n))
    return found


@pytest.mark.parametrize("seed", range(25))
def test_no_arithmetic_recovers_a_small_or_dominated_group(db, seed):
    load_definition(definition=validate_definition(two_breakdown_definition()))
    from survey.models import Survey

    survey = Survey.objects.get(slug="attack")
    rows = random_rows(random.Random(seed))
    import_responses(survey=survey, text=as_csv(rows))
    close_and_release(survey)
    out = StringIO()
    call_command("export_results", "attack", stdout=out)
    document = json.loads(out.getvalue())
    # The attack has something to work on: every group that fewer than k
    # people belong to is hidden (primary suppression); the attacker then
    # works out what the visible figures leave for the hidden ones.
    hidden = {
        (b["question"], g["value"])
        for c in document["concerns"]
        for b in c["breakdowns"]
        for g in b["groups"]
        if g.get("suppressed") or all(g[m].get("suppressed") for m in ("raised", "resolved"))
    }
    for question in ("service", "role"):
        sizes = Counter(r[question] for r in rows)
        small = {(question, value) for value, n in sizes.items() if 0 < n < K}
        assert small <= hidden, f"groups under k shown: {small - hidden}"
    for where, measure, count, n in derivable(document):
        assert n == 0 or n >= K, f"{where} {measure}: {count} of {n} recovered"
        if measure == "raised" and n:
            assert min(count, n - count) >= DOMINANCE, f"{where}: {count} of {n} tells each member's answer"


def test_cross_tabulations_are_never_published(db):
    load_definition(definition=validate_definition(two_breakdown_definition()))
    from survey.models import Survey

    survey = Survey.objects.get(slug="attack")
    import_responses(survey=survey, text=as_csv(random_rows(random.Random(1))))
    close_and_release(survey)
    out = StringIO()
    call_command("export_results", "attack", stdout=out)
    for concern in json.loads(out.getvalue())["concerns"]:
        assert [b["question"] for b in concern["breakdowns"]] == ["service", "role"]
        for breakdown in concern["breakdowns"]:
            assert all("breakdowns" not in group for group in breakdown["groups"])


def test_the_attack_itself_finds_a_leak_without_secondary_suppression(db, monkeypatch):
    """The attacker is not toothless: with secondary suppression (and the
    release auditor, which would widen the release) switched off it finds the small group."""
    from survey.figures import aggregate as results
    from survey.figures import releases

    monkeypatch.setattr(releases, "audit", lambda **kwargs: [])
    monkeypatch.setattr(
        results,
        "hidden_cells",
        lambda cells, k, dominance=0, already_hidden=frozenset(), keep=frozenset(): (
            {c for c, (count, n) in cells.items() if n < k} | set(already_hidden)
        ),
    )
    survey = load_definition(definition=validate_definition(definition(slug="leaky")))
    rows = [answers(service="iapt", raised="yes", outcome="not")] * 3 + [
        answers(service="other", raised="yes", outcome="partly")
    ] * 20
    rows += [answers(service="other")] * 20
    import_responses(survey=survey, text=to_csv(rows))
    close_and_release(survey)
    out = StringIO()
    call_command("export_results", "leaky", stdout=out)
    leaks = [d for d in derivable(json.loads(out.getvalue())) if 0 < d[3] < K]
    assert leaks and leaks[0][2:] == (3, 3)


def test_no_breakdown_is_summarised_by_another_breakdown(db):
    """Issue finding 2: the public report showed "team A, band 7: 3 of 20" as
    the summary of one breakdown question by the other: a cross-tabulation."""
    from survey.figures.releases import released_document
    from survey.models import Survey

    load_definition(definition=validate_definition(two_breakdown_definition()))
    survey = Survey.objects.get(slug="attack")
    more = {"raised_conditions": "no"}
    rows = [answers(service="iapt") | more | {"role": "nurse"} for _ in range(17)]
    rows += [answers(service="iapt") | more | {"role": "doctor"} for _ in range(3)]
    rows += [answers(service="other") | more | {"role": role} for role in ("nurse", "therapist", "doctor") * 10]
    import_responses(survey=survey, text=as_csv(rows))
    close_and_release(survey)
    questions = {q["key"]: q for q in released_document(survey=survey)["questions"]}
    for key in ("service", "role"):
        assert questions[key]["breakdowns"] == [], f"{key} cross-tabulated by another breakdown"
    assert [b["question"] for b in questions["safe"]["breakdowns"]] == ["service", "role"]
