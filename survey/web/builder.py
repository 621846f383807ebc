"""Organiser console: create, build, open and close surveys, and hand them out.

Every edit goes through survey.definitions.editing, which reloads the survey's
definition with the same validation as ``load_survey``; an error's path in
the definition tells which field to show it beside.
"""

import io
import json

import segno
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.forms import BooleanField
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from survey.definitions import editing, languages
from survey.definitions.format import YES_NO_CHOICES, DefinitionError, export_definition
from survey.definitions.status import schedule, set_status
from survey.models import Member, Survey
from survey.staff.permissions import member_required, organisations_of
from survey.web import respondent as respond
from survey.web.confirm import confirm_first
from survey.web.forms import (
    MORE_CHOICE_ROWS,
    ChoiceFormSet,
    ConcernForm,
    DefinitionUploadForm,
    NewSurveyForm,
    QuestionForm,
    ScheduleForm,
    SectionForm,
    SurveySettingsForm,
    choice_rows,
)
from survey.web.poster import poster_png
from survey.web.refusals import refusal_as_message


def attach_error(form, error: DefinitionError, prefix: str, fields: dict[str, str], *documents) -> None:
    """Show a definition error beside the form field it is about, if any, in
    plain words (no keys, no paths: those are for the command line)."""
    message = editing.in_plain_words(error.message, *documents)
    if error.path.startswith(prefix):
        rest = error.path[len(prefix) :].lstrip(".")
        name = fields.get(rest.split(".")[0].split("[")[0])
        if name:
            form.add_error(name, message)
            return
    form.add_error(None, message[:1].upper() + message[1:])


def _edit(request, survey, form, change, what: str, prefix: str, fields: dict[str, str]) -> bool:
    try:
        editing.edit_definition(survey=survey, acting_user=request.user, change=change, what=what)
    except DefinitionError as exc:
        attach_error(form, exc, prefix, fields, export_definition(survey=survey))
        return False
    messages.success(request, f"Saved: {what}.")
    return True


def _quoted(text, length: int = 60) -> str:
    words = languages.default_text(text)
    return f"“{words[: length - 1]}…”" if len(words) > length else f"“{words}”"


def _described(document: dict) -> tuple[dict[str, str], dict[str, str]]:
    """Who is asked each follow-up, and what each concern topic counts, in sentences."""
    questions = {q["key"]: q for q in _questions(document)}
    conditions = {}
    for q in questions.values():
        if q.get("show_if") and q["show_if"]["question"] in questions:
            target = questions[q["show_if"]["question"]]
            choices = target.get("choices") or (YES_NO_CHOICES if target["kind"] == "yes_no" else [])
            label = next((c["label"] for c in choices if c["value"] == q["show_if"]["equals"]), "")
            conditions[q["key"]] = f"Asked of those who answered {_quoted(label)} to {_quoted(target['text'])}"
    concerns = {}
    for c in document["concerns"]:
        raised, outcome = questions.get(c["raised"]), questions.get(c["outcome"])
        if raised and outcome:
            labels = [ch["label"] for ch in outcome.get("choices", []) if ch["value"] in c["resolved_values"]]
            concerns[c["key"]] = (
                f"Raised: those who answered “Yes” to {_quoted(raised['text'])}. "
                f"Resolved: those who then answered {' or '.join(_quoted(x, 40) for x in labels) or 'nothing yet'} "
                f"to {_quoted(outcome['text'])}."
            )
    return conditions, concerns


def _data(request) -> tuple:
    """Bound data for a POST (even an empty one), nothing for a GET."""
    return (request.POST, request.FILES) if request.method == "POST" else (None, None)


def _questions(document: dict) -> list[dict]:
    return [q for section in document["sections"] for q in section["questions"]]


@require_http_methods(["GET", "POST"])
@login_required
def survey_new(request):
    form = NewSurveyForm(*_data(request), organisations=organisations_of(request.user).order_by("name"))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            survey = editing.create_survey(
                acting_user=request.user,
                title=data["title"],
                slug=data["slug"],
                source=form.source,
                organisation=data.get("organisation"),
            )
        except DefinitionError as exc:
            attach_error(form, exc, "", {"slug": "slug", "title": "title"})
        else:
            messages.success(request, "The survey is created as a draft: nobody can answer it until you open it.")
            return redirect("survey:survey-build", slug=survey.slug)
    return render(request, "survey/console/new.html", {"form": form}, status=400 if form.errors else 200)


