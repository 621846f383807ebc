"""Respondent pages: no account, no cookie beyond CSRF, nothing stored until submit.

Answers travel between pages in a signed hidden field, so a half-finished
survey leaves nothing on the server. Follow-up questions sit on a page of
their own after the question that controls them, so they appear only when
their condition holds, with or without JavaScript.

The respondent chooses the language on the intro page (``?lang=cy``, then a
hidden field and the signed state carry it): no cookie, nothing stored.
"""

import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import get_language_from_request
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods

from survey.definitions import languages
from survey.definitions.format import PARTNER_KEY
from survey.models import Partner, Question, Survey
from survey.reports.ledger import help_routes
from survey.reports.pulses import open_pulse_of
from survey.responses import invitation_codes as invitations
from survey.responses import ratelimit
from survey.responses.answers import AnswerError, SurveySpec, clean_answers, is_shown, survey_spec, visible_pages
from survey.responses.submit import CodeNotAccepted, submit_response
from survey.web import comment_check
from survey.web.forms import CodeForm, PageForm, field_name

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


def _survey_by_slug(slug: str) -> Survey:
    """The survey at this address, open or not: a closed survey's page says it
    is closed, in the respondent's language (``_speak`` first, then the status)."""
    return get_object_or_404(Survey, slug=slug)


@dataclass(frozen=True)
class ShownSurvey:
    """A survey as one respondent sees it: its texts in their language.

    Display never writes into the model (a later ``save()`` would store the
    Welsh title as the default one); any other attribute is the model's."""

    model: Survey
    language: str
    title: str
    intro: str
    moderators: str
    languages: list[tuple[str, str]]

    def __getattr__(self, name: str):
        return getattr(self.model, name)


def _speak(request: HttpRequest, survey: Survey, requested: str | None) -> ShownSurvey:
    """Answer in the respondent's chosen language if the survey has it, else
    the browser's (Accept-Language), else the survey's default."""
    offered = languages.of_survey(survey)
    language = requested if requested in offered else languages.from_django(get_language_from_request(request))
    language = language if language in offered else languages.DEFAULT
    languages.activate(request, language)
    return ShownSurvey(
        model=survey,
        language=language,
        title=languages.text(survey.title, survey.translations, language, "title"),
        intro=languages.text(survey.intro, survey.translations, language, "intro"),
        moderators=languages.text(survey.moderators, survey.translations, language, "moderators"),
        languages=[(code, languages.NAMES[code]) for code in offered],
    )


def _previewing(request: HttpRequest) -> bool:
    """Set by the console's preview views: the same pages, nothing stored."""
    return getattr(request, "candour_preview", False)


def _render(request, survey, name: str, context: dict, status: int = 200) -> HttpResponse:
    preview = _previewing(request)
    url_name = "survey:survey-preview-answer" if preview else "survey:response-answer"
    context.update(survey=survey, preview=preview, answer_url=reverse(url_name, kwargs={"slug": survey.slug}))
    folder = "console/preview" if preview else "respond"
    return render(request, f"survey/{folder}/{name}.html", context, status=status)


def _closed(request: HttpRequest, survey: ShownSurvey) -> HttpResponse:
    return render(request, "survey/respond/closed.html", {"survey": survey}, status=410)


def _render_intro(request, survey, code_form=None, status=200, error="", partner=None) -> HttpResponse:
    if code_form is None and survey.access == Survey.Access.CODES and not _previewing(request):
        code_form = CodeForm()
    context = {
        "code_form": code_form,
        # Only where the link decides: on a code survey the code does.
        "partner": partner if _needs_partner_link(request, survey) else None,
        "error": error,
        "max_age": settings.CANDOUR_FORM_TOKEN_MAX_AGE,  # a saved state older than this is cleared
    }
    return _render(request, survey, "intro", context, status=status)


def _too_many(request, survey, what: str) -> HttpResponse:
    return render(request, "survey/respond/too_many.html", {"survey": survey, "what": what}, status=429)


@require_GET
@never_cache
def intro(request: HttpRequest, slug: str) -> HttpResponse:
    return intro_page(request, _survey_by_slug(slug))


@require_GET
@never_cache
def partner_intro(request: HttpRequest, slug: str, token: str) -> HttpResponse:
    """A partner's own link: the same first page, the partner carried into the
    respondent's signed state when they start (nothing else stored)."""
    survey = _survey_by_slug(slug)
    partner = survey.partners.filter(token=token).select_related("organisation").first()
    if partner is None:
        return _no_partner(request, _speak(request, survey, request.GET.get("lang")), status=404)
    return intro_page(request, survey, partner=partner)


