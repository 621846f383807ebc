"""Time of the auditor (survey/figures/audit.py) for 1 and 10 earlier releases.

    /work/main/.venv/bin/pytest -q -s bench/audit_timing.py

A 3-breakdown, 30-question survey (service 4 groups, the smallest about 1% so that cells are hidden, role 3, band 5; a
concern topic's raised and outcome questions; 25 five-point scales), 1,500
respondents arriving in 11 batches. Two histories:

- releases of different data: each batch's figures are one release (as
  interim releases were before figures waited for closing); the auditor is
  run on the last release plus 1 and plus 10 earlier ones;
- the gate, as releases.show and release_final run it: the final release
  after both histories (only the releases of its own data enter);
- releases of the same data (now the only kind: figures are released once,
  at closing, and every later release, such as a report version with a
  different selection of questions, a download or a command's output, shows
  some of those figures): the final release plus 1 and plus 10 earlier ones,
  each a random selection of two-thirds of the questions.
"""

import random
import time

from survey.definitions.format import load_definition, validate_definition
from survey.figures.aggregate import compute_results
from survey.figures.audit import audit
from survey.figures.documents import results_document
from survey.models import ResultSet
from survey.responses.importing import import_responses
from tests.factories import definition


def survey_definition():
    document = definition(slug="audit-bench")
    about = document["sections"][0]["questions"]
    about.append(
        {
            "key": "role",
            "kind": "single_choice",
            "breakdown": True,
            "text": "Role?",
            "choices": [{"value": v, "label": v} for v in ("nurse", "therapist", "doctor")],
        }
    )
    about.append(
        {
            "key": "band",
            "kind": "single_choice",
            "breakdown": True,
            "text": "Band?",
            "choices": [{"value": f"b{i}", "label": f"Band {i}"} for i in range(4, 9)],
        }
    )
    document["sections"][2]["questions"] = [
        {
            "key": f"scale{i}",
            "kind": "scale",
            "text": f"Statement {i}",
            "choices": [{"value": str(v), "label": str(v)} for v in range(1, 6)],
        }
        for i in range(25)
    ]
    return document


HEADER = ["service", "role", "band", "raised_patient_care", "outcome_patient_care"] + [f"scale{i}" for i in range(25)]


def rows(rng, count):
    lines = [",".join(HEADER)]
    for _ in range(count):
        raised = rng.random() < 0.4
        row = [
            rng.choices(["iapt", "other", "agency", "bank"], [23, 65, 11, 1])[0],
            rng.choice(["nurse", "therapist", "doctor"]),
            rng.choice([f"b{i}" for i in range(4, 9)]),
            "yes" if raised else "no",
            rng.choice(["adequately", "partly", "not"]) if raised else "",
        ] + [str(rng.randint(1, 5)) for _ in range(25)]
        lines.append(",".join(row))
    return "\n".join(lines) + "\n"


def timed(survey, chosen, label, new=None):
    times = []
    for _ in range(3):
        start = time.perf_counter()
        risks = audit(survey=survey, documents=chosen, new=new)
        times.append(time.perf_counter() - start)
    hidden = sum(
        1 for d in chosen for q in d["questions"] for b in q["breakdowns"] for g in b["groups"] if g.get("suppressed")
    )
    print(f"\n{label}: {min(times):.2f} s (best of 3), {hidden} hidden summary groups, {len(risks)} risks")


def test_audit_time(db):
    survey = load_definition(definition=validate_definition(survey_definition()))
    rng = random.Random(7)
    documents = []
    for batch in range(11):
        import_responses(survey=survey, text=rows(rng, 500 if batch == 0 else 100))
        compute_results(survey_id=survey.pk)
        documents.append(results_document(survey=survey) | {"questions": ResultSet.objects.get().questions})
    for earlier in (0, 1, 10):
        timed(survey, documents[-1 - earlier :], f"different data: the last release + {earlier} earlier")
    final = documents[-1]
    for earlier in (0, 1, 10):
        selections = []
        for _ in range(earlier):
            kept = rng.sample(final["questions"], k=2 * len(final["questions"]) // 3)
            selections.append(final | {"questions": kept})
        timed(survey, [*selections, final], f"same data: the final release + {earlier} earlier")
    # The gate (survey/figures/releases.py): a new document is audited with the releases of its own data only.
    timed(survey, [*documents, *selections], "gate: the final release after 10 of other data + 10 of its own", final)
