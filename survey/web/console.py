"""Organiser console: surveys, coarse progress, results, publishing."""

import base64

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from survey.definitions import languages
from survey.figures.comparisons import compare_surveys, comparisons, trend
from survey.figures.documents import question_texts, wave_documents
from survey.figures.releases import ReleaseRefused, coarse_respondents, partner_release, released_document, show
from survey.models import (
    Member,
    Question,
    Release,
    ReportSettings,
    Result,
    ResultSet,
    Survey,
)
from survey.moderation.decisions import ModerationRefused, approved_quotes, quote_of, save_moderation_settings
from survey.reports import cosigning, translations
from survey.reports.downloads import CONTENT_TYPES, download_released
from survey.reports.drafting import save_report_settings
from survey.reports.publishing import (
    PublishRefused,
    joint_partners,
    next_snapshot,
    next_title,
    preview_digest,
    publish_report,
)
from survey.responses import invitation_codes as invitations
from survey.staff.permissions import (
    PARTNER,
    is_partner_organiser,
    member_required,
    moderated_by,
    organisations_of,
    organised_by,
    partnered_by,
    partners_of,
)
from survey.web.builder import slip_link
from survey.web.charts import bar_chart
from survey.web.confirm import approval_consequences, asking_consequences, confirm_first, publishing_consequences
from survey.web.forms import (
    CodeBatchForm,
    ModerationSettingsForm,
    NotYetForm,
    PublishForm,
    ReportSettingsForm,
)
from survey.web.refusals import refusal_as_message


def coarse_progress(result_set: ResultSet | None, k: int) -> str:
    """Respondents as of the last aggregation (delayed), exact only once at
    least k (rule 6); "fewer than k" covers none at all too. While a survey
    is open this is all any audience sees (survey/figures/releases.py)."""
    count = result_set.respondents if result_set else 0
    return f"fewer than {k}" if count < k else str(count)


def progress_status(*, survey: Survey, result_set: ResultSet | None, release: Release | None) -> dict:
    """What the console says about progress, within rule 6 and the release
    policy: responses counted coarsely (``coarse_progress``: "fewer than k"
    covers none at all too), what the next release needs (closing, and at
    least k respondents), and the day figures were last released. Days
    only: an hour beside a count that moves would be a clock that shows
    when a colleague answered."""
    k = survey.min_group_size
    enough = coarse_respondents(survey=survey) is not None
    closed = survey.status == Survey.Status.CLOSED
    if result_set is None or not enough:
        arriving = (
            f"Responses counted so far: fewer than {k}. This also covers none at all, "
            "so it says nothing about any one person."
        )
    else:
        arriving = f"Responses counted so far: {result_set.respondents}."
    # The day of the count only once there are k: an aggregation happens
    # only after an answer, so its day would tell none from a few.
    counted_on = result_set.computed_at.date() if result_set and enough else None
    needs = []
    if not closed:
        when = f"; it is set to close on {survey.closes_at:%-d %B %Y}" if survey.closes_at else ""
        needs.append(f"the survey has closed (closing is final{when})")
    if not enough:
        needs.append(f"at least {k} people have answered")
    return {
        "arriving": arriving,
        "counted_on": counted_on,
        "needs": needs,
        "released_on": release.released_on if release else None,
    }


@require_GET
@login_required
def home(request):
    surveys = (
        (organised_by(request.user) | partnered_by(request.user))
        .distinct()
        .select_related("result_set")
        .order_by("title")
    )
    rows = [
        {"survey": s, "progress": coarse_progress(getattr(s, "result_set", None), s.min_group_size)} for s in surveys
    ]
    moderated = moderated_by(request.user).exclude(pk__in=surveys.values("pk")).order_by("title")
    context = {"rows": rows, "moderated": moderated, "organisations": organisations_of(request.user).order_by("name")}
    return render(request, "survey/console/home.html", context)