@require_GET
@member_required(Member.Role.ORGANISER)
def build(request, survey: Survey):
    document = export_definition(survey=survey)
    initial = SurveySettingsForm.initial_texts(
        {"title": document["title"], "intro": document["intro"], "moderators": document.get("moderators", "")},
        languages.NAMES,
    )
    initial.update(
        min_group_size=document["min_group_size"],
        access=document["access"],
        population=document.get("population"),
        estimated_minutes=document.get("estimated_minutes"),
    )
    settings_form = SurveySettingsForm(initial=initial, prefix="settings")
    return _render_build(request, survey, document, settings_form)


def _render_build(request, survey, document, settings_form, status=200):
    conditions, concern_lines = _described(document)
    context = {
        "survey": survey,
        "document": document,
        "conditions": conditions,
        "concern_lines": concern_lines,
        "settings_form": settings_form,
        "schedule_form": ScheduleForm(initial={"opens_at": survey.opens_at, "closes_at": survey.closes_at}),
        "upload_form": DefinitionUploadForm(),
        "has_data": survey.has_answers(),
    }
    return render(request, "survey/console/build.html", context, status=status)


@require_POST
@member_required(Member.Role.ORGANISER)
def build_settings(request, survey: Survey):
    form = SurveySettingsForm(request.POST, prefix="settings")
    if form.is_valid():

        def change(document):
            data = {**form.cleaned_data, **{name: form.localised(name) for name in ("title", "intro", "moderators")}}
            names = ("title", "intro", "min_group_size", "access", "population", "estimated_minutes", "moderators")
            editing.set_settings(document, **{k: data[k] for k in names if k in data})

        fields = {
            "title": "title",
            "intro": "intro",
            "min_group_size": "min_group_size",
            "access": "access",
            "population": "population",
            "estimated_minutes": "estimated_minutes",
            "moderators": "moderators",
        }
        if _edit(request, survey, form, change, "survey settings", "", fields):
            return redirect("survey:survey-build", slug=survey.slug)
    return _render_build(request, survey, export_definition(survey=survey), form, status=400)


@require_http_methods(["GET", "POST"])
@member_required(Member.Role.ORGANISER)
def section_edit(request, survey: Survey, index: int | None = None):
    document = export_definition(survey=survey)
    if index is not None and index >= len(document["sections"]):
        raise Http404("No such section")
    offered = languages.of_survey(survey)
    initial = {}
    if index is not None:
        initial = SectionForm.initial_texts({"title": document["sections"][index]["title"]}, offered)
    form = SectionForm(_data(request)[0], initial=initial, offered=offered)
    if request.method == "POST" and form.is_valid():

        def change(doc):
            editing.put_section(doc, index=index, title=form.localised("title"))

        prefix = f"sections[{index if index is not None else len(document['sections'])}]"
        what = f"the section {_quoted(form.cleaned_data['title'])}"
        if _edit(request, survey, form, change, what, prefix, {"title": "title"}):
            return redirect("survey:survey-build", slug=survey.slug)
    context = {"survey": survey, "form": form, "index": index}
    return render(request, "survey/console/section.html", context, status=400 if form.errors else 200)


QUESTION_FIELDS = {
    "key": "key",
    "kind": "kind",
    "text": "text",
    "help": "help",
    "required": "required",
    "breakdown": "breakdown",
    "show_if": "show_if",
}


def _question_error(form, formset, error: DefinitionError, prefix: str, rows: list[int], documents) -> None:
    """Choices' errors go beside the row at fault; whole-question rules beside
    the field they are about."""
    rest = error.path[len(prefix) :] if error.path.startswith(prefix) else None
    message = editing.in_plain_words(error.message, *documents)
    if rest is not None and rest.startswith(".choices[") and formset.forms:
        n = int(rest.removeprefix(".choices[").split("]")[0])
        row = formset.forms[rows[n]] if n < len(rows) else formset.forms[0]
        row.add_error("value" if rest.endswith(".value") else "label", message)
        return
    if rest == "":
        if "breakdown" in error.message:
            form.add_error("breakdown", message)
            return
        if "choice" in error.message and formset.forms:
            formset.forms[0].add_error("label", message)
            return
    attach_error(form, error, prefix, QUESTION_FIELDS, *documents)


