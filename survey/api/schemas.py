"""The API's documents, as pydantic models. The definition is described by
the very models that validate it (survey/definitions/format.py)."""

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from survey.definitions.format import SurveyDef


class FieldFault(BaseModel):
    path: str = Field(
        description='Where the fault is, e.g. "sections[1].questions[0].show_if", or "row 3, column safe"'
    )
    message: str


class Problem(BaseModel):
    """RFC 9457 problem details."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str
    errors: list[FieldFault] = Field(default_factory=list)


class SurveySummary(BaseModel):
    slug: str
    title: str
    status: Literal["draft", "open", "closed"]
    access: Literal["open", "codes"]
    opens_at: datetime | None
    closes_at: datetime | None


class StatusChange(BaseModel):
    model_config = ConfigDict(extra="forbid")
    status: Literal["draft", "open", "closed"]


class Schedule(BaseModel):
    model_config = ConfigDict(extra="forbid")
    opens_at: datetime | None = None
    closes_at: datetime | None = None


class ResponsesCsv(BaseModel):
    model_config = ConfigDict(extra="forbid")
    csv: str = Field(description='Header = question keys; multiple choices joined by ";"; empty = unanswered.')


class Imported(BaseModel):
    imported: int


class PublishRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    note: str = Field(default="", max_length=2000, pattern=r"^[^\x00]*$")  # PostgreSQL stores no NUL


class VersionSummary(BaseModel):
    version: int
    title: str
    published_on: str
    note: str


class ReportDocument(BaseModel):
    """A published version, exactly as its JSON download."""

    model_config = ConfigDict(extra="allow")
    schema_version: Literal[1]
    title: str
    version: int
    published_on: str
    note: str
    survey: str
    respondents: int
    min_group_size: int
    concerns: list[dict[str, Any]]
    questions: list[dict[str, Any]]
    comparisons: list[Any]
    trend: list[Any]


class ReleasedFigures(BaseModel):
    """The suppressed figures organisers may see now (the console's release)."""

    model_config = ConfigDict(extra="allow")
    survey: str
    respondents: int | None = Field(description="null: fewer than the minimum group size")
    min_group_size: int
    concerns: list[dict[str, Any]]
    figures: str | None = Field(default=None, description='"released when the survey closes" while it is open')


_IN_LANGUAGES = {
    "type": "object",
    "description": "The text in several languages, by language code; the default language is required",
    "additionalProperties": {"type": "string"},
}


def definition_schemas(ref_template: str) -> dict[str, dict]:
    """The JSON Schema of a survey definition and its parts, from the models
    that validate it; a text may be a string or {language: text}."""
    schema = SurveyDef.model_json_schema(ref_template=ref_template, mode="validation")
    parts = schema.pop("$defs", {})
    parts["SurveyDef"] = schema
    from survey.definitions import format as fmt

    for name, part in parts.items():
        model = getattr(fmt, name, None)
        props = part.get("properties", {})
        props.pop("translations", None)
        for text in getattr(model, "_texts", ()):
            if text in props:
                old = props[text]
                plain = {k: v for k, v in old.items() if k not in ("title", "default")}
                props[text] = {"title": old.get("title", text), "anyOf": [plain, _IN_LANGUAGES]}
                if "default" in old:
                    props[text]["default"] = old["default"]
    return parts
