"""Respondent pages: no account, no cookie beyond CSRF, nothing stored until submit.

Answers travel between pages in a signed hidden field, so a half-finished
survey leaves nothing on the server. Follow-up questions sit on a page of
their own after the question that controls them, so they appear only when
their condition holds, with or without JavaScript.
"""

import secrets

from django.conf import settings
from django.core import signing
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods

from survey import invitations, ratelimit
from survey.forms import CodeForm, PageForm, field_name
from survey.models import Survey
from survey.responding import (
    AnswerError,
    CodeAlreadyUsed,
    SurveySpec,
    clean_answers,
    is_shown,
    submit_response,
    survey_spec,
    visible_pages,
)

_SALT = "candour.respond.state"


def _sign(state: dict) -> str:
    return signing.TimestampSigner(salt=_SALT).sign_object(state, compress=True)


def _unsign(value: str) -> dict | None:
    try:
        state = signing.TimestampSigner(salt=_SALT).unsign_object(value, max_age=settings.CANDOUR_FORM_TOKEN_MAX_AGE)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    if not isinstance(state, dict) or not isinstance(state.get("t"), str) or not isinstance(state.get("a"), dict):
        return None
    return state


def _open_survey(slug: str) -> Survey:
    return get_object_or_404(Survey, slug=slug)


def _closed(request: HttpRequest, survey: Survey) -> HttpResponse:
    return render(request, "survey/respond/closed.html", {"survey": survey}, status=410)


def _render_intro(request, survey, code_form=None, status=200, error="") -> HttpResponse:
    if code_form is None and survey.access == Survey.Access.CODES:
        code_form = CodeForm()
    context = {"survey": survey, "code_form": code_form, "error": error}
    return render(request, "survey/respond/intro.html", context, status=status)


def _too_many(request, survey, what: str) -> HttpResponse:
    return render(request, "survey/respond/too_many.html", {"survey": survey, "what": what}, status=429)


@require_GET
@never_cache
def intro(request: HttpRequest, slug: str) -> HttpResponse:
    survey = _open_survey(slug)
    if survey.status != Survey.Status.OPEN:
        return _closed(request, survey)
    return _render_intro(request, survey)


def _start(request, survey, spec) -> HttpResponse:
    """Begin a fresh form (and, for code surveys, check the code first)."""
    state = {"t": secrets.token_urlsafe(24), "a": {}}
    if survey.access == Survey.Access.CODES:
        rate = settings.CANDOUR_CODE_FAILURE_RATE
        if ratelimit.is_limited("code", request, rate):
            return _too_many(request, survey, "code")
        form = CodeForm(request.POST)
        if not form.is_valid():
            return _render_intro(request, survey, form, status=400)
        try:
            hashed = invitations.validate_code(form.cleaned_data["code"])
            status = invitations.code_status(survey=survey, hashed=hashed)
            if status != "ok":
                raise invitations.CodeError(CODE_MESSAGES[status])
        except invitations.CodeError as exc:
            ratelimit.hit("code", request, rate)
            form.add_error("code", str(exc))
            return _render_intro(request, survey, form, status=400)
        state["c"] = hashed
    return _render_page(request, survey, spec, state, visible_pages(spec, {})[0])


CODE_MESSAGES = {
    "unknown": "We do not recognise this code. Check it against the one you were given, or ask whoever gave it to you.",
    "used": "This code has already been used, and each code can be used once. If you have not answered yet, "
    "ask whoever gave it to you for a new one.",
}


def _prune(spec: SurveySpec, answers: dict) -> dict:
    """Drop answers to questions whose condition no longer holds."""
    kept: dict = {}
    for q in spec.questions:
        if q.key in answers and is_shown(q, kept):
            kept[q.key] = answers[q.key]
    return kept


def _render_page(request, survey, spec, state, page, form=None, status=200) -> HttpResponse:
    answers = state["a"]
    questions = [spec[k] for k in spec.pages[page] if is_shown(spec[k], answers)]
    if form is None:
        initial = {field_name(q.key): answers[q.key] for q in questions if q.key in answers}
        form = PageForm(initial=initial, questions=questions)
    pages = visible_pages(spec, answers)
    step = pages.index(page) + 1 if page in pages else 1
    context = {
        "survey": survey,
        "form": form,
        "state": _sign(state),
        "page": page,
        "section_title": questions[0].section_title if questions else "",
        "step": step,
        "steps": len(pages) + 1,  # the review is the last step
        "first": step == 1,
    }
    return render(request, "survey/respond/page.html", context, status=status)