def _needs_partner_link(request, survey) -> bool:
    """Partners known from their own links, on a survey without codes: the
    plain link cannot say whose respondent this is (a code would)."""
    return (
        survey.partners_from == Survey.PartnersFrom.LINK
        and survey.access == Survey.Access.OPEN
        and not _previewing(request)
    )


def _no_partner(request, survey: ShownSurvey, status: int = 200) -> HttpResponse:
    """Kindly: answer through the link your organisation sent (no guess at which one)."""
    return render(request, "survey/respond/partner_link.html", {"survey": survey}, status=status)


def intro_page(request: HttpRequest, survey: Survey, partner: Partner | None = None) -> HttpResponse:
    """The survey's first page, in the respondent's language (also the console's preview)."""
    if survey.status != Survey.Status.OPEN and not _previewing(request):
        # The address of a closed survey leads to its open follow-up pulse, if any.
        pulse = open_pulse_of(survey)
        if pulse is not None:
            url = reverse("survey:response-start", kwargs={"slug": pulse.slug})
            lang = request.GET.get("lang")
            return redirect(f"{url}?lang={lang}" if lang in languages.of_survey(pulse) else url)
    survey = _speak(request, survey, request.GET.get("lang"))
    if survey.status != Survey.Status.OPEN and not _previewing(request):
        return _closed(request, survey)
    if partner is None and _needs_partner_link(request, survey):
        return _no_partner(request, survey)
    return _render_intro(request, survey, partner=partner)


def _start(request, survey, spec) -> HttpResponse:
    """Begin a fresh form (and, for code surveys, check the code first)."""
    state = {"t": secrets.token_urlsafe(24), "a": {}, "l": survey.language}
    if _needs_partner_link(request, survey):
        partner = survey.model.partners.filter(token=request.POST.get("partner", "")).first()
        if partner is None:
            return _no_partner(request, survey, status=400)
        state["p"] = partner.token  # signed with the rest: the respondent cannot change it
    if survey.access == Survey.Access.CODES and not _previewing(request):
        rate = settings.CANDOUR_CODE_FAILURE_RATE
        if ratelimit.is_limited("code", request, rate):
            return _too_many(request, survey, "code")
        form = CodeForm(request.POST)
        if not form.is_valid():
            return _render_intro(request, survey, form, status=400)
        try:
            hashed = invitations.validate_code(form.cleaned_data["code"])
            status = invitations.code_status(survey=survey.model, hashed=hashed)
            if status != "ok":
                raise invitations.CodeError(CODE_MESSAGES[status])
        except invitations.CodeError as exc:
            ratelimit.hit("code", request, rate)
            form.add_error("code", str(exc))
            return _render_intro(request, survey, form, status=400)
        state["c"] = hashed
    return _render_page(request, survey, spec, state, visible_pages(spec, {})[0])


CODE_MESSAGES = {
    # A burned code leaves no row behind: "used" and "never issued" cannot be told apart, by design.
    "not_accepted": _(
        "This code is not accepted: it has already been used, or it was never issued. Each code can be used "
        "once. Check it against the one you were given; if you have not answered yet, ask whoever gave it to "
        "you for a new one."
    ),
}


def _prune(spec: SurveySpec, answers: dict) -> dict:
    """Drop answers to questions whose condition no longer holds."""
    kept: dict = {}
    for q in spec.questions:
        if q.key in answers and is_shown(q, kept):
            kept[q.key] = answers[q.key]
    return kept


def _saved_copy(spec: SurveySpec, state: dict) -> str:
    """The state this browser may keep for a later visit: without typed comments.

    On a shared ward computer the next person is offered "Continue where you
    left off"; choices are little risk, a comment in someone's own words is
    more. The respondent may tick "keep my comments too" (respond.js)."""
    free = {q.key for q in spec.questions if q.kind == Question.Kind.FREE_TEXT}
    return _sign(state | {"a": {k: v for k, v in state["a"].items() if k not in free}})


def _steps(spec: SurveySpec) -> int:
    """Every page that can appear, and the review: the count never changes mid-survey."""
    return len(spec.pages) + 1


