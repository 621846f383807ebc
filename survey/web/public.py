"""Public pages: the landing page and published reports (snapshots only)."""

from django.core.cache import cache
from django.db import connection
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from survey.models import ReportVersion, Survey
from survey.reports.downloads import report_csv, report_json, report_xlsx
from survey.reports.ledger import ledger as ledger_topics
from survey.reports.publishing import PAGE_LIFETIME, latest_page_key, page_name
from survey.reports.pulses import pulses_by_action


@require_GET
def healthz(request):
    """For a load balancer: the process answers and reaches its database.

    Plain HTTP is allowed here (SECURE_REDIRECT_EXEMPT); it says nothing
    about any survey."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return HttpResponse("ok", content_type="text/plain")


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
    if number is None:
        # The latest version: one cache read and no query. publish_report
        # names the newest version under the slug; the page of a version
        # never changes, so this process keeps the pages it has served.
        token = cache.get(latest_page_key(slug))
        key = f"report-page:{slug}:{token}:latest"
        body = _pages.get(key) if token else None
        if body is None and token:
            body = cache.get(key)
        if body is not None:
            _keep(key, body)
            return HttpResponse(body)
    version = _report(slug, number)
    # A published version never changes, so its page is rendered once and
    # kept (the key also names the newest version, which the page lists).
    newest = version.survey.reports.values_list("number", flat=True).first()
    if number is None:
        key = f"report-page:{slug}:{page_name(version)}:latest"
    else:
        key = f"report-page:{version.pk}:{version.published_at.timestamp()}:{newest}"
    body = cache.get(key)
    if body is None:
        body = _render_report(request, version, latest=number is None).content
        cache.set(key, body, PAGE_LIFETIME)
    if number is None:
        cache.add(latest_page_key(slug), page_name(version), PAGE_LIFETIME)  # publishing overwrites it
    return HttpResponse(body)


_pages: dict[str, bytes] = {}
_PAGES_KEPT = 32


def _keep(key: str, body: bytes) -> None:
    if key not in _pages:
        if len(_pages) >= _PAGES_KEPT:
            _pages.clear()  # simple and rare: pages are re-read from the cache
        _pages[key] = body


def _render_report(request, version: ReportVersion, *, latest: bool) -> HttpResponse:
    number = None if latest else version.number
    snapshot = version.snapshot
    context = {
        "report": version,
        "document": snapshot["results"],
        "questions": snapshot.get("questions", []),
        "comparisons": snapshot["comparisons"],
        "trend": snapshot.get("trend", []),
        "questions_text": snapshot.get("questions_text", {}),
        "narrative_html": snapshot.get("narrative_html", ""),
        "actions": snapshot.get("actions", []),
        "quotes": snapshot.get("quotes", []),
        "changes": snapshot.get("changes", []),
        "versions": version.survey.reports.only("number", "published_at", "note"),
        "latest": number is None,
    }
    return render(request, "survey/public/report.html", context)


@require_GET
def ledger(request, slug: str):
    """The live action ledger, beside the frozen versions: every action's
    state now and every dated entry, overdue actions marked, and each
    pulse's figures once it has closed and released them. Public once the
    survey has a published version (before that there is nothing to follow up)."""
    survey = get_object_or_404(Survey, slug=slug)
    latest = survey.reports.only("number", "title", "published_at").first()
    if latest is None:
        raise Http404("No published report")
    topics = ledger_topics(survey=survey)
    pulses = pulses_by_action(survey=survey)
    for topic in topics:
        for item in topic["actions"]:
            item["pulses"] = pulses.get(item["id"], [])
    return render(request, "survey/public/ledger.html", {"survey": survey, "latest": latest, "topics": topics})


DOWNLOADS = {
    "csv": ("text/csv; charset=utf-8", report_csv),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", report_xlsx),
    "json": ("application/json", report_json),
}


@require_GET
def report_download(request, slug: str, fmt: str, number: str | None = None):
    version = _report(slug, int(number) if number else None)
    content_type, build = DOWNLOADS[fmt]
    response = HttpResponse(build(version), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{slug}-report-v{version.number}.{fmt}"'
    return response
