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

A joint survey's partner documents (a partner's own figures) are audited per
audience: what one partner holds is every shared release and its own, in a
program with a scope of unknowns per partner linked to the pooled ones
(``_partner_view``). A survey that is not joint has no such documents, and
its program is exactly the one above.
"""

import math
from collections import defaultdict
from dataclasses import dataclass

import numpy as np
from scipy import sparse
from scipy.optimize import linprog

from survey.figures.groups import breakdown_groups
from survey.models import Question, Survey

PROTECTION = 2  # a protected cell's feasible range must span at least this many people
NO_PARTNER = "(no partner)"  # the scope of a joint survey's respondents of no partner (never a slug)


@dataclass(frozen=True)
class Risk:
    question: str
    breakdown: str
    group: str
    choice: str
    low: int
    high: int
    partner: str = ""  # whose figure: a partner's own (its slug), or the pooled figures ("")

    def __str__(self) -> str:
        whose = f" (partner {self.partner}'s staff)" if self.partner else ""
        return (
            f"{self.question} / {self.breakdown}={self.group}{whose} / {self.choice}: "
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
        """The equations as a sparse matrix (a joint survey's program has
        several scopes of unknowns, each row touching a few of them)."""
        if getattr(self, "_matrix", None) is None or self._matrix[0].shape != (len(self.rows), len(self.index)):
            i, j, c = [], [], []
            b = np.zeros(len(self.rows))
            for row, (terms, value) in enumerate(self.rows):
                for column, coefficient in terms.items():
                    i.append(row)
                    j.append(column)
                    c.append(coefficient)
                b[row] = value
            a = sparse.coo_matrix((c, (i, j)), shape=(len(self.rows), len(self.index))).tocsr()
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


def _in(scope, *key) -> tuple:
    """An unknown of the program: of the pooled data (scope None, the only
    scope of a survey that is not joint), or of one partner's respondents."""
    return key if scope is None else (*key, scope)


def _program(
    document: dict,
    questions: dict,
    breakdowns: list,
    concerns: list,
    p: _Program,
    scope: str | None = None,
    every_concern: bool = False,
):
    """Add one released document's figures to the program (in ``scope``);
    return its suppressed summary cells, as (question, breakdown, group,
    choice, scope). With ``every_concern``, every concern's structure is
    added, whether the document shows it or not (a scope no document shows)."""
    hidden = []
    groups = {b: questions[b][1] for b in breakdowns}

    def x(q, b, g, c):
        return _in(scope, "x", q, b, g, c)

    def y(q, c):
        return _in(scope, "y", q, c)

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
                    terms[_in(scope, "n", key, b, g)] = -1
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
                    hidden += [(key, b, g, c, scope) for c in questions[key][1]]
                    continue
                for c in group["choices"]:
                    p.equal({x(key, b, g, c["value"]): 1}, c["count"])
    for key, raised, outcome, resolved in concerns:
        concern = next((c for c in document.get("concerns", []) if c["key"] == key), None)
        if concern is None and not every_concern:
            continue
        for b in breakdowns:
            for g in groups[b]:
                # The outcome question is asked of exactly those who raised a concern.
                terms = {x(outcome, b, g, c): 1 for c in questions[outcome][1]}
                terms[x(raised, b, g, "yes")] = -1
                p.equal(terms, 0)
        if concern is None:
            continue
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


