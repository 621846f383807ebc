"""XLSForm in and out: the spreadsheet format of ODK and KoboToolbox.

``read_xlsform`` turns a workbook into a definition document (then validated
and loaded as any other); pyxform, ODK's own library, first checks that the
workbook is a well-formed XLSForm. Anything Candour cannot represent (GPS,
media, repeats, calculations, relevance other than ``${q} = 'value'``, ...)
refuses the whole workbook with the sheet, the row and the reason.

Kinds: select_one -> single_choice (yes_no when its choices are exactly yes
and no; scale when its appearance is ``likert``), select_multiple ->
multiple_choice, text -> free_text, range -> scale (one choice per step).
Columns ``label::Cymraeg (cy)`` give a language by its code. Begin/end group
are sections. What XLSForm has no column for (concern topics, breakdowns,
the minimum group size, access) travels in a ``candour`` sheet, which
pyxform and ODK ignore.

Metadata types (start, end, today, deviceid, ...) are dropped, never
recorded: Candour keeps no time or device with a response (rule 1).
"""

import io
import json
import re
from typing import Any

from openpyxl import Workbook, load_workbook
from pyxform import aliases
from pyxform.errors import PyXFormError
from pyxform.xls2xform import convert

from survey.definitions import languages
from survey.definitions.format import DefinitionError

METADATA = {
    "start",
    "end",
    "today",
    "deviceid",
    "subscriberid",
    "simserial",
    "phonenumber",
    "username",
    "email",
    "audit",
    "start-geopoint",
    "background-audio",
}
WORDS = {
    "geopoint": "a GPS point",
    "geotrace": "a GPS line",
    "geoshape": "a GPS area",
    "image": "a photo",
    "audio": "a sound recording",
    "video": "a video",
    "file": "a file",
    "barcode": "a barcode",
    "calculate": "a calculation",
    "begin repeat": "a repeat",
    "begin loop": "a repeat",
    "integer": "a number answer",
    "decimal": "a number answer",
    "date": "a date",
    "time": "a time",
    "datetime": "a date and time",
    "note": "a note (text shown without a question)",
    "acknowledge": "an acknowledgement",
    "rank": "a ranking",
    "hidden": "a hidden field",
    "xml-external": "external data",
    "phone number": "a phone number",
}
RELEVANT = re.compile(r"^\s*\$\{([A-Za-z0-9_-]+)\}\s*=\s*'([^']*)'\s*$")
SELECTED = re.compile(r"^\s*selected\(\s*\$\{([A-Za-z0-9_-]+)\}\s*,\s*'([^']*)'\s*\)\s*$")
LANGUAGE = re.compile(r"^(.*?)\s*\(([A-Za-z-]+)\)\s*$")
BY_NAME = {name.lower(): code for code, name in languages.NAMES.items()} | {"english": "en", "welsh": "cy"}
MAX_SCALE_POINTS = 11


def xlsform_fault(sheet: str, row: int | None, reason: str) -> DefinitionError:
    """A workbook refused whole: the sheet, the row and the reason."""
    return DefinitionError(f"{sheet} sheet, row {row}" if row else f"{sheet} sheet", reason)


# --- Reading ---------------------------------------------------------------------


def _rows(workbook, name: str) -> list[tuple[int, dict[str, str]]]:
    """(spreadsheet row number, {header: text}) of a sheet's non-empty rows."""
    sheet = next((workbook[s] for s in workbook.sheetnames if s.strip().lower() == name), None)
    if sheet is None:
        return []
    rows = sheet.iter_rows(values_only=True)
    header = [str(h).strip() if h is not None else "" for h in next(rows, ())]
    out = []
    for number, values in enumerate(rows, start=2):
        row = {h: str(v).strip() for h, v in zip(header, values, strict=False) if h and v not in (None, "")}
        if row:
            out.append((number, row))
    return out


def _language(header: str, sheet: str) -> str | None:
    """The language code of a ``label::...`` column (None: the default)."""
    parts = re.split(r"::?", header, maxsplit=1)
    if len(parts) == 1:
        return None
    name = parts[1].strip()
    match = LANGUAGE.match(name)
    code = match.group(2).lower() if match else BY_NAME.get(name.lower())
    if code not in languages.NAMES:
        raise xlsform_fault(
            sheet, 1, f'column "{header}": Candour has no language "{name}" (it knows {", ".join(languages.NAMES)})'
        )
    return code


