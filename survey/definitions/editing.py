"""Building surveys in the console, and opening and closing them.

The console never writes sections, questions or concerns itself. Each edit
reads the survey as a definition document, changes the document, and loads
it back with ``load_definition``: an edit passes exactly the validation of
``load_survey``, and once a survey has answers the same refusal of any change
that would corrupt its figures. A survey still being built may be
incomplete (``partial``); it opens only when its definition is whole.
"""

import re
from collections.abc import Callable

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction

from survey.definitions import languages
from survey.definitions.format import DefinitionError, export_definition, load_definition, validate_definition
from survey.models import Member, Survey

Document = dict


@transaction.atomic
def create_survey(
    *, acting_user: User, title: str, slug: str, source: Document | None = None, what: str = "created in the console"
) -> Survey:
    """A draft survey, empty or copied from a template or an uploaded definition;
    its creator is its first organiser.

    The address is claimed by inserting the row (the unique constraint
    decides a race), never by checking first: a second organiser asking for
    the same address at the same moment is refused, never handed the first
    one's survey and never shown an error page.
    """
    document = dict(source or {"sections": [], "concerns": []})
    # A title kept as it was keeps its other languages; a new one replaces them.
    same = languages.default_text(document.get("title")) == title
    document.update(slug=slug, title=document["title"] if same else title)
    definition = validate_definition(document, partial=True)
    try:
        with transaction.atomic():
            Survey.objects.create(slug=slug, title=title, status=Survey.Status.DRAFT)
    except IntegrityError:
        raise DefinitionError("slug", f'the address "{slug}" is taken: choose another') from None
    survey = load_definition(definition=definition, acting_user=acting_user, what=what, new=True)
    Member.objects.create(survey=survey, user=acting_user, role=Member.Role.ORGANISER)
    return survey


def duplicate_survey(*, survey: Survey, acting_user: User) -> Survey:
    """A draft copy of ``survey``'s definition (its questions, concern topics,
    texts in every language and settings), with no answers, no codes and no
    team but its creator, at the first free address "<slug>-copy[-n]"."""
    document = export_definition(survey=survey)
    taken = set(Survey.objects.filter(slug__startswith=f"{survey.slug}-copy").values_list("slug", flat=True))
    slug, n = f"{survey.slug}-copy"[:80], 2
    while slug in taken:
        slug, n = f"{survey.slug}-copy-{n}"[:80], n + 1
    title = f"Copy of {languages.default_text(document['title'])}"[:200]
    document["title"] = languages.reworded(document["title"], title)
    return create_survey(
        acting_user=acting_user, title=title, slug=slug, source=document, what=f"copied from {survey.slug}"
    )


@transaction.atomic
def edit_definition(*, survey: Survey, acting_user: User, change: Callable[[Document], None], what: str) -> Survey:
    """Apply ``change`` to the survey's definition document and load it back."""
    Survey.objects.select_for_update().filter(pk=survey.pk).first()
    document = export_definition(survey=survey)
    change(document)
    document["slug"] = survey.slug  # a survey's address never changes
    return load_definition(definition=validate_definition(document, partial=True), acting_user=acting_user, what=what)


# --- Changes to a definition document (pure) ---------------------------------


def set_settings(
    document: Document,
    *,
    title: str,
    intro: str,
    min_group_size: int,
    access: str,
    population: int | None = None,
    estimated_minutes: int | None = None,
    moderators: str | dict = "",
) -> None:
    document.update(
        title=languages.reworded(document.get("title"), title),
        intro=languages.reworded(document.get("intro"), intro),
        min_group_size=min_group_size,
        access=access,
    )
    # Shown on the intro page; left out of the document when not given.
    document.pop("estimated_minutes", None)
    if estimated_minutes:
        document["estimated_minutes"] = estimated_minutes
    who = languages.reworded(document.get("moderators"), moderators)
    document.pop("moderators", None)
    if languages.default_text(who).strip():
        document["moderators"] = who
    if population is None:
        document.pop("population", None)
    else:
        document["population"] = population


def put_section(document: Document, *, index: int | None, title: str) -> None:
    if index is None:
        document["sections"].append({"title": title, "questions": []})
    else:
        section = document["sections"][index]
        section["title"] = languages.reworded(section["title"], title)


def find_question(document: Document, key: str) -> tuple[int, int]:
    for s, section in enumerate(document["sections"]):
        for i, q in enumerate(section["questions"]):
            if q["key"] == key:
                return s, i
    raise KeyError(key)


def put_question(document: Document, *, section: int | None, old_key: str | None, question: dict) -> None:
    """Add a question at the end of ``section``, or replace ``old_key`` in place.

    A renamed question keeps the conditions and concern topics that name it.
    """
    if old_key is None:
        document["sections"][section]["questions"].append(question)
        return
    s, i = find_question(document, old_key)
    old = document["sections"][s]["questions"][i]
    question["text"] = languages.reworded(old["text"], question["text"])
    if old.get("help") or question.get("help"):
        question["help"] = languages.reworded(old.get("help", ""), question.get("help", ""))
    old_labels = {c["value"]: c["label"] for c in old.get("choices", [])}
    # The console form edits neither a scale's direction, nor what is counted,
    # nor a breakdown's populations, key groups and merged groups: keep the definition's.
    kept = {
        c["value"]: {f: c[f] for f in ("counted", "population", "key_group", "merge") if f in c}
        for c in old.get("choices", [])
    }
    if "agree_end" in old and "agree_end" not in question and question["kind"] == "scale":
        question["agree_end"] = old["agree_end"]
    for choice in question.get("choices", []):
        if choice["value"] in old_labels:
            choice["label"] = languages.reworded(old_labels[choice["value"]], choice["label"])
        for field, value in kept.get(choice["value"], {}).items():
            if field == "counted" or question.get("breakdown"):
                choice.setdefault(field, value)
    if question["kind"] == old["kind"] == "yes_no" and "choices" not in question and old.get("choices"):
        # The console offers no yes/no labels to edit: keep the definition's own.
        question["choices"] = old["choices"]
    document["sections"][s]["questions"][i] = question
    new_key = question["key"]
    if new_key != old_key:
        for other in (q for sec in document["sections"] for q in sec["questions"]):
            if other.get("show_if") and other["show_if"]["question"] == old_key:
                other["show_if"]["question"] = new_key
        for concern in document["concerns"]:
            for field in ("raised", "outcome"):
                if concern[field] == old_key:
                    concern[field] = new_key


