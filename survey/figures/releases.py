"""Releases: every set of figures any audience sees, recorded and audited.

The release policy (docs/anonymity.md, "The disclosure model"):

- while a survey is open, every audience sees response counts only (coarse,
  ``coarse_progress``); no figure is released, so no two releases a few
  responses apart can be compared (issue finding 3, flooding);
- closing is final and releases the figures once (``release_final``), as
  soon as every waiting submission is in and the figures are fresh;
- every release (the closing one, a public version, a download, a
  command's output) goes through ``show``: a document already shown is
  recorded for its new audience without more ado; a new one is first
  audited (survey/figures/audit.py) against every earlier release, and
  refused when it would pin a hidden cell. The closing release is widened
  instead (``widened``: the groups at risk hidden in every table, then that
  breakdown in the question at risk with its linked concern figure, then the
  whole breakdown), auditing again after each round.

A joint survey (docs/partners.md) has an audience per partner: at closing
the pooled figures go to the shared audiences as above, then each
partner's own figures to that partner's organisers (``partner_release``),
each audited with everything that partner holds, widened in the same rounds,
or withheld (``release_partners``, called by aggregate.release_at_closing
right after ``release_final``).

The auditor runs here, after the aggregation has committed, never inside
its transaction.
"""

import copy
import hashlib
import json

from django.db import IntegrityError, transaction
from django.utils import timezone

from survey.figures.audit import PROTECTION, Risk, audit, releases
from survey.figures.disclosure import PROTECTS_ANOTHER
from survey.figures.partners import partner_question, partner_slug, pooled_figures
from survey.models import AuditEvent, Partner, PendingSubmission, Release, ReportVersion, ResultSet, Survey
from survey.refused import Refused

Audience = Release.Audience


class ReleaseRefused(Refused):
    pass