def _text(row: dict, column: str, sheet: str, default_language: str | None) -> str | dict[str, str]:
    texts: dict[str, str] = {}
    for header, value in row.items():
        base = re.split(r"::?", header, maxsplit=1)[0].strip().lower()
        if base != column:
            continue
        code = _language(header, sheet)
        texts[code or default_language or languages.DEFAULT] = value
    if set(texts) <= {languages.DEFAULT}:
        return texts.get(languages.DEFAULT, "")
    return texts


def _flag(value: str | None) -> bool:
    return (value or "").strip().lower() in ("yes", "true", "true()", "1")


def _type(value: str) -> tuple[str, str]:
    """(kind, list name) with pyxform's aliases: "select one from x" -> ("select one", "x")."""
    value = " ".join(value.split())
    for alias, kind in sorted(aliases.select.items(), key=lambda a: -len(a[0])):
        if value.lower().startswith(alias + " "):
            return kind, value[len(alias) + 1 :].strip()
    return value.lower(), ""


def _validate_with_pyxform(data: bytes) -> None:
    try:
        convert(xlsform=io.BytesIO(data), validate=False, file_type=".xlsx")
    except PyXFormError as exc:
        raise xlsform_fault("survey", None, f"not a valid XLSForm: {exc}") from None
    except Exception as exc:  # noqa: BLE001 - a broken file is a refusal, not a crash
        raise xlsform_fault("survey", None, f"not a readable XLSForm workbook ({type(exc).__name__})") from None


def read_xlsform(data: bytes, *, fallback_slug: str = "xlsform") -> dict[str, Any]:
    """A definition document from an XLSForm workbook, or DefinitionError."""
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # noqa: BLE001
        raise xlsform_fault("survey", None, "the file is not an .xlsx workbook") from None
    settings = dict(_rows(workbook, "settings")[0][1]) if _rows(workbook, "settings") else {}
    default_language = None
    if settings.get("default_language"):
        default_language = _language(f"label::{settings['default_language']}", "settings")
    choices: dict[str, list[dict]] = {}
    for number, row in _rows(workbook, "choices"):
        list_name = row.get("list_name") or row.get("list name")
        if not list_name or "name" not in row:
            raise xlsform_fault("choices", number, "each choice needs a list_name and a name")
        choices.setdefault(list_name, []).append(
            {"value": row["name"].lower(), "label": _text(row, "label", "choices", default_language), "_row": number}
        )
    extras = _extras(workbook)
    breakdowns = set(extras.pop("breakdowns", []))
    details = extras.pop("questions", {})
    sections: list[dict] = []
    current: dict | None = None
    for number, row in _rows(workbook, "survey"):
        kind, list_name = _type(row.get("type", ""))
        name = row.get("name", "")
        if kind in METADATA:
            continue
        if kind in ("begin group", "begin_group"):
            if current is not None and current.get("_group"):
                raise xlsform_fault("survey", number, "a group inside a group: Candour's sections do not nest")
            if row.get("relevant"):
                raise xlsform_fault(
                    "survey", number, "a group shown only sometimes: Candour conditions are on questions"
                )
            current = {
                "title": _text(row, "label", "survey", default_language) or name,
                "questions": [],
                "_group": True,
            }
            sections.append(current)
            continue
        if kind in ("end group", "end_group"):
            current = None
            continue
        if list_name.endswith(" or specify other") or list_name.endswith(" or_other"):
            raise xlsform_fault("survey", number, 'an "or other" answer mixes a choice with free text; ask them apart')
        if kind.startswith("begin repeat") or kind.startswith("begin loop") or kind in WORDS:
            what = WORDS.get(kind) or WORDS["begin repeat"]
            raise xlsform_fault("survey", number, f"{what} ({row.get('type')}) has no kind of question in Candour")
        for column in ("calculation", "constraint", "choice_filter", "repeat_count", "trigger"):
            if row.get(column):
                raise xlsform_fault("survey", number, f'"{column}" has no equivalent in Candour')
        question = _question(number, row, kind, list_name, choices, default_language)
        question["breakdown"] = name.lower() in breakdowns
        _add_details(question, details.get(question["key"], {}))
        if current is None:
            current = {"title": "Questions", "questions": [], "_group": False}
            sections.append(current)
        current["questions"].append(question)
    for section in sections:
        section.pop("_group")
    if not any(s["questions"] for s in sections):
        raise xlsform_fault("survey", None, "the form has no question Candour can ask")
    _validate_with_pyxform(data)  # Candour's own reasons first, by row; then ODK's rules for the rest
    slug = re.sub(r"[^a-z0-9_-]+", "-", (settings.get("form_id") or fallback_slug).lower()).strip("-_") or "xlsform"
    title = extras.pop("title", None) or settings.get("form_title") or slug
    return {"slug": slug, "title": title, **extras, "sections": sections, "concerns": extras.get("concerns", [])}


