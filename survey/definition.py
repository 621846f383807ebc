"""Survey definitions: validate, load and export the JSON format of DESIGN.md.

``validate_definition`` is pure: it takes a parsed JSON document and returns
a normalised ``SurveyDef`` or raises ``DefinitionError`` naming the path of
the first fault, e.g. ``sections[1].questions[0].show_if: unknown question
"raisd_patient_care"``.
"""

import json
import uuid
from pathlib import Path
from typing import Annotated, Any, Literal

from django.db import transaction
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError, model_validator

from survey.models import AuditEvent, Choice, Concern, Question, Section, Survey

BUILTIN_DIR = Path(__file__).parent / "definitions"

Key = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_-]*$", max_length=80)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
CHOICE_KINDS = ("single_choice", "multiple_choice", "yes_no", "scale")
YES_NO_CHOICES = [{"value": "yes", "label": "Yes"}, {"value": "no", "label": "No"}]


class DefinitionError(ValueError):
    def __init__(self, path: str, message: str):
        self.path = path
        self.message = message
        super().__init__(f"{path}: {message}" if path else message)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class ChoiceDef(_Strict):
    value: Key
    label: Text


class ShowIfDef(_Strict):
    question: Key
    equals: Key


class QuestionDef(_Strict):
    key: Key
    kind: Literal["single_choice", "multiple_choice", "yes_no", "scale", "free_text"]
    text: Text
    help: str = ""
    required: bool | None = None
    breakdown: bool = False
    show_if: ShowIfDef | None = None
    choices: list[ChoiceDef] = Field(default_factory=list)

    @model_validator(mode="after")
    def _kind_rules(self) -> "QuestionDef":
        if self.required is None:
            self.required = self.kind != "free_text"
        if self.kind == "yes_no":
            if self.choices and [c.value for c in self.choices] != ["yes", "no"]:
                raise ValueError('a yes_no question has the choices "yes" and "no" only')
        elif self.kind == "free_text":
            if self.choices:
                raise ValueError("a free_text question has no choices")
        elif len(self.choices) < 2:
            raise ValueError(f"a {self.kind} question needs at least two choices")
        values = [c.value for c in self.choices]
        duplicates = sorted({v for v in values if values.count(v) > 1})
        if duplicates:
            raise ValueError(f'choice value "{duplicates[0]}" appears twice')
        if self.breakdown and self.kind != "single_choice":
            raise ValueError("only a single_choice question can be a breakdown")
        if self.breakdown and (not self.required or self.show_if):
            # Otherwise those who skip it form a hidden group that
            # "total minus the groups" would reveal.
            raise ValueError("a breakdown question must be required and asked of everyone (no show_if)")
        return self

    def choice_list(self) -> list[dict]:
        if self.kind == "yes_no":
            return [c.model_dump() for c in self.choices] or YES_NO_CHOICES
        return [c.model_dump() for c in self.choices]


class SectionDef(_Strict):
    title: Text
    questions: list[QuestionDef] = Field(min_length=1)


class ConcernDef(_Strict):
    key: Key
    label: Text
    raised: Key
    outcome: Key
    resolved_values: list[Key] = Field(min_length=1)


class SurveyDef(_Strict):
    slug: Key
    title: Text
    intro: str = ""
    min_group_size: int = Field(default=10, ge=5, le=1000)
    access: Literal["open", "codes"] = "open"
    sections: list[SectionDef] = Field(min_length=1)
    concerns: list[ConcernDef] = Field(default_factory=list)

    def questions(self) -> list[QuestionDef]:
        return [q for s in self.sections for q in s.questions]


def _pydantic_path(loc: tuple) -> str:
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        elif not str(part).startswith("function-"):
            path += f".{part}" if path else str(part)
    return path


