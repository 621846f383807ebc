"""Errors as application/problem+json (RFC 9457), each naming the field path
at fault where there is one, like the commands' messages."""

from django.http import HttpResponse

from survey.api.schemas import FieldFault, Problem

TITLES = {
    400: "The request could not be read",
    401: "An API key is needed",
    403: "This key may not do that",
    404: "Not found",
    405: "Method not allowed",
    409: "Refused",
    422: "Refused",
    429: "Too many requests",
}


def problem(status: int, detail: str, errors: list[tuple[str, str]] = (), headers: dict | None = None) -> HttpResponse:
    body = Problem(
        title=TITLES.get(status, "Error"),
        status=status,
        detail=detail,
        errors=[FieldFault(path=p, message=m) for p, m in errors],
    )
    response = HttpResponse(body.model_dump_json(), status=status, content_type="application/problem+json")
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def loc_path(loc: tuple | list) -> str:
    """A pydantic location as a path: body.sections[1].title (the first part,
    body/path/query, says where in the request)."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out
