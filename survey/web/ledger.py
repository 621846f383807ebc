"""Console pages of the action ledger and its follow-up pulses (organisers)."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from survey.definitions import languages
from survey.definitions.format import DefinitionError
from survey.models import Action, Member, Survey
from survey.refused import Refused
from survey.reports import ledger as ledger_service
from survey.reports.pulses import open_pulse, open_pulse_of, pulses_by_action
from survey.staff.permissions import member_required
from survey.web.forms import ActionChangeForm, ActionForm, HelpForm, PulseForm


def _change_initial(item: dict) -> dict:
    now = item["state"]
    texts = {c: {"text": t["text"]} for c, t in (now.translations or {}).items() if t.get("text")}
    return {"text": now.text, "role": now.role, "due_on": now.due_on, "status": now.status, "translations": texts}


def _others(survey: Survey) -> list[str]:
    """The survey's other languages: the ledger is written in each of them too."""
    return languages.of_survey(survey)[1:]


def _page(request, survey: Survey, *, bound: dict | None = None, status: int = 200):
    """The ledger with a form for every change; ``bound`` holds the one form
    that was just sent back with its errors (nothing else is lost: the other
    forms show the stored state)."""
    bound = bound or {}
    others = _others(survey)
    topics = ledger_service.ledger(survey=survey)
    pulses = pulses_by_action(survey=survey)
    for topic in topics:
        key = f"help-{topic['key']}"
        initial = (
            {"text": topic["help"]["text"], "translations": topic["help"]["translations"]} if topic["help"] else {}
        )
        topic["help_form"] = bound.get(key) or HelpForm(prefix=key, initial=initial, languages=others)
        for item in topic["actions"]:
            key = f"action-{item['id']}"
            item["form"] = bound.get(key) or ActionChangeForm(
                prefix=key, initial=_change_initial(item), languages=others
            )
            item["pulses"] = pulses.get(item["id"], [])
    concerns = [(t["key"], t["label"]) for t in topics]
    context = {
        "survey": survey,
        "topics": topics,
        "add_form": bound.get("add") or ActionForm(prefix="add", concerns=concerns, languages=others),
        "published": survey.reports.exists(),
        "can_pulse": survey.status == Survey.Status.CLOSED,
        "open_pulse": open_pulse_of(survey),
    }
    return render(request, "survey/console/ledger.html", context, status=status)


@require_GET
@member_required(Member.Role.ORGANISER)
def ledger_page(request, survey: Survey):
    return _page(request, survey)


def _refused(form, exc: Refused) -> None:
    form.add_error(None, str(exc))


@require_POST
@member_required(Member.Role.ORGANISER)
def action_add(request, survey: Survey):
    concerns = [(c.key, c.label) for c in survey.concerns.all()]
    form = ActionForm(request.POST, prefix="add", concerns=concerns, languages=_others(survey))
    if form.is_valid():
        try:
            ledger_service.add_action(
                survey=survey,
                acting_user=request.user,
                concern_key=form.cleaned_data["concern"],
                **{k: form.cleaned_data[k] for k in ("text", "role", "due_on", "status", "note", "translations")},
            )
        except Refused as exc:
            _refused(form, exc)
        else:
            messages.success(request, "Action added. The public ledger shows it now, dated today.")
            return redirect("survey:ledger-console", slug=survey.slug)
    return _page(request, survey, bound={"add": form}, status=400)


def _action(survey: Survey, action_id) -> Action:
    action = Action.objects.filter(survey=survey, pk=action_id).first()
    if action is None:
        raise Http404("No such action")
    return action


@require_POST
@member_required(Member.Role.ORGANISER)
def action_change(request, survey: Survey, action_id):
    action = _action(survey, action_id)
    key = f"action-{action.pk}"
    form = ActionChangeForm(request.POST, prefix=key, languages=_others(survey))
    if form.is_valid():
        try:
            ledger_service.change_action(
                action=action,
                acting_user=request.user,
                **{k: form.cleaned_data[k] for k in ("text", "role", "due_on", "status", "note", "translations")},
            )
        except Refused as exc:
            _refused(form, exc)
        else:
            messages.success(request, "Change recorded as a new dated entry; the earlier ones stay as they were.")
            return redirect("survey:ledger-console", slug=survey.slug)
    return _page(request, survey, bound={key: form}, status=400)


@require_POST
@member_required(Member.Role.ORGANISER)
def help_change(request, survey: Survey, concern_key: str):
    key = f"help-{concern_key}"
    form = HelpForm(request.POST, prefix=key, languages=_others(survey))
    if form.is_valid():
        try:
            ledger_service.set_help(
                survey=survey,
                acting_user=request.user,
                concern_key=concern_key,
                text=form.cleaned_data["text"],
                translations=form.cleaned_data["translations"],
            )
        except Refused as exc:
            _refused(form, exc)
        else:
            messages.success(request, "Saved. The report, the thank-you page and the ledger show it from today.")
            return redirect("survey:ledger-console", slug=survey.slug)
    return _page(request, survey, bound={key: form}, status=400)


@require_http_methods(["GET", "POST"])
@member_required(Member.Role.ORGANISER)
def pulse_new(request, survey: Survey, action_id):
    """Open a follow-up pulse of one action to the same people."""
    action = _action(survey, action_id)
    state = ledger_service.current(action)
    initial = {
        "title": f"Following up: {survey.title}"[:200],
        "min_group_size": survey.min_group_size,
        "access": survey.access,
        "question_1": "Since the results were published, has this changed where you work?",
        "kind_1": "changed",
    }
    form = PulseForm(request.POST or None, initial=initial, floor=survey.min_group_size)
    if request.method == "POST" and form.is_valid():
        try:
            pulse = open_pulse(
                action=action,
                acting_user=request.user,
                questions=form.questions(),
                **{k: form.cleaned_data[k] for k in ("title", "intro", "min_group_size", "access")},
            )
        except DefinitionError as exc:
            form.add_error(None, exc.message)
        except Refused as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                f"The pulse is open. The survey's address now leads to it"
                f"{'; print fresh invitation codes for it' if pulse.access == Survey.Access.CODES else ''}.",
            )
            return redirect("survey:survey-results", slug=pulse.slug)
    context = {"survey": survey, "action": action, "state": state, "form": form}
    return render(request, "survey/console/pulse_new.html", context, status=400 if request.method == "POST" else 200)
