"""Aggregation: every figure of DESIGN.md, computed by the database.

``compute_results`` takes the survey's answer counts (counts.py: kept up to
date as batches are mixed in, or recounted by the database in one pass),
suppresses small cells, and replaces the survey's Result rows in one
transaction. Nobody sees those rows: a closed survey's figures are released
once, audited, by survey/figures/releases.py (``release_at_closing``).
"""

import logging
from collections import defaultdict

from celery import signature
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from survey.figures.counts import current_counts, partner_counts, plan
from survey.figures.disclosure import (
    DOMINANCE,
    FEWER_THAN_K,
    PROTECTS_ANOTHER,
    binary,
    hidden_cells,
    passed_on,
    suppression_reasons,
    unsafe,
)
from survey.figures.documents import MEASURES, results_document
from survey.figures.groups import breakdown_groups, merged_counts
from survey.figures.partners import partner_question, partner_slug
from survey.figures.summaries import question_summaries
from survey.models import Partner, Question, Result, ResultSet, Survey

_LOCK_NAMESPACE = 7301  # pg advisory lock namespace for aggregation
# The task is named, never imported: services do not import tasks.
AGGREGATE_TASK = "survey.tasks.aggregate_survey"

logger = logging.getLogger(__name__)


def request_aggregation(*, survey_ids: list[int]) -> None:
    """Ask a worker to aggregate these surveys; never block or fail the caller.

    Publishing does not retry and the broker has short socket timeouts, so
    with the broker down this returns at once; beat's reconciliation finds
    the stale results later. Callers inside a transaction call this from
    ``transaction.on_commit``, so a worker never reads uncommitted data.
    """
    for survey_id in survey_ids:
        try:
            signature(AGGREGATE_TASK, args=[survey_id]).apply_async(retry=False)
        except Exception:  # noqa: BLE001 - any broker failure is recoverable by reconciliation
            logger.warning(
                "Could not enqueue aggregation of survey %s; reconciliation will catch up.", survey_id, exc_info=True
            )


def aggregate_if_stale(*, survey_id: int) -> bool:
    """Debounced aggregation: a request for figures that are already fresh does nothing."""
    if not stale(survey_id=survey_id):
        return False
    return compute_results(survey_id=survey_id)


def _figure_rows(survey, concern, breakdowns, cells, k) -> list[Result]:

    def totals(selected):
        out = {f"{m}_{x}": 0 for m in MEASURES for x in ("n", "count")}
        for _, row in selected:
            for name in out:
                out[name] += row[name]
        return out

    rows: list[Result] = []

    def add(breakdown, group, figures, hidden_measures, reason=""):
        for m in MEASURES:
            hidden = m in hidden_measures  # a suppressed figure keeps no count and no n
            rows.append(
                Result(
                    survey=survey,
                    concern=concern,
                    breakdown=breakdown,
                    group_id=group,
                    measure=m,
                    suppressed=hidden,
                    reason=reason if hidden else "",
                    count=None if hidden else figures[f"{m}_count"],
                    n=None if hidden else figures[f"{m}_n"],
                )
            )

    overall = totals(cells)
    raised_hidden = overall["raised_n"] == 0 or unsafe(overall["raised_count"], overall["raised_n"], k, DOMINANCE)
    resolved_hidden = (
        raised_hidden or overall["resolved_n"] == 0 or unsafe(overall["resolved_count"], overall["resolved_n"], k)
    )
    add(None, None, overall, {m for m, h in (("raised", raised_hidden), ("resolved", resolved_hidden)) if h})

    for i, breakdown in enumerate(breakdowns):
        choices = breakdown_groups(breakdown)
        keep = {c.pk for c in choices if c.key}
        groups = {c.pk: totals([cell for cell in cells if cell[0][i] == c.pk]) for c in choices}
        # A group hidden for "raised" is hidden whole (its resolved n would
        # give its raised count away); "resolved" may hide more groups.
        raised_cells = {g: binary(f["raised_count"], f["raised_n"]) for g, f in groups.items()}
        if raised_hidden:
            hidden_raised = set(groups)
            why = dict.fromkeys(groups, FEWER_THAN_K if overall["raised_n"] < k else "the overall figure is hidden")
        else:
            hidden_raised = hidden_cells(raised_cells, k, dominance=DOMINANCE, keep=keep)
            why = suppression_reasons(raised_cells, k, dominance=DOMINANCE, keep=keep)
        hidden_resolved = suppression_reasons(
            {g: binary(f["resolved_count"], f["resolved_n"]) for g, f in groups.items()},
            k,
            already_hidden={g: why.get(g, PROTECTS_ANOTHER) for g in hidden_raised},
            keep=keep,
        )
        for choice in choices:
            hidden = set()
            if choice.pk in hidden_raised:
                hidden = set(MEASURES)
            elif choice.pk in hidden_resolved:
                hidden = {"resolved"}
            reason = why.get(choice.pk) or hidden_resolved.get(choice.pk, PROTECTS_ANOTHER)
            add(breakdown, choice.pk, groups[choice.pk], hidden, reason if hidden else "")
    return rows