def _joint_figures(request, survey: Survey, document: dict) -> dict:
    """For a joint survey: its partners, the viewer's own organisation's
    figures (one partner only), and the pooled figures recorded as shown to
    each partner the viewer belongs to (refused with the auditor's reason)."""
    partners = joint_partners(survey=survey)
    if not partners:
        return {}
    mine = list(partners_of(request.user, survey))
    context = {"partners": partners, "my_partners": mine, "pooled_refused": ""}
    if len(mine) == 1:
        release = partner_release(survey=survey, partner=mine[0])
        context["own"] = release.document if release else None
    if document.get("concerns"):
        try:
            for partner in mine:
                show(
                    survey=survey, audience=Release.Audience.PARTNER, document=document, name=partner.organisation.slug
                )
        except ReleaseRefused as exc:
            context["pooled_refused"] = str(exc)
    return context


@require_GET
@member_required(PARTNER)
def results(request, survey: Survey):
    """The survey's progress and released figures; for a joint survey, also
    the viewer's own organisation's figures. Partner organisers see this
    page (and the version waiting for their approval) only."""
    document = released_document(survey=survey)
    result_set = ResultSet.objects.filter(survey=survey).first()
    release = Release.objects.filter(survey=survey, audience=Release.Audience.ORGANISERS, final=True).last()
    context = {
        "survey": survey,
        "document": document,
        "comparisons": comparisons(document),
        "trend": trend(wave_documents(survey=survey, current=document)),
        "questions_text": question_texts(survey=survey),
        "questions": document.get("questions", []),
        "result_set": result_set,
        "release": release,
        "status": progress_status(survey=survey, result_set=result_set, release=release),
        "publish_form": PublishForm(),
        "reports": survey.reports.all()[:10],
        "partner_only": is_partner_organiser(request.user, survey),
        **_joint_figures(request, survey, document),
    }
    return render(request, "survey/console/results.html", context)


@require_POST
@member_required(Member.Role.ORGANISER)
def publish(request, survey: Survey):
    form = PublishForm(request.POST)
    if not form.is_valid():
        messages.error(request, "The note is too long.")
        return redirect("survey:survey-results", slug=survey.slug)
    asking = confirm_first(request, survey=survey, **publishing_consequences(survey=survey))
    if asking:
        return asking
    return _publish(request, survey, note=form.cleaned_data["note"], back="survey:survey-results")


