"""The auditor: what an attacker can work out from every figure ever shown.

Before a release is shown, ``audit`` takes every figure of it and of every
earlier release and, for each suppressed cell of a question summary
(question x breakdown group x choice), computes with linear programming
(scipy ``linprog``, HiGHS) the smallest and largest value consistent with
all the published counts:

- each breakdown's groups add up to the overall count, per question and
  choice (the "margins"); a group's choices add up to its base n;
- a concern's "raised" figures are its raised question's "yes" counts, its
  "resolved" figures are sums of its outcome question's resolved choices,
  and the outcome question's base is the raised count (the linked tables);
- every count is at least 0.

The bounds are rounded inwards (counts are whole people). A cell is
protected when its group's base for that question is known to be fewer than
k people (the largest base consistent with the figures is below k); a
protected cell whose feasible range is narrower than ``PROTECTION`` people
(2) is a disclosure: the release is refused.

Releases with the same number of respondents are taken as views of the same
data (one set of unknowns); a release with a different number is audited as
its own set. Differences between releases of different data are the release
policy's concern (figures are released once, at closing), not this program's.
"""

import math
from collections import defaultdict
from dataclasses import dataclass

import numpy as np
from scipy.optimize import linprog

from survey.figures.groups import breakdown_groups
from survey.models import Question, Survey

PROTECTION = 2  # a protected cell's feasible range must span at least this many people


@dataclass(frozen=True)
class Risk:
    question: str
    breakdown: str
    group: str
    choice: str
    low: int
    high: int

    def __str__(self) -> str:
        return (
            f"{self.question} / {self.breakdown}={self.group} / {self.choice}: "
            f"between {self.low} and {self.high} people, from the published figures"
        )


class _Program:
    def __init__(self):
        self.index: dict = {}
        self.rows: list[tuple[dict, float]] = []
        self.seen: set = set()

    def var(self, key) -> int:
        return self.index.setdefault(key, len(self.index))

    def equal(self, terms: dict, value: float) -> None:
        """Add one equation, once: the structure of every release, and every
        figure shown again, would otherwise repeat rows (the program's size
        grows with what is new, not with the number of releases)."""
        row = ({self.var(k): c for k, c in terms.items()}, value)
        key = (frozenset(row[0].items()), value)
        if key not in self.seen:
            self.seen.add(key)
            self.rows.append(row)

    def matrix(self) -> tuple:
        if getattr(self, "_matrix", None) is None or self._matrix[0].shape != (len(self.rows), len(self.index)):
            a = np.zeros((len(self.rows), len(self.index)))
            b = np.zeros(len(self.rows))
            for i, (terms, value) in enumerate(self.rows):
                for j, c in terms.items():
                    a[i, j] += c
                b[i] = value
            self._matrix = (a, b)
        return self._matrix

    def bounds(self, target: dict) -> tuple[float, float] | None:
        n = len(self.index)
        a, b = self.matrix()
        objective = np.zeros(n)
        for k, c in target.items():
            objective[self.index[k]] += c
        out = []
        for sign in (1, -1):
            result = linprog(sign * objective, A_eq=a, b_eq=b, bounds=(0, None), method="highs")
            if result.status != 0:
                return None  # inconsistent figures (or unbounded): nothing to conclude
            out.append(sign * result.fun)
        return out[0], out[1]


def _structure(survey: Survey) -> tuple[dict, list, list]:
    questions = {
        # A breakdown's groups are what figures are reported by (merged groups as one).
        q.key: (q, [g.value for g in breakdown_groups(q)] if q.breakdown else [c.value for c in q.choices.all()])
        for q in Question.objects.filter(survey=survey, kind__in=Question.CHOICE_KINDS).prefetch_related("choices")
    }
    breakdowns = [q.key for q, _ in questions.values() if q.breakdown]
    concerns = [(c.key, c.raised.key, c.outcome.key, list(c.resolved_values)) for c in survey.concerns.all()]
    return questions, breakdowns, concerns


