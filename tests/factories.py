"""Test data: small survey definitions and answer sets."""

import copy
import csv
import io

from survey.definitions.format import load_definition, validate_definition

DEFINITION = {
    "slug": "therapy-2026",
    "title": "Working in mental health services",
    "intro": "All answers are anonymous.",
    "min_group_size": 10,
    "access": "open",
    "safeguarding_contact": "guardian@example.org",
    "sections": [
        {
            "title": "About your work",
            "questions": [
                {
                    "key": "service",
                    "kind": "single_choice",
                    "breakdown": True,
                    "text": "Which service do you work in?",
                    "choices": [
                        {"value": "iapt", "label": "IAPT"},
                        {"value": "other", "label": "Other NHS"},
                        {"value": "agency", "label": "Agency"},
                        {"value": "bank", "label": "Bank"},
                    ],
                }
            ],
        },
        {
            "title": "Patient care",
            "questions": [
                {
                    "key": "raised_patient_care",
                    "kind": "yes_no",
                    "text": "In the last 12 months, have you raised a concern about patient care?",
                },
                {
                    "key": "outcome_patient_care",
                    "kind": "single_choice",
                    "show_if": {"question": "raised_patient_care", "equals": "yes"},
                    "text": "Was your concern adequately resolved?",
                    "choices": [
                        {"value": "adequately", "label": "Yes, adequately"},
                        {"value": "partly", "label": "Partly"},
                        {"value": "not", "label": "No"},
                    ],
                },
                {
                    "key": "patient_care_comment",
                    "kind": "free_text",
                    "text": "Anything you want to tell us?",
                },
            ],
        },
        {
            "title": "Your views",
            "questions": [
                {
                    "key": "barriers",
                    "kind": "multiple_choice",
                    "required": False,
                    "text": "What made you hesitate?",
                    "choices": [{"value": "fear", "label": "Fear"}, {"value": "time", "label": "Time"}],
                },
                {
                    "key": "safe",
                    "kind": "scale",
                    "text": "I feel safe to speak up.",
                    "choices": [{"value": str(i), "label": f"Point {i}"} for i in range(1, 6)],
                },
            ],
        },
    ],
    "concerns": [
        {
            "key": "patient-care",
            "label": "Patient care",
            "raised": "raised_patient_care",
            "outcome": "outcome_patient_care",
            "resolved_values": ["adequately"],
        }
    ],
}


def definition(**changes) -> dict:
    document = copy.deepcopy(DEFINITION)
    document.update(changes)
    return document


def make_survey(**changes):
    return load_definition(definition=validate_definition(definition(**changes)))


# The seed-shaped survey's small groups as every output shows them: bank (7)
# is under the minimum; agency, the next smallest, is hidden too, or bank's
# figures would follow from the total by subtraction.
BANK_AND_AGENCY_HIDDEN = {
    "bank": {"value": "bank", "label": "Bank", "suppressed": True, "reason": "fewer than k respondents"},
    "agency": {"value": "agency", "label": "Agency", "suppressed": True, "reason": "hidden to protect another group"},
}


def answers(service="iapt", raised="no", outcome=None, comment="", barriers=(), safe="3") -> dict:
    out = {"service": service, "raised_patient_care": raised, "safe": safe}
    if outcome:
        out["outcome_patient_care"] = outcome
    if comment:
        out["patient_care_comment"] = comment
    if barriers:
        out["barriers"] = list(barriers)
    return out


HEADER = ["service", "raised_patient_care", "outcome_patient_care", "patient_care_comment", "barriers", "safe"]


