"""Publishing: a report is a frozen, versioned snapshot of released figures
plus the organisers' narrative and actions. A published version never
changes; corrections are new versions with a note."""

from django.contrib.auth.models import User
from django.core.cache import cache
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from survey.figures.comparisons import comparisons, trend
from survey.figures.documents import question_texts, wave_documents
from survey.figures.releases import (
    ReleaseRefused,
    coarse_respondents,
    digest,
    figures_of,
    released_document,
    show,
)
from survey.models import Approval, AuditEvent, Partner, Release, ReportSettings, ReportVersion, Result, Survey
from survey.moderation.decisions import publishable_quotes
from survey.refused import Refused
from survey.reports.ledger import report_actions
from survey.reports.markup import render
from survey.reports.translations import snapshot_texts


class PublishRefused(Refused):
    pass


def _selected(document: dict, settings: ReportSettings | None) -> tuple[dict, list]:
    """The released document cut down to what the organisers chose to publish."""
    concerns_wanted = set(settings.concerns) if settings and settings.concerns else None
    breakdowns_wanted = set(settings.breakdowns) if settings and settings.breakdowns else None
    questions_wanted = set(settings.questions) if settings and settings.questions else None
    concerns = []
    for concern in document["concerns"]:
        if concerns_wanted is not None and concern["key"] not in concerns_wanted:
            continue
        kept = [b for b in concern["breakdowns"] if breakdowns_wanted is None or b["question"] in breakdowns_wanted]
        concerns.append(concern | {"breakdowns": kept})
    questions = []
    for question in document.get("questions", []):
        if questions_wanted is not None and question["key"] not in questions_wanted:
            continue
        kept = [b for b in question["breakdowns"] if breakdowns_wanted is None or b["question"] in breakdowns_wanted]
        questions.append(question | {"breakdowns": kept})
    results = {k: document[k] for k in ("survey", "respondents", "min_group_size", "response_rates") if k in document}
    results["concerns"] = concerns
    return results, questions


def _changes(previous: dict | None, current: dict) -> list[str]:
    """Headline figures that moved since the previous version, in words."""
    if previous is None:
        return []
    before = {c["key"]: c for c in previous["results"]["concerns"]}
    lines = []
    for concern in current["concerns"]:
        old = before.get(concern["key"])
        for measure in Result.MEASURES:
            new_fig = concern[measure]
            old_fig = old[measure] if old else {"suppressed": True}
            if new_fig.get("suppressed") or old_fig.get("suppressed"):
                continue
            if (old_fig["count"], old_fig["n"]) != (new_fig["count"], new_fig["n"]):
                lines.append(
                    f"{concern['label']}, {measure}: {old_fig['pct']}% of {old_fig['n']} → "
                    f"{new_fig['pct']}% of {new_fig['n']}"
                )
    if previous["results"]["respondents"] != current["respondents"]:
        lines.insert(0, f"Respondents: {previous['results']['respondents']} → {current['respondents']}")
    return lines


def next_snapshot(*, survey: Survey) -> dict:
    """The snapshot the next version would freeze, as it stands now: the one
    builder of a version's document, for publishing and for the Report tab's
    preview (so the preview is exactly what the auditor checks).

    Refused while the survey is open: figures are released once, at closing
    (no two versions a few responses apart, issue finding 3)."""
    if survey.status != Survey.Status.CLOSED:
        raise PublishRefused(
            "The survey is still open. Figures are published once, after it closes, so that nobody can work out "
            "one person's answers by comparing two versions. Close the survey, then publish."
        )
    settings = ReportSettings.objects.filter(survey=survey).first()
    released = released_document(survey=survey)
    if (released["respondents"] or 0) < survey.min_group_size and coarse_respondents(survey=survey) is None:
        raise PublishRefused(f"There are fewer than {survey.min_group_size} respondents: nothing can be published.")
    if not released["concerns"]:
        raise PublishRefused("The final figures are not ready yet: try again in a few minutes.")
    results, questions = _selected(released, settings)
    previous = survey.reports.first()
    return {
        "results": results,
        "questions": questions,
        "comparisons": comparisons(results),
        "trend": trend(wave_documents(survey=survey, current=results)),
        "questions_text": question_texts(survey=survey),
        "narrative_html": render(settings.narrative if settings else ""),
        "actions": report_actions(survey=survey, concern_keys={c["key"] for c in results["concerns"]}),
        # Only the approved quotes the organisers chose (none until they do).
        "quotes": publishable_quotes(survey=survey, chosen=settings.quotes if settings else []),
        "changes": _changes(previous.snapshot if previous else None, results),
        # Who ran it, frozen with the version ("Run jointly by ..."); empty unless joint.
        "partners": [p.organisation.name for p in joint_partners(survey=survey)],
        **snapshot_texts(survey=survey, settings=settings),  # every language's texts
    }


