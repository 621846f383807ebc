"""The HTTP API's operations: thin edges over the same service functions as
the console and the commands (survey/definitions, survey/responses,
survey/reports). None returns an individual response, a comment or a figure
the console would hide; none accepts a respondent's answers.

DESIGN rule 1 applies: nothing about a request is stored or logged. Keys are
looked up by their HMAC; rate limits use ratelimit.py's keyed, clock-aligned
counters.
"""

import json
from typing import Annotated, Any

from django.conf import settings
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from ninja import NinjaAPI, Status
from ninja.errors import AuthenticationError, HttpError, Throttled, ValidationError
from ninja.security import HttpBearer
from ninja.throttling import BaseThrottle
from pydantic import Field

from survey.api import keys
from survey.api.docs import ReadablePage
from survey.api.problems import TITLES, loc_path, problem
from survey.api.schemas import (
    Imported,
    Problem,
    PublishRequest,
    ReleasedFigures,
    ReportDocument,
    ResponsesCsv,
    Schedule,
    StatusChange,
    SurveySummary,
    VersionSummary,
    definition_schemas,
)
from survey.definitions.editing import create_survey
from survey.definitions.format import DefinitionError, Key, export_definition, load_definition, validate_definition
from survey.definitions.languages import default_text
from survey.definitions.status import schedule, set_status
from survey.figures.releases import ReleaseRefused, released_document
from survey.models import ApiKey, Survey
from survey.refused import Refused
from survey.reports.downloads import download
from survey.reports.publishing import publish_report
from survey.responses import ratelimit
from survey.responses.importing import CsvImportError, import_responses
from survey.web.public import _report as published_version

VersionNumber = Annotated[int, Field(ge=1, le=1_000_000)]

# --- Rate limits and keys ------------------------------------------------------


class Limit(BaseThrottle):
    """Every API request counts against its client's window (ratelimit.py)."""

    def allow_request(self, request: HttpRequest) -> bool:
        return not ratelimit.take("api", request, settings.CANDOUR_API_RATE)

    def wait(self) -> int:
        return int(settings.CANDOUR_API_RATE.split("/")[1])


class PersonalKey(HttpBearer):
    """``Authorization: Bearer cdr_...``. Unlike ninja's own bearer class,
    never logs the header. Wrong keys count like failed sign-ins."""

    def __call__(self, request: HttpRequest) -> ApiKey | None:
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer":
            return None
        return self.authenticate(request, token.strip())

    def authenticate(self, request: HttpRequest, token: str) -> ApiKey | None:
        rate = settings.CANDOUR_API_KEY_FAILURE_RATE
        if ratelimit.is_limited("api-key-failure", request, rate):
            raise Throttled(wait=int(rate.split("/")[1]))
        key = keys.key_for_token(token)
        if key is None:
            ratelimit.hit("api-key-failure", request, rate)
        return key


class CandourApi(NinjaAPI):
    def get_openapi_schema(self, *args: Any, **kwargs: Any) -> dict:
        """Errors are described as application/problem+json, and a definition
        by the models that validate it."""
        schema = super().get_openapi_schema(*args, **kwargs)
        schema["components"].setdefault("schemas", {}).update(definition_schemas("#/components/schemas/{model}"))
        for path in schema["paths"].values():
            for operation in path.values():
                for code, response in operation.get("responses", {}).items():
                    if int(code) >= 400 and "content" in response:
                        response["content"] = {"application/problem+json": response["content"]["application/json"]}
        return schema


api = CandourApi(
    title="Candour API",
    version="1",
    description=(
        "Published reports are public. Everything else needs a personal API key, created in the console "
        "(Your surveys, then Your API keys), sent as the header Authorization: Bearer followed by the key. "
        "A key reaches only the surveys chosen for it, "
        "and only while its owner organises them; a read-only key changes nothing."
    ),
    urls_namespace="api",
    docs=ReadablePage(),
    throttle=[Limit()],
)

KEY = PersonalKey()
READ_ERRORS = {401: Problem, 403: Problem, 404: Problem, 422: Problem, 429: Problem}
WRITE_ERRORS = READ_ERRORS | {400: Problem, 409: Problem}
PUBLIC_ERRORS = {403: Problem, 404: Problem, 422: Problem, 429: Problem}
DEFINITION_REF = {"$ref": "#/components/schemas/SurveyDef"}
DEFINITION_BODY = {"requestBody": {"required": True, "content": {"application/json": {"schema": DEFINITION_REF}}}}


def _survey(request: HttpRequest, slug: Key, *, write: bool = False) -> Survey:
    key: ApiKey = request.auth
    survey = keys.survey_for_key(key, slug)
    if survey is None:  # outside the key's scope looks like nothing at all
        raise Http404("No such survey for this key")
    if write and not key.can_write:
        raise HttpError(403, "This key is read-only: create a read and write key to change surveys.")
    return survey


