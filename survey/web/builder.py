"""Organiser console: create, build, open and close surveys, and hand them out.

Every edit goes through survey.definitions.editing, which reloads the survey's
definition with the same validation as ``load_survey``; an error's path in
the definition tells which field to show it beside.
"""

import io
import json

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from survey.definitions import editing, languages
from survey.definitions.format import DefinitionError, export_definition
from survey.definitions.status import schedule, set_status
from survey.models import Member, Survey
from survey.staff.permissions import member_required
from survey.web import respondent as respond
from survey.web.forms import (
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
from survey.web.refusals import refusal_as_message


def attach_error(form, error: DefinitionError, prefix: str, fields: dict[str, str]) -> None:
    """Show a definition error beside the form field it is about, if any."""
    if error.path.startswith(prefix):
        rest = error.path[len(prefix) :].lstrip(".")
        name = fields.get(rest.split(".")[0].split("[")[0])
        if name:
            form.add_error(name, error.message)
            return
    form.add_error(None, str(error) if error.path and not error.path.startswith(prefix) else error.message)


def _edit(request, survey, form, change, what: str, prefix: str, fields: dict[str, str]) -> bool:
    try:
        editing.edit_definition(survey=survey, acting_user=request.user, change=change, what=what)
    except DefinitionError as exc:
        attach_error(form, exc, prefix, fields)
        return False
    messages.success(request, f"Saved: {what}.")
    return True


def _data(request) -> tuple:
    """Bound data for a POST (even an empty one), nothing for a GET."""
    return (request.POST, request.FILES) if request.method == "POST" else (None, None)


def _questions(document: dict) -> list[dict]:
    return [q for section in document["sections"] for q in section["questions"]]


@require_http_methods(["GET", "POST"])
@login_required
def survey_new(request):
    form = NewSurveyForm(*_data(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            survey = editing.create_survey(
                acting_user=request.user, title=data["title"], slug=data["slug"], source=form.source
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
    settings_form = SurveySettingsForm(
        initial={
            "title": languages.default_text(document["title"]),
            "intro": languages.default_text(document["intro"]),
            "min_group_size": document["min_group_size"],
            "access": document["access"],
            "population": document.get("population"),
        },
        prefix="settings",
    )
    return _render_build(request, survey, document, settings_form)


def _render_build(request, survey, document, settings_form, status=200):
    context = {
        "survey": survey,
        "document": document,
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
            editing.set_settings(document, **form.cleaned_data)

        fields = {
            "title": "title",
            "intro": "intro",
            "min_group_size": "min_group_size",
            "access": "access",
            "population": "population",
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
    initial = {"title": languages.default_text(document["sections"][index]["title"])} if index is not None else {}
    form = SectionForm(_data(request)[0], initial=initial)
    if request.method == "POST" and form.is_valid():

        def change(doc):
            editing.put_section(doc, index=index, title=form.cleaned_data["title"])

        prefix = f"sections[{index if index is not None else len(document['sections'])}]"
        if _edit(request, survey, form, change, "section", prefix, {"title": "title"}):
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


def _question_error(form, formset, error: DefinitionError, prefix: str, rows: list[int]) -> None:
    """Choices' errors go beside the row at fault; whole-question rules beside
    the field they are about."""
    rest = error.path[len(prefix) :] if error.path.startswith(prefix) else None
    if rest is not None and rest.startswith(".choices[") and formset.forms:
        n = int(rest.removeprefix(".choices[").split("]")[0])
        row = formset.forms[rows[n]] if n < len(rows) else formset.forms[0]
        row.add_error("value" if rest.endswith(".value") else "label", error.message)
        return
    if rest == "":
        if "breakdown" in error.message:
            form.add_error("breakdown", error.message)
            return
        if "choice" in error.message and formset.forms:
            formset.forms[0].add_error("label", error.message)
            return
    attach_error(form, error, prefix, QUESTION_FIELDS)


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
    initial, choices_initial = {"required": True}, []
    if existing:
        initial = {k: existing.get(k, "") for k in ("key", "kind", "required", "breakdown")}
        initial["agree_end"] = existing.get("agree_end", "last")
        initial.update(text=languages.default_text(existing["text"]), help=languages.default_text(existing.get("help")))
        if existing.get("show_if"):
            initial["show_if"] = f"{existing['show_if']['question']}={existing['show_if']['equals']}"
        if existing["kind"] not in ("yes_no", "free_text"):
            choices_initial = [
                {
                    "value": c["value"],
                    "label": languages.default_text(c["label"]),
                    "not_counted": c.get("counted") is False,
                    "population": c.get("population"),
                }
                for c in existing.get("choices", [])
            ]
    form = QuestionForm(_data(request)[0], initial=initial, earlier=earlier)
    # Initial rows only on GET: bound rows equal to their initial values would
    # count as unchanged and be skipped.
    formset = ChoiceFormSet(
        _data(request)[0], initial=None if request.method == "POST" else choices_initial, prefix="choices"
    )
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        filled = choice_rows(formset)
        question = form.as_definition([c for _, c in filled])

        def change(doc):
            editing.put_question(doc, section=s, old_key=key, question=question)

        try:
            editing.edit_definition(
                survey=survey, acting_user=request.user, change=change, what=f"question {question['key']}"
            )
        except DefinitionError as exc:
            _question_error(form, formset, exc, f"sections[{s}].questions[{i}]", [r for r, _ in filled])
        else:
            messages.success(request, f"Saved: question {question['key']}.")
            return redirect(reverse("survey:survey-build", kwargs={"slug": survey.slug}) + f"#q-{question['key']}")
    has_errors = bool(form.errors or any(f.errors for f in formset.forms))
    context = {"survey": survey, "form": form, "formset": formset, "key": key, "section": document["sections"][s]}
    return render(request, "survey/console/question.html", context, status=400 if has_errors else 200)


@require_http_methods(["GET", "POST"])
@member_required(Member.Role.ORGANISER)
def concern_edit(request, survey: Survey, key: str | None = None):
    document = export_definition(survey=survey)
    keys = [c["key"] for c in document["concerns"]]
    if key is not None and key not in keys:
        raise Http404("No such concern topic")
    initial = {}
    if key is not None:
        existing = document["concerns"][keys.index(key)]
        initial = {k: existing[k] for k in ("key", "raised", "outcome")}
        initial["label"] = languages.default_text(existing["label"])
        initial["resolved_values"] = [f"{existing['outcome']}={v}" for v in existing["resolved_values"]]
    form = ConcernForm(_data(request)[0], initial=initial, questions=_questions(document))
    if request.method == "POST" and form.is_valid():
        concern = form.as_definition()

        def change(doc):
            editing.put_concern(doc, old_key=key, concern=concern)

        prefix = f"concerns[{keys.index(key) if key is not None else len(keys)}]"
        fields = {f: f for f in ("key", "label", "raised", "outcome", "resolved_values")}
        if _edit(request, survey, form, change, f"concern {concern['key']}", prefix, fields):
            return redirect("survey:survey-build", slug=survey.slug)
    context = {"survey": survey, "form": form, "key": key}
    return render(request, "survey/console/concern.html", context, status=400 if form.errors else 200)


def _structure_post(request, survey: Survey, change, what: str):
    try:
        editing.edit_definition(survey=survey, acting_user=request.user, change=change, what=what)
    except (DefinitionError, KeyError, IndexError, ValueError) as exc:
        messages.error(request, f"Not changed: {exc}")
    else:
        messages.success(request, f"Done: {what}.")
    return redirect("survey:survey-build", slug=survey.slug)


@require_POST
@member_required(Member.Role.ORGANISER)
def build_move(request, survey: Survey, what: str, ident: str):
    offset = -1 if request.POST.get("direction") == "up" else 1

    def change(doc):
        editing.move(doc, what=what, ident=ident, offset=offset)

    return _structure_post(request, survey, change, f"moved {what} {ident} {'up' if offset < 0 else 'down'}")


@require_POST
@member_required(Member.Role.ORGANISER)
def build_remove(request, survey: Survey, what: str, ident: str):
    def change(doc):
        editing.remove(doc, what=what, ident=ident)

    return _structure_post(request, survey, change, f"removed {what} {ident}")


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


@require_GET
@member_required(Member.Role.ORGANISER)
def share(request, survey: Survey):
    link = request.build_absolute_uri(reverse("survey:response-start", kwargs={"slug": survey.slug}))
    return render(request, "survey/console/share.html", {"survey": survey, "link": link})


@require_GET
@member_required(Member.Role.ORGANISER)
def share_qr(request, survey: Survey, fmt: str):
    """The public link as a QR code to print (segno)."""
    link = request.build_absolute_uri(reverse("survey:response-start", kwargs={"slug": survey.slug}))
    buffer = io.BytesIO()
    segno.make(link, error="m").save(buffer, kind=fmt, scale=10, border=4)
    content_type = "image/svg+xml" if fmt == "svg" else "image/png"
    response = HttpResponse(buffer.getvalue(), content_type=content_type)
    if "download" in request.GET:
        response["Content-Disposition"] = f'attachment; filename="{survey.slug}-qr.{fmt}"'
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
