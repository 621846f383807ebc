"""Moderators' queue: a list of waiting comments, oldest day first, and one open at a time,
highlighted, with its question only; skip opens the next."""

import uuid

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from survey.models import Answer, Member, Question, Survey
from survey.moderation import decisions as moderation
from survey.moderation.detector import suggest_redaction
from survey.moderation.safeguarding import flag_recipients
from survey.staff.permissions import member_required
from survey.web.confirm import confirm_first
from survey.web.forms import DecisionForm
from survey.web.refusals import refusal_as_message


def _highlighted(text: str, spans) -> str:
    out, last = [], 0
    for span in spans:
        out.append(escape(text[last : span.start]))
        out.append(
            f'<mark class="pii" data-kind="{span.kind}">{escape(text[span.start : span.end])}'
            f'<span class="visually-hidden"> (possible {span.kind.lower().replace("_", " ")})</span></mark>'
        )
        last = span.end
    out.append(escape(text[last:]))
    return mark_safe("".join(out))  # noqa: S308 - every piece escaped above


def _choices(survey: Survey):
    concerns = [("", "No concern topic")] + [(c.key, c.label) for c in survey.concerns.all()]
    breakdowns = [("", "No group label")] + [
        (q.key, f"Label with the respondent's answer to: {q.text}")
        for q in Question.objects.filter(survey=survey, breakdown=True)
    ]
    return concerns, breakdowns


def _days(waiting: list[Answer], current) -> list[dict]:
    """The waiting comments by the day they reached the queue, oldest day first."""
    days: list[dict] = []
    for position, answer in enumerate(waiting, start=1):
        if not days or days[-1]["day"] != answer.released_on:
            days.append({"day": answer.released_on, "comments": []})
        days[-1]["comments"].append(
            {"answer": answer, "position": position, "words": len(answer.text.split()), "current": answer == current}
        )
    return days


@require_GET
@never_cache
@member_required(Member.Role.MODERATOR)
def queue(request, survey: Survey, answer_id=None):
    """The list of waiting comments (oldest day first) beside the one open:
    the first, or the one chosen from the list; skip opens the next."""
    waiting = list(moderation.queue(survey=survey))
    answer = next((a for a in waiting if a.pk == answer_id), None) if answer_id else None
    if answer_id and answer is None:
        messages.info(request, "That comment has been decided already; here is the next one.")
    answer = answer or (waiting[0] if waiting else None)
    following = None
    if answer is not None and len(waiting) > 1:
        following = waiting[(waiting.index(answer) + 1) % len(waiting)]
    context = {
        "survey": survey,
        "remaining": len(waiting),
        "answer": answer,
        "following": following,
        "days": _days(waiting, answer),
        "awaiting_review": moderation.awaiting_review(survey=survey) if survey.two_person_review else [],
    }
    if answer is not None:
        spans = moderation.highlights(survey=survey, text=answer.text)
        concerns, breakdowns = _choices(survey)
        context["highlighted"] = _highlighted(answer.text, spans)
        context["spans"] = spans
        context["form"] = DecisionForm(
            initial={"redacted_text": suggest_redaction(answer.text, spans)}, concerns=concerns, breakdowns=breakdowns
        )
    shown = (answer is not None) + len(context["awaiting_review"])
    moderation.record_comments_read(survey=survey, acting_user=request.user, shown=shown)
    return render(request, "survey/moderate/queue.html", context)


def _to_following(request, survey: Survey):
    """After a decision, the comment that followed it (if still waiting), else the queue."""
    following = request.POST.get("following", "")
    try:
        following_id = uuid.UUID(following)
    except ValueError:
        return redirect("survey:moderation-queue", slug=survey.slug)
    return redirect("survey:comment-open", slug=survey.slug, answer_id=following_id)


@require_POST
@member_required(Member.Role.MODERATOR)
def decide(request, survey: Survey, answer_id):
    concerns, breakdowns = _choices(survey)
    form = DecisionForm(request.POST, concerns=concerns, breakdowns=breakdowns)
    action = request.POST.get("action")
    with refusal_as_message(request):
        if not form.is_valid():
            raise moderation.ModerationRefused("; ".join(e for errors in form.errors.values() for e in errors))
        if action == "approve":
            moderation.approve_quote(
                survey=survey,
                acting_user=request.user,
                answer_id=answer_id,
                redacted_text=form.cleaned_data["redacted_text"],
                concern_key=form.cleaned_data["concern"],
                label_breakdown=form.cleaned_data["label"],
            )
            messages.success(request, "Approved as a quote.")
        elif action == "reject":
            moderation.reject_comment(survey=survey, acting_user=request.user, answer_id=answer_id)
            messages.success(request, "Rejected.")
        elif action == "flag":
            moderation.flag_comment(survey=survey, acting_user=request.user, answer_id=answer_id)
            _, who = flag_recipients(survey)
            messages.success(request, f"Flagged: the text has been sent to {who}.")
        else:
            raise moderation.ModerationRefused("Choose approve, reject or flag.")
    return _to_following(request, survey)


@require_POST
@member_required(Member.Role.MODERATOR)
def review(request, survey: Survey, answer_id):
    with refusal_as_message(request):
        moderation.review_quote(survey=survey, acting_user=request.user, answer_id=answer_id)
        messages.success(request, "Reviewed: the quote can now be published.")
    return redirect("survey:moderation-queue", slug=survey.slug)


@require_POST
@member_required(Member.Role.MODERATOR)
def bulk_reject(request, survey: Survey):
    trivial = moderation.trivial_count(survey=survey)
    if not trivial:  # nothing to ask about: say so rather than offer to reject none
        messages.info(request, "No empty or one-word comments are waiting: nothing was rejected.")
        return redirect("survey:moderation-queue", slug=survey.slug)
    asking = confirm_first(
        request,
        survey=survey,
        title=f"Reject {trivial} empty or one-word comment{'s' if trivial != 1 else ''}?",
        consequences=[
            "Every waiting comment of one word or none is rejected at once: none of them can become a quote.",
            "A rejection cannot be undone.",
        ],
        button="Reject them",
        cancel=reverse("survey:moderation-queue", kwargs={"slug": survey.slug}),
    )
    if asking:
        return asking
    count = moderation.bulk_reject_trivial(survey=survey, acting_user=request.user)
    messages.success(request, f"Rejected {count} empty or one-word comment{'s' if count != 1 else ''}.")
    return redirect("survey:moderation-queue", slug=survey.slug)
