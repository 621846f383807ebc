"""Joint surveys: the organisations that run a survey together (docs/partners.md).

Each change reads the survey as a definition document, changes its
``partners`` object and loads it back (``load_definition``), so the partner
question, the partner rows and the definition file stay one thing, and a
change passes exactly the checks of an uploaded file. Who the partners are
is structural: every response belongs to one of them, so partners are added,
removed or reordered only before the first answer. Each change is one audit
event, listed on the survey and (for a partner added or removed) on that
organisation's page.
"""

from django.contrib.auth.models import User
from django.db import transaction

from survey.definitions import languages
from survey.definitions.format import (
    PARTNER_KEY,
    PARTNER_QUESTION,
    DefinitionError,
    export_definition,
    load_definition,
    validate_definition,
)
from survey.models import AuditEvent, Organisation, Survey
from survey.refused import Refused

FROM_CHOICES = tuple(Survey.PartnersFrom.values)


class PartnersRefused(Refused):
    pass


def _locked(survey: Survey) -> Survey:
    return Survey.objects.select_for_update(of=("self",)).select_related("organisation").get(pk=survey.pk)


def _fixed_once_answered(survey: Survey) -> None:
    if survey.has_answers():
        raise PartnersRefused(
            "People have answered already, so the partners are fixed: each answer belongs to one of them. "
            "To run it with other partners, start a new survey from this one's definition."
        )


def _load(survey: Survey, document: dict, *, acting_user: User, action: str, organisation=None) -> Survey:
    document["slug"] = survey.slug
    try:
        return load_definition(
            definition=validate_definition(document, partial=True),
            acting_user=acting_user,
            what="partners changed",
            action=action,
            audited_organisation=organisation,
        )
    except DefinitionError as exc:
        raise PartnersRefused(exc.message) from None


def partner_organisations(*, survey: Survey) -> list[Organisation]:
    """The partners' organisations, in order (the survey's own first)."""
    return [p.organisation for p in survey.partners.select_related("organisation")]


@transaction.atomic
def start_partners(*, survey: Survey, acting_user: User, partners_from: str, see_each_other: bool = False) -> Survey:
    """Make ``survey`` joint: its own organisation is the first partner, and
    the partner question is put first in its first section."""
    survey = _locked(survey)
    if survey.partners_from:
        raise PartnersRefused("The survey is already run with partners.")
    if partners_from not in FROM_CHOICES:
        raise PartnersRefused("Choose how each response's partner is known: from their own link, or from a question.")
    if survey.organisation is None:
        raise PartnersRefused(
            "Only a survey run by an organisation can have partners: ask an administrator to give it to one."
        )
    _fixed_once_answered(survey)
    document = export_definition(survey=survey)
    if not document["sections"]:
        raise PartnersRefused(
            "Add a section first: the question about each respondent's organisation goes at the start of the first "
            "section."
        )
    if any(q["key"] == PARTNER_KEY for s in document["sections"] for q in s["questions"]):
        raise PartnersRefused(
            f'A question of this survey has the key "{PARTNER_KEY}", which a joint survey keeps for its partner '
            "question: give that question another key first."
        )
    document["partners"] = {
        "from": partners_from,
        "see_each_other": see_each_other,
        "question": {"text": PARTNER_QUESTION[partners_from]},
        "partners": [{"organisation": survey.organisation.slug}],
    }
    return _load(survey, document, acting_user=acting_user, action=AuditEvent.Action.PARTNERS_STARTED)


@transaction.atomic
def end_partners(*, survey: Survey, acting_user: User) -> Survey:
    """Run the survey by its own organisation alone: the partners, their links,
    their unused invitation codes and the partner question go."""
    survey = _locked(survey)
    if not survey.partners_from:
        raise PartnersRefused("The survey is not run with partners.")
    _fixed_once_answered(survey)
    document = export_definition(survey=survey)
    document.pop("partners")
    return _load(survey, document, acting_user=acting_user, action=AuditEvent.Action.PARTNERS_ENDED)


