"""The action ledger: per concern topic, actions (what, an accountable role,
a due date, a status), who can help, and every change to them, appended as
dated entries and never rewritten (DESIGN "Editing published words").

The current state of an action is its latest entry; the current help of a
topic is its latest help entry. The report, the thank-you page and the
public ledger page read them through ``help_routes`` and ``ledger``.
"""

from datetime import date

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format

from survey.definitions import languages
from survey.models import Action, AuditEvent, LedgerEntry, Survey
from survey.refused import Refused
from survey.reports.markup import render

Status = LedgerEntry.Status


class LedgerRefused(Refused):
    pass


def _day(value: date | None) -> str:
    return date_format(value, "j F Y") if value else "no date set"


def _concern_label(survey: Survey, concern_key: str) -> str:
    concern = survey.concerns.filter(key=concern_key).first()
    if concern is None:
        raise LedgerRefused("Choose one of the survey's concern topics.")
    return concern.label


def _check(*, text: str, role: str, status: str) -> None:
    if not text.strip():
        raise LedgerRefused("Say what will be done.")
    if not role.strip():
        raise LedgerRefused('Name the role that answers for it, for example "Director of Nursing".')
    if status not in Status.values:
        raise LedgerRefused("Choose planned, in progress, done or dropped.")


@transaction.atomic
def add_action(
    *,
    survey: Survey,
    acting_user: User,
    concern_key: str,
    text: str,
    role: str,
    due_on: date | None,
    status: str = Status.PLANNED,
    note: str = "",
    translations: dict | None = None,
) -> Action:
    """Add an action to a concern topic; its first entry is its state."""
    label = _concern_label(survey, concern_key)
    _check(text=text, role=role, status=status)
    now = timezone.now()
    action = Action.objects.create(survey=survey, concern_key=concern_key, created_at=now)
    LedgerEntry.objects.create(
        survey=survey,
        concern_key=concern_key,
        kind=LedgerEntry.Kind.ACTION,
        action=action,
        text=text.strip(),
        role=role.strip(),
        due_on=due_on,
        status=status,
        note=note.strip(),
        translations=translations or {},
        entered_at=now,
        entered_by=acting_user,
    )
    AuditEvent.objects.create(
        survey=survey,
        user=acting_user,
        action=AuditEvent.Action.ACTION_ADDED,
        detail=f"{label}: “{text.strip()}”, {role.strip()}, due {_day(due_on)}, {Status(status).label.lower()}",
    )
    return action


def current(action: Action) -> LedgerEntry:
    """The action's state now: its latest entry."""
    return action.entries.order_by("-entered_at", "-id").first()


@transaction.atomic
def change_action(
    *,
    action: Action,
    acting_user: User,
    text: str,
    role: str,
    due_on: date | None,
    status: str,
    note: str = "",
    translations: dict | None = None,
) -> LedgerEntry:
    """Record a change to an action as a new dated entry (the old ones stay,
    shown with their dates). A change that changes nothing and says nothing
    is refused."""
    Survey.objects.select_for_update().filter(pk=action.survey_id).first()  # one change at a time
    _check(text=text, role=role, status=status)
    before = current(action)
    after = {"text": text.strip(), "role": role.strip(), "due_on": due_on, "status": status}
    changes = []
    for field, words in (("text", "what"), ("role", "role"), ("due_on", "due"), ("status", "status")):
        old, new = getattr(before, field), after[field]
        if old != new:
            if field == "due_on":
                old, new = _day(old), _day(new)
            elif field == "status":
                old, new = Status(old).label.lower(), Status(new).label.lower()
            changes.append(f"{words}: “{old}” → “{new}”")
    # What will be done, in another language, is part of the state; a note's
    # translation belongs to this entry's note only.
    texts = {c: t["text"] for c, t in (translations or {}).items() if t.get("text")}
    if texts != {c: t["text"] for c, t in (before.translations or {}).items() if t.get("text")}:
        changes.append("what, in another language")
    if not changes and not note.strip():
        raise LedgerRefused("Nothing changed: change a field or write what happened.")
    entry = LedgerEntry.objects.create(
        survey_id=action.survey_id,
        concern_key=action.concern_key,
        kind=LedgerEntry.Kind.ACTION,
        action=action,
        note=note.strip(),
        translations=translations or {},
        entered_at=timezone.now(),
        entered_by=acting_user,
        **after,
    )
    label = _concern_label(action.survey, action.concern_key)
    detail = [f"{label}: “{before.text}”", *changes]
    if note.strip():
        detail.append(f"update: “{note.strip()}”")
    AuditEvent.objects.create(
        survey_id=action.survey_id,
        user=acting_user,
        action=AuditEvent.Action.ACTION_CHANGED,
        detail="\n".join(detail),
    )
    return entry


