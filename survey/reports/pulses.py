"""Follow-up pulses: from an action, a short survey (one to three questions)
to the same people, linked to the original (``Survey.link = "pulse"``).

A pulse is a survey like any other: its own anonymity, k, disclosure rules
and release (figures only once it has closed). It asks for no group, so its
figures are about everyone who answered it together; its k is never lower
than the original's (docs/following-up.md, tests/anonymity/test_attack_pulse.py).
"""

from django.contrib.auth.models import User
from django.db import transaction

from survey.definitions.format import load_definition, validate_definition
from survey.definitions.status import set_status
from survey.figures.releases import ReleaseRefused, released_document, show
from survey.models import Action, AuditEvent, Member, Release, Survey
from survey.refused import Refused


class PulseRefused(Refused):
    pass


def open_pulse_of(original: Survey) -> Survey | None:
    """The pulse now open for a survey's people, if any: the original's address leads there."""
    return (
        Survey.objects.filter(linked_survey=original, link=Survey.Link.PULSE, status=Survey.Status.OPEN)
        .order_by("pk")
        .first()
    )


def _free_slug(original: Survey) -> str:
    taken = set(Survey.objects.filter(slug__startswith=f"{original.slug[:38]}-pulse-").values_list("slug", flat=True))
    n = 1
    while f"{original.slug[:38]}-pulse-{n}" in taken:
        n += 1
    return f"{original.slug[:38]}-pulse-{n}"


@transaction.atomic
def open_pulse(
    *,
    action: Action,
    acting_user: User,
    title: str,
    intro: str,
    min_group_size: int,
    access: str,
    questions: list[dict],
) -> Survey:
    """Create and open a follow-up pulse of ``action``.

    Refused while the original survey is still open (its figures are
    released at closing: a pulse follows them up) or while another pulse of
    it is open (its address can lead to one pulse only). The organisers of
    the original become the pulse's organisers."""
    original = Survey.objects.select_for_update().get(pk=action.survey_id)
    if original.status != Survey.Status.CLOSED:
        raise PulseRefused("Close the survey first: a pulse asks the same people again once the results are out.")
    other = open_pulse_of(original)
    if other is not None:
        raise PulseRefused(f"The pulse “{other.title}” is still open: close it before opening another.")
    document = {
        "slug": _free_slug(original),
        "title": title,
        "intro": intro,
        "min_group_size": min_group_size,
        "access": access,
        **({"population": original.population} if original.population else {}),
        "pulse_of": {"survey": original.slug, "action": str(action.pk)},
        "sections": [{"title": title, "questions": questions}],
    }
    pulse = load_definition(definition=validate_definition(document), acting_user=acting_user, what="follow-up pulse")
    Member.objects.bulk_create(
        Member(survey=pulse, user_id=user_id, role=Member.Role.ORGANISER)
        for user_id in original.members.filter(role=Member.Role.ORGANISER).values_list("user_id", flat=True)
    )
    pulse = set_status(survey=pulse, acting_user=acting_user, status=Survey.Status.OPEN)
    AuditEvent.objects.create(
        survey=original,
        user=acting_user,
        action=AuditEvent.Action.PULSE_OPENED,
        detail=f"“{title}” ({pulse.slug}), {len(questions)} question(s), k = {min_group_size}, {access}",
    )
    return pulse


def pulse_figures(*, pulse: Survey, audience: str | None = None) -> dict:
    """What the ledger shows beside an action about one of its pulses: its
    figures released at closing (the release path every survey takes), else
    only that it is open or not yet released. ``audience``: who else is
    shown them (the public ledger), recorded as a release like any other."""
    item = {"slug": pulse.slug, "title": pulse.title, "status": pulse.status, "k": pulse.min_group_size}
    if pulse.status != Survey.Status.CLOSED:
        return item | {"released": False}
    document = released_document(survey=pulse)
    if (document.get("respondents") or 0) < pulse.min_group_size:
        # Nothing released yet, or fewer than k answered: no figure at all.
        return item | {"released": False, "too_few": bool(document.get("questions"))}
    if audience is not None:
        try:
            show(survey=pulse, audience=audience, document=document)
        except ReleaseRefused:
            return item | {"released": False}
    return item | {
        "released": True,
        "respondents": document["respondents"],
        "questions": [q for q in document.get("questions", []) if not q.get("suppressed")],
        "hidden": [q["text"] for q in document.get("questions", []) if q.get("suppressed")],
    }


def pulses_by_action(*, survey: Survey, audience: str | None = None) -> dict[str, list[dict]]:
    """Every pulse of a survey's actions, by action id, earliest first."""
    out: dict[str, list[dict]] = {}
    for pulse in Survey.objects.filter(linked_survey=survey, link=Survey.Link.PULSE).order_by("pk"):
        if pulse.pulse_action_id:
            shown = pulse_figures(pulse=pulse, audience=audience)
            out.setdefault(str(pulse.pulse_action_id), []).append(shown)
    return out


PUBLIC = Release.Audience.PUBLIC  # the public ledger page shows pulse figures to everyone
