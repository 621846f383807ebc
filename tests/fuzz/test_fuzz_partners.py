"""Random two-partner surveys: whatever the answers, once the survey has
closed, neither partner's organisers can subtract their own shown tables
from the pooled shown tables (groups derived from a table's margins
included) and get a group of the other partner's staff that is under k.

An independent check of the auditor per audience (survey/figures/audit.py,
``_partner_view``): the truth comes from the rows the test made, not from
the auditor. `make test` runs three random surveys, `make fuzz` more.
"""

import os
import random

from django.db import transaction
from hypothesis import given, settings
from hypothesis import strategies as st

from survey.figures.audit import audit, releases
from tests.anonymity.joint import close_joint, held_by, make_joint_survey, table
from tests.factories import answers

EXAMPLES = max(3, int(os.environ.get("FUZZ_EXAMPLES", "60")) // 60)
SERVICES = ("iapt", "other", "agency", "bank")
K = 10


def random_rows(seed: int) -> list[tuple[str, dict]]:
    rng = random.Random(seed)
    rows = []
    for partner in ("a", "b"):
        for service in SERVICES:
            for _ in range(rng.choice([0, 1, 2, 3, 5, 8, 12, 15, 25])):
                raised = rng.random() < 0.5
                rows.append(
                    (
                        partner,
                        answers(
                            service=service,
                            raised="yes" if raised else "no",
                            outcome=rng.choice(["adequately", "partly", "not"]) if raised else None,
                            safe=str(rng.randint(1, 5)),
                        ),
                    )
                )
    return rows


def bases(rows, partner) -> dict:
    """The true base of each table of ``partner``'s staff, per service group."""
    out = {}
    for service in SERVICES:
        group = [r for p, r in rows if p == partner and r["service"] == service]
        yes = sum(r["raised_patient_care"] == "yes" for r in group)
        out[("questions", "safe", None, service)] = len(group)
        out[("questions", "raised_patient_care", None, service)] = len(group)
        out[("questions", "outcome_patient_care", None, service)] = yes
        out[("concerns", "patient-care", "raised", service)] = len(group)
        out[("concerns", "patient-care", "resolved", service)] = yes
    return out


def known(document, kind, key, measure, value):
    """A group's figures as a reader of the document alone knows them (shown,
    or the overall figure minus every other group), or None."""
    items = [t for t in document.get(kind, []) if t["key"] == key]
    if not items:
        return None
    item, groups = items[0], table(document, kind, key)

    def counts(figures):
        if kind == "questions":
            return None if figures.get("suppressed") else {c["value"]: c["count"] for c in figures["choices"]}
        figure = figures.get(measure, {"suppressed": True})
        return None if figure.get("suppressed") else {"count": figure["count"], "n": figure["n"]}

    if value not in groups:
        return None
    if not groups[value].get("suppressed"):
        return counts(groups[value])
    left = counts(item)
    for other, group in groups.items():
        if other == value or left is None:
            continue
        if group.get("suppressed"):
            if group.get("reason") != "no respondents":
                return None
            continue
        theirs = counts(group)
        left = None if theirs is None else {c: n - theirs.get(c, 0) for c, n in left.items()}
    return left


def exposed(survey, rows) -> list:
    out = []
    for viewer, other in (("a", "b"), ("b", "a")):
        held = held_by(survey, viewer)
        pooled = [d for d in held if "partner" not in d]
        own = [d for d in held if d.get("partner") == viewer]
        for (kind, key, measure, value), n in bases(rows, other).items():
            if not 0 < n < K:
                continue
            for p in pooled:
                for o in own:
                    if (
                        known(p, kind, key, measure, value) is not None
                        and known(o, kind, key, measure, value) is not None
                    ):
                        out.append((viewer, other, kind, key, measure, value, n))
    return out


@settings(max_examples=EXAMPLES, deadline=None)
@given(seed=st.integers(1, 10**6))
def test_no_partner_subtracts_its_way_to_another_partner_small_group(db, seed):
    with transaction.atomic():
        survey = make_joint_survey(["a", "b"], slug=f"joint-{seed}")
        rows = random_rows(seed)
        close_joint(survey, rows)
        assert exposed(survey, rows) == []
        assert audit(survey=survey, documents=releases(survey=survey)) == []
        transaction.set_rollback(True)
