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

Own figures are computed with the survey's other figures
(aggregate.own_figures); what each audience may then be shown is the release
auditor's business (audit.py: a partner's own figures are a scope of the
pooled data) and releases.py's.
"""

from survey.figures.documents import results_document
from survey.models import Partner, Question, ResultSet, Survey


def partner_question(survey: Survey) -> Question | None:
    """The partner question of a joint survey (None for any other survey)."""
    if not survey.partners_from:
        return None
    return Question.objects.filter(survey=survey, partner=True).prefetch_related("choices").first()


def partner_slug(partner: Partner) -> str:
    return partner.organisation.slug


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
