"""Downloads of released figures: JSON, CSV and XLSX.

Two sources, one set of builders: a published version's snapshot (public
downloads, ``export_report``) and the figures released to organisers at
closing (the console's downloads). Every download is a release like any
other (survey/figures/releases.py ``show``): recorded, and audited unless
the same figures were shown before. Each file carries its title and its
version or release day, and labels beside every code.
"""

import csv
import io
import json

from openpyxl import Workbook

from survey.figures.comparisons import comparisons, trend
from survey.figures.documents import CSV_HEADER, csv_rows, question_texts, spreadsheet_cell, wave_documents
from survey.figures.releases import ReleaseRefused, figures_of, show
from survey.models import Release, ReportVersion, Survey

# The version of the report JSON (docs/api.md); it changes only when a field
# changes meaning or goes, never when one is added.
REPORT_SCHEMA_VERSION = 1


def of_report(report: ReportVersion) -> dict:
    """What a download of one published version holds."""
    snapshot = report.snapshot
    return {
        "title": report.title,
        "edition": f"version {report.number}, published {report.published_at.date().isoformat()}",
        "meta": {
            "version": report.number,
            "published_on": report.published_at.date().isoformat(),
            "note": report.note,
            # A joint survey's partners, who approved the version together.
            "partners": snapshot.get("partners", []),
        },
        "results": snapshot["results"],
        "questions": snapshot.get("questions", []),
        "comparisons": snapshot.get("comparisons", []),
        "trend": snapshot.get("trend", []),
        "questions_text": snapshot.get("questions_text", {}),
    }


def of_release(release: Release) -> dict:
    """What a download of the figures released to organisers at closing holds."""
    survey = release.survey
    results = {k: v for k, v in release.document.items() if k != "questions"}
    return {
        "title": survey.title,
        "edition": f"final figures released on {release.released_on.isoformat()}",
        "meta": {"released_on": release.released_on.isoformat()},
        "results": results,
        "questions": release.document.get("questions", []),
        "comparisons": comparisons(results),
        "trend": trend(wave_documents(survey=survey, current=results)),
        "questions_text": question_texts(survey=survey),
    }


# --- Builders of one download -------------------------------------------------


def figures_json(doc: dict) -> str:
    document = {
        "schema_version": REPORT_SCHEMA_VERSION,
        "title": doc["title"],
        **doc["meta"],
        **doc["results"],
        "questions": doc["questions"],
        "comparisons": doc["comparisons"],
        "trend": doc["trend"],
    }
    return json.dumps(document, indent=2, ensure_ascii=False)


QUESTION_HEADER = [
    "question_key",
    "question",
    "breakdown",
    "group",
    "answer",
    "suppressed",
    "count",
    "n",
    "pct",
    "ci95_low",
    "ci95_high",
]


def question_rows(doc: dict) -> list[list]:
    """One row per answer of each question summary, in words: the question's
    text, the breakdown's question text, the group's and the answer's labels."""
    texts = doc["questions_text"]
    rows = []
    for q in doc["questions"]:
        parts = [("", "", q)] + [
            (texts.get(b["question"], b["question"]), g["label"], g) for b in q["breakdowns"] for g in b["groups"]
        ]
        for breakdown, group, figure in parts:
            if figure.get("suppressed"):
                rows.append([q["key"], q["text"], breakdown, group, "", "yes"])
                continue
            for c in figure["choices"]:
                rows.append(
                    [q["key"], q["text"], breakdown, group, c["label"], "no", c["count"], c["n"], c["pct"], *c["ci95"]]
                )
    return rows


RATE_HEADER = ["breakdown", "group", "suppressed", "respondents", "population", "pct"]


def rate_rows(doc: dict) -> list[list]:
    """The response rates the document shows (overall, then per group with
    a known population); a hidden rate is blank, population too."""
    rates = doc["results"].get("response_rates") or {}
    texts = doc["questions_text"]
    parts = [("", "All respondents", rates["overall"])] if "overall" in rates else []
    parts += [
        (texts.get(b["question"], b["question"]), g["label"], g)
        for b in rates.get("breakdowns", [])
        for g in b["groups"]
    ]
    return [
        [breakdown, group, "yes"]
        if rate.get("suppressed")
        else [breakdown, group, "no", rate["respondents"], rate["population"], rate["pct"]]
        for breakdown, group, rate in parts
    ]


COMPARISON_HEADER = [
    "concern",
    "label",
    "measure",
    "breakdown",
    "comparison",
    "group_pct",
    "other_pct",
    "difference",
    "ci95_low_not_corrected",
    "ci95_high_not_corrected",
    "test",
    "p_value",
    "p_adjusted",
    "significant",
    "note",
]


