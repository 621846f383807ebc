"""Survey definitions: validate, load and export the JSON format of DESIGN.md.

``validate_definition`` is pure: it takes a parsed JSON document and returns
a normalised ``SurveyDef`` or raises ``DefinitionError`` naming the path of
the first fault, e.g. ``sections[1].questions[0].show_if: unknown question
"raisd_patient_care"``.

Any text (title, intro, section title, question text and help, choice and
concern labels) may be a plain string in the default language, as in
DESIGN.md, or an object of language -> text such as ``{"en": "Yes", "cy":
"Ie"}`` whose default-language text is required. The default text goes to
the existing columns; the others to each row's ``translations``.
"""

import json
import uuid
from pathlib import Path
from typing import Annotated, Any, ClassVar, Literal

from django.contrib.auth.models import User
from django.db import transaction
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError, model_validator

from survey.definitions import languages
from survey.definitions.changes import definition_changes
from survey.models import Action, AuditEvent, Choice, Concern, Organisation, Partner, Question, Section, Survey
from survey.moderation import safeguarding
from survey.refused import Refused

BUILTIN_DIR = Path(__file__).parent / "builtin"

Key = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_-]*$", max_length=80)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
# Titles and labels go to varchar(200) columns (survey/models.py); PostgreSQL
# refuses a longer one, SQLite would quietly keep it.
TITLE_MAX = 200
Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=TITLE_MAX)]
# A definition is a handful of levels deep (survey, sections, questions,
# choices, a text's languages); anything far deeper is refused before it can
# exhaust the parser's or the validator's recursion.
MAX_DEPTH = 20
# Kinds in messages, in words (the path of the fault still says where).
KIND_WORDS = {"single_choice": "single-choice", "multiple_choice": "multiple-choice", "scale": "scale"}
YES_NO_CHOICES = [{"value": "yes", "label": "Yes"}, {"value": "no", "label": "No"}]


