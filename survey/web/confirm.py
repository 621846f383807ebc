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
