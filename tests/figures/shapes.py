"""Surveys to measure suppression on: the seed-shaped survey (the built-in
"Raising concerns" template, answers shaped like DESIGN.md's survey: IAPT
23%, breakdowns by service and role, 38% raised, 25% resolved) at a few
sizes, and random surveys on the same template (random group sizes and
answer rates, some groups small)."""

import random

from django.utils import timezone

from survey.definitions.format import builtin_definitions, load_definition, parse_json, validate_definition
from survey.figures.aggregate import compute_results
from survey.figures.documents import results_document
from survey.models import ResultSet, Survey
from survey.responses.demo import DEMO_TEMPLATE, synthetic_answers
from survey.responses.mixing import insert_responses

SEED_SIZES = (1500, 300, 120)
RANDOM_SEEDS = (1, 2, 3, 4, 5)


def _load(slug: str) -> Survey:
    text = builtin_definitions()[DEMO_TEMPLATE].read_text(encoding="utf-8")
    return load_definition(definition=validate_definition(parse_json(text) | {"slug": slug}))


def random_answers(rng: random.Random, weights: dict) -> dict:
    """One respondent of a random survey: the seed's shape with other weights."""
    answers = synthetic_answers(rng)
    answers["service"] = rng.choices(list(weights["service"]), list(weights["service"].values()))[0]
    answers["role"] = rng.choices(list(weights["role"]), list(weights["role"].values()))[0]
    for suffix in ("patient_care", "working_conditions"):
        raised = rng.random() < weights["raised"][answers["service"]]
        answers[f"raised_{suffix}"] = "yes" if raised else "no"
        answers.pop(f"outcome_{suffix}", None)
        if raised:
            answers[f"outcome_{suffix}"] = rng.choices(["adequately", "partly", "not", "pending"], weights["outcome"])[
                0
            ]
    return answers


def random_weights(rng: random.Random) -> dict:
    return {
        "service": {s: rng.choice([0.01, 0.03, 0.1, 0.3, 1.0]) for s in ("iapt", "community", "inpatient", "other")},
        "role": {r: rng.choice([0.02, 0.1, 0.5, 1.0]) for r in ("therapist", "nurse", "other")},
        "raised": {s: rng.choice([0.0, 0.05, 0.3, 0.6, 0.97]) for s in ("iapt", "community", "inpatient", "other")},
        "outcome": [rng.choice([0, 1, 5]) + 0.01 for _ in range(4)],
    }


def computed(survey: Survey) -> dict:
    """Every figure computed for the survey (released or not), in the released shape."""
    compute_results(survey_id=survey.pk)
    return results_document(survey=survey) | {"questions": ResultSet.objects.get(survey=survey).questions}


def seed_shaped(respondents: int, seed: int = 2026) -> Survey:
    survey = _load(f"seed-{respondents}")
    rng = random.Random(seed)
    today = timezone.localdate()
    insert_responses(survey_id=survey.pk, submissions=[(synthetic_answers(rng), today) for _ in range(respondents)])
    return survey


def random_survey(seed: int, slug: str = "") -> Survey:
    survey = _load(slug or f"random-{seed}")
    rng = random.Random(seed)
    weights = random_weights(rng)
    today = timezone.localdate()
    n = rng.randrange(40, 400)
    insert_responses(survey_id=survey.pk, submissions=[(random_answers(rng, weights), today) for _ in range(n)])
    return survey


def surveys():
    """(name, survey) for every survey measured."""
    for n in SEED_SIZES:
        yield f"seed-{n}", seed_shaped(n)
    for seed in RANDOM_SEEDS:
        yield f"random-{seed}", random_survey(seed)