def _posted(form, data) -> dict:
    """What was typed into ``form``, as initial values for the same form unbound."""
    return {
        name: (name in data) if isinstance(field, BooleanField) else data.get(name, "")
        for name, field in form.fields.items()
    }


def _posted_rows(formset, data) -> list[dict]:
    try:
        total = min(int(data.get(f"{formset.prefix}-TOTAL_FORMS", 0)), formset.max_num)
    except ValueError:
        total = 0
    names = list(formset.empty_form.fields)
    return [{name: data.get(f"{formset.prefix}-{i}-{name}", "") for name in names} for i in range(total)]


@require_http_methods(["GET", "POST"])
@member_required(Member.Role.ORGANISER)
def question_edit(request, survey: Survey, key: str | None = None):
    document = export_definition(survey=survey)
    if key is None:
        try:
            section = int(request.GET.get("section", ""))
            document["sections"][section]
        except (ValueError, IndexError):
            raise Http404("No such section") from None
        position, existing = (section, len(document["sections"][section]["questions"])), None
    else:
        try:
            position = editing.find_question(document, key)
        except KeyError:
            raise Http404("No such question") from None
        existing = document["sections"][position[0]]["questions"][position[1]]
    s, i = position
    earlier = [q for q in _questions(document)][: sum(len(x["questions"]) for x in document["sections"][:s]) + i]
    offered = languages.of_survey(survey)
    initial, choices_initial = {"required": True}, []
    if existing:
        initial = {k: existing.get(k, "") for k in ("key", "kind", "required", "breakdown")}
        initial["agree_end"] = existing.get("agree_end", "last")
        initial.update(
            QuestionForm.initial_texts({"text": existing["text"], "help": existing.get("help", "")}, offered)
        )
        if existing.get("show_if"):
            initial["show_if"] = f"{existing['show_if']['question']}={existing['show_if']['equals']}"
        if existing["kind"] != "free_text":
            choices_initial = [
                {
                    "value": c["value"],
                    **ChoiceFormSet.form.initial_texts({"label": c["label"]}, offered),
                    "not_counted": c.get("counted") is False,
                    "population": c.get("population"),
                }
                for c in existing.get("choices", [])
            ]
    taken = [q["key"] for q in _questions(document) if q["key"] != key]
    options = {"earlier": earlier, "taken": taken, "offered": offered, "answered": survey.has_answers()}
    data = _data(request)[0]
    more = data is not None and "more_choices" in data
    form = QuestionForm(None if more else data, initial=initial, **options)
    formset_options = {"prefix": "choices", "form_kwargs": {"offered": offered}}
    if more:
        # No JavaScript: more empty rows, nothing saved, nothing refused.
        formset = ChoiceFormSet(data, **formset_options)
        rows = _posted_rows(formset, data)
        form = QuestionForm(initial=_posted(form, data), **options)
        formset = forms.formset_factory(ChoiceFormSet.form, extra=MORE_CHOICE_ROWS)(initial=rows, **formset_options)
    else:
        # Initial rows only on GET: bound rows equal to their initial values
        # would count as unchanged and be skipped.
        formset = ChoiceFormSet(data, initial=None if data is not None else choices_initial, **formset_options)
    if data is not None and not more and form.is_valid() and formset.is_valid():
        filled = choice_rows(formset)
        question = form.as_definition([c for _, c in filled])
        what = f"the question {_quoted(form.cleaned_data['text'])}"

        def change(doc):
            editing.put_question(doc, section=s, old_key=key, question=question)

        try:
            editing.edit_definition(survey=survey, acting_user=request.user, change=change, what=what)
        except DefinitionError as exc:
            prefix = f"sections[{s}].questions[{i}]"
            _question_error(
                form,
                formset,
                exc,
                prefix,
                [r for r, _ in filled],
                (document, {"sections": [{"questions": [question]}]}),
            )
        else:
            messages.success(request, f"Saved: {what}.")
            return redirect(reverse("survey:survey-build", kwargs={"slug": survey.slug}) + f"#q-{question['key']}")
    has_errors = bool(form.errors or any(f.errors for f in formset.forms)) if data is not None and not more else False
    context = {
        "survey": survey,
        "form": form,
        "formset": formset,
        "key": key,
        "existing": existing,
        "section": document["sections"][s],
    }
    return render(request, "survey/console/question.html", context, status=400 if has_errors else 200)


