"""A report in every language of its survey.

Publishing freezes, beside the figures, every other language's texts
(``snapshot_texts``): the report title and narrative, concern labels,
question texts, choice labels, and actions and updates as the organisers
wrote them in that language. The public page renders one language of the
snapshot (``localised``): a text with no translation falls back to the
default language's, marked so the page can say which language it is in.
"""

import copy
import datetime

from survey.definitions import languages
from survey.models import ReportSettings, Survey
from survey.reports.ledger import report_texts
from survey.reports.markup import render
from survey.responses.answers import choice_label


def snapshot_texts(*, survey: Survey, settings: ReportSettings | None) -> dict:
    """{"languages": [...], "texts": {language: {...}}} for a new snapshot."""
    offered = languages.of_survey(survey)
    questions = list(survey.questions.prefetch_related("choices"))
    concerns = list(survey.concerns.all())
    texts = {}
    for lang in offered[1:]:
        written = (settings.translations if settings else {}).get(lang, {})
        texts[lang] = {
            "title": written.get("title")
            or (
                languages.text(survey.title, survey.translations, lang, "title")
                if not (settings and settings.title)
                else ""
            ),
            "narrative_html": render(written.get("narrative", "")),
            "concerns": {c.key: languages.text(c.label, c.translations, lang, "label") for c in concerns},
            "questions": {q.key: languages.text(q.text, q.translations, lang, "text") for q in questions},
            "choices": {q.key: {c.value: choice_label(c, q.kind, lang) for c in q.choices.all()} for q in questions},
            "actions": report_texts(survey=survey, language=lang),
        }
    return {"languages": offered, "texts": texts}


def offered(snapshot: dict) -> list[str]:
    """The languages a published version can be read in (English only before this existed)."""
    return snapshot.get("languages") or [languages.DEFAULT]


def snapshot_choices(snapshot: dict, key: str) -> list[dict]:
    """A question's choices as published (default language)."""
    return next((q.get("choices", []) for q in snapshot.get("questions", []) if q["key"] == key), [])


def _relabel_groups(groups: list[dict], labels: dict) -> None:
    for group in groups:
        english = group["label"]
        group["label"] = labels.get(group.get("value"), english)
        group["label_fallback"] = group["label"] == english  # no translation: marked as English


def localised(snapshot: dict, *, title: str, language: str) -> dict:
    """The snapshot's texts in ``language``, as the report page shows them.

    Returns the pieces of the page: title, document, questions, comparisons,
    questions_text, narrative_html (and whether it fell back to the default
    language), actions and quotes. Update dates become ``datetime.date``.
    """
    page = {
        "title": title,
        "document": copy.deepcopy(snapshot["results"]),
        "questions": copy.deepcopy(snapshot.get("questions", [])),
        "comparisons": copy.deepcopy(snapshot.get("comparisons", [])),
        "questions_text": dict(snapshot.get("questions_text", {})),
        "narrative_html": snapshot.get("narrative_html", ""),
        "narrative_fallback": False,
        "actions": copy.deepcopy(snapshot.get("actions", [])),
        "quotes": copy.deepcopy(snapshot.get("quotes", [])),
        "concern_labels": {},  # English label -> this language's, for lines kept in English
        # The partners of a joint survey, by their own names (in every language).
        "partners": list(snapshot.get("partners", [])),
    }
    for action in page["actions"]:
        for update in action["updates"]:
            update["posted_on"] = datetime.date.fromisoformat(update["posted_on"])
        for item in action.get("items", []):
            item["due_on"] = datetime.date.fromisoformat(item["due_on"]) if item.get("due_on") else None
    texts = snapshot.get("texts", {}).get(language)
    if language == languages.DEFAULT or not texts:
        return page
    page["title"] = texts.get("title") or title
    if texts.get("narrative_html"):
        page["narrative_html"] = texts["narrative_html"]
    else:
        page["narrative_fallback"] = bool(page["narrative_html"])
    concerns, choices = texts["concerns"], texts["choices"]
    english_concerns = {c["label"]: c["key"] for c in page["document"]["concerns"]}
    for concern in page["document"]["concerns"]:
        page["concern_labels"][concern["label"]] = concerns.get(concern["key"], concern["label"])
        concern["label_fallback"] = concerns.get(concern["key"], concern["label"]) == concern["label"]
        concern["label"] = concerns.get(concern["key"], concern["label"])
        for breakdown in concern["breakdowns"]:
            _relabel_groups(breakdown["groups"], choices.get(breakdown["question"], {}))
    for question in page["questions"]:
        english = question["text"]
        question["text"] = texts["questions"].get(question["key"], english)
        question["text_fallback"] = question["text"] == english
        labels = choices.get(question["key"], {})
        if question.get("agree"):  # by the English labels, before the choices are relabelled
            values = {c["label"]: c["value"] for c in question.get("choices", [])}
            question["agree"]["labels"] = [labels.get(values.get(lab), lab) for lab in question["agree"]["labels"]]
        _relabel_groups(question.get("choices", []), labels)
        for breakdown in question.get("breakdowns", []):
            _relabel_groups(breakdown["groups"], choices.get(breakdown["question"], {}))
            for group in breakdown["groups"]:
                _relabel_groups(group.get("choices", []), choices.get(question["key"], {}))
    english_choices = {
        b["question"]: {g["label"]: g["value"] for g in b["groups"]}
        for c in snapshot["results"]["concerns"]
        for b in c["breakdowns"]
    }
    for comparison in page["comparisons"]:
        of_question = choices.get(comparison.get("question"), {})
        by_label = english_choices.get(comparison.get("question"), {})
        comparison["label"] = of_question.get(comparison.get("value"), comparison["label"])
        if comparison.get("concern") in concerns:
            comparison["concern_label"] = concerns[comparison["concern"]]
        if comparison.get("against") in by_label:  # the other group of a breakdown of two
            comparison["against"] = of_question.get(by_label[comparison["against"]], comparison["against"])
        if comparison.get("groups"):
            comparison["groups"] = [of_question.get(by_label.get(g), g) for g in comparison["groups"]]
    page["questions_text"] = {k: texts["questions"].get(k, v) for k, v in page["questions_text"].items()}
    for action in page["actions"]:
        action["label"] = concerns.get(action["concern"], action["label"])
        written = texts["actions"].get(action["concern"], {})
        for part in ("commitment_html", "help_html"):  # commitment: versions before the ledger
            if written.get(part):
                action[part] = written[part]
            elif action.get(part):
                action[part.replace("_html", "_fallback")] = True
        for item, text in zip(action.get("items", []), written.get("items", []), strict=False):
            if text:
                item["text_html"] = text
            else:
                item["fallback"] = True
        for update, text in zip(action["updates"], written.get("updates", []), strict=False):
            if text:
                update["text_html"] = text
            else:
                update["fallback"] = True
    for quote in page["quotes"]:
        key = english_concerns.get(quote.get("concern"))
        if key:
            quote["concern"] = concerns.get(key, quote["concern"])
    return page
