"""Aggregation: every figure of DESIGN.md, computed by the database.

``compute_results`` takes the survey's answer counts (tally.py: kept up to
date as batches are mixed in, or recounted by the database in one pass),
suppresses small cells, and replaces the survey's Result rows in one
transaction. ``results_document`` reads those
rows back in the JSON shape of DESIGN.md; every output uses it.
"""

import csv
import io
from collections import defaultdict

from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from survey.models import Question, Result, ResultSet, Survey
from survey.stats import compare_proportions, holm_adjust, proportion
from survey.summaries import question_summaries
from survey.suppression import DOMINANCE, differencing_risks, hidden_cells, shown_bases, unsafe
from survey.tally import current_counts, plan

MEASURES = ("raised", "resolved")
_LOCK_NAMESPACE = 7301  # pg advisory lock namespace for aggregation


def _figure_rows(survey, concern, breakdowns, cells, k) -> list[Result]:
    def totals(selected):
        out = {f"{m}_{x}": 0 for m in MEASURES for x in ("n", "count")}
        for _, row in selected:
            for name in out:
                out[name] += row[name]
        return out

    rows: list[Result] = []

    def add(breakdown, group, figures, hidden_measures):
        for m in MEASURES:
            if m in hidden_measures:
                rows.append(
                    Result(survey=survey, concern=concern, breakdown=breakdown, group=group, measure=m, suppressed=True)
                )
            else:
                rows.append(
                    Result(
                        survey=survey,
                        concern=concern,
                        breakdown=breakdown,
                        group=group,
                        measure=m,
                        count=figures[f"{m}_count"],
                        n=figures[f"{m}_n"],
                    )
                )

    overall = totals(cells)
    raised_hidden = overall["raised_n"] == 0 or unsafe(overall["raised_count"], overall["raised_n"], k, DOMINANCE)
    resolved_hidden = (
        raised_hidden or overall["resolved_n"] == 0 or unsafe(overall["resolved_count"], overall["resolved_n"], k)
    )
    add(None, None, overall, {m for m, h in (("raised", raised_hidden), ("resolved", resolved_hidden)) if h})

    for i, breakdown in enumerate(breakdowns):
        choices = list(breakdown.choices.all())
        groups = {c.pk: totals([cell for cell in cells if cell[0][i] == c.pk]) for c in choices}
        # A group hidden for "raised" is hidden whole (its resolved n would
        # give its raised count away); "resolved" may hide more groups.
        if raised_hidden:
            hidden_raised = set(groups)
        else:
            hidden_raised = hidden_cells(
                {g: (f["raised_count"], f["raised_n"]) for g, f in groups.items()}, k, dominance=DOMINANCE
            )
        hidden_resolved = hidden_cells(
            {g: (f["resolved_count"], f["resolved_n"]) for g, f in groups.items()},
            k,
            already_hidden=frozenset(hidden_raised),
        )
        for choice in choices:
            hidden = set()
            if choice.pk in hidden_raised:
                hidden = set(MEASURES)
            elif choice.pk in hidden_resolved:
                hidden = {"resolved"}
            add(breakdown, choice, groups[choice.pk], hidden)
    return rows


def compute_results(*, survey_id: int) -> bool:
    """Recompute and store every figure of one survey; return False if skipped.

    Safe to run twice or concurrently: on PostgreSQL a run takes an advisory
    lock and reads one snapshot (REPEATABLE READ); a second concurrent run
    skips ("another process got there first"). Result rows are replaced in
    the same transaction, so readers see the old figures or the new ones.
    """
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                if outermost:  # inside a caller's transaction, its snapshot rules
                    cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
                cursor.execute("SELECT pg_try_advisory_xact_lock(%s, %s)", [_LOCK_NAMESPACE, survey_id])
                if not cursor.fetchone()[0]:
                    return False
        survey = Survey.objects.get(pk=survey_id)
        k = survey.min_group_size
        breakdowns = list(
            Question.objects.filter(survey=survey, breakdown=True)
            .prefetch_related("choices")
            .order_by("section__position", "position")
        )
        counts = current_counts(survey=survey, p=plan(survey=survey))
        rows: list[Result] = []
        for concern in survey.concerns.all():
            rows.extend(_figure_rows(survey, concern, breakdowns, counts.concern_cells(concern.pk), k))
        hidden_by_concerns: dict[int, set] = defaultdict(set)
        for row in rows:
            if row.breakdown is not None and row.measure == "raised" and row.suppressed:
                hidden_by_concerns[row.breakdown.pk].add(row.group.pk)
        questions = question_summaries(
            survey=survey, breakdowns=breakdowns, hidden_by_concerns=hidden_by_concerns, counts=counts
        )
        respondents = counts.respondents
        Result.objects.filter(survey=survey).delete()
        Result.objects.bulk_create(rows)
        result_set, _ = ResultSet.objects.update_or_create(
            survey=survey,
            defaults={
                "version": survey.data_version,
                "computed_at": timezone.now(),
                "respondents": respondents,
                "questions": questions,
            },
        )
        release_results(survey=survey, result_set=result_set)
    return True