# Every top-level field of a definition but these travels in the candour
# sheet, one JSON value per row (validate_definition then checks them).
IN_COLUMNS = ("slug", "title", "sections")


def _extras(workbook) -> dict[str, Any]:
    out = {}
    for number, row in _rows(workbook, "candour"):
        key = row.get("key", "")
        if not key or key in ("slug", "sections"):
            raise xlsform_fault("candour", number, f'"{key}" cannot be set here')
        try:
            out[key] = json.loads(row.get("value", "null"))
        except ValueError:
            raise xlsform_fault("candour", number, f'the value of "{key}" is not JSON') from None
    return out


def _add_details(question: dict, details: dict) -> None:
    """Scale direction and choices' counted/population, from the candour sheet."""
    if question["kind"] == "scale":
        question["agree_end"] = details.get("agree_end", "last")
    for choice in question.get("choices", []):
        choice.update(details.get("choices", {}).get(choice["value"], {}))


def _question(number: int, row: dict, kind: str, list_name: str, choices: dict, default_language) -> dict:
    name = row.get("name", "")
    if not name:
        raise xlsform_fault("survey", number, "a question needs a name")
    question: dict[str, Any] = {
        "key": name.lower(),
        "text": _text(row, "label", "survey", default_language) or name,
        "required": _flag(row.get("required")),
    }
    hint = _text(row, "hint", "survey", default_language)
    if hint:
        question["help"] = hint
    appearance = row.get("appearance", "").lower()
    if kind in ("select one", "select all that apply"):
        if list_name not in choices:
            raise xlsform_fault("survey", number, f'the choice list "{list_name}" is not on the choices sheet')
        listed = [{k: v for k, v in c.items() if k != "_row"} for c in choices[list_name]]
        values = [c["value"] for c in listed]
        if kind == "select all that apply":
            question["kind"] = "multiple_choice"
        elif appearance == "likert":
            question["kind"] = "scale"
        elif values == ["yes", "no"]:
            question["kind"] = "yes_no"
        else:
            question["kind"] = "single_choice"
        question["choices"] = listed
    elif kind == "text":
        question["kind"] = "free_text"
    elif kind == "range":
        question["kind"] = "scale"
        question["choices"] = _range_choices(number, row.get("parameters", ""))
    else:
        raise xlsform_fault("survey", number, f'the type "{row.get("type")}" has no kind of question in Candour')
    relevant = row.get("relevant")
    if relevant:
        match = RELEVANT.match(relevant) or SELECTED.match(relevant)
        if not match:
            raise xlsform_fault(
                "survey", number, f"the condition \"{relevant}\" is too complex: Candour understands ${{q}} = 'value'"
            )
        question["show_if"] = {"question": match.group(1).lower(), "equals": match.group(2).lower()}
    return question


def _range_choices(number: int, parameters: str) -> list[dict]:
    values = dict(p.split("=", 1) for p in parameters.split() if "=" in p)
    try:
        start, end, step = (float(values.get(k, d)) for k, d in (("start", 1), ("end", 10), ("step", 1)))
    except ValueError:
        raise xlsform_fault("survey", number, f'the range parameters "{parameters}" are not numbers') from None
    if step <= 0 or end < start or int(step) != step or int(start) != start:
        raise xlsform_fault("survey", number, "a range must count up in whole steps")
    points = list(range(int(start), int(end) + 1, int(step)))
    if not 2 <= len(points) <= MAX_SCALE_POINTS:
        raise xlsform_fault("survey", number, f"a range becomes a scale of 2 to {MAX_SCALE_POINTS} points")
    return [{"value": str(p), "label": str(p)} for p in points]