def comparison_rows(doc: dict) -> list[list]:
    """Every comparison the version shows, in words: "IAPT against the rest",
    or "Do the groups differ at all?" over the groups tested; a comparison
    not tested says why instead of a verdict."""
    texts = doc["questions_text"]
    verdicts = {True: "yes", False: "no", None: ""}
    rows = []
    for c in doc["comparisons"]:
        if c.get("kind") == "omnibus":
            what, group, other, diff, ci = f"{c['label']} ({', '.join(c['groups'])})", "", "", "", ["", ""]
        else:
            what, group, other = f"{c['label']} against {c['against']}", c["group_pct"], c["rest_pct"]
            diff, ci = c["difference"], c["ci95"]
        rows.append(
            [
                c["concern"],
                c["concern_label"],
                c["measure"],
                texts.get(c["question"], c["question"]),
                what,
                group,
                other,
                diff,
                *ci,
                c.get("test", ""),
                c.get("p_value"),
                c.get("p_adjusted"),
                verdicts[c.get("significant")],
                c.get("untested") or c.get("note", ""),
            ]
        )
    return rows


def _title_row(doc: dict) -> list:
    partners = doc["meta"].get("partners")
    return [doc["title"], doc["edition"]] + ([f"run jointly by {', '.join(partners)}"] if partners else [])


def _tables(doc: dict) -> list[tuple[str, list, list[list]]]:
    """The tables of a download, each named, with its header and rows: the
    concern figures and question summaries always, the response rates and
    comparisons where the version has any."""
    tables = [
        ("Concerns", CSV_HEADER, csv_rows(doc["results"])),
        ("Questions", QUESTION_HEADER, question_rows(doc)),
        ("Response rates", RATE_HEADER, rate_rows(doc)),
        ("Comparisons", COMPARISON_HEADER, comparison_rows(doc)),
    ]
    return tables[:2] + [t for t in tables[2:] if t[2]]


def figures_csv(doc: dict) -> str:
    """The title and edition, then each table with its own header, a blank line between tables."""
    out = io.StringIO()
    writer = csv.writer(out)
    rows = [_title_row(doc)]
    for i, (_, header, table) in enumerate(_tables(doc)):
        if i:
            rows.append([])
        rows += [header, *table]
    writer.writerows([spreadsheet_cell(v) for v in row] for row in rows)
    return out.getvalue()


def _append(sheet, row: list) -> None:
    """Add a row with its text neutralised and stored as text (never a formula)."""
    sheet.append([spreadsheet_cell(v) for v in row])
    for cell in sheet[sheet.max_row]:
        if isinstance(cell.value, str):
            cell.data_type = "s"


def figures_xlsx(doc: dict) -> bytes:
    """One sheet per table (as in the CSV), each opening with the title and edition."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for name, header, table in _tables(doc):
        sheet = workbook.create_sheet(name)
        for row in [_title_row(doc), header, *table]:
            _append(sheet, row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json",
}

FORMATS = {"json": figures_json, "csv": figures_csv, "xlsx": figures_xlsx}


def report_json(report: ReportVersion) -> str:
    return figures_json(of_report(report))


def report_csv(report: ReportVersion) -> str:
    return figures_csv(of_report(report))


def report_xlsx(report: ReportVersion) -> bytes:
    return figures_xlsx(of_report(report))


BUILDERS = {"json": report_json, "csv": report_csv, "xlsx": report_xlsx}


def download(*, report: ReportVersion, fmt: str, audience: str = Release.Audience.DOWNLOAD) -> str | bytes:
    """One published version in one format, recorded as shown to ``audience``
    (a download, or a command's output). The figures are the version's own,
    audited when it was published, so this records them and never audits
    again (survey/figures/releases.py: raises ReleaseRefused otherwise)."""
    show(survey=report.survey, audience=audience, document=figures_of(report.snapshot), report=report)
    return BUILDERS[fmt](report)


def download_released(*, survey: Survey, fmt: str) -> str | bytes:
    """The figures released to organisers at closing, in one format, for the
    console. Only after closing (there is nothing else to download); recorded
    as a download release through the same ``show`` as public downloads."""
    release = Release.objects.filter(survey=survey, audience=Release.Audience.ORGANISERS, final=True).last()
    if release is None:
        raise ReleaseRefused("There are no figures to download yet: they are released once, when the survey closes.")
    show(survey=survey, audience=Release.Audience.DOWNLOAD, document=release.document)
    return FORMATS[fmt](of_release(release))
