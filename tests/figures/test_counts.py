"""Answer counts (full recount and per-batch tally) against a plain Python recount
of DESIGN.md's definitions, on random data."""

import copy
import random
from collections import Counter, defaultdict

import pytest
from django.db import transaction
from django.utils import timezone

from survey.definitions.format import load_definition, validate_definition
from survey.figures.aggregate import compute_results
from survey.figures.counts import Counts, count_answers, plan
from survey.figures.releases import released_document
from survey.models import Survey, Tally
from survey.responses.mixing import insert_responses
from tests.factories import DEFINITION, close_and_release

SERVICES = ["iapt", "other", "agency", "bank"]
BANDS = ["low", "high"]


def make_two_breakdown_survey() -> Survey:
    document = copy.deepcopy(DEFINITION)
    document["min_group_size"] = 5
    document["sections"][0]["questions"].append(
        {
            "key": "band",
            "kind": "single_choice",
            "breakdown": True,
            "text": "Your band?",
            "choices": [{"value": v, "label": v} for v in BANDS],
        }
    )
    return load_definition(definition=validate_definition(document))


def random_answers(rng: random.Random) -> dict:
    out = {"service": rng.choice(SERVICES), "band": rng.choice(BANDS), "raised_patient_care": rng.choice(["yes", "no"])}
    # Some who raised a concern leave the outcome unanswered (it was optional
    # once, or added later): the resolved base counts only those who answered.
    if out["raised_patient_care"] == "yes" and rng.random() < 0.8:
        out["outcome_patient_care"] = rng.choice(["adequately", "partly", "not"])
    barriers = [b for b in ("fear", "time") if rng.random() < 0.4]
    if barriers:
        out["barriers"] = barriers
    out["safe"] = str(rng.randint(1, 5))
    return out


def insert(survey: Survey, rows: list[dict], remix: int = 0) -> None:
    with transaction.atomic():
        insert_responses(survey_id=survey.pk, submissions=[(a, timezone.localdate()) for a in rows], remix=remix)


def recount(rows: list[dict], breakdown: str | None) -> dict:
    """DESIGN.md's figures, per group of one breakdown (None: everyone), by hand."""
    out: dict = defaultdict(lambda: Counter())
    for a in rows:
        group = a.get(breakdown) if breakdown else None
        figures = out[("concern", group)]
        figures["raised_n"] += 1
        if a["raised_patient_care"] == "yes":
            figures["raised_count"] += 1
            figures["resolved_n"] += "outcome_patient_care" in a
            figures["resolved_count"] += a.get("outcome_patient_care") == "adequately"
        for key in ("service", "band", "raised_patient_care", "outcome_patient_care", "barriers", "safe"):
            if key in a:
                out[(key, group)]["n"] += 1
                for value in a[key] if isinstance(a[key], list) else [a[key]]:
                    out[(key, group)][value] += 1
    return out


def as_recount(survey: Survey, counts: Counts, breakdown: str | None) -> dict:
    """The same shape from Counts, through the roll-ups that aggregation uses."""
    questions = {q.pk: q for q in survey.questions.prefetch_related("choices")}
    choice_values = {c.pk: c.value for q in questions.values() for c in q.choices.all()}
    order = [q.key for q in sorted(questions.values(), key=lambda q: (q.section.position, q.position)) if q.breakdown]
    index = order.index(breakdown) if breakdown else None
    out: dict = defaultdict(lambda: Counter())
    by_choice, bases = counts.by_question(index)
    for (q, g), cell in by_choice.items():
        group = choice_values.get(g)
        out[(questions[q].key, group)]["n"] = bases[(q, g)]
        for c, n in cell.items():
            out[(questions[q].key, group)][choice_values[c]] += n
    for concern in survey.concerns.all():
        for groups, four in counts.concern_cells(concern.pk):
            group = choice_values.get(groups[index]) if index is not None else None
            out[("concern", group)].update(four)
    return {key: +value for key, value in out.items()}


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_full_recount_matches_the_definitions(db, seed):
    survey = make_two_breakdown_survey()
    rng = random.Random(seed)
    rows = [random_answers(rng) for _ in range(rng.randint(50, 300))]
    insert(survey, rows)
    counts = count_answers(survey=survey, p=plan(survey=survey))
    assert counts.respondents == len(rows)
    for breakdown in (None, "service", "band"):
        expected = {key: +value for key, value in recount(rows, breakdown).items()}
        assert as_recount(survey, counts, breakdown) == expected


def test_counts_added_per_batch_equal_a_full_recount(db):
    survey = make_two_breakdown_survey()
    rng = random.Random(7)
    rows = [random_answers(rng) for _ in range(120)]
    insert(survey, rows)
    compute_results(survey_id=survey.pk)  # stores the first tally
    for size in (1, 37, 200):
        batch = [random_answers(rng) for _ in range(size)]
        insert(survey, batch, remix=25)  # remixed responses go out and back in
        rows += batch
        survey.refresh_from_db()
        tally = Tally.objects.get(survey=survey)
        assert tally.version == survey.data_version, "the batch's counts were added, not left for a recount"
        assert Counts.from_json(tally.counts) == count_answers(survey=survey, p=plan(survey=survey))
    for breakdown in (None, "service", "band"):
        expected = {key: +value for key, value in recount(rows, breakdown).items()}
        assert as_recount(survey, Counts.from_json(tally.counts), breakdown) == expected


def test_published_figures_come_from_the_counts(db):
    survey = make_two_breakdown_survey()
    rng = random.Random(11)
    rows = [random_answers(rng) for _ in range(400)]
    insert(survey, rows[:300])
    compute_results(survey_id=survey.pk)
    insert(survey, rows[300:])
    close_and_release(survey)  # the closing release reads the counts kept per batch
    document = released_document(survey=survey)
    concern = document["concerns"][0]
    overall = recount(rows, None)[("concern", None)]
    assert concern["raised"]["count"] == overall["raised_count"] and concern["raised"]["n"] == overall["raised_n"]
    assert concern["resolved"]["count"] == overall["resolved_count"]
    assert concern["resolved"]["n"] == overall["resolved_n"]
    shown = 0
    for breakdown in concern["breakdowns"]:
        by_group = recount(rows, breakdown["question"])
        for group in breakdown["groups"]:
            if group.get("suppressed"):
                continue
            shown += 1
            expected = by_group[("concern", group["value"])]
            assert (group["raised"]["count"], group["raised"]["n"]) == (expected["raised_count"], expected["raised_n"])
    assert shown >= 4
    summaries = {q["key"]: q for q in document["questions"]}
    barriers = recount(rows, None)[("barriers", None)]
    # A multiple-choice base is everyone shown the question (here everyone),
    # not only those who ticked something (issue 18, finding 8).
    assert barriers["n"] < len(rows) == summaries["barriers"]["n"]
    assert {c["value"]: c["count"] for c in summaries["barriers"]["choices"]} == {
        "fear": barriers["fear"],
        "time": barriers["time"],
    }