def validate_definition(document: Any) -> SurveyDef:
    """Validate a parsed definition; raise DefinitionError at the first fault."""
    if not isinstance(document, dict):
        raise DefinitionError("", "a survey definition is a JSON object")
    try:
        survey = SurveyDef.model_validate(document)
    except ValidationError as exc:
        error = exc.errors()[0]
        message = error["msg"].removeprefix("Value error, ")
        raise DefinitionError(_pydantic_path(error["loc"]), message) from None

    seen: dict[str, QuestionDef] = {}
    for s, section in enumerate(survey.sections):
        for q, question in enumerate(section.questions):
            path = f"sections[{s}].questions[{q}]"
            if question.key in seen:
                raise DefinitionError(f"{path}.key", f'question key "{question.key}" is used twice')
            if question.show_if:
                target = seen.get(question.show_if.question)
                if target is None:
                    known = question.show_if.question in {x.key for x in survey.questions()}
                    reason = "must come before the question it controls" if known else "unknown question"
                    raise DefinitionError(f"{path}.show_if", f'{reason} "{question.show_if.question}"')
                if target.kind not in CHOICE_KINDS:
                    raise DefinitionError(f"{path}.show_if", f'question "{target.key}" has no choices to test')
                if question.show_if.equals not in {c["value"] for c in target.choice_list()}:
                    raise DefinitionError(
                        f"{path}.show_if.equals",
                        f'"{question.show_if.equals}" is not a choice of question "{target.key}"',
                    )
            seen[question.key] = question

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
            raise DefinitionError(f"{path}.raised", f'question "{raised.key}" must be a yes_no question')
        outcome = seen.get(concern.outcome)
        if outcome is None:
            raise DefinitionError(f"{path}.outcome", f'unknown question "{concern.outcome}"')
        if outcome.kind != "single_choice":
            raise DefinitionError(f"{path}.outcome", f'question "{outcome.key}" must be a single_choice question')
        outcome_values = {ch["value"] for ch in outcome.choice_list()}
        for v, value in enumerate(concern.resolved_values):
            if value not in outcome_values:
                raise DefinitionError(
                    f"{path}.resolved_values[{v}]", f'"{value}" is not a choice of question "{outcome.key}"'
                )
    return survey


def parse_definition(text: str) -> SurveyDef:
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise DefinitionError("", f"not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})") from None
    return validate_definition(document)


def _structure(definition: dict) -> dict:
    """What must not change once a survey has responses: everything but wording."""
    return {
        "sections": [
            [
                {
                    "key": q["key"],
                    "kind": q["kind"],
                    "required": q["required"],
                    "breakdown": q["breakdown"],
                    "show_if": q.get("show_if"),
                    "choices": [c["value"] for c in q.get("choices", [])],
                }
                for q in section["questions"]
            ]
            for section in definition["sections"]
        ],
        "concerns": [
            {k: c[k] for k in ("key", "raised", "outcome", "resolved_values")} for c in definition["concerns"]
        ],
    }


@transaction.atomic
def load_definition(*, definition: SurveyDef, user=None) -> Survey:
    """Create a survey from a validated definition, or update it in place.

    A survey that already has responses (or waiting submissions) may only
    change its wording; a structural change is refused whole, because it
    would corrupt figures computed from existing answers.
    """
    survey = Survey.objects.select_for_update().filter(slug=definition.slug).first()
    created = survey is None
    if not created:
        has_data = survey.responses.exists() or survey.pending.exists()
        if has_data and _structure(export_definition(survey=survey)) != _structure(_as_document(definition)):
            raise DefinitionError(
                "", f'survey "{survey.slug}" already has responses: only wording can change, not its structure'
            )
        # Rebuilding is safe only without answers; wording updates keep rows.
        if not has_data:
            survey.concerns.all().delete()
            Question.objects.filter(survey=survey).update(show_if_question=None)
            survey.questions.all().delete()
            survey.sections.all().delete()
    else:
        survey = Survey(slug=definition.slug)
    survey.title = definition.title
    survey.intro = definition.intro
    survey.min_group_size = definition.min_group_size
    survey.access = definition.access
    survey.definition_version = uuid.uuid4()  # cached structures of the old one are not used again
    survey.save()

    existing = {q.key: q for q in survey.questions.select_related("section")}
    if existing:
        _update_wording(survey, definition, existing)
    else:
        _create_structure(survey, definition)
    AuditEvent.objects.create(
        survey=survey, user=user, action="survey.created" if created else "survey.updated", detail="definition"
    )
    return survey