def joint_partners(*, survey: Survey) -> list[Partner]:
    """The partners of a joint survey, in order; none for a survey run by one organisation."""
    if not survey.partners_from:
        return []
    return list(survey.partners.select_related("organisation"))


def next_number(*, survey: Survey) -> int:
    return (survey.reports.aggregate(m=Max("number"))["m"] or 0) + 1


def waiting_for(*, survey: Survey, number: int, version: str) -> list[Partner]:
    """The partners that have not approved version ``number`` as named by
    ``version`` (its ``preview_digest``): publication of a joint survey's
    report is co-signed, each partner approving exactly that version."""
    approved = Approval.objects.filter(
        request__survey=survey, request__number=number, request__digest=version
    ).values_list("partner_id", flat=True)
    return [p for p in joint_partners(survey=survey) if p.pk not in set(approved)]


def waiting_message(partners: list[Partner]) -> str:
    names = ", ".join(p.organisation.name for p in partners)
    return (
        f"This report is run jointly, and each partner approves a version before it is published: "
        f"waiting for approval from: {names}."
    )


def next_title(*, survey: Survey) -> str:
    settings = ReportSettings.objects.filter(survey=survey).first()
    return settings.title if settings and settings.title else survey.title


def preview_digest(snapshot: dict, title: str) -> str:
    """Names exactly one next version (its snapshot and title), so the
    version published is the one previewed."""
    return digest(snapshot | {"title": title})


@transaction.atomic
def publish_report(*, survey: Survey, acting_user: User, note: str = "", previewed: str = "") -> ReportVersion:
    """Freeze the figures organisers see, with narrative and actions, as a new version.

    The snapshot comes from ``next_snapshot`` (refused while the survey is
    open), cut from the final release, and the auditor checks it against every
    earlier release before it is recorded as the public one
    (survey/figures/releases.py): refused, with the reason, if together they
    would pin a hidden figure. ``previewed`` (the digest of the preview the
    organiser saw) refuses a version that is not exactly that preview. A
    joint survey's version is refused until every partner has approved
    exactly it (``waiting_for``; survey/reports/cosigning.py).
    """
    survey = Survey.objects.select_for_update().get(pk=survey.pk)  # serialise version numbers
    snapshot = next_snapshot(survey=survey)
    if previewed and preview_digest(snapshot, next_title(survey=survey)) != previewed:
        raise PublishRefused(
            "The report changed since the preview you saw (someone saved new settings, or a quote was decided). "
            "Check the preview again, then publish."
        )
    number = next_number(survey=survey)
    waiting = waiting_for(survey=survey, number=number, version=preview_digest(snapshot, next_title(survey=survey)))
    if waiting:
        raise PublishRefused(waiting_message(waiting))
    report = ReportVersion.objects.create(
        survey=survey,
        number=number,
        title=next_title(survey=survey),
        snapshot=snapshot,
        note=note,
        published_at=timezone.now(),
        published_by=acting_user,
    )
    try:
        show(survey=survey, audience=Release.Audience.PUBLIC, document=figures_of(snapshot), report=report)
    except ReleaseRefused as exc:
        raise PublishRefused(str(exc)) from None
    AuditEvent.objects.create(
        survey=survey, user=acting_user, action=AuditEvent.Action.REPORT_PUBLISHED, detail=f"version {number}"
    )
    # The public page of the latest version is found from the slug alone,
    # named once the version is committed (a rolled-back version names nothing).
    transaction.on_commit(lambda: cache.set(latest_page_key(survey.slug), page_name(report), PAGE_LIFETIME))
    return report


# --- The public page's cache: a published version never changes. -------------

PAGE_LIFETIME = 24 * 3600


def latest_page_key(slug: str) -> str:
    return f"report-latest:{slug}"


def page_name(report: ReportVersion) -> str:
    """Names one published version for the page cache (unique even across
    databases that reuse ids, as test databases do)."""
    return f"{report.pk}:{report.number}:{report.published_at.timestamp()}"