def _render_page(request, survey, spec, state, page, form=None, status=200) -> HttpResponse:
    answers = state["a"]
    questions = [spec[k] for k in spec.pages[page] if is_shown(spec[k], answers)]
    if form is None:
        initial = {field_name(q.key): answers[q.key] for q in questions if q.key in answers}
        form = PageForm(initial=initial, questions=questions)
    has_comment = any(q.kind == Question.Kind.FREE_TEXT for q in questions)
    context = {
        "form": form,
        "state": _sign(state),
        "saved_state": _saved_copy(spec, state),
        "page": page,
        "section_title": questions[0].section_title if questions else "",
        "step": page + 1,  # a skipped follow-up page moves progress on, never back
        "steps": _steps(spec),
        "first": page == visible_pages(spec, answers)[0],
        "comment_check": comment_check.browser_rules() if has_comment else None,
    }
    return _render(request, survey, "page", context, status=status)


def _render_review(request, survey, spec, state, error: str = "") -> HttpResponse:
    answers = state["a"]
    state.pop("r", None)  # back at the review: a later Continue goes on as usual
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
        "rows": rows,
        "state": _sign(state),
        "saved_state": _saved_copy(spec, state),
        "steps": _steps(spec),
        "error": error,
    }
    return _render(request, survey, "review", context, status=400 if error else 200)


def _bad_state(request, survey) -> HttpResponse:
    resumed = request.POST.get("resume") == "1"  # a state saved in this browser, now too old
    return render(request, "survey/respond/expired.html", {"survey": survey, "resumed": resumed}, status=400)


@require_http_methods(["GET", "POST"])
@sensitive_post_parameters()
@never_cache
def answer(request: HttpRequest, slug: str) -> HttpResponse:
    survey = _survey_by_slug(slug)
    if request.method == "GET":
        return redirect("survey:response-start", slug=slug)
    return answer_flow(request, survey)


def answer_flow(request: HttpRequest, survey: Survey) -> HttpResponse:
    """One step of the respondent flow: start, a page, going back, or submitting."""
    state = _unsign(request.POST.get("state", ""))
    state_language = state.get("l") if state else None
    state_language = state_language if isinstance(state_language, str) else None
    survey = _speak(request, survey, request.POST.get("lang") or state_language)
    language = survey.language
    if survey.status != Survey.Status.OPEN and not _previewing(request):
        return _closed(request, survey)
    spec = survey_spec(survey.model, language)
    action = request.POST.get("action", "")

    if action == "start":
        return _start(request, survey, spec)

    if state is None:
        return _bad_state(request, survey)
    state["l"] = language
    state["a"] = _prune(spec, state["a"])

    if action == "review":  # resuming a saved state that had reached the review
        return _render_review(request, survey, spec, state)

    if action.startswith("goto-") or action.startswith("change-"):
        # "change-N" comes from the review: once that page is answered, back to the review.
        page = _page_number(action.partition("-")[2], spec)
        if page is None:
            return _bad_state(request, survey)
        if action.startswith("change-"):
            state["r"] = [q.key for q in spec.questions if is_shown(q, state["a"])]  # the questions already seen
        return _render_page(request, survey, spec, state, page)

    if action == "submit":
        if request.POST.get("website"):
            # Honeypot filled: a bot. Answer as if stored; store nothing.
            return _thanks_redirect(survey)
        given = state["a"]
        if spec.partner_from_link is not None:
            partner = _partner_answer(request, survey, state)
            if partner is None:
                return _no_partner(request, survey, status=409)
            given = {**given, PARTNER_KEY: partner}
        try:
            answers = clean_answers(spec, given)
        except AnswerError as exc:
            return _render_review(request, survey, spec, state, error=f"{spec[exc.key].text}: {exc.message}")
        if _previewing(request):
            return _render(request, survey, "done", {"answered": len(answers)})
        if ratelimit.take("submit", request, settings.CANDOUR_SUBMIT_RATE):
            return _too_many(request, survey, "submit")
        try:
            submit_response(survey=survey.model, answers=answers, nonce=state["t"], invitation_hash=state.get("c"))
        except CodeNotAccepted:
            return _render_intro(request, survey, status=409, error=CODE_MESSAGES["not_accepted"])
        # A replay (token already spent) gets the same page and stores nothing.
        return _thanks_redirect(survey)

    if not action and request.POST.get("lang"):
        # A language button: the same page again, in the other language, with what was entered on it.
        action = "stay" if "page" in request.POST else "review"
        if action == "review":
            return _render_review(request, survey, spec, state)
    if action == "move" and "page" not in request.POST:  # the browser's Back or Forward from the review
        return _moved(request, survey, spec, state, request.POST.get("to", ""))
    page = _page_number(request.POST.get("page", ""), spec)
    if page is None or action not in ("next", "back", "stay", "move"):
        return _bad_state(request, survey)
    questions = [spec[k] for k in spec.pages[page] if is_shown(spec[k], state["a"])]
    form = PageForm(request.POST, questions=questions)
    valid = form.is_valid()
    if not valid and action == "next":
        return _render_page(request, survey, spec, state, page, form=form)
    page_keys = {q.key for q in questions}
    kept = {k: v for k, v in state["a"].items() if k not in page_keys}
    kept.update(form.answers())  # otherwise, the fields that were valid
    state["a"] = _prune(spec, kept)
    pages = visible_pages(spec, state["a"])
    if action == "stay":
        return _render_page(request, survey, spec, state, _nearest(pages, page))
    if action == "move":
        return _moved(request, survey, spec, state, request.POST.get("to", ""))
    if action == "back":
        earlier = [p for p in pages if p < page]
        return _render_page(request, survey, spec, state, earlier[-1] if earlier else pages[0])
    later = [p for p in pages if p > page]
    if isinstance(state.get("r"), list):
        # From the review's "Change": only a page with a question that has just appeared (a follow-up)
        # comes before the review.
        later = [p for p in later if any(is_shown(spec[k], state["a"]) and k not in state["r"] for k in spec.pages[p])]
    if later:
        return _render_page(request, survey, spec, state, later[0])
    return _render_review(request, survey, spec, state)


