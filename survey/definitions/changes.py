"""What changed between two versions of a definition, in words, for the audit list.

Both documents are compared in the shape ``export_definition`` gives (a text
is a plain string, or {"en": ..., "cy": ...} once it has another language),
each text read language by language: a Welsh text that did not change is not
reported, whichever shape it was written in. Each line names the part of the
survey, then what it was and what it is now.
"""

from survey.definitions import languages

# Staff read the audit list in English: the languages by their English names.
LANGUAGE_NAMES = {"en": "English", "cy": "Welsh"}
ACCESS = {"open": "anyone with the link", "codes": "only people with an invitation code"}
PARTNERS_FROM = {
    "link": "from each partner's own link or invitation codes",
    "question": "from a question respondents answer",
}
LONGEST = 160  # characters of a text quoted in full; longer ones are shortened


def _texts(value) -> dict[str, str]:
    if isinstance(value, dict):
        return {lang: text for lang, text in value.items() if text}
    return {languages.DEFAULT: value} if value else {}


def _quoted(text: str) -> str:
    text = " ".join(str(text).split())
    return f"“{text if len(text) <= LONGEST else text[: LONGEST - 1] + '…'}”"


def _yes(value) -> str:
    return "yes" if value else "no"


def _grouping_words(question: dict) -> str:
    """A breakdown's key and merged groups, in words."""
    choices = question.get("choices", [])
    words = [f"key group {c['value']}" for c in choices if c.get("key_group")]
    merges: dict[str, list[str]] = {}
    for c in choices:
        if c.get("merge"):
            merges.setdefault(c["merge"], []).append(c["value"])
    words += [f"{label} = {' + '.join(values)}" for label, values in merges.items()]
    return "; ".join(words) or "none"


def _or_none(value) -> str:
    return "none" if value is None or value == "" else str(value)


def _pulse(link: dict | None) -> str:
    return f"action {link['action']} of {link['survey']}" if link else "none"


def _show_if(question: dict) -> str:
    rule = question.get("show_if")
    return f"only when {rule['question']} is {rule['equals']}" if rule else "always"


class _Lines(list):
    def text(self, what: str, before, after) -> None:
        """One line per language whose text changed."""
        old, new = _texts(before), _texts(after)
        several = len(old.keys() | new.keys()) > 1
        for lang in sorted(old.keys() | new.keys(), key=lambda code: (code != languages.DEFAULT, code)):
            a, b = old.get(lang, ""), new.get(lang, "")
            if a == b:
                continue
            name = f"{what} ({LANGUAGE_NAMES.get(lang, lang)})" if several else what
            if not a:
                self.append(f"{name}: added {_quoted(b)}")
            elif not b:
                self.append(f"{name}: removed (was {_quoted(a)})")
            else:
                self.append(f"{name}: {_quoted(a)} → {_quoted(b)}")

    def value(self, what: str, before: str, after: str) -> None:
        if before != after:
            self.append(f"{what}: {before} → {after}")


def _questions(document: dict) -> dict[str, dict]:
    return {q["key"]: q for section in document.get("sections", []) for q in section["questions"]}


def _sections_of(sections: list[dict]) -> dict[str, int]:
    return {q["key"]: i for i, section in enumerate(sections) for q in section["questions"]}


def _partner_changes(lines: _Lines, old: dict | None, new: dict | None) -> None:
    """A joint survey's partners (docs/partners.md), in words."""
    if old is None and new is None:
        return
    lines.value("Run with partners", _yes(old), _yes(new))
    old, new = old or {}, new or {}
    lines.value(
        "Each response's partner is known",
        PARTNERS_FROM.get(old.get("from"), "not at all"),
        PARTNERS_FROM.get(new.get("from"), "not at all"),
    )
    lines.value(
        "Partners see each other's tables",
        _yes(old.get("see_each_other")) if old else "no",
        _yes(new.get("see_each_other")) if new else "no",
    )
    old_question, new_question = old.get("question", {}), new.get("question", {})
    if old and new:
        lines.text("Partner question text", old_question.get("text"), new_question.get("text"))
        lines.text("Partner question help", old_question.get("help", ""), new_question.get("help", ""))
    old_labels = {p["organisation"]: p.get("label", p["organisation"]) for p in old.get("partners", [])}
    new_labels = {p["organisation"]: p.get("label", p["organisation"]) for p in new.get("partners", [])}
    for slug, label in new_labels.items():
        if slug not in old_labels:
            lines.append(f"Partner added: {_quoted(languages.default_text(label))} (organisation {slug})")
        else:
            lines.text(f"Partner {slug} name", old_labels[slug], label)
    for slug, label in old_labels.items():
        if slug not in new_labels:
            lines.append(f"Partner removed: {_quoted(languages.default_text(label))} (organisation {slug})")
    kept_old = [s for s in old_labels if s in new_labels]
    kept_new = [s for s in new_labels if s in old_labels]
    if kept_old != kept_new:
        lines.append(f"Order of partners: {', '.join(kept_old)} → {', '.join(kept_new)}")