# --- Writing ---------------------------------------------------------------------


def _header(column: str, language: str) -> str:
    return f"{column}::{languages.NAMES[language]} ({language})"


def _cells(value: str | dict, column: str, langs: list[str]) -> dict[str, str]:
    texts = value if isinstance(value, dict) else {languages.DEFAULT: value}
    return {_header(column, lang): texts[lang] for lang in langs if texts.get(lang)}


def write_xlsform(document: dict) -> bytes:
    """An XLSForm workbook of a definition document (``export_definition``)."""
    langs = _languages(document)
    survey_rows: list[dict] = []
    choice_rows: list[dict] = []
    for s, section in enumerate(document["sections"], start=1):
        survey_rows.append({"type": "begin group", "name": f"section_{s}", **_cells(section["title"], "label", langs)})
        for q in section["questions"]:
            kind = q["kind"]
            row = {"name": q["key"], **_cells(q["text"], "label", langs)}
            if q.get("help"):
                row.update(_cells(q["help"], "hint", langs))
            if kind == "free_text":
                row["type"] = "text"
            else:
                row["type"] = f"{'select_multiple' if kind == 'multiple_choice' else 'select_one'} {q['key']}"
                listed = q.get("choices") or [{"value": "yes", "label": "Yes"}, {"value": "no", "label": "No"}]
                for c in listed:
                    choice_rows.append(
                        {"list_name": q["key"], "name": c["value"], **_cells(c["label"], "label", langs)}
                    )
            if kind == "scale":
                row["appearance"] = "likert"
            row["required"] = "yes" if q.get("required") else "no"
            if q.get("show_if"):
                row["relevant"] = f"${{{q['show_if']['question']}}} = '{q['show_if']['equals']}'"
            survey_rows.append(row)
        survey_rows.append({"type": "end group"})
    extras: dict[str, Any] = {k: v for k, v in document.items() if k not in IN_COLUMNS}
    extras["breakdowns"] = [q["key"] for s in document["sections"] for q in s["questions"] if q.get("breakdown")]
    extras["questions"] = {q["key"]: _details(q) for s in document["sections"] for q in s["questions"] if _details(q)}
    workbook = Workbook()
    _sheet(workbook.active, "survey", survey_rows, ["type", "name"])
    _sheet(workbook.create_sheet(), "choices", choice_rows, ["list_name", "name"])
    # pyxform's form_title has one language; every language's title is in the candour sheet.
    settings = {"form_id": document["slug"], "form_title": languages.default_text(document["title"])}
    if isinstance(document["title"], dict):
        extras["title"] = document["title"]
    settings["default_language"] = f"{languages.NAMES[languages.DEFAULT]} ({languages.DEFAULT})"
    _sheet(workbook.create_sheet(), "settings", [settings], ["form_id"])
    rows = [{"key": k, "value": json.dumps(v, ensure_ascii=False)} for k, v in extras.items()]
    _sheet(workbook.create_sheet(), "candour", rows, ["key", "value"])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _details(q: dict) -> dict:
    out: dict[str, Any] = {}
    if q.get("agree_end") and q["agree_end"] != "last":
        out["agree_end"] = q["agree_end"]
    kept = {
        c["value"]: {k: c[k] for k in ("counted", "population") if k in c}
        for c in q.get("choices", [])
        if "counted" in c or "population" in c
    }
    if kept:
        out["choices"] = kept
    return out


def _languages(document: dict) -> list[str]:
    found = {languages.DEFAULT}

    def visit(value):
        if isinstance(value, dict):
            if set(value) <= set(languages.NAMES) and all(isinstance(v, str) for v in value.values()):
                found.update(value)
            for v in value.values():
                visit(v)
        elif isinstance(value, list):
            for v in value:
                visit(v)

    visit(document)
    return [languages.DEFAULT, *sorted(found - {languages.DEFAULT})]


def _sheet(sheet, title: str, rows: list[dict], first: list[str]) -> None:
    sheet.title = title
    columns = list(first)
    for row in rows:
        columns += [c for c in row if c not in columns]
    sheet.append(columns)
    for row in rows:
        sheet.append([row.get(c, "") for c in columns])