@require_http_methods(["GET", "POST"])
@member_required(Member.Role.ORGANISER)
def concern_edit(request, survey: Survey, key: str | None = None):
    document = export_definition(survey=survey)
    keys = [c["key"] for c in document["concerns"]]
    if key is not None and key not in keys:
        raise Http404("No such concern topic")
    offered = languages.of_survey(survey)
    initial = {}
    if key is not None:
        existing = document["concerns"][keys.index(key)]
        initial = {k: existing[k] for k in ("key", "raised", "outcome", "resolved_values")}
        initial.update(ConcernForm.initial_texts({"label": existing["label"]}, offered))
    data = _data(request)[0]
    pick = data is not None and "pick_outcome" in data
    outcome = data.get("outcome") if data is not None else initial.get("outcome")
    options = {
        "questions": _questions(document),
        "outcome": outcome,
        "taken": [k for k in keys if k != key],
        "offered": offered,
    }
    form = ConcernForm(None if pick else data, initial=initial, **options)
    if pick:
        # No JavaScript: show the chosen outcome question's answers, nothing saved.
        posted = _posted(form, data)
        posted["resolved_values"] = []
        form = ConcernForm(initial=posted, **options)
    elif data is not None and form.is_valid():
        concern = form.as_definition()

        def change(doc):
            editing.put_concern(doc, old_key=key, concern=concern)

        prefix = f"concerns[{keys.index(key) if key is not None else len(keys)}]"
        fields = {f: f for f in ("key", "label", "raised", "outcome", "resolved_values")}
        what = f"the concern topic {_quoted(form.cleaned_data['label'])}"
        if _edit(request, survey, form, change, what, prefix, fields):
            return redirect("survey:survey-build", slug=survey.slug)
    context = {"survey": survey, "form": form, "key": key, "outcome_choices": form.outcome_choices()}
    return render(request, "survey/console/concern.html", context, status=400 if form.errors else 200)


def _part_name(document: dict, what: str, ident: str) -> str:
    """A section, question or concern topic named by its words."""
    try:
        if what == "section":
            return f"the section {_quoted(document['sections'][int(ident)]['title'])}"
        if what == "question":
            s, i = editing.find_question(document, ident)
            return f"the question {_quoted(document['sections'][s]['questions'][i]['text'])}"
        concern = next(c for c in document["concerns"] if c["key"] == ident)
        return f"the concern topic {_quoted(concern['label'])}"
    except (KeyError, IndexError, ValueError, StopIteration):
        return ""


def _structure_post(request, survey: Survey, change, what: str, ident: str, verb: str):
    document = export_definition(survey=survey)
    name = _part_name(document, what, ident)
    if not name:
        messages.error(request, "Not changed: that part of the survey is no longer there.")
        return redirect("survey:survey-build", slug=survey.slug)
    try:
        editing.edit_definition(survey=survey, acting_user=request.user, change=change, what=f"{verb} {name}")
    except DefinitionError as exc:
        messages.error(request, f"Not changed: {editing.in_plain_words(exc.message, document)}")
    except (KeyError, IndexError, ValueError):  # removed or moved meanwhile, in another tab
        messages.error(request, "Not changed: that part of the survey is no longer there.")
    else:
        messages.success(request, f"Done: {verb} {name}.")
    return redirect("survey:survey-build", slug=survey.slug)


@require_POST
@member_required(Member.Role.ORGANISER)
def build_move(request, survey: Survey, what: str, ident: str):
    offset = -1 if request.POST.get("direction") == "up" else 1

    def change(doc):
        editing.move(doc, what=what, ident=ident, offset=offset)

    return _structure_post(request, survey, change, what, ident, "moved up" if offset < 0 else "moved down")


