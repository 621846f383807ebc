"""Public pages: the landing page and published reports (snapshots only)."""

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from survey.models import ReportVersion, Survey
from survey.results import results_csv


@require_GET
def home(request):
    return render(request, "survey/home.html")


def _report(slug: str, number: int | None) -> ReportVersion:
    survey = get_object_or_404(Survey, slug=slug)
    reports = survey.reports.all()
    report = reports.filter(number=number).first() if number else reports.first()
    if report is None:
        raise Http404("No published report")
    return report


@require_GET
def report(request, slug: str, number: int | None = None):
    version = _report(slug, number)
    context = {
        "report": version,
        "document": version.snapshot["results"],
        "comparisons": version.snapshot["comparisons"],
        "questions": version.snapshot.get("questions", {}),
        "versions": version.survey.reports.only("number", "published_at", "note"),
    }
    return render(request, "survey/public/report.html", context)


@require_GET
def report_csv(request, slug: str):
    version = _report(slug, None)
    response = HttpResponse(results_csv(version.snapshot["results"]), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{slug}-report-v{version.number}.csv"'
    return response