def _check(p: _Program, questions: dict, candidates: set, k: int, truth: dict | None = None) -> list[Risk]:
    """The candidate cells (question, breakdown, group, choice, scope) that
    are protected (the largest base consistent with the figures is under k)
    and pinned to fewer than PROTECTION values. ``truth``: the true base of
    (question, breakdown, group, scope), when known; the largest base
    consistent with the figures is at least the truth, so a group truly of k
    or more is never protected and its programs need not be solved."""
    risks: list[Risk] = []
    checked_bases: dict = {}
    overall: dict = {}
    for q, b, g, c, scope in sorted(candidates, key=lambda cell: (*cell[:4], cell[4] or "")):
        if truth is not None and truth.get((q, b, g, scope), 0) >= k:
            continue
        if questions[q][0].kind == Question.Kind.MULTIPLE_CHOICE:
            base = {_in(scope, "x", q, b, g, choice): 1 for choice in questions[q][1]}  # an upper bound on the base
        else:
            base = {_in(scope, "n", q, b, g): 1}
        if (q, b, g, scope) not in checked_bases:
            checked_bases[(q, b, g, scope)] = p.bounds(base)
        base_range = checked_bases[(q, b, g, scope)]
        if base_range is None or base_range[1] < 0.5 or math.floor(base_range[1] + 1e-6) >= k:
            continue  # nobody to protect, or not a small group
        if _said_of_everyone(p, questions, q, c, overall):
            continue
        cell = p.bounds({_in(scope, "x", q, b, g, c): 1})
        if cell is None:
            continue
        low, high = math.ceil(cell[0] - 1e-6), math.floor(cell[1] + 1e-6)
        if high - low < PROTECTION:
            risks.append(Risk(q, b, g, c, low, high, scope or ""))
    return risks


def audit(*, survey: Survey, documents: list[dict], k: int | None = None, new: dict | None = None) -> list[Risk]:
    """Every protected suppressed cell of ``documents`` (earlier releases and
    the new one) whose value the published figures pin to fewer than
    PROTECTION possibilities. An empty list means the releases may be shown.

    With ``new`` (the document about to be shown), only the releases of the
    same data as it are audited: the others form programs of their own that
    the new document cannot change (so the gate's cost grows with the
    releases of the final figures, whose repeated equations enter once).

    A joint survey's partner documents (with ``"partner"``: a partner's own
    figures) are audited per audience (``_partner_view``): what partner P's
    organisers hold is every shared document and P's own. A new shared
    document is audited against every partner's view, a new partner
    document against that partner's view only."""
    k = k or survey.min_group_size
    questions, breakdowns, concerns = _structure(survey)
    shared = [d for d in documents if "partner" not in d]
    own: dict[str, list] = defaultdict(list)
    for document in documents:
        if "partner" in document:
            own[document["partner"]].append(document)
    risks: list[Risk] = []
    if new is None or "partner" not in new:
        by_data = defaultdict(list)
        for document in shared:
            if new is None or document.get("respondents") == new.get("respondents"):
                by_data[document.get("respondents")].append(document)
        for same_data in by_data.values():
            p = _Program()
            hidden: set = set()
            for document in same_data:
                hidden |= set(_program(document, questions, breakdowns, concerns, p))
            risks += _check(p, questions, hidden, k)
    viewers = [new["partner"]] if new is not None and "partner" in new else sorted(own)
    for viewer in viewers:
        if own.get(viewer):
            risks += _partner_view(survey, (questions, breakdowns, concerns), shared, own[viewer], viewer, k)
    return risks


# --- A joint survey: what one partner's organisers hold. -------------------


def _truth(survey: Survey, partner_key: str) -> tuple[int, dict, dict[str, int]]:
    """The survey's respondents, the true bases (question, breakdown, group,
    scope) -> answers counted, and each partner's respondents (and
    NO_PARTNER's: respondents who answered no partner), from the survey's counts."""
    from survey.figures.counts import current_counts, partner_counts, plan
    from survey.figures.groups import merged_counts

    every = list(
        Question.objects.filter(survey=survey, breakdown=True)
        .prefetch_related("choices")
        .order_by("section__position", "position")
    )
    keys = dict(Question.objects.filter(survey=survey).values_list("pk", "key"))
    counts = current_counts(survey=survey, p=plan(survey=survey))
    truth: dict = defaultdict(int)

    def add(scope, scope_counts, scope_breakdowns):
        merged = merged_counts(scope_counts, scope_breakdowns)
        for i, b in enumerate(scope_breakdowns):
            values = {g.pk: g.value for g in breakdown_groups(b)}
            for (q, _, groups), n in merged.answers.items():
                if groups[i] is not None:
                    truth[(keys[q], b.key, values[groups[i]], scope)] += n

    add(None, counts, every)
    question = next(b for b in every if b.key == partner_key)
    index = every.index(question)
    rest = [b for b in every if b.pk != question.pk]
    sizes = {}
    for choice in question.choices.all():
        mine = partner_counts(counts, question=question.pk, index=index, choice=choice.pk)
        sizes[choice.value] = mine.respondents
        add(choice.value, mine, rest)
    sizes[NO_PARTNER] = counts.respondents - sum(sizes.values())
    return counts.respondents, truth, sizes