def _removal_consequences(document: dict, what: str, ident: str) -> list[str]:
    """What removing a part of the definition takes with it, in words."""
    try:
        if what == "section":
            section = document["sections"][int(ident)]
            count = len(section["questions"])
            lines = [
                f"The section “{languages.default_text(section['title'])}” is removed, "
                f"with its {count} question{'s' if count != 1 else ''}."
            ]
        elif what == "question":
            question = next(q for q in _questions(document) if q["key"] == ident)
            lines = [f"The question “{languages.default_text(question['text'])}” is removed, with its choices."]
        else:
            concern = next(c for c in document["concerns"] if c["key"] == ident)
            lines = [
                f"The concern topic “{languages.default_text(concern['label'])}” is removed: "
                "its figures and its actions in the report go with it."
            ]
    except (IndexError, StopIteration, ValueError):
        lines = [f"The {what} {ident} is removed."]
    return [*lines, "It cannot be undone: to have it back you would add it again, with its translations."]


@require_POST
@member_required(Member.Role.ORGANISER)
def build_remove(request, survey: Survey, what: str, ident: str):
    # A survey with answers refuses any removal: say so at once, not after asking.
    asking = not survey.has_answers() and confirm_first(
        request,
        survey=survey,
        title=f"Remove this {'concern topic' if what == 'concern' else what}?",
        consequences=_removal_consequences(export_definition(survey=survey), what, ident),
        button=f"Remove the {'concern topic' if what == 'concern' else what}",
        cancel=reverse("survey:survey-build", kwargs={"slug": survey.slug}),
    )
    if asking:
        return asking

    def change(doc):
        editing.remove(doc, what=what, ident=ident)

    return _structure_post(request, survey, change, what, ident, "removed")


@require_POST
@member_required(Member.Role.ORGANISER)
def survey_duplicate(request, survey: Survey):
    """A draft copy of this survey in one click: its questions, not its answers."""
    copy = editing.duplicate_survey(survey=survey, acting_user=request.user)
    messages.success(
        request, f"This is a draft copy of “{survey.title}”, with no answers. Change what you need, then open it."
    )
    return redirect("survey:survey-build", slug=copy.slug)


@require_POST
@member_required(Member.Role.ORGANISER)
def definition_upload(request, survey: Survey):
    form = DefinitionUploadForm(request.POST, request.FILES)
    if form.is_valid():
        uploaded = form.cleaned_data["definition"]

        def change(doc):
            doc.clear()
            doc.update(uploaded)

        try:
            editing.edit_definition(survey=survey, acting_user=request.user, change=change, what="definition uploaded")
        except DefinitionError as exc:
            messages.error(request, f"The definition was not loaded: {exc}")
        else:
            messages.success(request, "The uploaded definition replaces the survey's questions.")
    else:
        messages.error(request, f"The definition was not loaded: {' '.join(form.errors.get('definition', []))}")
    return redirect("survey:survey-build", slug=survey.slug)


@require_GET
@member_required(Member.Role.ORGANISER)
def definition_download(request, survey: Survey):
    body = json.dumps(export_definition(survey=survey), indent=2, ensure_ascii=False) + "\n"
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{survey.slug}.json"'
    return response


@require_POST
@member_required(Member.Role.ORGANISER)
def survey_status(request, survey: Survey):
    if request.POST.get("status") == Survey.Status.CLOSED:
        asking = confirm_first(
            request,
            survey=survey,
            title="Close the survey now?",
            consequences=[
                "Nobody can answer from now on: the survey's link tells respondents it has closed, "
                "and unused invitation codes stop working.",
                "Closing is final: a closed survey cannot be opened again. To ask again, start a new survey "
                "from its definition.",
                "The figures are worked out from the answers received by now.",
            ],
            button="Close the survey for good",
            cancel=reverse("survey:survey-build", kwargs={"slug": survey.slug}),
        )
        if asking:
            return asking
    with refusal_as_message(request):
        set_status(survey=survey, acting_user=request.user, status=request.POST.get("status", ""))
        messages.success(request, f"The survey is now {Survey.Status(request.POST['status']).label.lower()}.")
    return redirect("survey:survey-build", slug=survey.slug)


@require_POST
@member_required(Member.Role.ORGANISER)
def survey_schedule(request, survey: Survey):
    form = ScheduleForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Enter the times as a date and a time, like 2026-12-01 09:00.")
        return redirect("survey:survey-build", slug=survey.slug)
    with refusal_as_message(request):
        schedule(survey=survey, acting_user=request.user, **form.cleaned_data)
        messages.success(request, "The schedule is saved.")
    return redirect("survey:survey-build", slug=survey.slug)


def _public_link(request, survey: Survey) -> str:
    return request.build_absolute_uri(reverse("survey:response-start", kwargs={"slug": survey.slug}))


