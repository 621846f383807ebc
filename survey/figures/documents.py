"""Results documents: the stored, suppressed Result rows read back in the
JSON shape of DESIGN.md, and the same document as CSV. Every output uses them."""

import csv
import io
from collections import defaultdict

from django.utils.translation import gettext

from survey.figures.groups import breakdown_groups
from survey.figures.stats import number, pct, percent, proportion, wilson_interval, wilson_interval_fpc
from survey.models import Question, Result, ResultSet, Survey

MEASURES = Result.MEASURES


# --- Reading results back: every output goes through results_document. ----


def _figure(result: Result | None) -> dict:
    if result is None or result.suppressed:
        return {"suppressed": True}
    return proportion(result.count, result.n)


def results_document(
    *,
    survey: Survey,
    rows: list[Result] | None = None,
    respondents: int | None = None,
    questions: list | None = None,
    leave_out: tuple[int, ...] = (),
) -> dict:
    """The survey's suppressed results in the JSON shape of DESIGN.md.

    By default from the stored Result rows and result set; a partner's own
    figures (survey/figures/partners.py) pass their ``rows`` (Result rows in
    memory, never stored), ``respondents`` and question summaries instead,
    with the partner question's id in ``leave_out`` (breakdowns not shown;
    response rates, which are about the whole survey's population, are then
    left out too)."""
    results = defaultdict(dict)
    for r in Result.objects.filter(survey=survey) if rows is None else rows:
        results[(r.concern_id, r.breakdown_id, r.group_id)][r.measure] = r
    breakdowns = [
        b
        for b in Question.objects.filter(survey=survey, breakdown=True)
        .prefetch_related("choices")
        .order_by("section__position", "position")
        if b.pk not in leave_out
    ]
    result_set = ResultSet.objects.filter(survey=survey).first() if rows is None else None
    concerns = []
    for concern in survey.concerns.select_related("outcome").prefetch_related("outcome__choices"):
        overall = results.get((concern.pk, None, None), {})
        item = {
            "key": concern.key,
            "label": concern.label,
            "raised": _figure(overall.get("raised")),
            "resolved": _figure(overall.get("resolved")),
            # What the resolved base is, for its caption; the outcome
            # question's own summary shows each outcome's share.
            "outcome_question": concern.outcome.key,
            "resolved_base_leaves_out": [c.label for c in concern.outcome.choices.all() if not c.counted],
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
    document = {
        "survey": survey.slug,
        "respondents": (result_set.respondents if result_set else 0) if rows is None else respondents,
        "min_group_size": survey.min_group_size,
        "concerns": concerns,
    }
    if rows is not None:
        return document | {"questions": questions or []}
    rates = response_rates(survey=survey, document=document, questions=result_set.questions if result_set else [])
    if rates:
        document["response_rates"] = rates
    return document


# --- Response rates and corrected intervals (docs/statistics.md) -----------

POPULATION_TOO_SMALL = "more respondents than the population entered: check the workforce figure"
RATE_HIDDEN = "fewer than k respondents, or fewer than k who did not answer"


def _rate(respondents: int | None, population: int | None, k: int) -> dict:
    """A response rate, hidden (population too) where the respondents, or the
    population minus the respondents, are under k: the few who did not answer
    would be as exposed as a small group of respondents."""
    if respondents is None:
        return {"suppressed": True, "reason": RATE_HIDDEN}
    if respondents > population:
        return {"suppressed": True, "reason": POPULATION_TOO_SMALL}
    if respondents < k or population - respondents < k:
        return {"suppressed": True, "reason": RATE_HIDDEN}
    return {"respondents": respondents, "population": population, "pct": percent(respondents, population)}


def _correct(figure: dict, population: int) -> None:
    """Add the interval allowing for the known population to a shown figure."""
    if figure.get("suppressed") or not 0 < figure["n"] < population:
        return
    low, high = wilson_interval_fpc(figure["count"], figure["n"], population)
    figure["ci95_fpc"] = [pct(low), pct(high)]


def response_rates(*, survey: Survey, document: dict, questions: list) -> dict:
    """Response rates overall and per group of each breakdown with known
    populations, from counts the document already shows (the respondents and
    the breakdown question's summary); "raised" figures whose rate is shown
    gain the interval corrected for the finite population."""
    k = survey.min_group_size
    overall_population = survey.population
    if overall_population is None and survey.access == Survey.Access.CODES and survey.codes_issued:
        overall_population = survey.codes_issued  # everyone who was given a code
    breakdowns = list(
        Question.objects.filter(survey=survey, breakdown=True, choices__population__isnull=False)
        .distinct()
        .prefetch_related("choices")
        .order_by("section__position", "position")
    )
    if overall_population is None and not breakdowns:
        return {}
    out: dict = {"breakdowns": []}
    if overall_population is not None:
        out["overall"] = _rate(document["respondents"], overall_population, k)
        if not out["overall"].get("suppressed"):
            for concern in document["concerns"]:
                _correct(concern["raised"], overall_population)
    summaries = {q["key"]: q for q in questions}
    for b in breakdowns:
        summary = summaries.get(b.key, {"suppressed": True})
        counts = {} if summary.get("suppressed") else {c["value"]: c["count"] for c in summary["choices"]}
        hidden = {
            g["value"]
            for c in document["concerns"]
            for cb in c["breakdowns"]
            if cb["question"] == b.key
            for g in cb["groups"]
            if g.get("suppressed")
        }
        groups = []
        for choice in breakdown_groups(b):  # a merged group's population is its members' together
            if choice.population is None:
                continue
            respondents = None if choice.value in hidden else counts.get(choice.value)
            rate = _rate(respondents, choice.population, k)
            groups.append({"value": choice.value, "label": choice.label, **rate})
            if not rate.get("suppressed"):
                for c in document["concerns"]:
                    for cb in c["breakdowns"]:
                        for g in cb["groups"]:
                            if cb["question"] == b.key and g["value"] == choice.value:
                                _correct(g["raised"], choice.population)
        out["breakdowns"].append({"question": b.key, "groups": groups})
    return out


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


def margin_of_error(document: dict) -> str:
    """One plain sentence on chance, from the document's own figures: the
    widest a 95% interval can be (half-width at 50%) for everyone, and for a
    group of the typical size shown. Empty when nothing is shown."""
    overall = [c[m]["n"] for c in document.get("concerns", []) for m in ("raised",) if not c[m].get("suppressed")]
    if not overall:
        return ""
    groups = sorted(
        g["raised"]["n"]
        for c in document["concerns"]
        for b in c["breakdowns"]
        for g in b["groups"]
        if not g.get("suppressed") and not g["raised"].get("suppressed")
    )
    everyone = max(overall)
    if not groups:
        return gettext(
            "Figures for everyone are within about %(points)s points either way (95%% intervals). "
            "This covers chance only, not who chose to answer."
        ) % {"points": _points(everyone)}
    typical = int(float(f"{groups[len(groups) // 2]:.2g}"))  # the median group, to two figures
    return gettext(
        "Figures for everyone are within about %(points)s points either way; for groups of about %(size)s, "
        "about %(group_points)s points (95%% intervals). This covers chance only, not who chose to answer."
    ) % {"points": _points(everyone), "size": typical, "group_points": _points(typical)}


def _points(n: int) -> str:
    low, high = wilson_interval(n // 2 if n % 2 == 0 else (n - 1) // 2, n)
    return number(pct((high - low) / 2))


def wave_documents(*, survey: Survey, current: dict) -> list[tuple[str, dict]]:
    """This survey's waves, earliest first, as (title, figures): each earlier
    wave by its latest published report (public figures only, so a trend
    shows nobody anything its own report did not), this one by ``current``.
    Earlier waves with no published report are left out."""
    chain = []
    earlier = survey.linked_survey if survey.link == Survey.Link.WAVE else None
    seen = {survey.pk}
    while earlier is not None and earlier.pk not in seen:
        seen.add(earlier.pk)
        report = earlier.reports.order_by("-number").first()
        if report is not None:
            chain.append((earlier.title, report.snapshot["results"]))
        earlier = earlier.linked_survey if earlier.link == Survey.Link.WAVE else None
    return [*reversed(chain), (survey.title, current)]