def digest(document: dict) -> str:
    """The same figures give the same digest, whatever the order of keys."""
    return hashlib.sha256(json.dumps(document, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def figures_of(snapshot: dict) -> dict:
    """The figures of a published version's snapshot, as a release document."""
    return snapshot["results"] | {"questions": snapshot.get("questions", [])}


def _record(
    *,
    survey: Survey,
    audience: str,
    document: dict,
    key: str,
    report: ReportVersion | None = None,
    final=False,
    name: str = "",
) -> tuple[Release, bool]:
    """Record a document for an audience (``name``: which partner) once; return it and whether it is new."""
    fields = {"survey": survey, "audience": audience, "audience_name": name, "digest": key}
    try:
        with transaction.atomic():
            release, created = Release.objects.get_or_create(
                **fields,
                defaults={"document": document, "released_on": timezone.localdate(), "report": report, "final": final},
            )
    except IntegrityError:  # another request recorded it first
        release, created = Release.objects.get(**fields), False
    if final and not release.final:
        Release.objects.filter(pk=release.pk).update(final=True)
    return release, created


def _refusal(risks: list[Risk]) -> str:
    first = risks[0]
    whose = f", among {first.partner}'s staff" if first.partner else ""
    return (
        f"These figures cannot be shown: together with the figures shown before, they would tell how many people "
        f"in a group under the minimum ({first.breakdown} = {first.group}{whose}) gave one answer to {first.question} "
        f"(fewer than {PROTECTION} possible values; {len(risks)} such hidden figures in all)."
    )


def show(
    *, survey: Survey, audience: str, document: dict, report: ReportVersion | None = None, name: str = ""
) -> Release:
    """Record ``document`` as shown to ``audience``, after auditing it against
    every earlier release; raise ReleaseRefused (nothing recorded) if it
    would let anyone work out a hidden cell. A document already shown to
    any audience was audited then and is only recorded again.

    In a joint survey a shared document (any audience but a partner) is
    audited against what every partner holds; a partner's own figures
    (``"partner"`` in the document) only go to that partner (audience
    PARTNER, ``name`` its slug), audited against what it holds."""
    key = digest(document)
    if "partner" in document and (audience, name) != (Audience.PARTNER, document["partner"]):
        # Audited as what that partner holds, never as shared figures.
        raise ReleaseRefused("A partner's own figures are shown only to that partner's organisers.")
    if not Release.objects.filter(survey=survey, digest=key).exists():
        risks = audit(survey=survey, documents=[*releases(survey=survey), document], new=document)
        if risks:
            raise ReleaseRefused(_refusal(risks))
    return _record(survey=survey, audience=audience, document=document, key=key, report=report, name=name)[0]


def released_document(*, survey: Survey) -> dict:
    """What organisers may see now: the figures released at closing. While
    the survey is open (and until its final figures are in) there are none,
    only the number of respondents, coarse (``coarse_respondents``)."""
    # Only a closed survey has a final release (closing is final).
    release = Release.objects.filter(survey=survey, audience=Audience.ORGANISERS, final=True).last()
    if release is None:
        return {
            "survey": survey.slug,
            "respondents": coarse_respondents(survey=survey),
            "min_group_size": survey.min_group_size,
            "figures": "released when the survey closes",
            "concerns": [],
            "questions": [],
        }
    return release.document


def coarse_respondents(*, survey: Survey) -> int | None:
    """Respondents counted by the last aggregation (delayed), or None for
    "fewer than k" (none at all included), as progress shows them (rule 6)."""
    result_set = ResultSet.objects.filter(survey=survey).first()
    count = result_set.respondents if result_set else 0
    return count if count >= survey.min_group_size else None


# --- The closing release: once, audited, widened if it must be. ---------------


def _hide(group: dict) -> dict:
    return {"value": group["value"], "label": group["label"], "suppressed": True, "reason": PROTECTS_ANOTHER}


def _hide_groups(document: dict, at_risk: set[tuple[str, str]]) -> None:
    """Hide the groups ``at_risk`` ((breakdown, group)) in every table."""
    for table in [*document.get("concerns", []), *document.get("questions", [])]:
        for breakdown in table["breakdowns"]:
            groups = breakdown["groups"]
            for i, group in enumerate(groups):
                if not group.get("suppressed") and (breakdown["question"], group["value"]) in at_risk:
                    groups[i] = _hide(group)


def _hide_question(document: dict, survey: Survey, at_risk: set[tuple[str, str]]) -> None:
    """Hide every group of breakdown b in the summary of question q, for each
    (q, b) in ``at_risk``, and the same groups' linked concern figures: the
    "resolved" figures where q is a concern's outcome question, the whole
    group where it is its raised question."""
    linked = {c.outcome.key: (c.key, "resolved") for c in survey.concerns.select_related("outcome")}
    linked |= {c.raised.key: (c.key, "raised") for c in survey.concerns.select_related("raised")}
    for question in document.get("questions", []):
        for breakdown in question["breakdowns"]:
            if (question["key"], breakdown["question"]) in at_risk:
                breakdown["groups"] = [g if g.get("suppressed") else _hide(g) for g in breakdown["groups"]]
    for q, b in at_risk:
        if q not in linked:
            continue
        key, measure = linked[q]
        for concern in document.get("concerns", []):
            for breakdown in concern["breakdowns"] if concern["key"] == key else []:
                if breakdown["question"] != b:
                    continue
                for i, group in enumerate(breakdown["groups"]):
                    if group.get("suppressed"):
                        continue
                    if measure == "raised":
                        breakdown["groups"][i] = _hide(group)
                    else:
                        breakdown["groups"][i] = group | {"resolved": {"suppressed": True, "reason": PROTECTS_ANOTHER}}


def widened(*, survey: Survey, document: dict, earlier: list[dict]) -> tuple[dict, list[Risk]]:
    """The document with more cells hidden until the auditor finds nothing.

    Round by round, as long as something is at risk: (1) each group at risk,
    hidden in every table (linked tables are protected together); (2) every
    group of that breakdown in the question at risk, with the linked concern
    figure (an outcome question's "resolved"); (3) every group of that
    breakdown, everywhere. Hiding a cell only removes equations from the
    auditor's program, so every round is at least as safe as the one
    before. Returns the document and the risks left (empty: it may be shown).
    """
    document = copy.deepcopy(document)
    risks = audit(survey=survey, documents=[*earlier, document], new=document)
    if risks:
        _hide_groups(document, {(r.breakdown, r.group) for r in risks})
        risks = audit(survey=survey, documents=[*earlier, document], new=document)
    if risks:
        _hide_question(document, survey, {(r.question, r.breakdown) for r in risks})
        risks = audit(survey=survey, documents=[*earlier, document], new=document)
    if risks:
        whole = {r.breakdown for r in risks}
        for table in [*document.get("concerns", []), *document.get("questions", [])]:
            for breakdown in table["breakdowns"]:
                if breakdown["question"] in whole:
                    breakdown["groups"] = [g if g.get("suppressed") else _hide(g) for g in breakdown["groups"]]
        risks = audit(survey=survey, documents=[*earlier, document], new=document)
    return document, risks


def _ready(survey: Survey) -> bool:
    """Closed, every waiting submission mixed in, and the figures fresh."""
    result_set = ResultSet.objects.filter(survey=survey).first()
    return (
        survey.status == Survey.Status.CLOSED
        and result_set is not None
        and result_set.version >= survey.data_version
        and not PendingSubmission.objects.filter(survey=survey).exists()
    )


def release_final(*, survey_id: int) -> Release | None:
    """Release a closed survey's final figures to organisers, once.

    Called when the closing has committed and after every aggregation of a
    closed survey has committed; does nothing until the survey is closed
    and its figures are final. The document is audited against every
    earlier release (releases of old interim figures, before this policy)
    and widened until nothing hidden can be worked out; if even that fails,
    nothing is released and the audit list says why."""
    survey = Survey.objects.get(pk=survey_id)
    if not _ready(survey):
        return None
    document = pooled_figures(survey=survey)
    final = Release.objects.filter(survey=survey, audience=Audience.ORGANISERS, final=True).last()
    if final is not None:
        return final  # released once: a closed survey's figures do not change
    shown, risks = widened(survey=survey, document=document, earlier=releases(survey=survey))
    if risks:
        # Written once per reason: every later aggregation comes to the same.
        AuditEvent.objects.get_or_create(
            survey=survey, action=AuditEvent.Action.FIGURES_REFUSED, detail=_refusal(risks)
        )
        return None
    release, created = _record(
        survey=survey, audience=Audience.ORGANISERS, document=shown, key=digest(shown), final=True
    )
    if created:
        if digest(shown) != digest(document):
            AuditEvent.objects.create(
                survey=survey,
                action=AuditEvent.Action.FIGURES_WIDENED,
                detail="Some groups are hidden in every table so that no hidden figure can be worked out.",
            )
        AuditEvent.objects.create(
            survey=survey, action=AuditEvent.Action.FIGURES_RELEASED, detail=f"{shown['respondents']} respondents"
        )
    return release


# --- A joint survey: each partner's own figures, released with the pooled ones. ---


def _withheld(partner: Partner) -> str:
    return f"The own figures of {partner.organisation.name} are not released"


def undecided_partners(*, survey: Survey) -> list[Partner]:
    """The partners of a joint survey whose own figures are neither released
    nor withheld yet (decided once: the final figures do not change)."""
    if partner_question(survey) is None:
        return []  # not a joint survey (or its partner question not set up): pooled figures only
    return [
        partner
        for partner in survey.partners.select_related("organisation")
        if partner_release(survey=survey, partner=partner) is None
        and not AuditEvent.objects.filter(survey=survey, detail__startswith=_withheld(partner)).exists()
    ]


def release_partners(*, survey: Survey, figures: dict[Partner, dict | None]) -> None:
    """Release each partner's own figures (``figures``: aggregate.own_figures,
    None for a partner with fewer than k respondents) to its organisers,
    once, after the pooled release (docs/partners.md, "What each partner
    sees"); called by aggregate.release_at_closing.

    A partner with fewer than k respondents has no own figures (and is hidden
    everywhere). Otherwise its own figures are audited with everything its
    organisers hold (every shared release and its own), and widened in the
    same three rounds as the pooled figures; if a hidden figure about
    another partner's group (or the pooled figures' hidden cells) can still
    be worked out, that partner's own figures are withheld, the pooled ones
    stay as they are, and the audit list says why. Each partner is decided
    on its own: another partner's own figures are not part of what it
    holds."""
    if Release.objects.filter(survey=survey, audience=Audience.ORGANISERS, final=True).last() is None:
        return  # the pooled figures first
    for partner in undecided_partners(survey=survey):
        if partner not in figures:
            continue
        own = figures[partner]
        if own is None:
            AuditEvent.objects.create(
                survey=survey,
                action=AuditEvent.Action.FIGURES_REFUSED,
                detail=f"{_withheld(partner)}: fewer than {survey.min_group_size} of its staff answered.",
            )
            continue
        shown, risks = widened(survey=survey, document=own, earlier=releases(survey=survey))
        if risks:
            AuditEvent.objects.create(
                survey=survey,
                action=AuditEvent.Action.FIGURES_REFUSED,
                detail=f"{_withheld(partner)}. {_refusal(risks)}",
            )
            continue
        _record(
            survey=survey,
            audience=Audience.PARTNER,
            document=shown,
            key=digest(shown),
            final=True,
            name=partner_slug(partner),
        )


def partner_release(*, survey: Survey, partner: Partner) -> Release | None:
    """A partner's own final figures, as released to its organisers at
    closing; None before closing, or when they were withheld (fewer than k
    of its staff answered, or they would give another partner's small
    group away)."""
    return (
        Release.objects.filter(
            survey=survey, audience=Audience.PARTNER, audience_name=partner_slug(partner), final=True
        )
        .order_by("pk")
        .last()
    )