def _summary(survey: Survey) -> SurveySummary:
    return SurveySummary(
        slug=survey.slug,
        title=survey.title,
        status=survey.status,
        access=survey.access,
        opens_at=survey.opens_at,
        closes_at=survey.closes_at,
    )


def _document(request: HttpRequest) -> Any:
    try:
        return json.loads(request.body)
    except (ValueError, RecursionError):
        raise DefinitionError("", "the body is not valid JSON") from None


# --- Errors --------------------------------------------------------------------


@api.exception_handler(AuthenticationError)
def _unauthenticated(request, exc):
    return problem(
        401, "Send a personal API key as 'Authorization: Bearer <key>'.", headers={"WWW-Authenticate": "Bearer"}
    )


@api.exception_handler(Throttled)
def _throttled(request, exc):
    return problem(
        429, "Too many requests from here: wait a while and try again.", headers={"Retry-After": str(exc.wait or 60)}
    )


@api.exception_handler(ValidationError)
def _invalid(request, exc):
    errors = [(loc_path(e.get("loc", ())), str(e.get("msg", "")).removeprefix("Value error, ")) for e in exc.errors]
    first = f"{errors[0][0]}: {errors[0][1]}" if errors else "The request does not match the description."
    return problem(422, first, errors)


@api.exception_handler(DefinitionError)
def _definition(request, exc):
    return problem(422, str(exc), [(f"body.{exc.path}" if exc.path else "body", exc.message)])


@api.exception_handler(CsvImportError)
def _csv(request, exc):
    return problem(422, f"{exc}; nothing was imported", [("body.csv", str(exc))])


@api.exception_handler(ReleaseRefused)
def _release_refused(request, exc):
    return problem(403, str(exc))


@api.exception_handler(Refused)
def _refused(request, exc):
    return problem(409, str(exc))


@api.exception_handler(Http404)
def _not_found(request, exc):
    return problem(404, "Nothing here: no such survey or version (or this key cannot reach it).")


@api.exception_handler(HttpError)
def _http_error(request, exc):
    return problem(exc.status_code, str(exc) if exc.status_code in TITLES else "Refused")


# --- Public: published versions, exactly as downloaded -------------------------


@api.get(
    "/public/surveys/{slug}/reports",
    response={200: list[VersionSummary], **PUBLIC_ERRORS},
    summary="The published versions of a report",
    tags=["public"],
)
def public_versions(request, slug: Key):
    """The published versions of a survey's report, newest first."""
    survey = Survey.objects.filter(slug=slug).first()
    if survey is None or not survey.reports.exists():
        raise Http404
    return [
        VersionSummary(version=r.number, title=r.title, published_on=r.published_at.date().isoformat(), note=r.note)
        for r in survey.reports.all()
    ]


@api.get(
    "/public/surveys/{slug}/reports/{number}",
    response={200: ReportDocument, **PUBLIC_ERRORS},
    summary="One published version, with its figures",
    tags=["public"],
)
def public_version(request, slug: Key, number: VersionNumber):
    """One published version with its figures: the same JSON as its download."""
    # The download's own lookup (survey/web/public.py), so whatever it refuses, this refuses.
    # Recorded as a download of the public report, as the download itself is.
    body = download(report=published_version(slug, number), fmt="json")
    return HttpResponse(body, content_type="application/json")


# --- With a key ----------------------------------------------------------------


@api.get(
    "/surveys",
    response={200: list[SurveySummary], **READ_ERRORS},
    auth=KEY,
    summary="Your surveys this key reaches",
    tags=["surveys"],
)
def survey_list(request):
    """The surveys this key reaches."""
    return [_summary(s) for s in keys.surveys_for_key(request.auth)]


@api.post(
    "/surveys",
    response={201: SurveySummary, **WRITE_ERRORS},
    auth=KEY,
    summary="Create a survey from a definition",
    tags=["surveys"],
    openapi_extra=DEFINITION_BODY,
)
def survey_create(request):
    """A new draft survey from a definition (validated as `load_survey` does);
    the key's owner is its organiser and the key reaches it."""
    key: ApiKey = request.auth
    if not key.can_write:
        raise HttpError(403, "This key is read-only: create a read and write key to add surveys.")
    document = _document(request)
    definition = validate_definition(document)
    with transaction.atomic():
        survey = create_survey(
            acting_user=key.user,
            title=default_text(document["title"]),
            slug=definition.slug,
            source=document,
            what="created through the API",
        )
        keys.add_to_scope(key=key, survey=survey)
        keys.audit_write(key=key, survey=survey, what="created the survey")
    return Status(201, _summary(survey))


