"""Moderating free text (DESIGN rule 7): every change is one audited action.

Moderators see a comment, the question it answers and nothing else about the
respondent. A quote is published only after approval (and a second
moderator's review where the survey asks for it), and only in its redacted
form; a group label is shown with it only where that group has at least k
respondents.
"""

import random
from datetime import date

from django.contrib.auth.models import User
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Count, Exists, Min, OuterRef, QuerySet, Subquery
from django.utils import timezone

from survey.figures.groups import breakdown_groups
from survey.models import (
    Answer,
    AuditEvent,
    CommentReview,
    Concern,
    ModerationBatch,
    Question,
    Response,
    Survey,
)
from survey.moderation import safeguarding
from survey.moderation.detector import detect
from survey.refused import Refused

_shuffle = random.SystemRandom().shuffle


@transaction.atomic
def save_moderation_settings(
    *, survey: Survey, acting_user: User, terms: list[str], safeguarding_contact: str, two_person_review: bool
) -> None:
    if not safeguarding_contact and survey.status == Survey.Status.OPEN and safeguarding.has_free_text(survey):
        raise ModerationRefused("An open survey that asks for free text keeps its safeguarding contact.")
    Survey.objects.filter(pk=survey.pk).update(
        moderation_terms=terms, safeguarding_contact=safeguarding_contact, two_person_review=two_person_review
    )
    AuditEvent.objects.create(survey=survey, user=acting_user, action=AuditEvent.Action.MODERATION_SETTINGS_CHANGED)


class ModerationRefused(Refused):
    pass


def _comments(survey_filter: dict) -> QuerySet[Answer]:
    return Answer.objects.filter(question__kind=Question.Kind.FREE_TEXT, review__isnull=True, **survey_filter).exclude(
        text=""
    )


def record_comments_read(*, survey: Survey, acting_user: User, shown: int) -> None:
    """Audit one reading of the queue: one event per page view that showed
    comments (the one waiting, and approvals awaiting a second moderator),
    since reading raw comments is reading individual-level data."""
    if shown:
        AuditEvent.objects.create(
            survey=survey,
            user=acting_user,
            action=AuditEvent.Action.COMMENTS_READ,
            detail=f"{shown} comment{'s' if shown != 1 else ''} shown",
        )


def queue(*, survey: Survey) -> QuerySet[Answer]:
    """Free-text answers released to moderators and waiting for a decision.

    Only comments inside a ModerationBatch are shown, batch by batch (oldest
    release first), in the order of their random ids: not the order they
    were sent in.
    """
    released = ModerationBatch.answers.through.objects.filter(answer_id=OuterRef("pk"))
    return (
        _comments({"question__survey": survey})
        .filter(Exists(released))
        .select_related("question")
        .annotate(
            released_on=Subquery(
                released.order_by("moderationbatch__released_on").values("moderationbatch__released_on")[:1]
            )
        )
        .order_by("released_on", "pk")
    )


def waiting_count(*, survey: Survey) -> int:
    """Comments released to moderators and not yet decided."""
    return queue(survey=survey).count()


def coarse_waiting(count: int, k: int) -> str:
    """The waiting count as an organiser who is not a moderator sees it:
    "fewer than k" (which covers none) or "at least" a multiple of k.

    Comments reach the queue only in batches (at least k, or a day's
    remainder once the day is over), so the count never moves with one
    submission; still, "none" turning into "1" the day after the only person
    an organiser saw answering would say that person wrote a comment, and
    an exact count above k would give the size of a day's remainder. A
    moderator reads the comments themselves, so the queue shows them exactly.
    """
    if count < k:
        return f"fewer than {k} waiting"
    return f"at least {count // k * k} waiting"