def _joint_document(survey: Survey) -> dict:
    if not survey.partners_from:
        raise PartnersRefused("Make the survey a joint survey first.")
    return export_definition(survey=survey)


@transaction.atomic
def set_partner_settings(
    *,
    survey: Survey,
    acting_user: User,
    partners_from: str,
    see_each_other: bool,
    question_text: str,
    question_help: str = "",
) -> Survey:
    """How each response's partner is known and whether partners see each
    other's tables (both fixed once answers arrive), and the partner
    question's wording (which may change at any time, like any wording)."""
    survey = _locked(survey)
    document = _joint_document(survey)
    partners = document["partners"]
    if partners_from not in FROM_CHOICES:
        raise PartnersRefused("Choose how each response's partner is known: from their own link, or from a question.")
    if (partners_from, see_each_other) != (partners["from"], partners["see_each_other"]):
        _fixed_once_answered(survey)
    if not question_text.strip():
        raise PartnersRefused("The partner question needs a text: respondents or tables read it.")
    question = partners["question"]
    question["text"] = languages.reworded(question.get("text"), question_text.strip())
    helped = languages.reworded(question.pop("help", ""), question_help.strip())
    if languages.default_text(helped).strip():
        question["help"] = helped
    partners.update({"from": partners_from, "see_each_other": see_each_other})
    return _load(survey, document, acting_user=acting_user, action=AuditEvent.Action.PARTNERS_CHANGED)


@transaction.atomic
def add_partner(*, survey: Survey, acting_user: User, organisation: Organisation) -> Survey:
    """Add ``organisation`` as the last partner, with its own link."""
    survey = _locked(survey)
    document = _joint_document(survey)
    _fixed_once_answered(survey)
    partners = document["partners"]["partners"]
    if organisation.slug in {p["organisation"] for p in partners}:
        raise PartnersRefused(f"{organisation.name} is a partner already.")
    partners.append({"organisation": organisation.slug})
    return _load(
        survey, document, acting_user=acting_user, action=AuditEvent.Action.PARTNER_ADDED, organisation=organisation
    )


@transaction.atomic
def remove_partner(*, survey: Survey, acting_user: User, organisation: Organisation) -> Survey:
    """Remove a partner: its link stops working and its unused invitation codes go."""
    survey = _locked(survey)
    document = _joint_document(survey)
    _fixed_once_answered(survey)
    if organisation.pk == survey.organisation_id:
        raise PartnersRefused(
            f"{organisation.name} runs the survey, so it is always a partner. To run it alone again, stop running "
            "it with partners."
        )
    partners = document["partners"]["partners"]
    kept = [p for p in partners if p["organisation"] != organisation.slug]
    if len(kept) == len(partners):
        raise PartnersRefused(f"{organisation.name} is not a partner of this survey.")
    document["partners"]["partners"] = kept
    return _load(
        survey, document, acting_user=acting_user, action=AuditEvent.Action.PARTNER_REMOVED, organisation=organisation
    )


@transaction.atomic
def move_partner(*, survey: Survey, acting_user: User, organisation: Organisation, offset: int) -> Survey:
    """Move a partner up (-1) or down (+1) in the order respondents and tables
    list them; the survey's own organisation stays first."""
    survey = _locked(survey)
    document = _joint_document(survey)
    _fixed_once_answered(survey)
    partners = document["partners"]["partners"]
    slugs = [p["organisation"] for p in partners]
    if organisation.slug not in slugs:
        raise PartnersRefused(f"{organisation.name} is not a partner of this survey.")
    i = slugs.index(organisation.slug)
    j = i + offset
    if i == 0 or not 1 <= j < len(partners):
        raise PartnersRefused("The organisation that runs the survey is listed first; others move among themselves.")
    partners[i], partners[j] = partners[j], partners[i]
    return _load(survey, document, acting_user=acting_user, action=AuditEvent.Action.PARTNER_MOVED)