def to_csv(rows: list[dict]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    for row in rows:
        writer.writerow([";".join(row.get(k, [])) if k == "barriers" else row.get(k, "") for k in HEADER])
    return out.getvalue()


def ledger_action(survey, *, text, on, note="", help="", translations=None, role="Director of Nursing"):
    """An action on the survey's first concern topic, entered on ``on`` (a
    date), with an optional update and help route. ``translations``:
    {"cy": {"text": ..., "note": ..., "help": ...}}."""
    import datetime as dt

    from survey.models import Action, LedgerEntry

    at = dt.datetime.combine(on, dt.time(12, 0), tzinfo=dt.UTC)
    key = survey.concerns.first().key
    translations = translations or {}
    texts = {c: {"text": t["text"]} for c, t in translations.items() if t.get("text")}
    action = Action.objects.create(survey=survey, concern_key=key, created_at=at)
    state = {"survey": survey, "concern_key": key, "kind": "action", "action": action, "text": text, "role": role}
    LedgerEntry.objects.create(status="planned", translations=texts, entered_at=at, **state)
    if note:
        notes = {c: {**texts.get(c, {}), "note": t["note"]} for c, t in translations.items() if t.get("note")}
        LedgerEntry.objects.create(status="in_progress", note=note, translations=notes, entered_at=at, **state)
    if help:
        helps = {c: {"text": t["help"]} for c, t in translations.items() if t.get("help")}
        LedgerEntry.objects.create(
            survey=survey, concern_key=key, kind="help", text=help, translations=helps, entered_at=at
        )
    return action


def close_and_release(survey):
    """Close a survey and release its final figures, as closing does once the
    last waiting submissions are in (figures are released only at closing)."""
    from survey.figures.aggregate import compute_results
    from survey.figures.releases import release_final
    from survey.models import Survey
    from survey.responses.mixing import mix_pending_submissions

    Survey.objects.filter(pk=survey.pk).update(status=Survey.Status.CLOSED)
    while mix_pending_submissions(force=True):
        pass
    compute_results(survey_id=survey.pk)  # a closed survey's aggregation releases the final figures
    survey.refresh_from_db()
    return release_final(survey_id=survey.pk)


def varied(service: str, n: int, barriers: bool = False) -> list[dict]:
    """n people of one service with varied answers: about half raised a
    concern (outcomes in turn), every point of the scale used, so no
    figure of the group is near unanimous."""
    choices = [("fear",), ("time",), ("fear", "time")]
    return [
        answers(
            service=service,
            raised="yes" if i % 2 else "no",
            outcome=("adequately", "partly", "not")[i % 3] if i % 2 else None,
            safe=str(1 + i % 5),
            barriers=choices[i % 3] if barriers else (),
        )
        for i in range(n)
    ]


def cache_keys() -> list[str]:
    """Every key the default cache holds: local memory, or this run's Redis database (CI)."""
    from django.core.cache import caches
    from django.core.cache.backends.redis import RedisCache

    cache = caches["default"]
    if isinstance(cache, RedisCache):
        return [k.decode() for k in cache._cache.get_client().keys("*")]
    return [str(k) for k in cache._cache]


WELSH = {
    "Working in mental health services": "Gweithio mewn gwasanaethau iechyd meddwl",
    "All answers are anonymous.": "Mae pob ateb yn ddienw.",
    "About your work": "Am eich gwaith",
    "Which service do you work in?": "Ym mha wasanaeth ydych chi'n gweithio?",
    "IAPT": "Therapïau Siarad (IAPT)",
    "Other NHS": "GIG arall",
    "Agency": "Asiantaeth",
    "Bank": "Banc",
    "Patient care": "Gofal cleifion",
    "In the last 12 months, have you raised a concern about patient care?": (
        "Yn ystod y 12 mis diwethaf, ydych chi wedi codi pryder am ofal cleifion?"
    ),
    "Was your concern adequately resolved?": "A gafodd eich pryder ei ddatrys yn ddigonol?",
    "Yes, adequately": "Do, yn ddigonol",
    "Partly": "Yn rhannol",
    "No": "Naddo",
    "Anything you want to tell us?": "Unrhyw beth yr hoffech ei ddweud wrthym?",
    "Your views": "Eich barn",
    "What made you hesitate?": "Beth wnaeth i chi oedi?",
    "Fear": "Ofn",
    "Time": "Amser",
    "I feel safe to speak up.": "Rwy'n teimlo'n ddiogel i godi llais.",
    **{f"Point {i}": f"Pwynt {i}" for i in range(1, 6)},
}


def all_welsh_definition(**changes) -> dict:
    """The test survey with every text in English and Welsh."""
    document = definition(**changes)

    def both(text):
        return {"en": text, "cy": WELSH[text]} if text in WELSH else text

    document["title"], document["intro"] = both(document["title"]), both(document["intro"])
    for section in document["sections"]:
        section["title"] = both(section["title"])
        for question in section["questions"]:
            question["text"] = both(question["text"])
            for choice in question.get("choices", []):
                choice["label"] = both(choice["label"])
    for concern in document["concerns"]:
        concern["label"] = both(concern["label"])
    return document


PARTNER_ORGANISATIONS = (("rcn", "Royal College of Nursing"), ("unison-wales", "UNISON Wales"))


def joint(document: dict, partners=PARTNER_ORGANISATIONS, *, see_each_other: bool = False) -> dict:
    """``document`` run jointly by ``partners`` ((slug, name) pairs, created
    as organisations if need be), each response's partner known from a
    required question: a ``partners`` object (docs/partners.md)."""
    from survey.models import Organisation

    for slug, name in partners:
        Organisation.objects.get_or_create(slug=slug, defaults={"name": name})
    return document | {
        "partners": {
            "from": "question",
            "see_each_other": see_each_other,
            "question": {"text": "Which organisation invited you?"},
            "partners": [{"organisation": slug, "label": name} for slug, name in partners],
        }
    }


def make_joint_survey(partners=PARTNER_ORGANISATIONS, *, see_each_other: bool = False, **changes):
    """The test survey run jointly by ``partners``, loaded from its definition."""
    document = joint(definition(**changes), partners, see_each_other=see_each_other)
    return load_definition(definition=validate_definition(document))


def submit_joint(survey, rows: list[dict], *, partner: str) -> None:
    """Submit ``rows`` (answers) through the respondent's service, each as one of ``partner``'s respondents."""
    import uuid

    from survey.responses.submit import submit_response

    for row in rows:
        submit_response(survey=survey, answers={"partner": partner, **row}, nonce=uuid.uuid4().hex)