def put_concern(document: Document, *, old_key: str | None, concern: dict) -> None:
    keys = [c["key"] for c in document["concerns"]]
    if old_key is None:
        document["concerns"].append(concern)
    else:
        i = keys.index(old_key)
        concern["label"] = languages.reworded(document["concerns"][i]["label"], concern["label"])
        document["concerns"][i] = concern


def move(document: Document, *, what: str, ident: str, offset: int) -> None:
    """Move a section, or a question (across section boundaries), up (-1) or down (+1)."""
    sections = document["sections"]
    if what == "section":
        i = int(ident)
        j = i + offset
        if 0 <= j < len(sections):
            sections[i], sections[j] = sections[j], sections[i]
        return
    s, i = find_question(document, ident)
    questions = sections[s]["questions"]
    j = i + offset
    if 0 <= j < len(questions):
        questions[i], questions[j] = questions[j], questions[i]
    elif 0 <= s + offset < len(sections):
        # Past the edge of its section: into the neighbouring one.
        question = questions.pop(i)
        target = sections[s + offset]["questions"]
        if offset < 0:
            target.append(question)
        else:
            target.insert(0, question)


def remove(document: Document, *, what: str, ident: str) -> None:
    if what == "section":
        del document["sections"][int(ident)]
    elif what == "question":
        s, i = find_question(document, ident)
        del document["sections"][s]["questions"][i]
    else:
        document["concerns"] = [c for c in document["concerns"] if c["key"] != ident]


# --- Messages for people ------------------------------------------------------

_QUOTED = r'"([^"]*)"'


def in_plain_words(message: str, *documents: Document) -> str:
    """A definition message with question keys, concern keys and choice
    values named by their words, for the console (the command line keeps
    the keys, with the path of the fault)."""
    questions = {q["key"]: q for doc in documents for s in doc.get("sections", []) for q in s.get("questions", [])}
    concerns = {c["key"]: c for doc in documents for c in doc.get("concerns", [])}

    def quoted(text) -> str:
        words = languages.default_text(text)
        return f"“{words[:77]}…”" if len(words) > 80 else f"“{words}”"

    def question(key: str) -> str:
        return f"the question {quoted(questions[key]['text'])}" if key in questions else "another question"

    def choice(value: str, key: str) -> str:
        labels = {c["value"]: c["label"] for c in questions.get(key, {}).get("choices", [])}
        return f"the choice {quoted(labels[value])}" if value in labels else "a choice"

    rules = [
        (rf"question key {_QUOTED} is used twice", lambda m: "another question already has this short name"),
        (rf"concern key {_QUOTED} is used twice", lambda m: "another concern topic already has this short name"),
        (rf"choice value {_QUOTED} appears twice", lambda m: "two choices have the same short name"),
        (
            rf"{_QUOTED} is not a choice of question {_QUOTED}",
            lambda m: f"that answer is not a choice of {question(m[2])}",
        ),
        (rf"choice {_QUOTED} of question {_QUOTED}", lambda m: f"{choice(m[1], m[2])} of {question(m[2])}"),
        (rf"choice {_QUOTED} cannot be added to {_QUOTED}", lambda m: f"a choice cannot be added to {question(m[2])}"),
        (rf"unknown question {_QUOTED}", lambda m: "the question it depends on is not in the survey"),
        (rf"must come before the question it controls {_QUOTED}", lambda m: f"{question(m[1])} must come first"),
        (rf"who is asked question {_QUOTED}", lambda m: f"who is asked {question(m[1])}"),
        (rf"scale {_QUOTED}", lambda m: question(m[1]).replace("the question", "the scale", 1)),
        (rf"question {_QUOTED}", lambda m: question(m[1])),
        (rf"choice {_QUOTED}", lambda m: "a choice"),
        (
            rf"concern {_QUOTED}",
            lambda m: f"the concern topic {quoted(concerns[m[1]]['label'])}" if m[1] in concerns else "a concern topic",
        ),
    ]
    for pattern, words in rules:
        message = re.sub(pattern, words, message)
    return message


def plain_fault(error: DefinitionError, document: Document) -> str:
    """Where a fault is, in words ("Section 2, question 1"), then what it is."""
    found = re.match(r"sections\[(\d+)\](?:\.questions\[(\d+)\])?|concerns\[(\d+)\]", error.path)
    where = ""
    if found and found[3] is not None:
        where = f"Concern topic {int(found[3]) + 1}"
    elif found:
        where = f"Section {int(found[1]) + 1}" + (f", question {int(found[2]) + 1}" if found[2] else "")
    message = in_plain_words(error.message, document)
    return f"{where}: {message}" if where else message[:1].upper() + message[1:]
