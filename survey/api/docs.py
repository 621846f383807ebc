"""The API's readable page: the OpenAPI description rendered on the server,
with no script and nothing loaded from elsewhere (ninja's Swagger page
would load its scripts from a CDN unless installed as an app, and needs
inline styles the Content-Security-Policy refuses)."""

from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from ninja.openapi.docs import DocsBase

METHODS = ("get", "post", "put", "patch", "delete")


def _ref_name(schema: dict) -> str:
    ref = schema.get("$ref") or (schema.get("items") or {}).get("$ref", "")
    name = ref.rsplit("/", 1)[-1]
    return f"list of {name}" if "items" in schema and name else name or schema.get("type", "")


def operations(schema: dict) -> list[dict]:
    out = []
    for path, item in schema["paths"].items():
        for method in METHODS:
            op = item.get(method)
            if op is None:
                continue
            body = ((op.get("requestBody") or {}).get("content") or {}).get("application/json", {}).get("schema", {})
            responses = []
            for code, response in sorted(op.get("responses", {}).items(), key=lambda item: str(item[0])):
                content = response.get("content") or {}
                kind, media = next(iter(content.items()), ("", {}))
                responses.append(
                    {
                        "code": code,
                        "words": response.get("description", ""),
                        "media": kind,
                        "schema": _ref_name(media.get("schema", {})),
                    }
                )
            out.append(
                {
                    "method": method.upper(),
                    "path": path,
                    "summary": op.get("summary", ""),
                    "description": op.get("description", ""),
                    "key": bool(op.get("security")),
                    "tag": (op.get("tags") or [""])[0],
                    "parameters": [p["name"] for p in op.get("parameters", []) if p.get("in") == "path"],
                    "body": _ref_name(body),
                    "responses": responses,
                    "anchor": op.get("operationId", ""),
                }
            )
    return out


class ReadablePage(DocsBase):
    def render_page(self, request: HttpRequest, api, **kwargs) -> HttpResponse:
        schema = api.get_openapi_schema(path_params=kwargs)
        context = {
            "info": schema["info"],
            "operations": operations(schema),
            "openapi_url": self.get_openapi_url(api, kwargs),
            "models": sorted(schema["components"]["schemas"]),
        }
        return HttpResponse(render_to_string("survey/api/docs.html", context, request=request))