def current_help(*, survey: Survey, concern_key: str) -> LedgerEntry | None:
    return (
        LedgerEntry.objects.filter(survey=survey, concern_key=concern_key, kind=LedgerEntry.Kind.HELP)
        .order_by("-entered_at", "-id")
        .first()
    )


@transaction.atomic
def set_help(
    *, survey: Survey, acting_user: User, concern_key: str, text: str, translations: dict | None = None
) -> LedgerEntry:
    """Change a topic's "who can help" by appending an entry (empty: no help route for now)."""
    label = _concern_label(survey, concern_key)
    Survey.objects.select_for_update().filter(pk=survey.pk).first()
    before = current_help(survey=survey, concern_key=concern_key)
    old = before.text if before else ""
    if old == text.strip() and (before.translations if before else {}) == (translations or {}):
        raise LedgerRefused("Nothing changed.")
    entry = LedgerEntry.objects.create(
        survey=survey,
        concern_key=concern_key,
        kind=LedgerEntry.Kind.HELP,
        text=text.strip(),
        translations=translations or {},
        entered_at=timezone.now(),
        entered_by=acting_user,
    )
    AuditEvent.objects.create(
        survey=survey,
        user=acting_user,
        action=AuditEvent.Action.HELP_CHANGED,
        detail=f"{label}: “{old or 'none'}” → “{text.strip() or 'none'}”",
    )
    return entry


# --- Reading the ledger ------------------------------------------------------


def _written(entry: LedgerEntry, field: str, language: str) -> tuple[str, bool]:
    """An entry's text in ``language``, or the default language's and True
    (a fallback, so the page can mark which language it is in)."""
    if language == languages.DEFAULT:
        return getattr(entry, field), False
    given = (entry.translations or {}).get(language, {}).get(field, "")
    return (given, False) if given else (getattr(entry, field), bool(getattr(entry, field)))


def _entry(entry: LedgerEntry, previous: LedgerEntry | None, language: str = languages.DEFAULT) -> dict:
    """An entry as shown: its date, its state, and what it changed."""
    text, text_fallback = _written(entry, "text", language)
    note, note_fallback = _written(entry, "note", language)
    changed = []
    if previous is not None:
        for field, words in (("text", "what"), ("role", "role"), ("due_on", "due date"), ("status", "status")):
            if getattr(previous, field) != getattr(entry, field):
                changed.append(words)
    return {
        "on": timezone.localdate(entry.entered_at).isoformat(),
        "text_html": render(text),
        "text_fallback": text_fallback,
        "role": entry.role,
        "due_on": entry.due_on.isoformat() if entry.due_on else None,
        "status": entry.status,
        "status_label": Status(entry.status).label if entry.status else "",
        "note_html": render(note) if note else "",
        "note_fallback": note_fallback,
        "first": previous is None,
        "changed": changed,
    }


