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

from survey.figures.counts import Counts
from survey.figures.disclosure import DOMINANCE, passed_on, suppression_reasons, unsafe_distribution
from survey.figures.groups import breakdown_groups
from survey.figures.stats import proportion
from survey.models import Question, Survey


def _distribution(question: Question, counts: dict, n: int) -> dict:
    choices = list(question.choices.all())
    shown = [{"value": c.value, "label": c.label, **proportion(counts.get(c.pk, 0), n)} for c in choices]
    out = {"n": n, "choices": shown}
    if question.kind == Question.Kind.SCALE:
        # Agreeing: the points above the middle of the scale.
        upper = choices[len(choices) // 2 + len(choices) % 2 :]
        out["agree"] = {"labels": [c.label for c in upper], **proportion(sum(counts.get(c.pk, 0) for c in upper), n)}
    return out


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
    a linked concern table, with their reasons (aggregate.linked_figures). A question asked only
    after an answer to another (``show_if``) hides every group that one
    hides: its base in a group is how many gave that answer."""
    hidden_in_question = hidden_in_question or {}
    k = survey.min_group_size
    questions = list(
        Question.objects.filter(survey=survey, kind__in=Question.CHOICE_KINDS)
        .prefetch_related("choices")
        .order_by("section__position", "position")
    )
    by_pk = {q.pk: q for q in questions}
    groups_of = {b.pk: breakdown_groups(b) for b in breakdowns}
    overall_counts, overall_bases = counts.by_question(None)
    by_breakdown = {b.pk: counts.by_question(i) for i, b in enumerate(breakdowns)}
    hidden_of: dict[tuple[int, int], dict] = {}

    def hidden_groups(q: Question, b: Question, suppressed: bool) -> dict:
        if (q.pk, b.pk) in hidden_of:
            return hidden_of[(q.pk, b.pk)]
        b_counts, b_bases = by_breakdown[b.pk]
        cells = {g.pk: (b_counts.get((q.pk, g.pk), {}), b_bases.get((q.pk, g.pk), 0)) for g in groups_of[b.pk]}
        given = dict(hidden_in_question.get((q.pk, b.pk), {}))
        asked_after = by_pk.get(q.show_if_question_id)
        # (A breakdown question is never summarised by group: nothing to pass on.)
        if asked_after is not None and not asked_after.breakdown:
            for g, reason in passed_on(hidden_groups(asked_after, b, _overall_unsafe(asked_after))).items():
                given.setdefault(g, reason)
        if suppressed:
            hidden = dict.fromkeys(cells, "the whole question is hidden")
        else:
            keep = {g.pk for g in groups_of[b.pk] if g.key}
            hidden = suppression_reasons(cells, k, dominance=DOMINANCE, already_hidden=given, keep=keep)
        hidden_of[(q.pk, b.pk)] = hidden
        return hidden

    def _overall_unsafe(q: Question) -> bool:
        n = overall_bases.get((q.pk, None), 0)
        return n == 0 or unsafe_distribution(overall_counts.get((q.pk, None), {}), n, k, DOMINANCE)

    summaries = []
    for q in questions:
        q_counts, n = overall_counts.get((q.pk, None), {}), overall_bases.get((q.pk, None), 0)
        item = {"key": q.key, "text": q.text, "kind": q.kind}
        if _overall_unsafe(q):
            item["suppressed"] = True
        elif q.breakdown:
            # Reported by its groups: a merged group is one choice here too.
            shown = [
                {"value": g.value, "label": g.label, **proportion(q_counts.get(g.pk, 0), n)} for g in groups_of[q.pk]
            ]
            item.update({"n": n, "choices": shown})
        else:
            item.update(_distribution(q, q_counts, n))
        item["breakdowns"] = []
        # A breakdown question is summarised overall only: by another
        # breakdown it would be a cross-tabulation (issue finding 2).
        for b in [] if q.breakdown else breakdowns:
            b_counts, b_bases = by_breakdown[b.pk]
            hidden = hidden_groups(q, b, bool(item.get("suppressed")))
            groups = []
            for g in groups_of[b.pk]:
                if g.pk in hidden:
                    groups.append({"value": g.value, "label": g.label, "suppressed": True, "reason": hidden[g.pk]})
                else:
                    cell = (b_counts.get((q.pk, g.pk), {}), b_bases.get((q.pk, g.pk), 0))
                    groups.append({"value": g.value, "label": g.label, **_distribution(q, *cell)})
            item["breakdowns"].append({"question": b.key, "groups": groups})
        summaries.append(item)
    return summaries