def release_comments(*, today: date | None = None) -> dict[int, int]:
    """Release new comments to the moderation queue in batches (DESIGN rule 7).

    For each survey, the comments not yet in any batch are released together
    once there are at least k (the survey's ``min_group_size``) of them;
    fewer are released only once their day is over (the day's remainder).
    Each release is one ModerationBatch holding the set, in shuffled order:
    no answer row is written. Returns how many comments each survey released.
    """
    today = today or timezone.localdate()
    released: dict[int, int] = {}
    waiting = (
        _comments({})
        .filter(moderation_batches__isnull=True)
        .values("question__survey_id")
        .annotate(n=Count("pk"), first_day=Min("response__submitted_on"))
        .order_by()
    )
    for row in waiting:
        survey_id = row["question__survey_id"]
        with transaction.atomic():
            survey = Survey.objects.select_for_update().filter(pk=survey_id).first()
            if survey is None:
                continue
            new = _comments({"question__survey": survey}).filter(moderation_batches__isnull=True)
            ids = list(new.values_list("pk", flat=True))
            if len(ids) < survey.min_group_size:
                ids = list(new.filter(response__submitted_on__lt=today).values_list("pk", flat=True))
            if not ids:
                continue
            _shuffle(ids)
            batch = ModerationBatch.objects.create(survey=survey, released_on=today)
            batch.answers.add(*ids)
            released[survey_id] = len(ids)
    return released


def highlights(*, survey: Survey, text: str):
    return detect(text, survey.moderation_terms)


def _answer(survey: Survey, answer_id) -> Answer:
    answer = queue(survey=survey).filter(pk=answer_id).first()
    if answer is None:
        raise ModerationRefused("This comment has already been decided, or is not in this survey.")
    return answer


def _group_label(survey: Survey, answer: Answer, breakdown_key: str) -> str:
    """The respondent's group on a breakdown, if that group holds at least k respondents."""
    breakdown = Question.objects.filter(survey=survey, key=breakdown_key, breakdown=True).first()
    if breakdown is None:
        raise ModerationRefused("Choose one of the survey's breakdown questions for the label.")
    own = Answer.objects.filter(response_id=answer.response_id, question=breakdown).select_related("choice").first()
    if own is None or own.choice is None:
        raise ModerationRefused("This respondent did not answer that question, so no label can be shown.")
    # A merged group labels its members' quotes, and is counted whole.
    group = next(g for g in breakdown_groups(breakdown) if own.choice_id in g.members)
    size = Answer.objects.filter(question=breakdown, choice__in=group.members).aggregate(n=Count("response_id"))["n"]
    if size < survey.min_group_size:
        raise ModerationRefused(
            f"That group has fewer than {survey.min_group_size} respondents: the quote cannot carry its label."
        )
    return group.label


@transaction.atomic
def approve_quote(
    *,
    survey: Survey,
    acting_user: User,
    answer_id,
    redacted_text: str,
    concern_key: str = "",
    label_breakdown: str = "",
) -> CommentReview:
    """Approve a comment as a quote, in the moderator's redacted wording."""
    if Response.objects.filter(survey=survey).count() < survey.min_group_size:
        raise ModerationRefused(
            f"No quote can be approved while the survey has fewer than {survey.min_group_size} responses."
        )
    answer = _answer(survey, answer_id)
    if not redacted_text.strip():
        raise ModerationRefused("Write the text to publish (it may be the comment with details removed).")
    concern = Concern.objects.filter(survey=survey, key=concern_key).first() if concern_key else None
    label = _group_label(survey, answer, label_breakdown) if label_breakdown else ""
    review = CommentReview.objects.create(
        answer=answer,
        status=CommentReview.Status.APPROVED,
        redacted_text=redacted_text.strip(),
        concern=concern,
        group_label=label,
        decided_by=acting_user,
        decided_at=timezone.now(),
    )
    AuditEvent.objects.create(
        survey=survey, user=acting_user, action=AuditEvent.Action.COMMENT_APPROVED, detail=str(answer.pk)
    )
    return review


@transaction.atomic
def reject_comment(*, survey: Survey, acting_user: User, answer_id) -> CommentReview:
    answer = _answer(survey, answer_id)
    review = CommentReview.objects.create(
        answer=answer, status=CommentReview.Status.REJECTED, decided_by=acting_user, decided_at=timezone.now()
    )
    AuditEvent.objects.create(
        survey=survey, user=acting_user, action=AuditEvent.Action.COMMENT_REJECTED, detail=str(answer.pk)
    )
    return review


