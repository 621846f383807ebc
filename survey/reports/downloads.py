"""Downloads of one published snapshot: JSON, CSV and XLSX."""

import io
import json

from openpyxl import Workbook

from survey.figures.documents import CSV_HEADER, csv_rows, results_csv, spreadsheet_cell
from survey.figures.releases import figures_of, show
from survey.models import Release, ReportVersion

# The version of the report JSON (docs/api.md); it changes only when a field
# changes meaning or goes, never when one is added.
REPORT_SCHEMA_VERSION = 1

# --- Downloads of one snapshot ------------------------------------------------


def report_json(report: ReportVersion) -> str:
    snapshot = report.snapshot
    document = {
        "schema_version": REPORT_SCHEMA_VERSION,
        "title": report.title,
        "version": report.number,
        "published_on": report.published_at.date().isoformat(),
        "note": report.note,
        **snapshot["results"],
        "questions": snapshot.get("questions", []),
        "comparisons": snapshot.get("comparisons", []),
        "trend": snapshot.get("trend", []),
    }
    return json.dumps(document, indent=2, ensure_ascii=False)


def report_csv(report: ReportVersion) -> str:
    return results_csv(report.snapshot["results"])


def _append(sheet, row: list) -> None:
    """Add a row with its text neutralised and stored as text (never a formula)."""
    sheet.append([spreadsheet_cell(v) for v in row])
    for cell in sheet[sheet.max_row]:
        if isinstance(cell.value, str):
            cell.data_type = "s"


def report_xlsx(report: ReportVersion) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Concerns"
    _append(sheet, [f"{report.title}, version {report.number}, published {report.published_at.date().isoformat()}"])
    _append(sheet, CSV_HEADER)
    for row in csv_rows(report.snapshot["results"]):
        _append(sheet, row)
    questions = workbook.create_sheet("Questions")
    _append(
        questions,
        [
            "question",
            "text",
            "breakdown",
            "group",
            "choice",
            "suppressed",
            "count",
            "n",
            "pct",
            "ci95_low",
            "ci95_high",
        ],
    )
    for q in report.snapshot.get("questions", []):
        parts = [("", "", q)] + [(b["question"], g["value"], g) for b in q["breakdowns"] for g in b["groups"]]
        for breakdown, group, figure in parts:
            if figure.get("suppressed"):
                _append(questions, [q["key"], q["text"], breakdown, group, "", "yes"])
                continue
            for c in figure["choices"]:
                _append(
                    questions,
                    [
                        q["key"],
                        q["text"],
                        breakdown,
                        group,
                        c["value"],
                        "no",
                        c["count"],
                        c["n"],
                        c["pct"],
                        c["ci95"][0],
                        c["ci95"][1],
                    ],
                )
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


BUILDERS = {"json": report_json, "csv": report_csv, "xlsx": report_xlsx}


def download(*, report: ReportVersion, fmt: str, audience: str = Release.Audience.DOWNLOAD) -> str | bytes:
    """One published version in one format, recorded as shown to ``audience``
    (a download, or a command's output). The figures are the version's own,
    audited when it was published, so this records them and never audits
    again (survey/figures/releases.py: raises ReleaseRefused otherwise)."""
    show(survey=report.survey, audience=audience, document=figures_of(report.snapshot), report=report)
    return BUILDERS[fmt](report)