def _partner_view(survey: Survey, structure: tuple, shared: list, own: list, viewer: str, k: int) -> list[Risk]:
    """The risks in what partner ``viewer``'s organisers hold: the shared
    documents of the final data and its own documents, audited together.

    Each partner's own figures are a scope of the pooled data: unknowns per
    scope (pooled, each partner, and the respondents of no partner if any),
    each scope's structure, and linking equations: every pooled cell, overall
    count and number of respondents is the sum of the partners' (concern
    figures are sums of these); the pooled partner breakdown's cell (q,
    partner, P, c) is P's overall count of c, and P's answers to the partner
    question are its respondents. Every cell of another partner's scope, and
    the pooled partner breakdown's cells of the other partners, is a
    candidate hidden cell (protected when its base can be under k), even
    though no document lists it: with two partners, the pooled table minus
    one's own is the other's."""
    questions, breakdowns, concerns = structure
    partner_key = next(
        (key for key, (q, _) in questions.items() if q.partner),
        None,
    )
    if partner_key is None:
        return []
    respondents, truth, sizes = _truth(survey, partner_key)
    same_data = [d for d in shared if d.get("respondents") == respondents]
    scopes = list(questions[partner_key][1]) + ([NO_PARTNER] if sizes[NO_PARTNER] > 0 else [])
    inner = {key: v for key, v in questions.items() if key != partner_key}
    inner_breakdowns = [b for b in breakdowns if b != partner_key]
    p = _Program()
    hidden: set = set()
    for document in same_data:
        hidden |= set(_program(document, questions, breakdowns, concerns, p))
        p.equal({("r",): 1}, document["respondents"])
    _program({}, questions, breakdowns, concerns, p, every_concern=True)
    for scope in scopes:
        _program({}, inner, inner_breakdowns, concerns, p, scope=scope, every_concern=True)
    for document in own:
        hidden |= set(_program(document, inner, inner_breakdowns, concerns, p, scope=viewer))
        p.equal({("r", viewer): 1}, document["respondents"])
    # Linking: pooled = the sum over the scopes.
    p.equal({("r",): 1, **{("r", s): -1 for s in scopes}}, 0)
    partners = [s for s in scopes if s != NO_PARTNER]
    for s in partners:
        p.equal({("y", partner_key, s): 1, ("r", s): -1}, 0)
    for q, (_, choices) in inner.items():
        for c in choices:
            p.equal({("y", q, c): 1, **{("y", q, c, s): -1 for s in scopes}}, 0)
            for s in partners:
                p.equal({("x", q, partner_key, s, c): 1, ("y", q, c, s): -1}, 0)
            for b in inner_breakdowns:
                if b == q:
                    continue
                for g in questions[b][1]:
                    p.equal({("x", q, b, g, c): 1, **{("x", q, b, g, c, s): -1 for s in scopes}}, 0)
    for b in inner_breakdowns:
        for g in questions[b][1]:
            for s in partners:
                p.equal({("x", partner_key, b, g, s): 1, ("y", b, g, s): -1}, 0)
    # Candidates: the other partners' cells, and their pooled partner-breakdown cells.
    for s in scopes:
        if s == viewer:
            continue
        for q, (question, choices) in inner.items():
            if s != NO_PARTNER:
                hidden |= {(q, partner_key, s, c, None) for c in choices}
            if question.breakdown:
                continue  # summarised overall only: no table by group
            for b in inner_breakdowns:
                hidden |= {(q, b, g, c, s) for g in questions[b][1] for c in choices}
    return _check(p, questions, hidden, k, truth)


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