def _partner_answer(request, survey, state: dict) -> str | None:
    """The partner question's answer when the link or code decides it: the
    partner of the signed state's link, or of its code (read again from the
    code row at submit, survey/responses/submit.py). In the preview, the first
    partner (nothing is stored)."""
    if _previewing(request):
        first = survey.model.partners.select_related("organisation").first()
        return first.organisation.slug if first else None
    if survey.access == Survey.Access.CODES:
        return invitations.code_partner(survey=survey.model, hashed=state.get("c"))
    token = state.get("p")
    if not isinstance(token, str):
        return None
    partners = survey.model.partners.filter(token=token)
    return partners.values_list("organisation__slug", flat=True).first()


def _nearest(pages: list[int], page: int) -> int:
    """This page if it is still shown, else the closest earlier one."""
    earlier = [p for p in pages if p <= page]
    return earlier[-1] if earlier else pages[0]


def _moved(request, survey, spec, state, to: str) -> HttpResponse:
    """The browser's own Back or Forward (respond.js): the step its history names, with the answers given."""
    if to == "review":
        return _render_review(request, survey, spec, state)
    page = _page_number(to, spec)
    if page is None:
        return _bad_state(request, survey)
    return _render_page(request, survey, spec, state, _nearest(visible_pages(spec, state["a"]), page))


def _thanks_redirect(survey: ShownSurvey) -> HttpResponse:
    url = reverse("survey:response-thanks", kwargs={"slug": survey.slug})
    return redirect(url if survey.language == languages.DEFAULT else f"{url}?lang={survey.language}")


def _page_number(value: str, spec: SurveySpec) -> int | None:
    try:
        page = int(value)
    except ValueError:
        return None
    return page if 0 <= page < len(spec.pages) else None


@require_GET
@never_cache
def thanks(request: HttpRequest, slug: str) -> HttpResponse:
    """Received: when and where the results appear, and who can help now."""
    survey = _speak(request, _survey_by_slug(slug), request.GET.get("lang"))
    # A pulse's respondents are the original survey's people: the same help
    # routes, and its figures appear beside the action on the original's ledger.
    original = survey.linked_survey if survey.link == Survey.Link.PULSE else None
    if original is not None:
        where = reverse("survey:ledger", kwargs={"slug": original.slug})
    else:
        where = reverse("survey:report-detail", kwargs={"slug": survey.slug})
    context = {
        "survey": survey,
        "report_url": request.build_absolute_uri(where),
        "published": original is None and survey.model.reports.exists(),
        "help_routes": help_routes(survey=original or survey.model, language=survey.language),
    }
    return render(request, "survey/respond/thanks.html", context)
