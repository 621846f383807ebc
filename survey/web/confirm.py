"""Irreversible actions ask first: a page that says what will happen, then the same POST again.

The first POST of an irreversible action (closing, removing, publishing,
rejecting in bulk) renders this page instead of acting; its form posts the
same fields back with ``confirmed=yes``. It needs no JavaScript.
"""

from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse

CONFIRMED = "confirmed"


def confirm_first(
    request, *, survey, title: str, consequences: list[str], button: str, cancel: str
) -> HttpResponse | None:
    """The confirmation page, or None once the person has confirmed."""
    if request.POST.get(CONFIRMED) == "yes":
        return None
    fields = [
        (name, value)
        for name in request.POST
        if name not in ("csrfmiddlewaretoken", CONFIRMED)
        for value in request.POST.getlist(name)
    ]
    context = {
        "survey": survey,
        "title": title,
        "consequences": consequences,
        "button": button,
        "cancel": cancel,
        "fields": fields,
        "action": request.path,
    }
    return render(request, "survey/confirm.html", context)


def publishing_consequences(*, survey) -> dict:
    """What publishing the next version does, for ``confirm_first``."""
    number = (survey.reports.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    link = reverse("survey:report-detail", kwargs={"slug": survey.slug})
    return {
        "title": f"Publish version {number} of the report?",
        "consequences": [
            f"Version {number} is frozen with the figures, narrative, actions and approved quotes as they are now, "
            f"and shown to anyone with the link {link}.",
            "A published version never changes and cannot be withdrawn; a later version can only be added beside it.",
            "Publishing is recorded in the list of changes, with your name.",
        ],
        "button": f"Publish version {number}",
        "cancel": reverse("survey:report-builder", kwargs={"slug": survey.slug}),
    }


def asking_consequences(*, survey) -> dict:
    """What asking a joint survey's partners to approve the next version does."""
    number = (survey.reports.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    names = ", ".join(p.organisation.name for p in survey.partners.select_related("organisation"))
    return {
        "title": f"Ask the partners to approve version {number}?",
        "consequences": [
            f"Version {number}, exactly as previewed, is shown to the organisers of each partner ({names}) in "
            "their console, with its figures: they approve it or say it is not ready yet.",
            "It is published only once every partner has approved exactly this version; you then publish it from "
            "the Report tab. Any change to the report before then means asking again.",
            "Asking is recorded in the list of changes, with your name.",
        ],
        "button": "Ask partners to approve",
        "cancel": reverse("survey:report-builder", kwargs={"slug": survey.slug}),
    }


def approval_consequences(*, survey, partner, number: int, decision: str) -> dict:
    """What approving (or saying "not yet" to) the version waiting for approval does."""
    name = partner.organisation.name
    cancel = reverse("survey:report-approval", kwargs={"slug": survey.slug})
    if decision == "approve":
        return {
            "title": f"Approve version {number} for {name}?",
            "consequences": [
                f"You approve version {number} of the report, exactly as you saw it, on behalf of {name}.",
                "When every partner has approved it, the survey's organisers may publish it; once published it "
                "never changes and cannot be withdrawn.",
                "Your approval is recorded with your name and today's date. If the report changes before it is "
                "published, the partners are asked again.",
            ],
            "button": f"Approve version {number}",
            "cancel": cancel,
        }
    return {
        "title": f"Say version {number} is not ready yet, for {name}?",
        "consequences": [
            f"Version {number} cannot be published until {name} approves it; an approval you gave is taken back.",
            "The survey's organisers see that you said not yet, with your note, in the survey's list of changes.",
        ],
        "button": "Not yet",
        "cancel": cancel,
    }
