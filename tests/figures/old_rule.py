"""The rule before complements were chosen by cost, put back for comparison.

Two differences, both put back here: the complement was the smallest
visible cells, taken one by one until the hidden ones together were safe
(frozen below); and a group hidden for "raised" in a concern table was
hidden in every question summary. ``tests/figures/test_hidden_share.py``
checks that this reproduces exactly the figures stored from the old code.
"""

from survey.figures import aggregate, disclosure
from survey.figures.disclosure import PROTECTS_ANOTHER, unsafe_distribution


def old_complement(cells, hidden, k, dominance=0, keep=frozenset()):
    """Hide the smallest visible cells until the hidden ones together are safe (``keep`` unknown)."""
    hidden = set(hidden)
    visible = sorted((cells[c][1], str(c), c) for c in cells if c not in hidden)
    chosen = []

    def unsafe_union():
        total: dict = {}
        for c in hidden:
            for category, count in cells[c][0].items():
                total[category] = total.get(category, 0) + count
        return unsafe_distribution(total, sum(cells[c][1] for c in hidden), k, dominance)

    while visible and unsafe_union():
        c = visible.pop(0)[2]
        hidden.add(c)
        chosen.append(c)
    return chosen


def put_back(monkeypatch) -> None:
    real = aggregate.question_summaries

    def hidden_everywhere(*, survey, breakdowns, counts, hidden_in_question):
        raised = {concern.raised_id for concern in survey.concerns.all()}
        everywhere: dict = {}
        for (question, breakdown), groups in hidden_in_question.items():
            if question in raised:
                everywhere.setdefault(breakdown, set()).update(groups)
        # The old code passed groups on without their reasons ("to protect another group").
        widened = {key: set(groups) for key, groups in hidden_in_question.items()}
        for question in survey.questions.all():
            for breakdown, groups in everywhere.items():
                widened[(question.pk, breakdown)] = widened.get((question.pk, breakdown), set()) | groups
        as_old = {key: dict.fromkeys(groups, PROTECTS_ANOTHER) for key, groups in widened.items()}
        return real(survey=survey, breakdowns=breakdowns, counts=counts, hidden_in_question=as_old)

    monkeypatch.setattr(disclosure, "complement", old_complement)
    monkeypatch.setattr(aggregate, "question_summaries", hidden_everywhere)