def _program(document: dict, questions: dict, breakdowns: list, concerns: list, p: _Program):
    """Add one released document's figures to the program; return its suppressed summary cells."""
    hidden = []
    groups = {b: questions[b][1] for b in breakdowns}

    def x(q, b, g, c):
        return ("x", q, b, g, c)

    def y(q, c):
        return ("y", q, c)

    for key, (question, choices) in questions.items():
        single = question.kind != Question.Kind.MULTIPLE_CHOICE
        for b in breakdowns:
            if b == key:
                continue
            for c in choices:  # margins: the groups add up to everyone
                terms = {x(key, b, g, c): 1 for g in groups[b]}
                terms[y(key, c)] = -1
                p.equal(terms, 0)
            if single:
                for g in groups[b]:  # a group's answers add up to its base
                    terms = {x(key, b, g, c): 1 for c in choices}
                    terms[("n", key, b, g)] = -1
                    p.equal(terms, 0)
    for summary in document.get("questions", []):
        key = summary["key"]
        if key not in questions:
            continue
        if not summary.get("suppressed"):
            for c in summary["choices"]:
                p.equal({y(key, c["value"]): 1}, c["count"])
        for breakdown in summary["breakdowns"]:
            for group in breakdown["groups"]:
                b, g = breakdown["question"], group["value"]
                if group.get("suppressed"):
                    hidden += [(key, b, g, c) for c in questions[key][1]]
                    continue
                for c in group["choices"]:
                    p.equal({x(key, b, g, c["value"]): 1}, c["count"])
    for key, raised, outcome, resolved in concerns:
        concern = next((c for c in document.get("concerns", []) if c["key"] == key), None)
        if concern is None:
            continue
        for b in breakdowns:
            for g in groups[b]:
                # The outcome question is asked of exactly those who raised a concern.
                terms = {x(outcome, b, g, c): 1 for c in questions[outcome][1]}
                terms[x(raised, b, g, "yes")] = -1
                p.equal(terms, 0)
        if not concern["raised"].get("suppressed"):
            p.equal({y(raised, "yes"): 1}, concern["raised"]["count"])
            p.equal({y(raised, "yes"): 1, y(raised, "no"): 1}, concern["raised"]["n"])
        if not concern["resolved"].get("suppressed"):
            p.equal({y(outcome, c): 1 for c in resolved}, concern["resolved"]["count"])
        for breakdown in concern["breakdowns"]:
            b = breakdown["question"]
            for group in breakdown["groups"]:
                g = group["value"]
                if group.get("suppressed"):
                    continue
                for measure in ("raised", "resolved"):
                    figure = group.get(measure, {"suppressed": True})
                    if figure.get("suppressed"):
                        continue
                    if measure == "raised":
                        p.equal({x(raised, b, g, "yes"): 1}, figure["count"])
                        p.equal({x(raised, b, g, "yes"): 1, x(raised, b, g, "no"): 1}, figure["n"])
                    else:
                        p.equal({x(outcome, b, g, c): 1 for c in resolved}, figure["count"])
    return hidden


def _said_of_everyone(p: _Program, questions: dict, q: str, c: str, cache: dict) -> bool:
    """Whether the figures say nobody at all gave answer ``c`` to ``q`` (or,
    for a single choice, that everybody did): then every group's cell is
    pinned by a figure about everyone, which tells nothing about a group
    that it does not tell about each respondent (not a disclosure of the
    group; hiding groups could not change it)."""
    if (q, c) not in cache:
        chose = p.bounds({("y", q, c): 1})
        nobody = chose is not None and chose[1] < 0.5
        everybody = False
        others = [("y", q, o) for o in questions[q][1] if o != c]
        if not nobody and others and questions[q][0].kind != Question.Kind.MULTIPLE_CHOICE:
            rest = p.bounds(dict.fromkeys(others, 1))
            everybody = rest is not None and rest[1] < 0.5
        cache[(q, c)] = nobody or everybody
    return cache[(q, c)]


def audit(*, survey: Survey, documents: list[dict], k: int | None = None, new: dict | None = None) -> list[Risk]:
    """Every protected suppressed cell of ``documents`` (earlier releases and
    the new one) whose value the published figures pin to fewer than
    PROTECTION possibilities. An empty list means the releases may be shown.

    With ``new`` (the document about to be shown), only the releases of the
    same data as it are audited: the others form programs of their own that
    the new document cannot change (so the gate's cost grows with the
    releases of the final figures, whose repeated equations enter once)."""
    k = k or survey.min_group_size
    questions, breakdowns, concerns = _structure(survey)
    by_data = defaultdict(list)
    for document in documents:
        if new is None or document.get("respondents") == new.get("respondents"):
            by_data[document.get("respondents")].append(document)
    risks: list[Risk] = []
    for same_data in by_data.values():
        p = _Program()
        hidden: set = set()
        for document in same_data:
            hidden |= set(_program(document, questions, breakdowns, concerns, p))
        checked_bases: dict = {}
        overall: dict = {}
        for q, b, g, c in sorted(hidden):
            if questions[q][0].kind == Question.Kind.MULTIPLE_CHOICE:
                base = {("x", q, b, g, choice): 1 for choice in questions[q][1]}  # an upper bound on the base
            else:
                base = {("n", q, b, g): 1}
            if (q, b, g) not in checked_bases:
                checked_bases[(q, b, g)] = p.bounds(base)
            base_range = checked_bases[(q, b, g)]
            if base_range is None or base_range[1] < 0.5 or math.floor(base_range[1] + 1e-6) >= k:
                continue  # nobody to protect, or not a small group
            if _said_of_everyone(p, questions, q, c, overall):
                continue
            cell = p.bounds({("x", q, b, g, c): 1})
            if cell is None:
                continue
            low, high = math.ceil(cell[0] - 1e-6), math.floor(cell[1] + 1e-6)
            if high - low < PROTECTION:
                risks.append(Risk(q, b, g, c, low, high))
    return risks


def releases(*, survey: Survey) -> list[dict]:
    """Every set of figures shown so far, to any audience (the Release
    history), each distinct document once: the same figures shown to two
    audiences add no equation, so the program grows with what is new."""
    from survey.models import Release

    seen: set[str] = set()
    shown = []
    for key, document in Release.objects.filter(survey=survey).values_list("digest", "document"):
        if key not in seen:
            seen.add(key)
            shown.append(document)
    return shown
