"""Every choice question summarised: counts, shares with 95% intervals, the
share agreeing on scales, overall and by breakdown group, suppressed.

Counts come from counts.py (counted by the database, rolled up here over a
few hundred cells, never a loop over responses). A group's distribution is hidden when it rests on fewer than k
respondents, when one answer holds all or all but one of the group (that
would tell each member's answer), or when its breakdown group is hidden in
any concern figure; then hidden groups together must be safe by the same
tests, or more are hidden (secondary suppression). A breakdown question is
summarised overall only, never by another breakdown (no cross-tabulation).
"""

from collections import defaultdict

from survey.figures.counts import Counts
from survey.figures.disclosure import DOMINANCE, suppression_reasons, unsafe_distribution
from survey.figures.stats import proportion, shares_note
from survey.models import Question, Survey


def _distribution(question: Question, counts: dict, n: int) -> dict:
    """Shares of one question for one group of ``n`` respondents.

    Choices marked not counted ("Don't know") are shown with their share of
    everyone who answered, and left out of the base of the others; a
    scale's share agreeing is the half of its counted choices at its agreeing
    end (the middle of an odd scale is neither), of that base."""
    choices = list(question.choices.all())
    counted = [c for c in choices if c.counted]
    base = n if question.kind == Question.Kind.MULTIPLE_CHOICE else sum(counts.get(c.pk, 0) for c in counted)
    shown = [
        {"value": c.value, "label": c.label, **proportion(counts.get(c.pk, 0), base)}
        if c.counted
        else {"value": c.value, "label": c.label, "counted": False, **proportion(counts.get(c.pk, 0), n)}
        for c in choices
    ]
    out = {"n": base, "choices": shown}
    if base != n:
        out["answered"] = n
    note = shares_note(
        [c["pct"] for c in shown if c.get("counted", True)], multiple=question.kind == Question.Kind.MULTIPLE_CHOICE
    )
    if note:
        out["note"] = note
    if question.kind == Question.Kind.SCALE and base:
        half = len(counted) // 2
        agreeing = counted[:half] if question.agree_end == Question.AgreeEnd.FIRST else counted[len(counted) - half :]
        out["agree"] = {
            "labels": [c.label for c in agreeing],
            **proportion(sum(counts.get(c.pk, 0) for c in agreeing), base),
        }
    return out


def _shown_bases(question: Question, counts: Counts, breakdowns: list[Question]) -> dict:
    """(breakdown pk or None, group choice pk or None) -> respondents shown
    the question: the base of a multiple-choice question (ticking nothing
    and skipping look the same, so everyone asked is counted)."""
    bases: dict = defaultdict(int)
    if question.show_if_question_id:
        condition = next(c.pk for c in question.show_if_question.choices.all() if c.value == question.show_if_value)
        for (q, c, groups), n in counts.answers.items():
            if (q, c) == (question.show_if_question_id, condition):
                bases[(None, None)] += n
                for b, g in zip(breakdowns, groups, strict=True):
                    bases[(b.pk, g)] += n
        return bases
    bases[(None, None)] = counts.respondents
    for (q, c, _), n in counts.answers.items():
        if q in {b.pk for b in breakdowns}:
            bases[(q, c)] += n
    return bases


def question_summaries(
    *,
    survey: Survey,
    breakdowns: list[Question],
    hidden_by_concerns: dict[int, set],
    counts: Counts,
    hidden_in_question: dict[tuple[int, int], set] | None = None,
) -> list:
    """The summaries of every choice question, already suppressed.

    ``hidden_by_concerns``: breakdown pk -> groups hidden in every summary;
    ``hidden_in_question``: (question pk, breakdown pk) -> groups hidden in
    a linked concern table (aggregate.linked_figures)."""
    hidden_in_question = hidden_in_question or {}
    k = survey.min_group_size
    questions = list(
        Question.objects.filter(survey=survey, kind__in=Question.CHOICE_KINDS)
        .select_related("show_if_question")
        .prefetch_related("choices", "show_if_question__choices")
        .order_by("section__position", "position")
    )
    overall_counts, overall_bases = counts.by_question(None)
    by_breakdown = {b.pk: counts.by_question(i) for i, b in enumerate(breakdowns)}
    summaries = []
    for q in questions:
        shown = _shown_bases(q, counts, breakdowns) if q.kind == Question.Kind.MULTIPLE_CHOICE else None
        q_counts, n = overall_counts.get((q.pk, None), {}), overall_bases.get((q.pk, None), 0)
        if shown is not None:
            n = shown[(None, None)]
        item = {"key": q.key, "text": q.text, "kind": q.kind}
        if n == 0 or unsafe_distribution(q_counts, n, k, DOMINANCE):
            item["suppressed"] = True
        else:
            item.update(_distribution(q, q_counts, n))
        item["breakdowns"] = []
        # A breakdown question is summarised overall only: by another
        # breakdown it would be a cross-tabulation (issue finding 2).
        for b in [] if q.breakdown else breakdowns:
            b_counts, b_bases = by_breakdown[b.pk]
            cells = {
                c.pk: (
                    b_counts.get((q.pk, c.pk), {}),
                    shown[(b.pk, c.pk)] if shown is not None else b_bases.get((q.pk, c.pk), 0),
                )
                for c in b.choices.all()
            }
            hidden = (
                dict.fromkeys(cells, "the whole question is hidden")
                if item.get("suppressed")
                else suppression_reasons(
                    cells,
                    k,
                    dominance=DOMINANCE,
                    already_hidden=hidden_by_concerns.get(b.pk, set()) | hidden_in_question.get((q.pk, b.pk), set()),
                )
            )
            groups = []
            for c in b.choices.all():
                if c.pk in hidden:
                    groups.append({"value": c.value, "label": c.label, "suppressed": True, "reason": hidden[c.pk]})
                else:
                    groups.append({"value": c.value, "label": c.label, **_distribution(q, *cells[c.pk])})
            item["breakdowns"].append({"question": b.key, "groups": groups})
        summaries.append(item)
    return summaries
