"""Co-signed publication of a joint survey's report (docs/partners.md,
"Approving and publishing together").

The organisers ask the partners to approve the version prepared now
(``ask_partners``): it is named by its digest, exactly what would be
published. Each partner's organisers see that version (a release to that
partner, audited like every other) and approve it or say "not yet". When
every partner has approved exactly that version, the survey's organisers
publish it (``publish_report`` refuses until then and says whom it waits
for). Any change to the draft gives another digest, so earlier approvals
no longer count and the organisers ask again. Approvals keep the day only.
"""

from dataclasses import dataclass

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.utils import timezone

from survey.figures.releases import ReleaseRefused, figures_of, show
from survey.models import Approval, ApprovalRequest, AuditEvent, Partner, Release, Survey
from survey.refused import Refused
from survey.reports.publishing import (
    joint_partners,
    next_number,
    next_snapshot,
    next_title,
    preview_digest,
    waiting_for,
)


class ApprovalRefused(Refused):
    pass


@dataclass
class Prepared:
    """The version that would be published now, with its request for approval (if asked)."""

    number: int
    snapshot: dict
    title: str
    version: str  # preview_digest of snapshot and title
    request: ApprovalRequest | None
    waiting: list[Partner]


def prepared_version(*, survey: Survey) -> Prepared:
    """The next version as it stands now (raises PublishRefused when there
    is none yet), and whether the partners were asked to approve it."""
    snapshot = next_snapshot(survey=survey)
    title = next_title(survey=survey)
    number = next_number(survey=survey)
    version = preview_digest(snapshot, title)
    request = ApprovalRequest.objects.filter(survey=survey, number=number, digest=version).first()
    return Prepared(
        number, snapshot, title, version, request, waiting_for(survey=survey, number=number, version=version)
    )


@transaction.atomic
def ask_partners(*, survey: Survey, acting_user: User, previewed: str = "") -> ApprovalRequest:
    """Ask every partner to approve the version prepared now (``previewed``:
    the digest of the preview the organiser saw; another version is
    refused). Asking twice for the same version asks once. Audited."""
    if not joint_partners(survey=survey):
        raise ApprovalRefused("This survey is run by one organisation: there is nobody to ask for approval.")
    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    prepared = prepared_version(survey=survey)
    if previewed and previewed != prepared.version:
        raise ApprovalRefused(
            "The report changed since the preview you saw. Check the preview again, then ask the partners."
        )
    request, created = ApprovalRequest.objects.get_or_create(
        survey=survey,
        number=prepared.number,
        digest=prepared.version,
        defaults={"asked_on": timezone.localdate(), "asked_by": acting_user},
    )
    if created:
        names = ", ".join(p.organisation.name for p in joint_partners(survey=survey))
        AuditEvent.objects.create(
            survey=survey,
            user=acting_user,
            action=AuditEvent.Action.REPORT_APPROVAL_ASKED,
            detail=f"Version {prepared.number} of the report, as previewed, was sent to {names} for approval.",
        )
    return request


def show_pending(*, survey: Survey, partner: Partner, prepared: Prepared) -> None:
    """Record the pending version as shown to ``partner`` (a release to that
    partner), auditing it first; raises ApprovalRefused with the auditor's
    reason, recording nothing, if it would let a hidden figure be worked out."""
    try:
        show(
            survey=survey,
            audience=Release.Audience.PARTNER,
            document=figures_of(prepared.snapshot),
            name=partner.organisation.slug,
        )
    except ReleaseRefused as exc:
        raise ApprovalRefused(str(exc)) from None


def _asked(survey: Survey, partner: Partner, version: str) -> Prepared:
    prepared = prepared_version(survey=survey)
    if prepared.request is None or prepared.version != version:
        raise ApprovalRefused(
            "This is no longer the version waiting for approval: the report changed since it was sent to you. "
            "The organisers will ask again."
        )
    if partner.survey_id != survey.pk:
        raise ApprovalRefused("That organisation is not a partner of this survey.")
    return prepared


@transaction.atomic
def approve_version(*, survey: Survey, partner: Partner, acting_user: User, version: str) -> Approval:
    """``partner`` approves the version waiting for approval, named by
    ``version`` (the digest of what they were shown); refused when the
    draft has changed since. Approving twice approves once. Audited in words."""
    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    prepared = _asked(survey, partner, version)
    show_pending(survey=survey, partner=partner, prepared=prepared)  # what they approve, they have seen
    try:
        with transaction.atomic():
            approval, created = Approval.objects.get_or_create(
                request=prepared.request,
                partner=partner,
                defaults={"approved_on": timezone.localdate(), "approved_by": acting_user},
            )
    except IntegrityError:  # the partner's other organiser approved at the same moment
        return Approval.objects.get(request=prepared.request, partner=partner)
    if created:
        waiting = [p for p in prepared.waiting if p.pk != partner.pk]
        rest = (
            f"Still waiting for approval from: {', '.join(p.organisation.name for p in waiting)}."
            if waiting
            else "Every partner has approved it: the organisers may publish it."
        )
        AuditEvent.objects.create(
            survey=survey,
            user=acting_user,
            action=AuditEvent.Action.REPORT_APPROVED,
            detail=f"{partner.organisation.name} approved version {prepared.number} of the report. {rest}",
        )
    return approval


@transaction.atomic
def not_yet(*, survey: Survey, partner: Partner, acting_user: User, version: str, note: str = "") -> None:
    """``partner`` is not ready for the version waiting for approval to be
    published: its approval, if it gave one, is taken back. Audited, with
    the partner's note, so the organisers read why in the list of changes."""
    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    prepared = _asked(survey, partner, version)
    Approval.objects.filter(request=prepared.request, partner=partner).delete()
    why = f" Their note: {note}" if note else ""
    AuditEvent.objects.create(
        survey=survey,
        user=acting_user,
        action=AuditEvent.Action.REPORT_NOT_YET,
        detail=f"{partner.organisation.name} said version {prepared.number} of the report is not ready to "
        f"publish yet.{why}",
    )