def definition_changes(old: dict, new: dict) -> list[str]:
    """Readable lines, one per real change between ``old`` and ``new``."""
    lines = _Lines()
    lines.text("Title", old.get("title"), new.get("title"))
    lines.text("Introduction", old.get("intro"), new.get("intro"))
    lines.value("Minimum group size (k)", str(old.get("min_group_size")), str(new.get("min_group_size")))
    lines.value(
        "Who can answer",
        ACCESS.get(old.get("access"), str(old.get("access"))),
        ACCESS.get(new.get("access"), str(new.get("access"))),
    )
    lines.value("Staff in scope (population)", _or_none(old.get("population")), _or_none(new.get("population")))
    lines.value("Next wave of", _or_none(old.get("next_wave_of")), _or_none(new.get("next_wave_of")))
    lines.value("Follow-up pulse of", _pulse(old.get("pulse_of")), _pulse(new.get("pulse_of")))
    _partner_changes(lines, old.get("partners"), new.get("partners"))
    old_sections, new_sections = old.get("sections", []), new.get("sections", [])
    for i, (a, b) in enumerate(zip(old_sections, new_sections, strict=False)):
        lines.text(f"Section {i + 1} title", a["title"], b["title"])
    for i, section in enumerate(new_sections[len(old_sections) :], start=len(old_sections)):
        lines.append(f"Section {i + 1} added: {_quoted(languages.default_text(section['title']))}")
    for i, section in enumerate(old_sections[len(new_sections) :], start=len(new_sections)):
        lines.append(f"Section {i + 1} removed: {_quoted(languages.default_text(section['title']))}")

    old_q, new_q = _questions(old), _questions(new)
    for key, q in new_q.items():
        before = old_q.get(key)
        if before is None:
            lines.append(f"Question {key} added: {_quoted(languages.default_text(q['text']))}")
            continue
        name = f"Question {key}"
        lines.value(f"{name} kind", before["kind"], q["kind"])
        lines.text(f"{name} text", before["text"], q["text"])
        lines.text(f"{name} help", before.get("help", ""), q.get("help", ""))
        lines.value(f"{name} must be answered", _yes(before.get("required")), _yes(q.get("required")))
        lines.value(f"{name} used as a breakdown", _yes(before.get("breakdown")), _yes(q.get("breakdown")))
        lines.value(f"{name} is asked", _show_if(before), _show_if(q))
        lines.value(f"{name} agrees at its", _or_none(before.get("agree_end")), _or_none(q.get("agree_end")))
        lines.value(f"{name} key and merged groups", _grouping_words(before), _grouping_words(q))
        old_full = {c["value"]: c for c in before.get("choices", [])}
        old_choices = {c["value"]: c["label"] for c in before.get("choices", [])}
        new_choices = {c["value"]: c["label"] for c in q.get("choices", [])}
        for c in q.get("choices", []):
            was = old_full.get(c["value"])
            if was:
                counted = (_yes(was.get("counted", True)), _yes(c.get("counted", True)))
                lines.value(f"{name} choice {c['value']} counted in shares", *counted)
                people = (_or_none(was.get("population")), _or_none(c.get("population")))
                lines.value(f"{name} choice {c['value']} staff in scope", *people)
        for value, label in new_choices.items():
            if value in old_choices:
                lines.text(f"{name} choice {value}", old_choices[value], label)
            else:
                lines.append(f"{name} choice added: {_quoted(languages.default_text(label))}")
        for value, label in old_choices.items():
            if value not in new_choices:
                lines.append(f"{name} choice removed: {_quoted(languages.default_text(label))}")
    for key, q in old_q.items():
        if key not in new_q:
            lines.append(f"Question {key} removed: {_quoted(languages.default_text(q['text']))}")
    kept_old = [k for k in old_q if k in new_q]
    kept_new = [k for k in new_q if k in old_q]
    old_place, new_place = _sections_of(old_sections), _sections_of(new_sections)
    moved = [k for k in kept_new if old_place[k] != new_place[k] or kept_old.index(k) != kept_new.index(k)]
    if moved:
        lines.append(f"Order of questions changed (moved: {', '.join(moved)})")

    old_c = {c["key"]: c for c in old.get("concerns", [])}
    new_c = {c["key"]: c for c in new.get("concerns", [])}
    for key, c in new_c.items():
        before = old_c.get(key)
        if before is None:
            lines.append(f"Concern topic {key} added: {_quoted(languages.default_text(c['label']))}")
            continue
        lines.text(f"Concern topic {key} label", before["label"], c["label"])
        lines.value(f"Concern topic {key} question raised", before["raised"], c["raised"])
        lines.value(f"Concern topic {key} outcome question", before["outcome"], c["outcome"])
        lines.value(
            f"Concern topic {key} counts as resolved",
            ", ".join(before["resolved_values"]),
            ", ".join(c["resolved_values"]),
        )
    for key, c in old_c.items():
        if key not in new_c:
            lines.append(f"Concern topic {key} removed: {_quoted(languages.default_text(c['label']))}")
    return list(lines)
