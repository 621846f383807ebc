"""Organiser console: surveys, coarse progress, results, publishing."""

import base64

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from survey.definitions import languages
from survey.figures.comparisons import compare_surveys, comparisons, trend
from survey.figures.documents import question_texts, wave_documents
from survey.figures.releases import released_document
from survey.models import (
    Member,
    Question,
    Release,
    ReportSettings,
    Result,
    ResultSet,
    Survey,
)
from survey.moderation.decisions import ModerationRefused, save_moderation_settings
from survey.reports.drafting import save_report_settings
from survey.reports.publishing import publish_report
from survey.responses import invitation_codes as invitations
from survey.staff.permissions import member_required, moderated_by, organisations_of, organised_by
from survey.web.builder import slip_link
from survey.web.charts import bar_chart
from survey.web.confirm import confirm_first, publishing_consequences
from survey.web.forms import (
    CodeBatchForm,
    ModerationSettingsForm,
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


@require_GET
@login_required
def home(request):
    surveys = organised_by(request.user).select_related("result_set").order_by("title")
    rows = [
        {"survey": s, "progress": coarse_progress(getattr(s, "result_set", None), s.min_group_size)} for s in surveys
    ]
    moderated = moderated_by(request.user).exclude(pk__in=surveys.values("pk")).order_by("title")
    context = {"rows": rows, "moderated": moderated, "organisations": organisations_of(request.user).order_by("name")}
    return render(request, "survey/console/home.html", context)


@require_GET
@member_required(Member.Role.ORGANISER)
def results(request, survey: Survey):
    document = released_document(survey=survey)
    result_set = ResultSet.objects.filter(survey=survey).first()
    context = {
        "survey": survey,
        "document": document,
        "comparisons": comparisons(document),
        "trend": trend(wave_documents(survey=survey, current=document)),
        "questions_text": question_texts(survey=survey),
        "questions": document.get("questions", []),
        "result_set": result_set,
        "release": Release.objects.filter(survey=survey, audience=Release.Audience.ORGANISERS, final=True).last(),
        "progress": coarse_progress(result_set, survey.min_group_size),
        "publish_form": PublishForm(),
        "reports": survey.reports.all()[:10],
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
    with refusal_as_message(request):
        report = publish_report(survey=survey, acting_user=request.user, note=form.cleaned_data["note"])
        messages.success(request, f"Version {report.number} of the report is published.")
    return redirect("survey:survey-results", slug=survey.slug)


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
    form = CodeBatchForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        batch = invitations.generate_codes(survey=survey, count=form.cleaned_data["count"], acting_user=request.user)
        csv_text = "code\n" + "\n".join(batch) + "\n"
        context = {
            "survey": survey,
            "batch": batch,
            "csv_uri": "data:text/csv;base64," + base64.b64encode(csv_text.encode()).decode(),
            **slip_link(request, survey),
        }
        response = render(request, "survey/console/codes_batch.html", context)
        response["Cache-Control"] = "no-store"  # the codes exist nowhere else
        return response
    return render(request, "survey/console/codes.html", {"survey": survey, "form": form, "counts": counts})


REPORT_FIELDS = ("title", "narrative", "concerns", "breakdowns", "questions", "translations")


def _report_choices(survey: Survey):
    concerns = [(c.key, c.label) for c in survey.concerns.all()]
    questions = Question.objects.filter(survey=survey).exclude(kind=Question.Kind.FREE_TEXT)
    breakdowns = [(q.key, q.text) for q in questions if q.breakdown]
    return concerns, breakdowns, [(q.key, q.text) for q in questions]


@require_http_methods(["GET", "POST"])
@member_required(Member.Role.ORGANISER)
def report_builder(request, survey: Survey):
    """Narrative and chosen figures for the next version (actions: the ledger)."""
    concerns, breakdowns, questions = _report_choices(survey)
    others = languages.of_survey(survey)[1:]  # the report is written in each of them too
    current = ReportSettings.objects.filter(survey=survey).first()
    initial = {}
    if current:
        initial = {k: getattr(current, k) for k in REPORT_FIELDS}
    data = request.POST if request.method == "POST" else None
    form = ReportSettingsForm(
        data, initial=initial, concerns=concerns, breakdowns=breakdowns, questions=questions, languages=others
    )
    if request.method == "POST" and form.is_valid():
        save_report_settings(
            survey=survey,
            acting_user=request.user,
            **{k: form.cleaned_data[k] for k in REPORT_FIELDS},
        )
        messages.success(request, "Saved. The next published version will use these settings.")
        return redirect("survey:report-builder", slug=survey.slug)
    context = {
        "survey": survey,
        "form": form,
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