def _render_review(request, survey, spec, state, error: str = "") -> HttpResponse:
    answers = state["a"]
    pages = visible_pages(spec, answers)
    rows = []
    for page in pages:
        for key in spec.pages[page]:
            q = spec[key]
            if not is_shown(q, answers):
                continue
            value = answers.get(key)
            labels = q.labels
            if isinstance(value, list):
                shown = "; ".join(labels.get(v, v) for v in value)
            else:
                shown = labels.get(value, value) if value else ""
            rows.append({"question": q.text, "answer": shown, "page": page})
    context = {
        "survey": survey,
        "rows": rows,
        "state": _sign(state),
        "steps": len(pages) + 1,
        "error": error,
    }
    return render(request, "survey/respond/review.html", context, status=400 if error else 200)


def _bad_state(request, survey) -> HttpResponse:
    return render(request, "survey/respond/expired.html", {"survey": survey}, status=400)


@require_http_methods(["GET", "POST"])
@sensitive_post_parameters()
@never_cache
def answer(request: HttpRequest, slug: str) -> HttpResponse:
    survey = _open_survey(slug)
    if request.method == "GET":
        return redirect("survey:response-start", slug=slug)
    if survey.status != Survey.Status.OPEN:
        return _closed(request, survey)
    spec = survey_spec(survey)
    action = request.POST.get("action", "")

    if action == "start":
        return _start(request, survey, spec)

    state = _unsign(request.POST.get("state", ""))
    if state is None:
        return _bad_state(request, survey)
    state["a"] = _prune(spec, state["a"])

    if action.startswith("goto-"):
        page = _page_number(action.removeprefix("goto-"), spec)
        if page is None:
            return _bad_state(request, survey)
        return _render_page(request, survey, spec, state, page)

    if action == "submit":
        if request.POST.get("website"):
            # Honeypot filled: a bot. Answer as if stored; store nothing.
            return redirect("survey:response-thanks", slug=slug)
        try:
            answers = clean_answers(spec, state["a"])
        except AnswerError as exc:
            return _render_review(request, survey, spec, state, error=f"{spec[exc.key].text}: {exc.message}")
        if ratelimit.take("submit", request, settings.CANDOUR_SUBMIT_RATE):
            return _too_many(request, survey, "submit")
        try:
            submit_response(survey=survey, answers=answers, nonce=state["t"], invitation_hash=state.get("c"))
        except CodeAlreadyUsed:
            return _render_intro(request, survey, status=409, error=CODE_MESSAGES["used"])
        # A replay (token already spent) gets the same page and stores nothing.
        return redirect("survey:response-thanks", slug=slug)

    page = _page_number(request.POST.get("page", ""), spec)
    if page is None or action not in ("next", "back"):
        return _bad_state(request, survey)
    questions = [spec[k] for k in spec.pages[page] if is_shown(spec[k], state["a"])]
    form = PageForm(request.POST, questions=questions)
    valid = form.is_valid()
    if not valid and action == "next":
        return _render_page(request, survey, spec, state, page, form=form)
    page_keys = {q.key for q in questions}
    kept = {k: v for k, v in state["a"].items() if k not in page_keys}
    kept.update(form.answers())  # on "back", the fields that were valid
    state["a"] = _prune(spec, kept)
    pages = visible_pages(spec, state["a"])
    if action == "back":
        earlier = [p for p in pages if p < page]
        return _render_page(request, survey, spec, state, earlier[-1] if earlier else pages[0])
    later = [p for p in pages if p > page]
    if later:
        return _render_page(request, survey, spec, state, later[0])
    return _render_review(request, survey, spec, state)


def _page_number(value: str, spec: SurveySpec) -> int | None:
    try:
        page = int(value)
    except ValueError:
        return None
    return page if 0 <= page < len(spec.pages) else None


@require_GET
@never_cache
def thanks(request: HttpRequest, slug: str) -> HttpResponse:
    survey = _open_survey(slug)
    return render(request, "survey/respond/thanks.html", {"survey": survey})