@api.get(
    "/surveys/{slug}/definition",
    response={**READ_ERRORS},
    auth=KEY,
    summary="Read a definition",
    tags=["surveys"],
    openapi_extra={
        "responses": {"200": {"description": "OK", "content": {"application/json": {"schema": DEFINITION_REF}}}}
    },
)
def definition_get(request, slug: Key):
    """The survey's definition, as `export_survey` writes it."""
    return HttpResponse(json.dumps(export_definition(survey=_survey(request, slug))), content_type="application/json")


@api.put(
    "/surveys/{slug}/definition",
    response={200: SurveySummary, **WRITE_ERRORS},
    auth=KEY,
    summary="Replace a definition",
    tags=["surveys"],
    openapi_extra=DEFINITION_BODY,
)
def definition_put(request, slug: Key):
    """Replace the definition, refused whole on a fault; once the survey has
    answers only its wording may change (as `load_survey`)."""
    survey = _survey(request, slug, write=True)
    document = _document(request)
    if isinstance(document, dict) and document.get("slug") != survey.slug:
        raise DefinitionError("slug", f'must be "{survey.slug}", the survey this address names')
    definition = validate_definition(document)
    with transaction.atomic():
        survey = load_definition(
            definition=definition, acting_user=request.auth.user, what="definition sent through the API"
        )
        keys.audit_write(key=request.auth, survey=survey, what="replaced the definition")
    return _summary(survey)


@api.post(
    "/surveys/{slug}/status",
    response={200: SurveySummary, **WRITE_ERRORS},
    auth=KEY,
    summary="Open, close or return to draft",
    tags=["surveys"],
)
def status_set(request, slug: Key, change: StatusChange):
    """Open, close (final) or return to draft, by the console's rules."""
    survey = _survey(request, slug, write=True)
    with transaction.atomic():
        survey = set_status(survey=survey, acting_user=request.auth.user, status=change.status)
        keys.audit_write(key=request.auth, survey=survey, what=f"set the status to {change.status}")
    return _summary(survey)


def _aware(moment):
    return timezone.make_aware(moment) if moment and timezone.is_naive(moment) else moment


@api.put(
    "/surveys/{slug}/schedule",
    response={200: SurveySummary, **WRITE_ERRORS},
    auth=KEY,
    summary="Set the opening and closing times",
    tags=["surveys"],
)
def schedule_set(request, slug: Key, when: Schedule):
    """When the survey opens and closes by itself (null: by hand)."""
    survey = _survey(request, slug, write=True)
    with transaction.atomic():
        schedule(
            survey=survey,
            acting_user=request.auth.user,
            opens_at=_aware(when.opens_at),
            closes_at=_aware(when.closes_at),
        )
        keys.audit_write(key=request.auth, survey=survey, what="set the schedule")
    survey.refresh_from_db()
    return _summary(survey)


@api.post(
    "/surveys/{slug}/responses",
    response={201: Imported, **WRITE_ERRORS},
    auth=KEY,
    summary="Import responses from CSV",
    tags=["surveys"],
)
def responses_import(request, slug: Key, upload: ResponsesCsv):
    """Add responses from CSV, all or nothing, as `import_responses`."""
    survey = _survey(request, slug, write=True)
    with transaction.atomic():
        count = import_responses(survey=survey, text=upload.csv.removeprefix("\ufeff"), acting_user=request.auth.user)
        keys.audit_write(key=request.auth, survey=survey, what=f"imported {count} responses")
    return Status(201, Imported(imported=count))


@api.post(
    "/surveys/{slug}/reports",
    response={201: VersionSummary, **WRITE_ERRORS},
    auth=KEY,
    summary="Publish a report version",
    tags=["surveys"],
)
def report_publish(request, slug: Key, publish: PublishRequest):
    """Publish a new version of the report, by the console's rules."""
    survey = _survey(request, slug, write=True)
    report = publish_report(survey=survey, acting_user=request.auth.user, note=publish.note)
    keys.audit_write(key=request.auth, survey=survey, what=f"published version {report.number}")
    return Status(
        201,
        VersionSummary(
            version=report.number,
            title=report.title,
            published_on=report.published_at.date().isoformat(),
            note=report.note,
        ),
    )


@api.get(
    "/surveys/{slug}/figures",
    response={200: ReleasedFigures, **READ_ERRORS},
    auth=KEY,
    summary="Read the released figures",
    tags=["surveys"],
)
def figures_get(request, slug: Key):
    """The suppressed figures released to organisers (what the console shows): the
    final figures once the survey has closed; while it is open, the number of
    respondents only (null for fewer than the minimum group size)."""
    return HttpResponse(json.dumps(released_document(survey=_survey(request, slug))), content_type="application/json")