def release_results(*, survey: Survey, result_set: ResultSet) -> bool:
    """Show organisers the new figures only if comparing them with the last
    release reveals nothing about fewer than k people (rule 6), or once the
    survey has closed. Returns whether a new release was made."""
    document = results_document(survey=survey) | {"questions": result_set.questions}
    if survey.status != Survey.Status.CLOSED and differencing_risks(result_set.shown, document, survey.min_group_size):
        return False
    result_set.released = document
    result_set.released_on = timezone.localdate()
    result_set.shown = shown_bases([document], into=result_set.shown)
    result_set.save(update_fields=["released", "released_on", "shown"])
    return True


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


def stale(*, survey_id: int) -> bool:
    """Whether a survey exists and its results are older than its answers."""
    return (
        Survey.objects.filter(pk=survey_id)
        .filter(Q(result_set__isnull=True) | Q(result_set__version__lt=F("data_version")))
        .exists()
    )


def stale_survey_ids() -> list[int]:
    """Surveys whose results are older than their answers."""
    return list(
        Survey.objects.filter(data_version__gt=0)
        .filter(Q(result_set__isnull=True) | Q(result_set__version__lt=F("data_version")))
        .values_list("pk", flat=True)
    )


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
            for choice in b.choices.all():
                cell = results.get((concern.pk, b.pk, choice.pk), {})
                raised = cell.get("raised")
                if raised is None or raised.suppressed:
                    groups.append({"value": choice.value, "label": choice.label, "suppressed": True})
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


def comparisons(document: dict) -> list[dict]:
    """Each visible group against the rest of the respondents, per measure.

    The rest is the overall figure minus the group's, so it reveals nothing
    the document does not already show; it is left out when it rests on
    fewer than k respondents. p-values are Holm-adjusted over all the
    comparisons made, and "significant" means adjusted p < 0.05.
    """
    k = document["min_group_size"]
    found = []
    for concern in document["concerns"]:
        for breakdown in concern["breakdowns"]:
            for group in breakdown["groups"]:
                for m in MEASURES:
                    total, part = concern[m], group.get(m, {"suppressed": True})
                    if total.get("suppressed") or part.get("suppressed") or not part.get("n"):
                        continue
                    rest_n, rest_count = total["n"] - part["n"], total["count"] - part["count"]
                    if rest_n < k:
                        continue
                    found.append(
                        {
                            "concern": concern["key"],
                            "measure": m,
                            "question": breakdown["question"],
                            "value": group["value"],
                            "label": group["label"],
                            "group_pct": part["pct"],
                            "rest_pct": proportion(rest_count, rest_n)["pct"],
                            **compare_proportions(part["count"], part["n"], rest_count, rest_n),
                        }
                    )
    for item, adjusted in zip(found, holm_adjust([c["p_value"] for c in found]), strict=True):
        item["p_adjusted"] = adjusted
        item["significant"] = adjusted < 0.05
    return found


def compare_surveys(this: dict, other: dict) -> list[dict]:
    """Side by side: every figure shown in both released documents, this
    survey minus the other, with a two-proportion test (Holm-adjusted)."""
    found = []
    theirs = {c["key"]: c for c in other["concerns"]}
    for concern in this["concerns"]:
        match = theirs.get(concern["key"])
        if match is None:
            continue
        pairs = [("All respondents", concern, match)]
        their_groups = {
            (b["question"], g["value"]): g for b in match["breakdowns"] for g in b["groups"] if not g.get("suppressed")
        }
        for b in concern["breakdowns"]:
            for g in b["groups"]:
                if not g.get("suppressed") and (b["question"], g["value"]) in their_groups:
                    pairs.append((g["label"], g, their_groups[(b["question"], g["value"])]))
        for label, a, b in pairs:
            for m in MEASURES:
                if a[m].get("suppressed") or b[m].get("suppressed"):
                    continue
                found.append(
                    {
                        "concern": concern["label"],
                        "group": label,
                        "measure": m,
                        "this_pct": a[m]["pct"],
                        "this_n": a[m]["n"],
                        "other_pct": b[m]["pct"],
                        "other_n": b[m]["n"],
                        **compare_proportions(a[m]["count"], a[m]["n"], b[m]["count"], b[m]["n"]),
                    }
                )
    for item, adjusted in zip(found, holm_adjust([c["p_value"] for c in found]), strict=True):
        item["p_adjusted"] = adjusted
        item["significant"] = adjusted < 0.05
    return found


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


def results_csv(document: dict) -> str:
    """A results document as CSV: one row per figure, suppressed ones blank."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_HEADER)
    writer.writerows(csv_rows(document))
    return out.getvalue()