@require_GET
@member_required(Member.Role.ORGANISER)
def results_download(request, survey: Survey, fmt: str):
    """The figures released at closing, as a file (a release like any other)."""
    try:
        body = download_released(survey=survey, fmt=fmt)
    except ReleaseRefused as exc:
        messages.error(request, str(exc))
        return redirect("survey:survey-results", slug=survey.slug)
    response = HttpResponse(body, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{survey.slug}-final-figures.{fmt}"'
    return response


@require_http_methods(["GET", "POST"])
@member_required(Member.Role.ORGANISER)
def codes(request, survey: Survey):
    """Generate invitation codes; show them once, with a CSV and a printable sheet."""
    issued = survey.codes_issued
    # How many are used is progress: shown coarse and delayed (rule 6), as the
    # respondents of the last release, not as a live count of burned codes.
    counts = {
        "issued": issued,
        "responses": coarse_progress(getattr(survey, "result_set", None), survey.min_group_size),
    }
    form = CodeBatchForm(request.POST or None, survey=survey)
    if request.method == "POST" and form.is_valid():
        partner = form.cleaned_data.get("partner")
        batch = invitations.generate_codes(
            survey=survey, count=form.cleaned_data["count"], acting_user=request.user, partner=partner
        )
        csv_text = "code\n" + "\n".join(batch) + "\n"
        context = {
            "survey": survey,
            "batch": batch,
            "partner": partner,
            "csv_uri": "data:text/csv;base64," + base64.b64encode(csv_text.encode()).decode(),
            **slip_link(request, survey),
        }
        response = render(request, "survey/console/codes_batch.html", context)
        response["Cache-Control"] = "no-store"  # the codes exist nowhere else
        return response
    return render(request, "survey/console/codes.html", {"survey": survey, "form": form, "counts": counts})


REPORT_FIELDS = ("title", "narrative", "concerns", "breakdowns", "questions", "translations", "quotes")


def _report_choices(survey: Survey):
    concerns = [(c.key, c.label) for c in survey.concerns.all()]
    questions = Question.objects.filter(survey=survey).exclude(kind=Question.Kind.FREE_TEXT)
    breakdowns = [(q.key, q.text) for q in questions if q.breakdown]
    return concerns, breakdowns, [(q.key, q.text) for q in questions]


def _quote_choices(survey: Survey) -> list[tuple[str, str]]:
    """Each approved quote as the report would show it, by answer id."""
    out = []
    for review in approved_quotes(survey=survey):
        quote = quote_of(review)
        source = ", ".join(part for part in (quote["concern"], quote["label"]) if part)
        out.append((str(review.answer_id), f"“{quote['text']}”" + (f" ({source})" if source else "")))
    return out


def _preview(survey: Survey) -> dict:
    """The next version exactly as it would be published (the publishing
    code's own builder), or why there is none yet."""
    try:
        snapshot = next_snapshot(survey=survey)
    except PublishRefused as exc:
        return {"preview_refused": str(exc)}
    title = next_title(survey=survey)
    return {
        "preview": translations.localised(snapshot, title=title, language=languages.DEFAULT)
        | {"changes": snapshot.get("changes", []), "trend": snapshot.get("trend", [])},
        "previewed": preview_digest(snapshot, title),
    }


def _approvals(survey: Survey) -> dict:
    """For a joint survey's Report tab: each partner's approval of the version prepared now."""
    partners = joint_partners(survey=survey)
    if not partners:
        return {}
    try:
        prepared = cosigning.prepared_version(survey=survey)
    except PublishRefused:
        return {"partners": partners}
    given = (
        {a.partner_id: a for a in prepared.request.approvals.select_related("approved_by")} if prepared.request else {}
    )
    return {
        "partners": partners,
        "asked": prepared.request,
        "approvals": [(p, given.get(p.pk)) for p in partners],
        "waiting": prepared.waiting,
    }


def _ask_partners(request, survey: Survey, *, previewed: str):
    asking = confirm_first(request, survey=survey, **asking_consequences(survey=survey))
    if asking:
        return asking
    with refusal_as_message(request):
        request_ = cosigning.ask_partners(survey=survey, acting_user=request.user, previewed=previewed)
        messages.success(
            request,
            f"Version {request_.number} is waiting for the partners' approval. Each partner's organisers see it "
            "in their console; once every partner has approved it, you can publish it here.",
        )
    return redirect(reverse("survey:report-builder", kwargs={"slug": survey.slug}) + "#preview")


def _publish(request, survey: Survey, *, note: str, previewed: str = "", back: str):
    with refusal_as_message(request):
        report = publish_report(survey=survey, acting_user=request.user, note=note, previewed=previewed)
        messages.success(request, f"Version {report.number} of the report is published.")
    return redirect(back, slug=survey.slug)


@require_http_methods(["GET", "POST"])
@member_required(Member.Role.ORGANISER)
def report_builder(request, survey: Survey):
    """Narrative, chosen figures and chosen quotes in one form, a preview of
    exactly the next version, and Publish (actions: the ledger)."""
    concerns, breakdowns, questions = _report_choices(survey)
    others = languages.of_survey(survey)[1:]  # the report is written in each of them too
    current = ReportSettings.objects.filter(survey=survey).first()
    initial = {}
    if current:
        initial = {k: getattr(current, k) for k in REPORT_FIELDS}
    data = request.POST if request.method == "POST" else None
    form = ReportSettingsForm(
        data,
        initial=initial,
        concerns=concerns,
        breakdowns=breakdowns,
        questions=questions,
        quotes=_quote_choices(survey),
        languages=others,
    )
    publish_form = PublishForm(data)
    valid = data is not None and form.is_valid() and publish_form.is_valid()
    if valid:
        changed = form.has_changed()
        if changed:
            save_report_settings(
                survey=survey,
                acting_user=request.user,
                **{k: form.cleaned_data[k] for k in REPORT_FIELDS},
            )
        if "publish" not in data:
            messages.success(request, "Saved. The preview below shows the next version with these settings.")
            return redirect("survey:report-builder", slug=survey.slug)
        if changed:
            # Publish exactly what was previewed: new settings are shown first.
            messages.info(request, "Your changes are saved. The preview now shows them: check it, then publish.")
            return redirect(reverse("survey:report-builder", kwargs={"slug": survey.slug}) + "#preview")
        if data.get("publish") == "ask":
            return _ask_partners(request, survey, previewed=data.get("previewed", ""))
        asking = confirm_first(request, survey=survey, **publishing_consequences(survey=survey))
        if asking:
            return asking
        return _publish(
            request,
            survey,
            note=publish_form.cleaned_data["note"],
            previewed=data.get("previewed", ""),
            back="survey:report-builder",
        )
    context = {
        "survey": survey,
        "form": form,
        "publish_form": publish_form,
        "next_number": (survey.reports.values_list("number", flat=True).first() or 0) + 1,
        **_preview(survey),
        **_approvals(survey),
    }
    return render(
        request, "survey/console/report_builder.html", context, status=400 if request.method == "POST" else 200
    )


def _explore_selection(request, document: dict):
    concerns = {c["key"]: c for c in document["concerns"]}
    questions = {q["key"]: q for q in document.get("questions", [])}
    concern = concerns.get(request.GET.get("concern")) or next(iter(concerns.values()), None)
    question = questions.get(request.GET.get("question")) or next(iter(questions.values()), None)
    breakdown_keys = [b["question"] for b in concern["breakdowns"]] if concern else []
    breakdown = request.GET.get("breakdown")
    if breakdown not in breakdown_keys:
        breakdown = breakdown_keys[0] if breakdown_keys else None
    return concerns, questions, concern, question, breakdown


@require_GET
@member_required(Member.Role.ORGANISER)
def explore(request, survey: Survey):
    """Choose a concern, a breakdown and a question: tables first, charts beside."""
    document = released_document(survey=survey)
    concerns, questions, concern, question, breakdown = _explore_selection(request, document)
    texts = question_texts(survey=survey)
    concern_groups = (
        next((b["groups"] for b in concern["breakdowns"] if b["question"] == breakdown), []) if concern else []
    )
    question_groups = (
        next((b["groups"] for b in question["breakdowns"] if b["question"] == breakdown), []) if question else []
    )
    context = {
        "survey": survey,
        "concerns": concerns.values(),
        "questions": questions.values(),
        "breakdowns": [(k, texts.get(k, k)) for k in texts],
        "concern": concern,
        "question": question,
        "breakdown": breakdown,
        "breakdown_text": texts.get(breakdown, breakdown),
        "concern_groups": concern_groups,
        "question_groups": question_groups,
        "query": request.GET.urlencode(),
    }
    return render(request, "survey/console/explore.html", context)


@require_GET
@member_required(Member.Role.ORGANISER)
def chart(request, survey: Survey, what: str):
    """The SVG chart for the explorer's current selection (same released figures)."""
    document = released_document(survey=survey)
    _, _, concern, question, breakdown = _explore_selection(request, document)
    measure = request.GET.get("measure", "raised")
    if what == "concern" and concern and measure in Result.MEASURES:
        groups = next((b["groups"] for b in concern["breakdowns"] if b["question"] == breakdown), [])
        bars = [("All respondents", concern[measure])] + [
            (g["label"], {"suppressed": True} if g.get("suppressed") else g[measure]) for g in groups
        ]
        svg = bar_chart(title=f"{concern['label']}: {measure}", bars=bars)
    elif what == "question" and question and not question.get("suppressed"):
        svg = bar_chart(title=question["text"], bars=[(c["label"], c) for c in question["choices"]])
    else:
        raise Http404("No such chart")
    response = HttpResponse(svg, content_type="image/svg+xml")
    # The SVG carries its own inline styles; it runs no script.
    response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    return response


@require_GET
@member_required(Member.Role.ORGANISER)
def compare(request, survey: Survey):
    """This survey against another of the same shape (e.g. last year's)."""
    keys = set(survey.concerns.values_list("key", flat=True))
    candidates = [
        s
        for s in organised_by(request.user).exclude(pk=survey.pk)
        if keys and set(s.concerns.values_list("key", flat=True)) == keys
    ]
    # The earlier wave this survey is linked to is the default comparison.
    wave_of = survey.linked_survey if survey.link == Survey.Link.WAVE else None
    wanted = request.GET.get("with") or (wave_of.slug if wave_of else None)
    other = next((s for s in candidates if s.slug == wanted), None)
    rows = compare_surveys(released_document(survey=survey), released_document(survey=other)) if other else []
    context = {"survey": survey, "candidates": candidates, "other": other, "rows": rows}
    return render(request, "survey/console/compare.html", context)


@require_http_methods(["GET", "POST"])
@member_required(Member.Role.ORGANISER)
def moderation_settings(request, survey: Survey):
    """The survey's local names list, safeguarding contact and two-person review."""
    initial = {
        "terms": "\n".join(survey.moderation_terms),
        "safeguarding_contact": survey.safeguarding_contact,
        "two_person_review": survey.two_person_review,
    }
    form = ModerationSettingsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            save_moderation_settings(
                survey=survey,
                acting_user=request.user,
                terms=[t.strip() for t in form.cleaned_data["terms"].splitlines() if t.strip()],
                safeguarding_contact=form.cleaned_data["safeguarding_contact"],
                two_person_review=form.cleaned_data["two_person_review"],
            )
        except ModerationRefused as exc:
            form.add_error("safeguarding_contact", str(exc))
        else:
            messages.success(request, "Moderation settings saved.")
            return redirect("survey:moderation-settings", slug=survey.slug)
    status = 400 if form.errors else 200
    return render(request, "survey/console/moderation_settings.html", {"survey": survey, "form": form}, status=status)


@require_http_methods(["GET", "POST"])
@member_required(PARTNER)
def report_approval(request, survey: Survey):
    """The version waiting for the partners' approval, as it would be
    published, with Approve and "Not yet" for each partner the viewer
    belongs to. Showing it to a partner is a release to that partner."""
    mine = list(partners_of(request.user, survey))
    context = {"survey": survey, "partner_only": is_partner_organiser(request.user, survey), "mine": mine}
    context["partners"] = joint_partners(survey=survey)
    if not context["partners"]:
        context["nothing"] = "This survey is run by one organisation: its organisers publish without approvals."
        return render(request, "survey/console/approval.html", context)
    try:
        prepared = cosigning.prepared_version(survey=survey)
    except PublishRefused as exc:
        context["nothing"] = f"No version is waiting for approval: {exc}"
        return render(request, "survey/console/approval.html", context)
    if prepared.request is None:
        context["nothing"] = (
            "No version is waiting for approval. When the organisers ask the partners to approve a version, "
            "it appears here."
        )
        return render(request, "survey/console/approval.html", context)
    if request.method == "POST":
        return _decide(request, survey, mine, prepared)
    try:
        for partner in mine:
            cosigning.show_pending(survey=survey, partner=partner, prepared=prepared)
    except cosigning.ApprovalRefused as exc:
        context["nothing"] = str(exc)
        return render(request, "survey/console/approval.html", context)
    given = {a.partner_id: a for a in prepared.request.approvals.select_related("approved_by")}
    context |= {
        "prepared": prepared,
        "preview": translations.localised(prepared.snapshot, title=prepared.title, language=languages.DEFAULT)
        | {"changes": prepared.snapshot.get("changes", []), "trend": prepared.snapshot.get("trend", [])},
        "approvals": [(p, given.get(p.pk)) for p in context["partners"]],
        "to_decide": [(p, given.get(p.pk)) for p in mine],
    }
    return render(request, "survey/console/approval.html", context)


def _decide(request, survey: Survey, mine: list, prepared):
    back = reverse("survey:report-approval", kwargs={"slug": survey.slug})
    partner = next((p for p in mine if p.organisation.slug == request.POST.get("partner")), None)
    decision = request.POST.get("decision")
    form = NotYetForm(request.POST)
    if partner is None or decision not in ("approve", "not-yet") or not form.is_valid():
        messages.error(
            request, "Choose Approve or Not yet for one of your organisations (a note is at most 2000 characters)."
        )
        return redirect(back)
    asking = confirm_first(
        request,
        survey=survey,
        **approval_consequences(survey=survey, partner=partner, number=prepared.number, decision=decision),
    )
    if asking:
        return asking
    version = request.POST.get("version", "")
    with refusal_as_message(request):
        if decision == "approve":
            cosigning.approve_version(survey=survey, partner=partner, acting_user=request.user, version=version)
            messages.success(request, f"You approved version {prepared.number} for {partner.organisation.name}.")
        else:
            cosigning.not_yet(
                survey=survey,
                partner=partner,
                acting_user=request.user,
                version=version,
                note=form.cleaned_data["note"],
            )
            messages.success(
                request,
                f"You said version {prepared.number} is not ready yet, for {partner.organisation.name}. "
                "The organisers see it in the survey's list of changes.",
            )
    return redirect(back)
