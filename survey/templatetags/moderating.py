"""The console's link to moderation, with the waiting count each person may see."""

from django import template
from django.urls import reverse

from survey.models import Member
from survey.moderation.decisions import coarse_waiting, waiting_count

register = template.Library()


@register.inclusion_tag("survey/moderate/_link.html", takes_context=True)
def moderation_link(context, survey, style="tab"):
    """A moderator reads the comments themselves, so sees the exact count and
    the queue; an organiser who is not a moderator sees it coarse (see
    ``coarse_waiting``) and reaches the moderation settings."""
    user = context["request"].user
    count = waiting_count(survey=survey)
    if Member.objects.filter(survey=survey, user=user, role=Member.Role.MODERATOR).exists():
        url, words = reverse("survey:moderation-queue", kwargs={"slug": survey.slug}), f"{count} waiting"
    else:
        url = reverse("survey:moderation-settings", kwargs={"slug": survey.slug})
        words = coarse_waiting(count, survey.min_group_size)
    return {"url": url, "words": words, "style": style, "current": context["request"].path == url}
