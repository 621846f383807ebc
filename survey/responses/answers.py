"""Answering a survey: validate answers, submit, and mix submissions in.

DESIGN rule 4: a submission is stored in a pending pool; ``mix_pending``
moves pending submissions into the response table in shuffled batches, in
transactions of their own, so that nothing in the database (ids, row order,
transaction ids) ties a response to the moment or the request it came from.
"""

import functools
import uuid
from dataclasses import dataclass, field

from django.utils import translation
from django.utils.translation import gettext_lazy

from survey.definitions import languages
from survey.models import (
    Choice,
    Question,
    Survey,
)
from survey.refused import Refused

FREE_TEXT_MAX = 5000

AnswerValue = str | list[str]


@dataclass(frozen=True)
class QuestionSpec:
    key: str
    kind: str
    text: str
    help: str
    required: bool
    section: int
    section_title: str
    choices: tuple[tuple[str, str], ...]  # (value, label)
    show_if: tuple[str, str] | None  # (question key, value)
    # A joint survey's partner question, answered from the partner's link or
    # code when partners are known that way (then on no page).
    partner: bool = False
    hidden: bool = False

    @property
    def labels(self) -> dict[str, str]:
        return dict(self.choices)


@dataclass(frozen=True)
class SurveySpec:
    """A survey's questions as plain data, in order, for forms and validation."""

    questions: tuple[QuestionSpec, ...]
    pages: tuple[tuple[str, ...], ...] = field(default=())

    def __getitem__(self, key: str) -> QuestionSpec:
        return self.by_key[key]

    @property
    def by_key(self) -> dict[str, QuestionSpec]:
        return {q.key: q for q in self.questions}

    @property
    def partner_from_link(self) -> QuestionSpec | None:
        """The partner question when it is answered from the link or code, not by the respondent."""
        return next((q for q in self.questions if q.hidden), None)


class AnswerError(Refused):
    def __init__(self, key: str, message: str):
        self.key = key
        self.message = message
        super().__init__(f"{key}: {message}")


# The built-in yes/no labels (definition.YES_NO_CHOICES) come from the interface's own catalogue.
YES_NO_LABELS = {"Yes": gettext_lazy("Yes"), "No": gettext_lazy("No")}


def choice_label(choice: Choice, kind: str, language: str) -> str:
    """A choice's label in ``language``; the built-in yes/no labels from the interface's catalogue."""
    label = languages.text(choice.label, choice.translations, language, "label")
    if kind == Question.Kind.YES_NO and label in YES_NO_LABELS and language != languages.DEFAULT:
        with translation.override(languages.django_language(language)):
            return str(YES_NO_LABELS[label])
    return label


def survey_spec(survey: Survey, language: str = languages.DEFAULT) -> SurveySpec:
    """A survey's structure as plain data, its texts in ``language`` where the
    definition gives them: loaded once per process, definition version and
    language (load_definition gives each saved definition a new version), so
    answering a survey costs no query for it. Choice values are the same in
    every language, so answers aggregate together."""
    return _spec(survey.pk, survey.definition_version, language)


@functools.lru_cache(maxsize=256)
def _spec(survey_id: int, definition_version: uuid.UUID, language: str) -> SurveySpec:
    questions = list(Question.objects.filter(survey_id=survey_id).select_related("section", "show_if_question"))
    from_link = Survey.objects.filter(pk=survey_id, partners_from=Survey.PartnersFrom.LINK).exists()
    kinds = {q.pk: q.kind for q in questions}
    choices: dict[int, list[tuple[str, str]]] = {}
    for c in Choice.objects.filter(question__survey_id=survey_id).order_by("position"):
        choices.setdefault(c.question_id, []).append((c.value, choice_label(c, kinds.get(c.question_id, ""), language)))
    specs = tuple(
        QuestionSpec(
            key=q.key,
            kind=q.kind,
            text=languages.text(q.text, q.translations, language, "text"),
            help=languages.text(q.help_text, q.translations, language, "help"),
            required=q.required,
            section=q.section.position,
            section_title=languages.text(q.section.title, q.section.translations, language, "title"),
            choices=tuple(choices.get(q.pk, ())),
            show_if=(q.show_if_question.key, q.show_if_value) if q.show_if_question_id else None,
            partner=q.partner,
            hidden=q.partner and from_link,
        )
        for q in questions
    )
    return SurveySpec(questions=specs, pages=_paginate(specs))


def _paginate(questions: tuple[QuestionSpec, ...]) -> tuple[tuple[str, ...], ...]:
    """Split sections into pages so a follow-up never shares a page with the
    question that controls it: the condition is then known, without
    JavaScript, by the time the follow-up is shown. A hidden question (the
    partner question, answered from the link) is on no page."""
    pages: list[list[str]] = []
    current_section = None
    for q in questions:
        if q.hidden:
            continue
        if q.section != current_section or (q.show_if and q.show_if[0] in pages[-1]):
            pages.append([])
            current_section = q.section
        pages[-1].append(q.key)
    return tuple(tuple(p) for p in pages)


def is_shown(question: QuestionSpec, answers: dict[str, AnswerValue]) -> bool:
    if question.show_if is None:
        return True
    controller, value = question.show_if
    given = answers.get(controller)
    return value in given if isinstance(given, list) else given == value


def visible_pages(spec: SurveySpec, answers: dict[str, AnswerValue]) -> list[int]:
    """Indexes of the pages that have at least one question to show."""
    return [i for i, page in enumerate(spec.pages) if any(is_shown(spec[k], answers) for k in page)]


def clean_answers(spec: SurveySpec, raw: dict[str, AnswerValue | None]) -> dict[str, AnswerValue]:
    """Validate a whole set of answers; raise AnswerError at the first fault.

    Empty values mean unanswered. A required question that is shown must be
    answered; a question hidden by its condition must not be.
    """
    by_key = spec.by_key
    for key in raw:
        if key not in by_key:
            raise AnswerError(key, "not a question of this survey")
    answers: dict[str, AnswerValue] = {}
    for q in spec.questions:
        value = raw.get(q.key)
        if isinstance(value, str):
            value = value.strip()
        if value in (None, "", []):
            if q.required and is_shown(q, answers):
                raise AnswerError(q.key, "an answer is required")
            continue
        if not is_shown(q, answers):
            raise AnswerError(q.key, f'answered, but it is only asked when "{q.show_if[0]}" is "{q.show_if[1]}"')
        labels = q.labels
        if q.kind == Question.Kind.MULTIPLE_CHOICE:
            values = value if isinstance(value, list) else [value]
            values = list(dict.fromkeys(v.strip() for v in values if v.strip()))
            for v in values:
                if v not in labels:
                    raise AnswerError(q.key, f'"{v}" is not one of {", ".join(labels)}')
            answers[q.key] = values
        elif q.kind == Question.Kind.FREE_TEXT:
            if not isinstance(value, str):
                raise AnswerError(q.key, "must be text")
            if len(value) > FREE_TEXT_MAX:
                raise AnswerError(q.key, f"is longer than {FREE_TEXT_MAX} characters")
            if "\x00" in value:  # PostgreSQL cannot store it: refuse here, not fail at the insert
                raise AnswerError(q.key, "contains a NUL character, which a text cannot hold")
            answers[q.key] = value
        else:
            if not isinstance(value, str) or value not in labels:
                raise AnswerError(q.key, f'"{value}" is not one of {", ".join(labels)}')
            answers[q.key] = value
    return answers
