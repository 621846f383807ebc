"""Public pages: the landing page and published reports (snapshots only)."""

from django.core.cache import cache
from django.db import connection
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import get_language_from_request, gettext
from django.views.decorators.http import require_GET

from survey.definitions import languages
from survey.figures.releases import ReleaseRefused
from survey.models import ReportVersion, Survey
from survey.reports import translations
from survey.reports.downloads import CONTENT_TYPES, download
from survey.reports.ledger import ledger as ledger_topics
from survey.reports.publishing import PAGE_LIFETIME, latest_page_key, page_name
from survey.reports.pulses import PUBLIC, pulses_by_action


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


def _language(request, offered: list[str]) -> str:
    """The reader's language: ``?lang=``, else their browser's, if the report has it."""
    requested = request.GET.get("lang") or languages.from_django(get_language_from_request(request))
    return requested if requested in offered else languages.DEFAULT


@require_GET
def report(request, slug: str, number: int | None = None):
    lang = request.GET.get("lang", "")
    if number is None and lang in languages.NAMES:
        # The latest version: one cache read and no query. publish_report
        # names the newest version under the slug; the page of a version
        # never changes, so this process keeps the pages it has served.
        token = cache.get(latest_page_key(slug))
        key = f"report-page:{slug}:{token}:latest:{lang}"
        body = _pages.get(key) if token else None
        if body is None and token:
            body = cache.get(key)
        if body is not None:
            _keep(key, body)
            return _page(body, lang)
    version = _report(slug, number)
    language = _language(request, translations.offered(version.snapshot))
    # A published version never changes, so its page is rendered once per
    # language and kept (the key also names the newest version, which the page lists).
    newest = version.survey.reports.values_list("number", flat=True).first()
    if number is None:
        key = f"report-page:{slug}:{page_name(version)}:latest:{language}"
    else:
        key = f"report-page:{version.pk}:{version.published_at.timestamp()}:{newest}:{language}"
    body = cache.get(key)
    if body is None:
        languages.activate(request, language)
        body = _render_report(request, version, latest=number is None, language=language).content
        cache.set(key, body, PAGE_LIFETIME)
    if number is None:
        cache.add(latest_page_key(slug), page_name(version), PAGE_LIFETIME)  # publishing overwrites it
    return _page(body, language)


def _page(body: bytes, language: str) -> HttpResponse:
    response = HttpResponse(body)
    response["Content-Language"] = languages.django_language(language)
    return response


_pages: dict[str, bytes] = {}
_PAGES_KEPT = 32


def _keep(key: str, body: bytes) -> None:
    if key not in _pages:
        if len(_pages) >= _PAGES_KEPT:
            _pages.clear()  # simple and rare: pages are re-read from the cache
        _pages[key] = body


def _render_report(request, version: ReportVersion, *, latest: bool, language: str) -> HttpResponse:
    snapshot = version.snapshot
    offered = translations.offered(snapshot)
    page = translations.localised(snapshot, title=version.title, language=language)
    here = request.path
    context = {
        "report": version,
        **page,
        "trend": snapshot.get("trend", []),
        "changes": snapshot.get("changes", []),
        "versions": version.survey.reports.only("number", "published_at", "note"),
        "latest": latest,
        "language": language,
        "switch": [
            {"code": code, "name": languages.NAMES[code], "url": f"{here}?lang={code}"}
            for code in offered
            if code != language
        ],
        "lang_query": "" if language == languages.DEFAULT else f"?lang={language}",
    }
    return render(request, "survey/public/report.html", context)


@require_GET
def report_print_css(request, slug: str, number: int):
    """The running head of a printed version: its title and version on every
    page, beside the page numbers (CSS cannot read them from the page)."""
    version = _report(slug, number)
    language = _language(request, translations.offered(version.snapshot))
    languages.activate(request, language)
    title = translations.localised(version.snapshot, title=version.title, language=language)["title"]
    head = f"{title} · " + gettext("Version %(number)s") % {"number": version.number}
    css = "@page { @top-left { content: " + _css_string(head) + "; } }\n"
    response = HttpResponse(css, content_type="text/css; charset=utf-8")
    response["Cache-Control"] = "public, max-age=86400"  # a published version never changes
    return response


def _css_string(text: str) -> str:
    """``text`` as a CSS string: quotes, backslashes and line ends escaped."""
    out = "".join(ch if ch.isprintable() and ch not in '"\\<>' else f"\\{ord(ch):x} " for ch in text)
    return f'"{out}"'


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
    offered = languages.of_survey(survey)
    language = _language(request, offered)
    languages.activate(request, language)
    topics = ledger_topics(survey=survey, language=language)
    pulses = pulses_by_action(survey=survey, audience=PUBLIC)
    for topic in topics:
        for item in topic["actions"]:
            item["pulses"] = pulses.get(item["id"], [])
    context = {
        "survey": survey,
        "survey_title": languages.text(survey.title, survey.translations, language, "title"),
        "latest": latest,
        "topics": topics,
        "switch": [
            {"code": code, "name": languages.NAMES[code], "url": f"{request.path}?lang={code}"}
            for code in offered
            if code != language
        ],
        "lang_query": "" if language == languages.DEFAULT else f"?lang={language}",
    }
    return _page(render(request, "survey/public/ledger.html", context).content, language)


@require_GET
def report_download(request, slug: str, fmt: str, number: str | None = None):
    version = _report(slug, int(number) if number else None)
    try:
        body = download(report=version, fmt=fmt)
    except ReleaseRefused as exc:
        return HttpResponse(str(exc), content_type="text/plain; charset=utf-8", status=403)
    response = HttpResponse(body, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{slug}-report-v{version.number}.{fmt}"'
    return response
