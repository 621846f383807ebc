"""Synthetic responses for a first look (``manage.py seed_demo``)."""

import json
import random

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from survey.definitions.format import builtin_definitions, load_definition, parse_definition
from survey.models import Member, Survey
from survey.responses.mixing import insert_responses

DEMO_TEMPLATE = "raising-concerns"
DEMO_USER = "organiser"
DEMO_PASSWORD = "candour-demo"
DEMO_SAFEGUARDING = "safeguarding@example.org"

# Shaped like the survey in DESIGN.md: IAPT staff raise concerns far more often.
_SERVICES = [("iapt", 0.23), ("community", 0.42), ("inpatient", 0.25), ("other", 0.10)]
_RAISED = {"patient": {"iapt": 0.58, "default": 0.32}, "working": {"iapt": 0.55, "default": 0.30}}
_OUTCOMES = {
    "patient": [("adequately", 0.25), ("partly", 0.35), ("not", 0.30), ("pending", 0.10)],
    "working": [("adequately", 0.06), ("partly", 0.34), ("not", 0.50), ("pending", 0.10)],
}


def _pick(rng: random.Random, weighted: list[tuple[str, float]]) -> str:
    values, weights = zip(*weighted, strict=True)
    return rng.choices(values, weights)[0]


def synthetic_answers(rng: random.Random) -> dict:
    service = _pick(rng, _SERVICES)
    answers: dict = {"service": service, "role": _pick(rng, [("therapist", 0.5), ("nurse", 0.35), ("other", 0.15)])}
    for topic, suffix in (("patient", "patient_care"), ("working", "working_conditions")):
        raised = rng.random() < _RAISED[topic].get(service, _RAISED[topic]["default"])
        answers[f"raised_{suffix}"] = "yes" if raised else "no"
        if raised:
            answers[f"outcome_{suffix}"] = _pick(rng, _OUTCOMES[topic])
    answers["barriers"] = [b for b in ("fear", "futile", "unclear", "time") if rng.random() < 0.3]
    answers["safe_to_speak"] = _pick(rng, [("1", 0.15), ("2", 0.25), ("3", 0.25), ("4", 0.25), ("5", 0.10)])
    return {k: v for k, v in answers.items() if v != []}


@transaction.atomic
def seed_demo(*, respondents: int = 600, seed: int = 2026) -> tuple[Survey, bool]:
    """Load the built-in template with synthetic responses and a demo organiser.

    Returns the survey and whether responses were added (only the first time).
    """
    document = json.loads(builtin_definitions()[DEMO_TEMPLATE].read_text(encoding="utf-8"))
    # It asks for free text, so it opens only with a safeguarding contact.
    document.setdefault("safeguarding_contact", DEMO_SAFEGUARDING)
    survey = load_definition(definition=parse_definition(json.dumps(document)))
    user, created = get_user_model().objects.get_or_create(username=DEMO_USER)
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save()
    for role in Member.Role.values:
        Member.objects.get_or_create(survey=survey, user=user, role=role)
    if survey.responses.exists():
        return survey, False
    rng = random.Random(seed)
    today = timezone.localdate()
    insert_responses(survey_id=survey.pk, submissions=[(synthetic_answers(rng), today) for _ in range(respondents)])
    return survey, True