def help_routes(*, survey: Survey, language: str = languages.DEFAULT) -> list[dict]:
    """Each concern topic's current "who can help", in the survey's order
    (topics with none are left out): the one list of help routes. Labels in
    ``language`` where the survey has it."""
    latest: dict[str, LedgerEntry] = {}
    for entry in LedgerEntry.objects.filter(survey=survey, kind=LedgerEntry.Kind.HELP).order_by("entered_at", "id"):
        latest[entry.concern_key] = entry
    routes = []
    for concern in survey.concerns.all():
        entry = latest.get(concern.key)
        if entry is not None and entry.text:
            text, fallback = _written(entry, "text", language)
            routes.append(
                {
                    "concern": concern.key,
                    "label": languages.text(concern.label, concern.translations, language, "label"),
                    "text": entry.text,
                    "translations": entry.translations,
                    "help_html": render(text),
                    "help_fallback": fallback,
                    "since": timezone.localdate(entry.entered_at).isoformat(),
                }
            )
    return routes


def ledger(*, survey: Survey, today: date | None = None, language: str = languages.DEFAULT) -> list[dict]:
    """Every concern topic with its help route and its actions: each action's
    current state (its latest entry), whether it is overdue, and every entry
    in date order. Two queries, whatever the size of the ledger."""
    today = today or timezone.localdate()
    entries: dict = {}
    for entry in LedgerEntry.objects.filter(survey=survey, kind=LedgerEntry.Kind.ACTION).order_by("entered_at", "id"):
        entries.setdefault(entry.action_id, []).append(entry)
    actions_by_concern: dict[str, list] = {}
    for action in Action.objects.filter(survey=survey).order_by("created_at", "id"):
        history = entries.get(action.id, [])
        if not history:
            continue
        now = history[-1]
        shown = [_entry(e, history[i - 1] if i else None, language) for i, e in enumerate(history)]
        actions_by_concern.setdefault(action.concern_key, []).append(
            {
                "id": str(action.id),
                "action": action,
                "state": now,
                "current": shown[-1],
                "entries": shown,
                "overdue": now.status in LedgerEntry.OPEN_STATUSES and now.due_on is not None and now.due_on < today,
            }
        )
    routes = {r["concern"]: r for r in help_routes(survey=survey, language=language)}
    return [
        {
            "key": concern.key,
            "label": languages.text(concern.label, concern.translations, language, "label"),
            "help": routes.get(concern.key),
            "actions": actions_by_concern.get(concern.key, []),
        }
        for concern in survey.concerns.all()
    ]


def report_actions(*, survey: Survey, concern_keys: set[str], language: str = languages.DEFAULT) -> list[dict]:
    """The ledger as a report version freezes it: topics with an action or a
    help route, each action's state and dated entries, as plain data."""
    out = []
    for topic in ledger(survey=survey, language=language):
        if topic["key"] not in concern_keys or not (topic["actions"] or topic["help"]):
            continue
        items = [
            {"id": a["id"], "overdue": a["overdue"], **a["current"], "entries": a["entries"]} for a in topic["actions"]
        ]  # plain data only: a snapshot is JSON
        updates = [
            {"posted_on": e["on"], "text_html": e["note_html"], "fallback": e["note_fallback"]}
            for a in items
            for e in a["entries"]
            if e["note_html"]
        ]
        out.append(
            {
                "concern": topic["key"],
                "label": topic["label"],
                "items": items,
                "help_html": topic["help"]["help_html"] if topic["help"] else "",
                "help_fallback": bool(topic["help"] and topic["help"]["help_fallback"]),
                "updates": sorted(updates, key=lambda u: u["posted_on"]),
            }
        )
    return out


def report_texts(*, survey: Survey, language: str) -> dict:
    """The ledger's words in one other language, for a snapshot's ``texts``:
    by concern, the help route, each action's text and each update, in the
    order ``report_actions`` gives them ("" where not written in it)."""
    keys = set(survey.concerns.values_list("key", flat=True))
    return {
        a["concern"]: {
            "help_html": "" if a["help_fallback"] else a["help_html"],
            "items": ["" if i["text_fallback"] else i["text_html"] for i in a["items"]],
            "updates": ["" if u["fallback"] else u["text_html"] for u in a["updates"]],
        }
        for a in report_actions(survey=survey, concern_keys=keys, language=language)
    }
