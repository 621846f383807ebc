"""A joint survey's figures per partner (docs/partners.md, "What each partner sees").

A joint survey (``Survey.partners_from`` set) is run by several partners;
each response belongs to one partner, its answer to the partner question (a
breakdown whose choices are the partners' organisation slugs). Two kinds of
figures come out of the same counts (counts.py):

- the pooled figures: the survey's figures, over everyone. When the partners
  agreed not to see each other's tables (``partners_see_each_other`` off),
  the partner breakdown and the partner question's summary are left out of
  every pooled document, whoever it is shown to; otherwise the partner is a
  breakdown like any other (a partner under k is hidden, with its
  complement);
- each partner's own figures: the same figures over that partner's
  respondents only, with every suppression rule, computed from the cells of
  the counts whose partner coordinate is that partner (the coordinate then
  dropped), never from a second count of the answers. A partner with fewer
  than k respondents has no own figures at all.

What each audience may then be shown is the release auditor's business
(audit.py: a partner's own figures are a scope of the pooled data).
"""

from survey.figures.aggregate import linked_figures
from survey.figures.counts import Counts, current_counts, plan
from survey.figures.documents import results_document
from survey.models import Partner, Question, ResultSet, Survey


def partner_question(survey: Survey) -> Question | None:
    """The partner question of a joint survey (None for any other survey)."""
    if not survey.partners_from:
        return None
    return Question.objects.filter(survey=survey, partner=True).prefetch_related("choices").first()


def partner_slug(partner: Partner) -> str:
    return partner.organisation.slug


def partner_counts(counts: Counts, *, question: int, index: int, choice: int) -> Counts:
    """The counts of one partner's respondents: the cells whose coordinate
    ``index`` (the partner question's place among the breakdowns) is
    ``choice``, with that coordinate dropped; the partner question's own
    answers are left out (every one of them would be this partner)."""

    def rest(groups: tuple) -> tuple:
        return groups[:index] + groups[index + 1 :]

    out = Counts()
    for (q, c, groups), n in counts.answers.items():
        if groups[index] != choice:
            continue
        if q == question:
            out.respondents += n
            continue
        out.answers[(q, c, rest(groups))] = n
    out.bases = {(q, rest(groups)): n for (q, groups), n in counts.bases.items() if groups[index] == choice}
    out.concerns = {(c, rest(groups)): four for (c, groups), four in counts.concerns.items() if groups[index] == choice}
    return out


def _own_inputs(survey: Survey, counts: Counts | None = None):
    question = partner_question(survey)
    p = plan(survey=survey)
    counts = counts if counts is not None else current_counts(survey=survey, p=p)
    breakdowns = list(
        Question.objects.filter(survey=survey, breakdown=True)
        .prefetch_related("choices")
        .order_by("section__position", "position")
    )
    index = [b.pk for b in breakdowns].index(question.pk)
    choices = {c.value: c.pk for c in question.choices.all()}
    return question, counts, breakdowns, index, choices


def own_counts(*, survey: Survey, counts: Counts | None = None) -> dict[str, Counts]:
    """Each partner's counts ({organisation slug: Counts}), from the survey's counts."""
    question, counts, _, index, choices = _own_inputs(survey, counts)
    return {slug: partner_counts(counts, question=question.pk, index=index, choice=pk) for slug, pk in choices.items()}


def own_figures(*, survey: Survey, partner: Partner, counts: Counts | None = None) -> dict | None:
    """One partner's own figures: a results document of the usual shape,
    with ``"partner"``: its slug; None when it has fewer than k respondents
    (hidden everywhere) or the survey is not joint."""
    if partner_question(survey) is None:
        return None
    question, counts, breakdowns, index, choices = _own_inputs(survey, counts)
    slug = partner_slug(partner)
    if slug not in choices:
        return None
    mine = partner_counts(counts, question=question.pk, index=index, choice=choices[slug])
    k = survey.min_group_size
    if mine.respondents < k:
        return None
    others = [b for b in breakdowns if b.pk != question.pk]
    rows, summaries = linked_figures(survey=survey, breakdowns=others, counts=mine, k=k)
    summaries = [s for s in summaries if s["key"] != question.key]
    document = results_document(
        survey=survey, rows=rows, respondents=mine.respondents, questions=summaries, leave_out=(question.pk,)
    )
    return document | {"partner": slug}


def leave_out_breakdown(document: dict, key: str) -> dict:
    """The document without breakdown ``key`` (in every table) and without that question's summary."""
    out = dict(document)
    out["concerns"] = [
        c | {"breakdowns": [b for b in c["breakdowns"] if b["question"] != key]} for c in document.get("concerns", [])
    ]
    out["questions"] = [
        q | {"breakdowns": [b for b in q["breakdowns"] if b["question"] != key]}
        for q in document.get("questions", [])
        if q["key"] != key
    ]
    if "response_rates" in document:
        rates = document["response_rates"]
        out["response_rates"] = rates | {"breakdowns": [b for b in rates["breakdowns"] if b["question"] != key]}
    return out


def pooled_figures(*, survey: Survey) -> dict:
    """The survey's figures over everyone, as released at closing to every
    shared audience; the partner breakdown left out unless the partners
    agreed to see each other's tables."""
    result_set = ResultSet.objects.get(survey=survey)
    document = results_document(survey=survey) | {"questions": result_set.questions}
    question = partner_question(survey)
    if question is None:
        return document
    if not survey.partners_see_each_other:
        return leave_out_breakdown(document, question.key)
    # How many of each partner's staff answered, unless a partner is under k
    # (hidden everywhere: its group in every table, and its number here).
    for summary in document["questions"]:
        if summary["key"] == question.key and not summary.get("suppressed"):
            if any(c["count"] < survey.min_group_size for c in summary["choices"]):
                summary.clear()
                summary.update({"key": question.key, "text": question.text, "kind": question.kind})
                summary.update({"suppressed": True, "breakdowns": []})
    return document