def _create_structure(survey: Survey, definition: SurveyDef) -> None:
    questions: dict[str, Question] = {}
    for s_pos, section_def in enumerate(definition.sections):
        section = Section.objects.create(survey=survey, position=s_pos, title=section_def.title)
        for q_pos, q in enumerate(section_def.questions):
            question = Question.objects.create(
                survey=survey,
                section=section,
                position=q_pos,
                key=q.key,
                kind=q.kind,
                text=q.text,
                help_text=q.help,
                required=bool(q.required),
                breakdown=q.breakdown,
                show_if_question=questions[q.show_if.question] if q.show_if else None,
                show_if_value=q.show_if.equals if q.show_if else "",
            )
            Choice.objects.bulk_create(
                Choice(question=question, position=i, value=c["value"], label=c["label"])
                for i, c in enumerate(q.choice_list())
            )
            questions[q.key] = question
    Concern.objects.bulk_create(
        Concern(
            survey=survey,
            position=i,
            key=c.key,
            label=c.label,
            raised=questions[c.raised],
            outcome=questions[c.outcome],
            resolved_values=c.resolved_values,
        )
        for i, c in enumerate(definition.concerns)
    )


def _update_wording(survey: Survey, definition: SurveyDef, existing: dict[str, Question]) -> None:
    sections = {s.position: s for s in survey.sections.all()}
    for s_pos, section_def in enumerate(definition.sections):
        Section.objects.filter(pk=sections[s_pos].pk).update(title=section_def.title)
        for q in section_def.questions:
            question = existing[q.key]
            Question.objects.filter(pk=question.pk).update(text=q.text, help_text=q.help)
            for c in q.choice_list():
                Choice.objects.filter(question=question, value=c["value"]).update(label=c["label"])
    for c in definition.concerns:
        Concern.objects.filter(survey=survey, key=c.key).update(label=c.label)


def _as_document(definition: SurveyDef) -> dict:
    document = definition.model_dump()
    # Normalise yes/no choices the same way export does.
    by_key = {q.key: q for q in definition.questions()}
    for section in document["sections"]:
        for q in section["questions"]:
            q["choices"] = by_key[q["key"]].choice_list()
    return document


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
            item: dict[str, Any] = {"key": q.key, "kind": q.kind, "text": q.text}
            if q.help_text:
                item["help"] = q.help_text
            item["required"] = q.required
            item["breakdown"] = q.breakdown
            if q.show_if_question_id:
                item["show_if"] = {"question": q.show_if_question.key, "equals": q.show_if_value}
            if q.kind != Question.Kind.FREE_TEXT:
                item["choices"] = [{"value": c.value, "label": c.label} for c in q.choices.all()]
            items.append(item)
        sections.append({"title": section.title, "questions": items})
    return {
        "slug": survey.slug,
        "title": survey.title,
        "intro": survey.intro,
        "min_group_size": survey.min_group_size,
        "access": survey.access,
        "sections": sections,
        "concerns": [
            {
                "key": c.key,
                "label": c.label,
                "raised": c.raised.key,
                "outcome": c.outcome.key,
                "resolved_values": list(c.resolved_values),
            }
            for c in survey.concerns.select_related("raised", "outcome")
        ],
    }


def builtin_definitions() -> dict[str, Path]:
    """Built-in templates shipped with Candour, by file stem."""
    return {path.stem: path for path in sorted(BUILTIN_DIR.glob("*.json"))}
