"""Every choice question summarised: counts, shares with 95% intervals, the
share agreeing on scales, overall and by breakdown group, suppressed.

Counts come from counts.py (counted by the database, rolled up here over a
few hundred cells, never a loop over responses). A group's distribution is hidden when it rests on fewer than k
respondents, when one answer holds all or all but one of the group (that
would tell each member's answer), when its group is hidden in a linked
concern figure (the concern's own questions), or when it is hidden in the
question this one follows (show_if); then hidden groups together must be
safe by the same tests, or more are hidden (secondary suppression, sparing
key groups). A breakdown question is
summarised overall only, never by another breakdown (no cross-tabulation).
"""

from collections import defaultdict

from survey.figures.counts import Counts
from survey.figures.disclosure import DOMINANCE, passed_on, suppression_reasons, unsafe_distribution
from survey.figures.groups import breakdown_groups
from survey.figures.stats import proportion, shares_note
from survey.models import Question, Survey


def _distribution(question: Question, counts: dict, n: int, choices: list | None = None) -> dict:
    """Shares of one question for one group of ``n`` respondents.

    Choices marked not counted ("Don't know") are shown with their share of
    everyone who answered, and left out of the base of the others; a
    scale's share agreeing is the half of its counted choices at its agreeing
    end (the middle of an odd scale is neither), of that base."""
    choices = choices or list(question.choices.all())  # a breakdown's: its groups (merged ones as one)
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
    counts: Counts,
    hidden_in_question: dict[tuple[int, int], dict] | None = None,
) -> list:
    """The summaries of every choice question, already suppressed.

    ``counts`` with merged groups already counted as one (groups.merged_counts);
    ``hidden_in_question``: (question pk, breakdown pk) -> groups hidden in
    a linked concern table, with their reasons (aggregate.linked_figures). A
    question asked only after an answer to another (``show_if``) hides every
    group that one hides: its base in a group is how many gave that answer."""
    hidden_in_question = hidden_in_question or {}
    k = survey.min_group_size
    questions = list(
        Question.objects.filter(survey=survey, kind__in=Question.CHOICE_KINDS)
        .select_related("show_if_question")
        .prefetch_related("choices", "show_if_question__choices")
        .order_by("section__position", "position")
    )
    by_pk = {q.pk: q for q in questions}
    groups_of = {b.pk: breakdown_groups(b) for b in breakdowns}
    overall_counts, overall_bases = counts.by_question(None)
    by_breakdown = {b.pk: counts.by_question(i) for i, b in enumerate(breakdowns)}
    shown_of = {
        q.pk: _shown_bases(q, counts, breakdowns) if q.kind == Question.Kind.MULTIPLE_CHOICE else None
        for q in questions
    }

    def overall(q: Question) -> tuple[dict, int]:
        shown = shown_of[q.pk]
        n = shown[(None, None)] if shown is not None else overall_bases.get((q.pk, None), 0)
        return overall_counts.get((q.pk, None), {}), n

    def unsafe_overall(q: Question) -> bool:
        q_counts, n = overall(q)
        return n == 0 or unsafe_distribution(q_counts, n, k, DOMINANCE)

    def cells(q: Question, b: Question) -> dict:
        b_counts, b_bases = by_breakdown[b.pk]
        shown = shown_of[q.pk]
        return {
            g.pk: (
                b_counts.get((q.pk, g.pk), {}),
                shown[(b.pk, g.pk)] if shown is not None else b_bases.get((q.pk, g.pk), 0),
            )
            for g in groups_of[b.pk]
        }

    hidden_of: dict[tuple[int, int], dict] = {}

    def hidden_groups(q: Question, b: Question) -> dict:
        if (q.pk, b.pk) not in hidden_of:
            given = dict(hidden_in_question.get((q.pk, b.pk), {}))
            asked_after = by_pk.get(q.show_if_question_id)
            # (A breakdown question is never summarised by group: nothing to pass on.)
            if asked_after is not None and not asked_after.breakdown:
                for g, reason in passed_on(hidden_groups(asked_after, b)).items():
                    given.setdefault(g, reason)
            if unsafe_overall(q):
                hidden = {g.pk: "the whole question is hidden" for g in groups_of[b.pk]}
            else:
                keep = {g.pk for g in groups_of[b.pk] if g.key}
                hidden = suppression_reasons(cells(q, b), k, dominance=DOMINANCE, already_hidden=given, keep=keep)
            hidden_of[(q.pk, b.pk)] = hidden
        return hidden_of[(q.pk, b.pk)]

    summaries = []
    for q in questions:
        q_counts, n = overall(q)
        item = {"key": q.key, "text": q.text, "kind": q.kind}
        if unsafe_overall(q):
            item["suppressed"] = True
        else:
            item.update(_distribution(q, q_counts, n, groups_of[q.pk] if q.breakdown else None))
        item["breakdowns"] = []
        # A breakdown question is summarised overall only: by another
        # breakdown it would be a cross-tabulation (issue finding 2).
        for b in [] if q.breakdown else breakdowns:
            hidden, by_group = hidden_groups(q, b), cells(q, b)
            groups = []
            for g in groups_of[b.pk]:
                if g.pk in hidden:
                    groups.append({"value": g.value, "label": g.label, "suppressed": True, "reason": hidden[g.pk]})
                else:
                    groups.append({"value": g.value, "label": g.label, **_distribution(q, *by_group[g.pk])})
            item["breakdowns"].append({"question": b.key, "groups": groups})
        summaries.append(item)
    return summaries