def linked_figures(*, survey: Survey, breakdowns: list[Question], counts, k: int) -> tuple[list[Result], list]:
    """The concern rows and the question summaries, protected together, cell
    by cell.

    A concern's "raised" figures are the summary of its raised question and
    its "resolved" figures are sums over the summary of its outcome
    question: the same people counted twice (linked tables). Every group a
    concern table hides, for either measure, is hidden in the linked
    summaries for the same breakdown (and in the summaries of questions
    asked only after them, whose bases would tell; summaries.py), so they
    hide a superset of the concern's hidden groups. Then subtracting one
    table's visible groups from the other's total gives at most the
    concern's hidden groups together, which its own secondary suppression
    keeps at k or more (issue finding 1). Other questions are not linked to
    a concern: a group whose "raised" answers are too uniform to show still
    has its other summaries shown, each protected on its own (before, it was
    hidden in every summary).

    Merged groups (groups.py) are counted as one group before anything is
    computed, so no figure of a member alone exists."""
    counts = merged_counts(counts, breakdowns)
    rows: list[Result] = []
    for concern in survey.concerns.all():
        rows.extend(_figure_rows(survey, concern, breakdowns, counts.concern_cells(concern.pk), k))
    # With the concern's reasons: the raised question's summary is the same
    # figures; the outcome question follows it.
    hidden_in_question: dict[tuple[int, int], dict] = defaultdict(dict)
    for row in rows:
        if row.breakdown is None or not row.suppressed:
            continue
        if row.measure == "raised":
            hidden_in_question[(row.concern.raised_id, row.breakdown.pk)].setdefault(row.group_id, row.reason)
        outcome = hidden_in_question[(row.concern.outcome_id, row.breakdown.pk)]
        outcome.setdefault(row.group_id, passed_on({row.group_id: row.reason})[row.group_id])
    questions = question_summaries(
        survey=survey, breakdowns=breakdowns, counts=counts, hidden_in_question=hidden_in_question
    )
    return rows, questions


def own_figures(*, survey: Survey, partner: Partner) -> dict | None:
    """One partner's own figures in a joint survey (docs/partners.md): the
    survey's figures over that partner's respondents only, with every rule,
    as a results document of the usual shape with ``"partner"``: its slug.

    Computed from the survey's counts, keeping the cells whose partner
    coordinate is this partner and dropping it (counts.partner_counts), then
    ``linked_figures`` over the other breakdowns; never stored (no Result
    row). None when the partner has fewer than k respondents (hidden
    everywhere) or the survey is not joint."""
    question = partner_question(survey)
    if question is None:
        return None
    choice = next((c.pk for c in question.choices.all() if c.value == partner_slug(partner)), None)
    if choice is None:
        return None
    breakdowns = list(
        Question.objects.filter(survey=survey, breakdown=True)
        .prefetch_related("choices")
        .order_by("section__position", "position")
    )
    counts = current_counts(survey=survey, p=plan(survey=survey))
    index = [b.pk for b in breakdowns].index(question.pk)
    mine = partner_counts(counts, question=question.pk, index=index, choice=choice)
    k = survey.min_group_size
    if mine.respondents < k:
        return None
    others = [b for b in breakdowns if b.pk != question.pk]
    rows, summaries = linked_figures(survey=survey, breakdowns=others, counts=mine, k=k)
    document = results_document(
        survey=survey,
        rows=rows,
        respondents=mine.respondents,
        questions=[s for s in summaries if s["key"] != question.key],
        leave_out=(question.pk,),
    )
    return document | {"partner": partner_slug(partner)}


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
        rows, questions = linked_figures(survey=survey, breakdowns=breakdowns, counts=counts, k=k)
        respondents = counts.respondents
        Result.objects.filter(survey=survey).delete()
        Result.objects.bulk_create(rows)
        ResultSet.objects.update_or_create(
            survey=survey,
            defaults={
                "version": survey.data_version,
                "computed_at": timezone.now(),
                "respondents": respondents,
                "questions": questions,
            },
        )
    # The auditor runs once the aggregation has committed, never inside it.
    if survey.status == Survey.Status.CLOSED:
        release_at_closing(survey_id=survey_id)
    return True


def release_at_closing(*, survey_id: int) -> None:
    """Closing releases the final figures (survey/figures/releases.py): at
    once when every waiting submission is in and the figures are fresh,
    otherwise as soon as a worker has aggregated what is left (this is
    called again after that aggregation commits). Called once the closing
    has committed; nothing is released while a survey is open. In a joint
    survey each partner's own figures follow the pooled ones (releases.release_partners)."""
    from survey.figures.releases import release_final, release_partners, undecided_partners

    if release_final(survey_id=survey_id) is None:
        if stale(survey_id=survey_id):
            request_aggregation(survey_ids=[survey_id])
        return
    # A joint survey: then each partner's own figures, to its organisers.
    survey = Survey.objects.get(pk=survey_id)
    partners = undecided_partners(survey=survey)
    if partners:
        release_partners(survey=survey, figures={p: own_figures(survey=survey, partner=p) for p in partners})


# Results older than the answers (or none yet).
_STALE = Q(result_set__isnull=True) | Q(result_set__version__lt=F("data_version"))


def stale(*, survey_id: int) -> bool:
    """Whether a survey exists and its results are older than its answers."""
    return Survey.objects.filter(_STALE, pk=survey_id).exists()


def stale_survey_ids() -> list[int]:
    """Surveys with answers whose results are older than them."""
    return list(Survey.objects.filter(_STALE, data_version__gt=0).values_list("pk", flat=True))