def _share_link(request, survey: Survey) -> str:
    """The link a QR code or poster carries: a partner's own (``?partner=<token>``), else the survey's."""
    token = request.GET.get("partner", "")
    partner = survey.partners.filter(token=token).first() if token else None
    if partner is None:
        return _public_link(request, survey)
    return request.build_absolute_uri(
        reverse("survey:response-partner", kwargs={"slug": survey.slug, "token": partner.token})
    )


def partner_links(request, survey: Survey) -> list[dict]:
    """Each partner's own respondent link, for the Share page."""
    return [
        {
            "partner": partner,
            "link": request.build_absolute_uri(
                reverse("survey:response-partner", kwargs={"slug": survey.slug, "token": partner.token})
            ),
        }
        for partner in survey.partners.select_related("organisation")
    ]


def slip_link(request, survey: Survey) -> dict:
    """The link printed on each code slip, and its QR code (the link only: a
    code never goes into a URL, where logs and browser histories keep it)."""
    link = _public_link(request, survey)
    return {"link": link, "qr": segno.make(link, error="m").svg_data_uri(scale=3, border=2)}


def invitation_text(*, survey: Survey, link: str) -> str:
    """Wording to paste into an e-mail or a Teams message, for the survey's way of answering."""
    how = (
        f"Answer it here, with the invitation code you were given: {link}"
        if survey.access == Survey.Access.CODES
        else f"Answer it here: {link}"
    )
    return (
        f"Please take part in “{survey.title}”.\n\n"
        f"{how}\n\n"
        "It is anonymous: it does not ask your name, and nothing about your device, your address or when you answer "
        "is recorded. Results are only ever shown for groups of at least "
        f"{survey.min_group_size} people, and comments are only quoted once a moderator has removed anything that "
        "could identify anyone.\n"
    )


@require_GET
@member_required(Member.Role.ORGANISER)
def share(request, survey: Survey):
    link = _public_link(request, survey)
    context = {
        "survey": survey,
        "link": link,
        "invitation": invitation_text(survey=survey, link=link),
        "partner_links": [
            row | {"invitation": invitation_text(survey=survey, link=row["link"])}
            for row in partner_links(request, survey)
        ]
        if survey.partners_from
        else [],
    }
    return render(request, "survey/console/share.html", context)


def _qr(link: str, fmt: str, scale: int = 10) -> bytes:
    buffer = io.BytesIO()
    segno.make(link, error="m").save(buffer, kind=fmt, scale=scale, border=4)
    return buffer.getvalue()


@require_GET
@member_required(Member.Role.ORGANISER)
def share_qr(request, survey: Survey, fmt: str):
    """The public link as a QR code to print (segno)."""
    content_type = "image/svg+xml" if fmt == "svg" else "image/png"
    response = HttpResponse(_qr(_share_link(request, survey), fmt), content_type=content_type)
    if "download" in request.GET:
        response["Content-Disposition"] = f'attachment; filename="{survey.slug}-qr.{fmt}"'
    return response


@require_GET
@member_required(Member.Role.ORGANISER)
def share_poster(request, survey: Survey):
    """A poster to print or save as PDF: the title, the invitation, the link and its QR code."""
    link = _share_link(request, survey)
    qr = segno.make(link, error="m").svg_data_uri(scale=8, border=2)
    context = {"survey": survey, "link": link, "qr": qr}
    return render(request, "survey/console/poster.html", context)


@require_GET
@member_required(Member.Role.ORGANISER)
def share_poster_png(request, survey: Survey):
    """The poster as a picture (A4 at 150 dpi), for a slide, a newsletter or a screen."""
    response = HttpResponse(poster_png(survey=survey, link=_share_link(request, survey)), content_type="image/png")
    response["Content-Disposition"] = f'attachment; filename="{survey.slug}-poster.png"'
    return response


@require_GET
@never_cache
@member_required(Member.Role.ORGANISER)
def preview(request, survey: Survey):
    """The respondent's pages, whatever the survey's state; nothing is stored."""
    request.candour_preview = True
    return respond.intro_page(request, survey)


@require_POST
@sensitive_post_parameters()
@never_cache
@member_required(Member.Role.ORGANISER)
def preview_answer(request, survey: Survey):
    request.candour_preview = True
    return respond.answer_flow(request, survey)
