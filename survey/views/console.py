"""Organiser console: surveys, coarse progress, results, publishing."""

import base64

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from survey import invitations
from survey.forms import CodeBatchForm, PublishForm
from survey.models import Member, ResultSet, Survey
from survey.permissions import member_required
from survey.reports import PublishRefused, publish_report
from survey.results import comparisons, question_texts, released_document


def coarse_progress(result_set: ResultSet | None, k: int) -> str:
    """Respondents as of the last release, exact only once at least k (rule 6)."""
    count = result_set.released["respondents"] if result_set and result_set.released else 0
    return f"fewer than {k}" if count < k else str(count)


@require_GET
@login_required
def home(request):
    surveys = (
        Survey.objects.filter(members__user=request.user, members__role=Member.Role.ORGANISER)
        .select_related("result_set")
        .order_by("title")
        .distinct()
    )
    rows = [
        {"survey": s, "progress": coarse_progress(getattr(s, "result_set", None), s.min_group_size)} for s in surveys
    ]
    return render(request, "survey/console/home.html", {"rows": rows})


@require_GET
@member_required(Member.Role.ORGANISER)
def results(request, survey: Survey):
    document = released_document(survey=survey)
    result_set = ResultSet.objects.filter(survey=survey).first()
    context = {
        "survey": survey,
        "document": document,
        "comparisons": comparisons(document),
        "questions": question_texts(survey=survey),
        "result_set": result_set,
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
    try:
        report = publish_report(survey=survey, user=request.user, note=form.cleaned_data["note"])
    except PublishRefused as exc:
        messages.error(request, str(exc))
        return redirect("survey:survey-results", slug=survey.slug)
    messages.success(request, f"Version {report.number} of the report is published.")
    return redirect("survey:survey-results", slug=survey.slug)


@require_http_methods(["GET", "POST"])
@member_required(Member.Role.ORGANISER)
def codes(request, survey: Survey):
    """Generate invitation codes; show them once, with a CSV and a printable sheet."""
    issued = survey.codes.count()
    # How many are used is progress: shown coarse and delayed (rule 6), as the
    # respondents of the last release, not as a live count of burned codes.
    counts = {"issued": issued, "used": coarse_progress(getattr(survey, "result_set", None), survey.min_group_size)}
    form = CodeBatchForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        batch = invitations.generate_codes(survey=survey, count=form.cleaned_data["count"], user=request.user)
        csv_text = "code\n" + "\n".join(batch) + "\n"
        context = {
            "survey": survey,
            "batch": batch,
            "csv_uri": "data:text/csv;base64," + base64.b64encode(csv_text.encode()).decode(),
        }
        response = render(request, "survey/console/codes_batch.html", context)
        response["Cache-Control"] = "no-store"  # the codes exist nowhere else
        return response
    return render(request, "survey/console/codes.html", {"survey": survey, "form": form, "counts": counts})