class DefinitionError(Refused):
    def __init__(self, path: str, message: str):
        self.path = path
        self.message = message
        super().__init__(f"{path}: {message}" if path else message)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class _Localised(_Strict):
    """A part whose texts (named in ``_texts``) may be given in several languages."""

    _texts: ClassVar[tuple[str, ...]] = ()
    # {language: {field: text}} for languages other than the default.
    translations: dict[str, dict[str, str]] = Field(default_factory=dict, exclude=True)

    @model_validator(mode="before")
    @classmethod
    def _split_languages(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        if "translations" in data:
            raise ValueError('unknown field "translations": give a text as {"en": "...", "cy": "..."}')
        data = dict(data)
        translations: dict[str, dict[str, str]] = {}
        for name in cls._texts:
            value = data.get(name)
            if not isinstance(value, dict):
                continue
            unknown = sorted(set(value) - set(languages.NAMES))
            if unknown:
                raise ValueError(f'{name}: unknown language "{unknown[0]}" (known: {", ".join(languages.NAMES)})')
            if languages.DEFAULT not in value:
                raise ValueError(f'{name}: the text in the default language "{languages.DEFAULT}" is required')
            for language, text in value.items():
                if not isinstance(text, str):
                    raise ValueError(f"{name}.{language}: a text must be a string")
                if language != languages.DEFAULT and text.strip():
                    translations.setdefault(language, {})[name] = text.strip()
            data[name] = value[languages.DEFAULT]
        data["translations"] = translations
        return data

    def localised(self, name: str) -> str | dict[str, str]:
        """A text as written in a definition: a string, or language -> text."""
        return languages.as_definition_text(getattr(self, name), self.translations, name)


class ChoiceDef(_Localised):
    _texts = ("label",)
    value: Key
    label: Title
    # False: shown, but not counted in the base of any share ("Don't know").
    counted: bool = True
    # Staff in this group of a breakdown, from workforce records.
    population: int | None = Field(default=None, ge=1, le=10_000_000)
    # A breakdown's choices only (survey/figures/groups.py): a key group is
    # spared when a group must be hidden to protect another; choices with the
    # same merge label are reported as one group of that label.
    key_group: bool = False
    merge: Annotated[str, StringConstraints(strip_whitespace=True, max_length=TITLE_MAX)] = ""


class ShowIfDef(_Strict):
    question: Key
    equals: Key


class QuestionDef(_Localised):
    _texts = ("text", "help")
    key: Key
    kind: Literal["single_choice", "multiple_choice", "yes_no", "scale", "free_text"]
    text: Text
    help: str = ""
    required: bool | None = None
    breakdown: bool = False
    show_if: ShowIfDef | None = None
    choices: list[ChoiceDef] = Field(default_factory=list)
    # Which end of a scale agrees; a scale without it agrees at the end listed last.
    agree_end: Literal["first", "last"] | None = None

    @model_validator(mode="after")
    def _kind_rules(self) -> "QuestionDef":
        if self.required is None:
            self.required = self.kind != "free_text"
        if self.agree_end == "first" and self.kind != "scale":
            raise ValueError("only a scale question has an agree_end")
        if self.kind != "scale":
            self.agree_end = None  # "last" is everyone's default: harmless on other kinds
        if self.kind == "scale" and self.agree_end is None:
            self.agree_end = "last"  # today's layout: old files still load
        uncounted = [c.value for c in self.choices if not c.counted]
        if uncounted and (self.kind not in ("single_choice", "scale") or self.breakdown):
            raise ValueError(
                f'choice "{uncounted[0]}": only the choices of a single-choice or scale question '
                "(not a breakdown) can be left out of the base"
            )
        if self.kind == "scale" and len(self.choices) - len(uncounted) < 2:
            raise ValueError("a scale question needs at least two choices counted in the base")
        if not self.breakdown and any(c.population is not None for c in self.choices):
            raise ValueError("only the choices of a breakdown question have a population")
        if self.kind == "yes_no":
            if self.choices and [c.value for c in self.choices] != ["yes", "no"]:
                raise ValueError('a yes/no question has the choices "yes" and "no" only')
        elif self.kind == "free_text":
            if self.choices:
                raise ValueError("a free-text question has no choices")
        elif len(self.choices) < 2:
            raise ValueError(f"a {KIND_WORDS[self.kind]} question needs at least two choices")
        values = [c.value for c in self.choices]
        duplicates = sorted({v for v in values if values.count(v) > 1})
        if duplicates:
            raise ValueError(f'choice value "{duplicates[0]}" appears twice')
        if self.breakdown and self.kind != "single_choice":
            raise ValueError("only a single-choice question can be a breakdown")
        if self.breakdown and (not self.required or self.show_if):
            # Otherwise those who skip it form a hidden group that
            # "total minus the groups" would reveal.
            raise ValueError("a breakdown question must be required and asked of everyone (no show_if)")
        if not self.breakdown and any(c.key_group or c.merge for c in self.choices):
            raise ValueError("only a breakdown question's choices can be key groups or merged")
        merges = [c.merge for c in self.choices if c.merge]
        lonely = sorted({m for m in merges if merges.count(m) == 1})
        if lonely:
            raise ValueError(f'merged group "{lonely[0]}" needs at least two choices')
        return self

    def choice_list(self) -> list[dict]:
        if self.kind == "yes_no":
            return [c.model_dump() for c in self.choices] or YES_NO_CHOICES
        return [c.model_dump() for c in self.choices]


class SectionDef(_Localised):
    _texts = ("title",)
    title: Title
    questions: list[QuestionDef] = Field(default_factory=list)


class ConcernDef(_Localised):
    _texts = ("label",)
    key: Key
    label: Title
    raised: Key
    outcome: Key
    resolved_values: list[Key] = Field(min_length=1)


# A joint survey's partner question (docs/partners.md) is never written in
# ``sections``: the ``partners`` object says everything about it, and it is
# always the first question of the first section, with this key.
PARTNER_KEY = "partner"
PARTNER_QUESTION = {
    "link": "Partner organisation",
    "question": "Which organisation invited you to this survey?",
}


class PartnerDef(_Localised):
    _texts = ("label",)
    organisation: Key
    # What respondents and tables call the partner; the organisation's name when left out.
    label: Title | None = None


class PartnerQuestionDef(_Localised):
    _texts = ("text", "help")
    text: Title | None = None
    help: str = ""


class PartnersDef(_Strict):
    """A joint survey: the organisations running it, and how each response's partner is known."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, populate_by_name=True)
    from_: Literal["link", "question"] = Field(alias="from")
    see_each_other: bool = False
    question: PartnerQuestionDef = Field(default_factory=PartnerQuestionDef)
    partners: list[PartnerDef] = Field(min_length=1)

    @model_validator(mode="after")
    def _distinct(self) -> "PartnersDef":
        slugs = [p.organisation for p in self.partners]
        twice = sorted({s for s in slugs if slugs.count(s) > 1})
        if twice:
            raise ValueError(f'organisation "{twice[0]}" is a partner twice')
        if self.question.text is None:
            self.question.text = PARTNER_QUESTION[self.from_]
        return self

    def as_document(self) -> dict:
        question: dict[str, Any] = {"text": self.question.localised("text")}
        if self.question.help:
            question["help"] = self.question.localised("help")
        return {
            "from": self.from_,
            "see_each_other": self.see_each_other,
            "question": question,
            "partners": [
                {"organisation": p.organisation, **({"label": p.localised("label")} if p.label else {})}
                for p in self.partners
            ],
        }


# The version of this format (docs/definitions.md); a file without one is version 1.
SCHEMA_VERSION = 1


class PulseOf(BaseModel):
    model_config = ConfigDict(extra="forbid")
    survey: Key
    action: uuid.UUID


PULSE_QUESTIONS = (1, 3)  # a pulse asks at least one question and at most three


class SurveyDef(_Localised):
    _texts = ("title", "intro", "moderators")
    schema_version: Literal[1] = SCHEMA_VERSION
    slug: Key
    title: Title
    intro: str = ""
    estimated_minutes: int | None = Field(default=None, ge=1, le=600)
    moderators: str = Field(default="", max_length=200)
    min_group_size: int = Field(default=10, ge=5, le=1000)
    access: Literal["open", "codes"] = "open"
    # Who hears of a comment revealing a risk; a survey with free text opens only with one.
    safeguarding_contact: str = Field(default="", max_length=254, pattern=r"^([^@\s]+@[^@\s]+\.[^@\s]+)?$")
    # Staff in scope, from workforce records: response rates and corrected intervals.
    population: int | None = Field(default=None, ge=1, le=10_000_000)
    # The slug of the survey this one is the next wave of (trends, test of change).
    next_wave_of: Key | None = None
    # A follow-up pulse of an action of another survey (docs/following-up.md).
    pulse_of: PulseOf | None = None
    # A joint survey, run by several organisations (docs/partners.md).
    partners: PartnersDef | None = None
    sections: list[SectionDef] = Field(default_factory=list)
    concerns: list[ConcernDef] = Field(default_factory=list)

    def questions(self) -> list[QuestionDef]:
        return [q for s in self.sections for q in s.questions]

    def languages(self) -> list[str]:
        """The default language first, then every other one any text is given in."""
        parts: list[_Localised] = [self, *self.sections, *self.concerns]
        if self.partners:
            parts += [self.partners.question, *self.partners.partners]
        for q in self.questions():
            parts += [q, *q.choices]
        return [languages.DEFAULT, *sorted({lang for part in parts for lang in part.translations})]


def _pydantic_path(loc: tuple) -> str:
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        elif not str(part).startswith("function-"):
            path += f".{part}" if path else str(part)
    return path


def _check_shape(document: Any) -> None:
    """Refuse, by path, a document nested deeper than MAX_DEPTH or holding a
    NUL character in any text or name (PostgreSQL cannot store one). Walks
    with its own stack, so no depth makes it recurse."""
    stack: list[tuple[Any, str, int]] = [(document, "", 0)]
    while stack:
        value, path, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise DefinitionError(path, f"nested more than {MAX_DEPTH} levels deep")
        if isinstance(value, str) and "\x00" in value:
            raise DefinitionError(path, "contains a NUL character, which a text cannot hold")
        if isinstance(value, dict):
            for key, item in value.items():
                if "\x00" in str(key):
                    raise DefinitionError(path, "a field name contains a NUL character")
                stack.append((item, f"{path}.{key}" if path else str(key), depth + 1))
        elif isinstance(value, list):
            stack.extend((item, f"{path}[{i}]", depth + 1) for i, item in enumerate(value))


def parse_json(text: str) -> Any:
    """Parse a definition's JSON; too deep a nesting is refused, not a crash."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise DefinitionError("", f"not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})") from None
    except RecursionError:
        raise DefinitionError("", f"nested more than {MAX_DEPTH} levels deep") from None


def validate_definition(document: Any, *, partial: bool = False) -> SurveyDef:
    """Validate a parsed definition; raise DefinitionError at the first fault.

    ``partial`` accepts a survey still being built in the console (no
    sections yet, or a section without questions); everything present must
    still be right. A survey opens only if it passes the full check.
    """
    if not isinstance(document, dict):
        raise DefinitionError("", "a survey definition is a JSON object")
    _check_shape(document)
    try:
        survey = SurveyDef.model_validate(document)
    except ValidationError as exc:
        error = exc.errors()[0]
        message = error["msg"].removeprefix("Value error, ")
        raise DefinitionError(_pydantic_path(error["loc"]), message) from None
    if survey.partners and not survey.sections:
        raise DefinitionError(
            "sections", "a joint survey needs a section: its first one starts with the partner question"
        )
    if not partial:
        if not survey.sections:
            raise DefinitionError("sections", "a survey needs at least one section")
        for s, section in enumerate(survey.sections):
            # A joint survey's first section holds the partner question, so it is never empty.
            if not section.questions and not (survey.partners and s == 0):
                raise DefinitionError(f"sections[{s}].questions", "a section needs at least one question")
        if survey.partners and len(survey.partners.partners) < 2:
            raise DefinitionError("partners.partners", "a joint survey needs at least two partners")

    seen: dict[str, QuestionDef] = {}
    for s, section in enumerate(survey.sections):
        for q, question in enumerate(section.questions):
            path = f"sections[{s}].questions[{q}]"
            if question.key in seen:
                raise DefinitionError(f"{path}.key", f'question key "{question.key}" is used twice')
            if survey.partners and question.key == PARTNER_KEY:
                raise DefinitionError(
                    f"{path}.key",
                    f'in a joint survey the key "{PARTNER_KEY}" belongs to the partner question, which the '
                    '"partners" object describes: give this question another key',
                )
            if question.show_if:
                target = seen.get(question.show_if.question)
                if target is None:
                    known = question.show_if.question in {x.key for x in survey.questions()}
                    reason = "must come before the question it controls" if known else "unknown question"
                    raise DefinitionError(f"{path}.show_if", f'{reason} "{question.show_if.question}"')
                if target.kind not in Question.CHOICE_KINDS:
                    raise DefinitionError(f"{path}.show_if", f'question "{target.key}" has no choices to test')
                if question.show_if.equals not in {c["value"] for c in target.choice_list()}:
                    raise DefinitionError(
                        f"{path}.show_if.equals",
                        f'"{question.show_if.equals}" is not a choice of question "{target.key}"',
                    )
            seen[question.key] = question

    for s_i, section in enumerate(survey.sections):
        for q_i, question in enumerate(section.questions):
            known = [c.population for c in question.choices if c.population is not None]
            if survey.population is not None and sum(known) > survey.population:
                raise DefinitionError(
                    f"sections[{s_i}].questions[{q_i}].choices",
                    f"the groups' populations add to {sum(known)}, more than the survey's population "
                    f"({survey.population})",
                )

    concern_keys: set[str] = set()
    for c, concern in enumerate(survey.concerns):
        path = f"concerns[{c}]"
        if concern.key in concern_keys:
            raise DefinitionError(f"{path}.key", f'concern key "{concern.key}" is used twice')
        concern_keys.add(concern.key)
        raised = seen.get(concern.raised)
        if raised is None:
            raise DefinitionError(f"{path}.raised", f'unknown question "{concern.raised}"')
        if raised.kind != "yes_no":
            raise DefinitionError(f"{path}.raised", f'question "{raised.key}" must be a yes/no question')
        outcome = seen.get(concern.outcome)
        if outcome is None:
            raise DefinitionError(f"{path}.outcome", f'unknown question "{concern.outcome}"')
        if outcome.kind != "single_choice":
            raise DefinitionError(f"{path}.outcome", f'question "{outcome.key}" must be a single-choice question')
        outcome_values = {ch["value"] for ch in outcome.choice_list()}
        for v, value in enumerate(concern.resolved_values):
            if value not in outcome_values:
                raise DefinitionError(
                    f"{path}.resolved_values[{v}]", f'"{value}" is not a choice of question "{outcome.key}"'
                )
            if value in {ch.value for ch in outcome.choices if not ch.counted}:
                raise DefinitionError(
                    f"{path}.resolved_values[{v}]",
                    f'"{value}" is left out of the base (counted: false), so it cannot count as resolved',
                )
    return survey


def parse_definition(text: str) -> SurveyDef:
    return validate_definition(parse_json(text))


def _questions(document: dict) -> dict[str, tuple[str, dict]]:
    """Each question by key, with its path in the document."""
    return {
        q["key"]: (f"sections[{s}].questions[{i}]", q)
        for s, section in enumerate(document["sections"])
        for i, q in enumerate(section["questions"])
    }


def structural_changes(old: dict, new: dict) -> list[DefinitionError]:
    """What in ``new`` would corrupt figures computed from answers to ``old``.

    Once a survey has answers, its questions, their kinds, conditions and
    choices, and its concern topics are fixed: every stored answer and every
    figure refers to them. Only wording may change (``definition_changes`` words each change for the audit list).
    """
    old_q, new_q = _questions(old), _questions(new)
    faults: list[DefinitionError] = []
    for key, (path, q) in new_q.items():
        if key not in old_q:
            faults.append(
                DefinitionError(
                    path,
                    f'question "{key}" cannot be added: earlier respondents were never asked it. '
                    "Start a new survey from this one's definition instead.",
                )
            )
            continue
        before = old_q[key][1]
        for field, what in (("kind", "kind"), ("required", "required setting"), ("breakdown", "breakdown setting")):
            if before.get(field) != q.get(field):
                faults.append(DefinitionError(f"{path}.{field}", f'the {what} of question "{key}" cannot change'))
        if before.get("show_if") != q.get("show_if"):
            faults.append(DefinitionError(f"{path}.show_if", f'who is asked question "{key}" cannot change'))
        if (before.get("agree_end") or "last") != (q.get("agree_end") or "last") and q["kind"] == "scale":
            faults.append(DefinitionError(f"{path}.agree_end", f'which end of scale "{key}" agrees cannot change'))
        old_counted = {c["value"]: c.get("counted", True) for c in before.get("choices", [])}
        for c in q.get("choices", []):
            if c["value"] in old_counted and old_counted[c["value"]] != c.get("counted", True):
                faults.append(
                    DefinitionError(
                        f"{path}.choices",
                        f'whether choice "{c["value"]}" of question "{key}" is counted in the base cannot change',
                    )
                )
        old_values = [c["value"] for c in before.get("choices", [])]
        new_values = [c["value"] for c in q.get("choices", [])]
        for value in old_values:
            if value not in new_values:
                faults.append(
                    DefinitionError(f"{path}.choices", f'choice "{value}" of question "{key}" cannot be removed')
                )
        for value in new_values:
            if value not in old_values:
                faults.append(DefinitionError(f"{path}.choices", f'choice "{value}" cannot be added to "{key}"'))

        def grouping(choices):
            return [(c["value"], bool(c.get("key_group")), c.get("merge") or "") for c in choices]

        if grouping(before.get("choices", [])) != grouping(q.get("choices", [])) and old_values == new_values:
            # Figures of the old groups and of the new ones, side by side, could
            # be subtracted (a merged group minus one member gives the other).
            faults.append(
                DefinitionError(f"{path}.choices", f'the key and merged groups of question "{key}" cannot change')
            )
    for key in old_q:
        if key not in new_q:
            faults.append(DefinitionError("sections", f'question "{key}" cannot be removed: its answers would be lost'))
    if [k for k in old_q if k in new_q] != [k for k in new_q if k in old_q] or [
        len(s["questions"]) for s in old["sections"]
    ] != [len(s["questions"]) for s in new["sections"]]:
        faults.append(
            DefinitionError(
                "sections", "sections and questions cannot be added, removed or moved once answers have arrived"
            )
        )
    old_c = {c["key"]: c for c in old["concerns"]}
    for i, concern in enumerate(new["concerns"]):
        before = old_c.pop(concern["key"], None)
        fixed = ("raised", "outcome", "resolved_values")
        if before is None:
            faults.append(DefinitionError(f"concerns[{i}]", f'concern "{concern["key"]}" cannot be added now'))
        elif any(before[f] != concern[f] for f in fixed):
            faults.append(
                DefinitionError(f"concerns[{i}]", f'the questions and outcomes of concern "{concern["key"]}" are fixed')
            )
    for key in old_c:
        faults.append(DefinitionError("concerns", f'concern "{key}" cannot be removed'))

    def partnership(partners: dict | None):
        if not partners:
            return None
        return partners["from"], partners["see_each_other"], [p["organisation"] for p in partners["partners"]]

    if partnership(old.get("partners")) != partnership(new.get("partners")):
        # Every answer belongs to one partner; the partners saw tables agreed on this basis.
        faults.append(
            DefinitionError(
                "partners",
                "the partners, their order, how each response's partner is known and whether partners see each "
                "other's tables are fixed once answers have arrived",
            )
        )
    return faults


@transaction.atomic
def load_definition(
    *,
    definition: SurveyDef,
    acting_user: User | None = None,
    what: str = "",
    new: bool = False,
    action: str = AuditEvent.Action.SURVEY_UPDATED,
    audited_organisation: Organisation | None = None,
) -> Survey:
    """Create a survey from a validated definition, or update it in place.

    A survey that already has responses (or waiting submissions) may only
    change its wording; a structural change is refused whole, because it
    would corrupt figures computed from existing answers. ``new``: the
    caller has just claimed the (empty) survey row, so this is its creation.
    ``action`` names the change in the audit list (survey/staff/partners.py
    names its own), ``audited_organisation`` lists it on that organisation's
    page too (a partner added or removed).
    """
    survey = Survey.objects.select_for_update().filter(slug=definition.slug).first()
    created = survey is None
    document = _as_document(definition)
    if not created:
        has_data = survey.has_answers()
        before = export_definition(survey=survey)
        if has_data:
            faults = structural_changes(before, document)
            if definition.min_group_size < survey.min_group_size:
                faults.insert(
                    0,
                    DefinitionError(
                        "min_group_size",
                        f"the minimum group size can only be raised (it is {survey.min_group_size}): "
                        "lowering it would show figures about fewer people than respondents were promised",
                    ),
                )
            if faults:
                raise DefinitionError(
                    faults[0].path,
                    f"this survey already has responses, so only wording can change: {faults[0].message}",
                )
        # Rebuilding is safe only without answers; wording updates keep rows.
        if not has_data:
            survey.concerns.all().delete()
            Question.objects.filter(survey=survey).update(show_if_question=None)
            survey.questions.all().delete()
            survey.sections.all().delete()
    else:
        survey = Survey(slug=definition.slug)
    partner_organisations = _partner_organisations(survey, definition, created=created)
    survey.partners_from = definition.partners.from_ if definition.partners else ""
    survey.partners_see_each_other = bool(definition.partners and definition.partners.see_each_other)
    survey.title = definition.title
    survey.intro = definition.intro
    survey.estimated_minutes = definition.estimated_minutes
    survey.moderators = definition.moderators
    # Every language of the definition has an entry, so the survey lists it.
    survey.translations = {lang: definition.translations.get(lang, {}) for lang in definition.languages()[1:]}
    survey.min_group_size = definition.min_group_size
    survey.access = definition.access
    if definition.safeguarding_contact:  # a definition without one keeps the console's
        survey.safeguarding_contact = definition.safeguarding_contact
    survey.population = definition.population
    if definition.pulse_of is not None:
        survey.pulse_action = _pulse_action(definition, acting_user, already=survey.pulse_action_id)
        survey.linked_survey, survey.link = survey.pulse_action.survey, Survey.Link.PULSE
    else:
        survey.pulse_action = None
        survey.linked_survey, survey.link = _linked_wave(survey, definition)
    survey.definition_version = uuid.uuid4()  # cached structures of the old one are not used again
    survey.save()
    if not created and has_data:
        Survey.hold_min_group_size(survey.pk)  # a raised k becomes the new floor

    existing = {q.key: q for q in survey.questions.select_related("section")}
    if existing:
        _update_wording(survey, definition, existing, partner_organisations)
    else:
        _create_structure(survey, definition, partner_organisations)
    _keep_partners(survey, partner_organisations)
    if survey.status == Survey.Status.OPEN and pulse_opening_refusal(survey):
        if not created:
            raise DefinitionError("pulse_of", pulse_opening_refusal(survey))
        # Loaded from a file: it waits as a draft until the original has closed
        # and no other pulse of it is open (the original's address leads to one).
        Survey.objects.filter(pk=survey.pk).update(status=Survey.Status.DRAFT)
        survey.status = Survey.Status.DRAFT
    if survey.status == Survey.Status.OPEN and safeguarding.opening_refusal(survey):
        if created:
            # Loaded from a file: it waits as a draft (load_survey says why).
            Survey.objects.filter(pk=survey.pk).update(status=Survey.Status.DRAFT)
            survey.status = Survey.Status.DRAFT
        elif not any(q["kind"] == "free_text" for _, q in _questions(before).values()):
            raise DefinitionError("sections", f"a free-text question cannot be added yet. {safeguarding.NO_CONTACT}")
    if created or new:
        AuditEvent.objects.create(
            survey=survey,
            user=acting_user,
            action=AuditEvent.Action.SURVEY_CREATED,
            detail=what or "from a definition file",
        )
    else:
        # Compared as stored, both sides in the export's shape: one entry per
        # real change, none when nothing changed.
        changes = definition_changes(before, export_definition(survey=survey))
        if changes:
            AuditEvent.objects.create(
                survey=survey,
                organisation=audited_organisation,
                user=acting_user,
                action=action,
                detail="\n".join(changes),
            )
    return survey


def _partner_organisations(survey: Survey, definition: SurveyDef, *, created: bool) -> list[Organisation]:
    """A joint survey's partners, in order: organisations of this Candour, the
    one that runs the survey first (a file moved elsewhere finds its own)."""
    if not definition.partners:
        return []
    slugs = [p.organisation for p in definition.partners.partners]
    found = {o.slug: o for o in Organisation.objects.filter(slug__in=slugs)}
    for i, slug in enumerate(slugs):
        if slug not in found:
            raise DefinitionError(
                f"partners.partners[{i}].organisation",
                f'there is no organisation "{slug}" on this Candour: an administrator creates it first',
            )
    if survey.organisation_id is None and not created:
        raise DefinitionError(
            "partners", "only a survey run by an organisation can have partners: ask an administrator to give it to one"
        )
    if survey.organisation_id is not None and slugs[0] != survey.organisation.slug:
        raise DefinitionError(
            "partners.partners[0].organisation",
            f'the first partner is the organisation that runs the survey, "{survey.organisation.slug}"',
        )
    return [found[slug] for slug in slugs]


def _partner_labels(definition: SurveyDef, organisations: list[Organisation]) -> list[tuple[str, dict]]:
    return [
        (p.label or organisation.name, p.translations)
        for p, organisation in zip(definition.partners.partners, organisations, strict=True)
    ]


def _create_partner_question(survey: Survey, section: Section, definition: SurveyDef, organisations) -> None:
    """The first question of the first section: a required breakdown whose
    choices are the partners (values: their organisations' slugs)."""
    question = Question.objects.create(
        survey=survey,
        section=section,
        position=0,
        key=PARTNER_KEY,
        kind=Question.Kind.SINGLE_CHOICE,
        text=definition.partners.question.text,
        help_text=definition.partners.question.help,
        translations=definition.partners.question.translations,
        required=True,
        breakdown=True,
        partner=True,
    )
    Choice.objects.bulk_create(
        Choice(question=question, position=i, value=organisation.slug, label=label, translations=translations)
        for i, (organisation, (label, translations)) in enumerate(
            zip(organisations, _partner_labels(definition, organisations), strict=True)
        )
    )


def _keep_partners(survey: Survey, organisations: list[Organisation]) -> None:
    """Partner rows in step with the definition; a kept partner keeps its own
    link (its token), a removed one's unused invitation codes go with it."""
    survey.partners.exclude(organisation__in=organisations).delete()
    kept = {p.organisation_id: p for p in survey.partners.all()}
    for position, organisation in enumerate(organisations):
        partner = kept.get(organisation.pk)
        if partner is None:
            Partner.objects.create(survey=survey, organisation=organisation, position=position)
        elif partner.position != position:
            Partner.objects.filter(pk=partner.pk).update(position=position)


def _linked_wave(survey: Survey, definition: SurveyDef) -> tuple[Survey | None, str]:
    """The earlier survey this one is the next wave of: it must exist, hold
    the same concern topics, and not be this survey or a later wave of it."""
    if definition.next_wave_of is None:
        return None, ""
    earlier = Survey.objects.filter(slug=definition.next_wave_of).first()
    if earlier is None:
        raise DefinitionError("next_wave_of", f'there is no survey "{definition.next_wave_of}"')
    seen = earlier
    while seen is not None:
        if seen.slug == definition.slug:
            raise DefinitionError(
                "next_wave_of", "a survey cannot be a wave of itself or of one of its own later waves"
            )
        seen = seen.linked_survey
    if set(earlier.concerns.values_list("key", flat=True)) != {c.key for c in definition.concerns}:
        raise DefinitionError(
            "next_wave_of", f'"{earlier.slug}" does not have the same concern topics, so there is no trend to show'
        )
    return earlier, Survey.Link.WAVE


def pulse_opening_refusal(survey: Survey) -> str:
    """A pulse opens only after the survey it follows up has closed, and one
    at a time: the original's address leads to the open one (docs/following-up.md)."""
    if survey.link != Survey.Link.PULSE or survey.linked_survey is None:
        return ""
    original = survey.linked_survey
    if original.status != Survey.Status.CLOSED:
        return f"“{original.title}” is still open: a pulse asks the same people again once it has closed."
    other = (
        Survey.objects.filter(linked_survey=original, link=Survey.Link.PULSE, status=Survey.Status.OPEN)
        .exclude(pk=survey.pk)
        .first()
    )
    if other is not None:
        return f"The pulse “{other.title}” is still open: close it before opening another."
    return ""


def _pulse_action(definition: SurveyDef, acting_user: User | None, *, already=None) -> Action:
    """The action a pulse follows up. A pulse asks the same people again, so
    it keeps their promise: k no lower than the original's, and figures for
    everyone together only (no breakdown, which joined with the original's
    groups could single out a small one: tests/anonymity/test_attack_pulse.py)."""
    link = definition.pulse_of
    if definition.next_wave_of is not None:
        raise DefinitionError("pulse_of", "a survey is either a next wave or a follow-up pulse, not both")
    action = Action.objects.filter(pk=link.action, survey__slug=link.survey).select_related("survey").first()
    if action is None:
        raise DefinitionError("pulse_of.action", f'survey "{link.survey}" has no such action')
    if action.survey.slug == definition.slug:
        raise DefinitionError("pulse_of.survey", "a survey cannot be a pulse of itself")
    if (
        acting_user is not None
        and action.pk != already
        and not action.survey.members.filter(user=acting_user, role="organiser").exists()
    ):
        # A pulse takes over the original survey's address while it is open:
        # only that survey's organisers may link one to it.
        raise DefinitionError("pulse_of.survey", f'you are not an organiser of "{link.survey}"')
    if definition.min_group_size < action.survey.min_group_size:
        raise DefinitionError(
            "min_group_size",
            f"a pulse asks the same people as “{action.survey.title}”, so its minimum group size cannot be "
            f"lower than that survey's ({action.survey.min_group_size})",
        )
    questions = definition.questions()
    low, high = PULSE_QUESTIONS
    if not low <= len(questions) <= high:
        raise DefinitionError("sections", f"a pulse asks between {low} and {high} questions")
    for i, question in enumerate(questions):
        if question.breakdown:
            raise DefinitionError(
                f"sections[0].questions[{i}].breakdown",
                "a pulse shows figures for everyone together, never by group",
            )
        if question.kind == "free_text":
            raise DefinitionError(f"sections[0].questions[{i}].kind", "a pulse asks questions with choices")
    if definition.concerns:
        raise DefinitionError("concerns", "a pulse has no concern topics of its own: it follows up one action")
    return action


def _create_structure(survey: Survey, definition: SurveyDef, partner_organisations: list[Organisation]) -> None:
    questions: dict[str, Question] = {}
    for s_pos, section_def in enumerate(definition.sections):
        section = Section.objects.create(
            survey=survey, position=s_pos, title=section_def.title, translations=section_def.translations
        )
        first = 0
        if s_pos == 0 and definition.partners:
            _create_partner_question(survey, section, definition, partner_organisations)
            first = 1
        for q_pos, q in enumerate(section_def.questions, start=first):
            question = Question.objects.create(
                survey=survey,
                section=section,
                position=q_pos,
                key=q.key,
                kind=q.kind,
                text=q.text,
                help_text=q.help,
                translations=q.translations,
                required=bool(q.required),
                breakdown=q.breakdown,
                show_if_question=questions[q.show_if.question] if q.show_if else None,
                show_if_value=q.show_if.equals if q.show_if else "",
                agree_end=q.agree_end or Question.AgreeEnd.LAST,
            )
            Choice.objects.bulk_create(
                Choice(
                    question=question,
                    position=i,
                    value=c.value,
                    label=c.label,
                    translations=c.translations,
                    counted=c.counted,
                    population=c.population,
                    key_group=c.key_group,
                    merge=c.merge,
                )
                for i, c in enumerate(_choices(q))
            )
            questions[q.key] = question
    Concern.objects.bulk_create(
        Concern(
            survey=survey,
            position=i,
            key=c.key,
            label=c.label,
            translations=c.translations,
            raised=questions[c.raised],
            outcome=questions[c.outcome],
            resolved_values=c.resolved_values,
        )
        for i, c in enumerate(definition.concerns)
    )


def _update_wording(
    survey: Survey, definition: SurveyDef, existing: dict[str, Question], partner_organisations: list[Organisation]
) -> None:
    sections = {s.position: s for s in survey.sections.all()}
    if definition.partners:
        partner_question = survey.questions.get(partner=True)
        question = definition.partners.question
        Question.objects.filter(pk=partner_question.pk).update(
            text=question.text, help_text=question.help, translations=question.translations
        )
        for organisation, (label, translations) in zip(
            partner_organisations, _partner_labels(definition, partner_organisations), strict=True
        ):
            Choice.objects.filter(question=partner_question, value=organisation.slug).update(
                label=label, translations=translations
            )
    for s_pos, section_def in enumerate(definition.sections):
        Section.objects.filter(pk=sections[s_pos].pk).update(
            title=section_def.title, translations=section_def.translations
        )
        for q in section_def.questions:
            question = existing[q.key]
            Question.objects.filter(pk=question.pk).update(text=q.text, help_text=q.help, translations=q.translations)
            for c in _choices(q):
                Choice.objects.filter(question=question, value=c.value).update(
                    label=c.label, translations=c.translations, population=c.population
                )
    for c in definition.concerns:
        Concern.objects.filter(survey=survey, key=c.key).update(label=c.label, translations=c.translations)


def _choices(q: QuestionDef) -> list[ChoiceDef]:
    """A question's choices, yes_no ones filled in when the definition left them out."""
    if q.kind == "yes_no" and not q.choices:
        return [ChoiceDef.model_validate(c) for c in YES_NO_CHOICES]
    return list(q.choices)


def _as_document(definition: SurveyDef) -> dict:
    document = definition.model_dump()
    if definition.partners:
        document["partners"] = definition.partners.as_document()
    if document.get("pulse_of"):
        document["pulse_of"]["action"] = str(document["pulse_of"]["action"])
    # Normalise yes/no choices the same way export does.
    by_key = {q.key: q for q in definition.questions()}
    for section in document["sections"]:
        for q in section["questions"]:
            q["choices"] = [_choice_entry(c) for c in by_key[q["key"]].choice_list()]
            if q.get("agree_end") is None:
                q.pop("agree_end", None)
    return document


def _choice_entry(choice: dict) -> dict:
    """A choice as a document holds it: "counted" written only when false,
    "key_group" only when true, "population" and "merge" only when given."""
    choice = dict(choice)
    if choice.pop("counted", True) is False:
        choice["counted"] = False
    population = choice.pop("population", None)
    if population is not None:
        choice["population"] = population
    # A breakdown's key and merged groups (figures/groups.py), written only when set.
    if choice.pop("key_group", False):
        choice["key_group"] = True
    merge = choice.pop("merge", "")
    if merge:
        choice["merge"] = merge
    return choice


def export_definition(*, survey: Survey) -> dict:
    """The survey as a definition document that ``load_definition`` accepts."""
    questions = survey.questions.select_related("show_if_question").prefetch_related("choices")
    by_section: dict[int, list[Question]] = {}
    for q in questions:
        by_section.setdefault(q.section_id, []).append(q)
    sections = []
    for section in survey.sections.all():
        items = []
        for q in by_section.get(section.pk, []):
            if q.partner:
                continue  # written in "partners", below
            item: dict[str, Any] = {
                "key": q.key,
                "kind": q.kind,
                "text": languages.as_definition_text(q.text, q.translations, "text"),
            }
            if q.help_text:
                item["help"] = languages.as_definition_text(q.help_text, q.translations, "help")
            item["required"] = q.required
            item["breakdown"] = q.breakdown
            if q.show_if_question_id:
                item["show_if"] = {"question": q.show_if_question.key, "equals": q.show_if_value}
            if q.kind == Question.Kind.SCALE:
                item["agree_end"] = q.agree_end
            if q.kind != Question.Kind.FREE_TEXT:
                item["choices"] = [
                    _choice_entry(
                        {
                            "value": c.value,
                            "label": languages.as_definition_text(c.label, c.translations, "label"),
                            "counted": c.counted,
                            "population": c.population,
                            "key_group": c.key_group,
                            "merge": c.merge,
                        }
                    )
                    for c in q.choices.all()
                ]
            items.append(item)
        sections.append(
            {"title": languages.as_definition_text(section.title, section.translations, "title"), "questions": items}
        )
    return {
        "schema_version": SCHEMA_VERSION,
        "slug": survey.slug,
        "title": languages.as_definition_text(survey.title, survey.translations, "title"),
        "intro": languages.as_definition_text(survey.intro, survey.translations, "intro"),
        **({"estimated_minutes": survey.estimated_minutes} if survey.estimated_minutes else {}),
        **(
            {"moderators": languages.as_definition_text(survey.moderators, survey.translations, "moderators")}
            if survey.moderators
            else {}
        ),
        "min_group_size": survey.min_group_size,
        "access": survey.access,
        **({"safeguarding_contact": survey.safeguarding_contact} if survey.safeguarding_contact else {}),
        **({"population": survey.population} if survey.population is not None else {}),
        **(
            {"next_wave_of": survey.linked_survey.slug}
            if survey.link == Survey.Link.WAVE and survey.linked_survey
            else {}
        ),
        **(
            {"pulse_of": {"survey": survey.pulse_action.survey.slug, "action": str(survey.pulse_action_id)}}
            if survey.link == Survey.Link.PULSE and survey.pulse_action
            else {}
        ),
        **({"partners": _export_partners(survey)} if survey.partners_from else {}),
        "sections": sections,
        "concerns": [
            {
                "key": c.key,
                "label": languages.as_definition_text(c.label, c.translations, "label"),
                "raised": c.raised.key,
                "outcome": c.outcome.key,
                "resolved_values": list(c.resolved_values),
            }
            for c in survey.concerns.select_related("raised", "outcome")
        ],
    }


def _export_partners(survey: Survey) -> dict:
    """A joint survey's ``partners`` object: every label written out, so that
    loading the export and exporting again gives the same document."""
    question = survey.questions.filter(partner=True).prefetch_related("choices").first()
    labels = {c.value: c for c in question.choices.all()} if question else {}
    asked: dict[str, Any] = {}
    if question:
        asked["text"] = languages.as_definition_text(question.text, question.translations, "text")
        if question.help_text:
            asked["help"] = languages.as_definition_text(question.help_text, question.translations, "help")
    partners = []
    for partner in survey.partners.select_related("organisation"):
        slug = partner.organisation.slug
        choice = labels.get(slug)
        label = (
            languages.as_definition_text(choice.label, choice.translations, "label")
            if choice
            else partner.organisation.name
        )
        partners.append({"organisation": slug, "label": label})
    return {
        "from": survey.partners_from,
        "see_each_other": survey.partners_see_each_other,
        "question": asked,
        "partners": partners,
    }


def builtin_definitions() -> dict[str, Path]:
    """Built-in templates shipped with Candour, by file stem."""
    return {path.stem: path for path in sorted(BUILTIN_DIR.glob("*.json"))}
