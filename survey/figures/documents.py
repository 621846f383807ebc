"""Results documents: the stored, suppressed Result rows read back in the
JSON shape of DESIGN.md, and the same document as CSV. Every output uses them."""

import csv
import io
from collections import defaultdict

from survey.figures.groups import breakdown_groups
from survey.figures.stats import proportion
from survey.models import Question, Result, ResultSet, Survey

MEASURES = Result.MEASURES


def released_document(*, survey: Survey) -> dict:
    """The figures organisers may see now: the last release (or nothing yet)."""
    result_set = ResultSet.objects.filter(survey=survey).first()
    if result_set is None or result_set.released is None:
        return {
            "survey": survey.slug,
            "respondents": 0,
            "min_group_size": survey.min_group_size,
            "concerns": [],
            "questions": [],
        }
    return result_set.released


# --- Reading results back: every output goes through results_document. ----


def _figure(result: Result | None) -> dict:
    if result is None or result.suppressed:
        return {"suppressed": True}
    return proportion(result.count, result.n)


def results_document(*, survey: Survey) -> dict:
    """The survey's suppressed results in the JSON shape of DESIGN.md."""
    results = defaultdict(dict)
    for r in Result.objects.filter(survey=survey):
        results[(r.concern_id, r.breakdown_id, r.group_id)][r.measure] = r
    breakdowns = list(
        Question.objects.filter(survey=survey, breakdown=True)
        .prefetch_related("choices")
        .order_by("section__position", "position")
    )
    result_set = ResultSet.objects.filter(survey=survey).first()
    concerns = []
    for concern in survey.concerns.all():
        overall = results.get((concern.pk, None, None), {})
        item = {
            "key": concern.key,
            "label": concern.label,
            "raised": _figure(overall.get("raised")),
            "resolved": _figure(overall.get("resolved")),
            "breakdowns": [],
        }
        for b in breakdowns:
            groups = []
            for choice in breakdown_groups(b):
                cell = results.get((concern.pk, b.pk, choice.pk), {})
                raised = cell.get("raised")
                if raised is None or raised.suppressed:
                    reason = raised.reason if raised is not None and raised.reason else "no respondents"
                    groups.append({"value": choice.value, "label": choice.label, "suppressed": True, "reason": reason})
                else:
                    groups.append(
                        {
                            "value": choice.value,
                            "label": choice.label,
                            "raised": _figure(raised),
                            "resolved": _figure(cell.get("resolved")),
                        }
                    )
            item["breakdowns"].append({"question": b.key, "groups": groups})
        concerns.append(item)
    return {
        "survey": survey.slug,
        "respondents": result_set.respondents if result_set else 0,
        "min_group_size": survey.min_group_size,
        "concerns": concerns,
    }


def question_texts(*, survey: Survey) -> dict[str, str]:
    """Breakdown question texts by key, for captions beside the figures."""
    return dict(Question.objects.filter(survey=survey, breakdown=True).values_list("key", "text"))


CSV_HEADER = [
    "concern",
    "label",
    "breakdown",
    "group",
    "group_label",
    "measure",
    "suppressed",
    "count",
    "n",
    "pct",
    "ci95_low",
    "ci95_high",
]


def csv_rows(document: dict) -> list[list]:
    """One row per figure of a results document; suppressed figures blank."""
    rows = []

    def add(concern, breakdown, value, label, measure, figure):
        if figure.get("suppressed"):
            rows.append([concern["key"], concern["label"], breakdown, value, label, measure, "yes", "", "", "", "", ""])
        else:
            rows.append(
                [
                    concern["key"],
                    concern["label"],
                    breakdown,
                    value,
                    label,
                    measure,
                    "no",
                    figure["count"],
                    figure["n"],
                    figure["pct"],
                    figure["ci95"][0],
                    figure["ci95"][1],
                ]
            )

    for concern in document["concerns"]:
        for m in MEASURES:
            add(concern, "", "", "All respondents", m, concern[m])
        for breakdown in concern["breakdowns"]:
            for group in breakdown["groups"]:
                for m in MEASURES:
                    figure = {"suppressed": True} if group.get("suppressed") else group[m]
                    add(concern, breakdown["question"], group["value"], group["label"], m, figure)
    return rows


# A spreadsheet reads a cell beginning with one of these as a formula (which
# can fetch a URL carrying the sheet's data, or run a command).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_cell(value):
    """A value safe to put in a CSV or XLSX cell: text that a spreadsheet
    would take for a formula gets a leading quote; numbers stay numbers.
    Every download (CSV, XLSX) passes each cell through here."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def results_csv(document: dict) -> str:
    """A results document as CSV: one row per figure, suppressed ones blank."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_HEADER)
    writer.writerows([spreadsheet_cell(v) for v in row] for row in csv_rows(document))
    return out.getvalue()