@transaction.atomic
def flag_comment(*, survey: Survey, acting_user: User, answer_id) -> CommentReview:
    """Send a comment that reveals a risk to the survey's safeguarding contact (or, on a survey
    that opened without one, to its organisers): the text and nothing else. Never refused for
    want of a contact."""
    answer = _answer(survey, answer_id)
    recipients, who = safeguarding.flag_recipients(survey)
    review = CommentReview.objects.create(
        answer=answer, status=CommentReview.Status.FLAGGED, decided_by=acting_user, decided_at=timezone.now()
    )
    AuditEvent.objects.create(
        survey=survey,
        user=acting_user,
        action=AuditEvent.Action.COMMENT_FLAGGED,
        detail=f"Comment {answer.pk}\nSent to {who}: {', '.join(recipients) or 'nobody has an e-mail address'}",
    )
    text = answer.text
    transaction.on_commit(
        lambda: (
            send_mail(
                "A survey comment flagged for safeguarding",
                "A moderator flagged this anonymous comment as revealing a possible risk to patients or staff:\n\n"
                f"{text}\n",
                None,
                recipients,
            )
            if recipients
            else None
        )
    )
    return review


@transaction.atomic
def review_quote(*, survey: Survey, acting_user: User, answer_id) -> CommentReview:
    """A second moderator confirms an approval (two-person review)."""
    review = (
        CommentReview.objects.select_for_update()
        .filter(answer_id=answer_id, answer__question__survey=survey, status=CommentReview.Status.APPROVED)
        .first()
    )
    if review is None or review.reviewed_by_id:
        raise ModerationRefused("This quote is not waiting for review.")
    if review.decided_by_id == acting_user.pk:
        raise ModerationRefused("A second moderator must review your own approval.")
    review.reviewed_by, review.reviewed_at = acting_user, timezone.now()
    review.save(update_fields=["reviewed_by", "reviewed_at"])
    AuditEvent.objects.create(
        survey=survey, user=acting_user, action=AuditEvent.Action.COMMENT_REVIEWED, detail=str(answer_id)
    )
    return review


def trivial_count(*, survey: Survey) -> int:
    return sum(1 for a in queue(survey=survey) if len(a.text.split()) <= 1)


@transaction.atomic
def bulk_reject_trivial(*, survey: Survey, acting_user: User) -> int:
    """Reject every waiting comment that is empty or a single word."""
    trivial = [a for a in queue(survey=survey) if len(a.text.split()) <= 1]
    now = timezone.now()
    CommentReview.objects.bulk_create(
        CommentReview(answer=a, status=CommentReview.Status.REJECTED, decided_by=acting_user, decided_at=now)
        for a in trivial
    )
    AuditEvent.objects.create(
        survey=survey,
        user=acting_user,
        action=AuditEvent.Action.COMMENTS_BULK_REJECTED,
        detail=f"{len(trivial)} comments",
    )
    return len(trivial)


def awaiting_review(*, survey: Survey) -> QuerySet[CommentReview]:
    return CommentReview.objects.filter(
        answer__question__survey=survey, status=CommentReview.Status.APPROVED, reviewed_by__isnull=True
    ).select_related("answer__question", "decided_by")


def approved_quotes(*, survey: Survey):
    """Approved reviews ready to quote, oldest decision first (two-person review: confirmed ones only)."""
    reviews = CommentReview.objects.filter(
        answer__question__survey=survey, status=CommentReview.Status.APPROVED
    ).select_related("concern")
    if survey.two_person_review:
        reviews = reviews.filter(reviewed_by__isnull=False)
    return reviews.order_by("decided_at")


def quote_of(review: CommentReview) -> dict:
    """What a report shows of a quote: redacted text only, labels only for groups of at least k."""
    return {
        "text": review.redacted_text,
        "concern": review.concern.label if review.concern else "",
        "label": review.group_label,
    }


def publishable_quotes(*, survey: Survey, chosen: list[str] | None = None) -> list[dict]:
    """Approved quotes ready for a report; with ``chosen`` (answer ids), only those."""
    reviews = approved_quotes(survey=survey)
    if chosen is not None:
        reviews = reviews.filter(answer_id__in=chosen)
    return [quote_of(r) for r in reviews]
