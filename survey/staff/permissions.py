"""Who may do what, decided here and nowhere else.

A survey's organisers are its per-survey organiser members and the owners
and organisers of the organisation that owns it; moderators are named per
survey only (DESIGN "People and what each may do"). Console views say the
role they need with a decorator; commands, the console's lists and the
safeguarding e-mails ask the selectors below.

A joint survey's partners are organisations too (docs/partners.md): an
owner or organiser of a partner organisation who does not organise the
survey is a *partner organiser*. They open the survey's Results page and
the version waiting for approval, and approve it for their organisation;
nothing else (no builder, codes, team, moderation, downloads).
"""

from functools import wraps

from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.db.models import Q, QuerySet
from django.http import Http404

from survey.models import Member, Organisation, Partner, Survey


def _organiser_of_survey(user) -> Q:
    # Either role in the organisation organises its surveys (an owner also manages its people).
    return Q(members__user=user, members__role=Member.Role.ORGANISER) | Q(organisation__members__user=user)


def organised_by(user) -> QuerySet[Survey]:
    """Every survey ``user`` organises, directly or through an organisation."""
    return Survey.objects.filter(pk__in=Survey.objects.filter(_organiser_of_survey(user)).values("pk"))


def moderated_by(user) -> QuerySet[Survey]:
    return Survey.objects.filter(members__user=user, members__role=Member.Role.MODERATOR).distinct()


def is_organiser(user, survey: Survey) -> bool:
    return organised_by(user).filter(pk=survey.pk).exists()


def organisers_of(survey: Survey):
    """The people who organise ``survey``: its own organisers and its organisation's."""
    who = Q(memberships__survey=survey, memberships__role=Member.Role.ORGANISER)
    if survey.organisation_id:
        who |= Q(organisation_memberships__organisation_id=survey.organisation_id)
    return get_user_model().objects.filter(who).distinct()


def organisations_of(user) -> QuerySet[Organisation]:
    return Organisation.objects.filter(members__user=user).distinct()


# The role of a view open to a survey's organisers and to its partner organisers.
PARTNER = "partner"


def partnered_by(user) -> QuerySet[Survey]:
    """Every joint survey one of ``user``'s organisations is a partner of."""
    joint = Survey.objects.exclude(partners_from="").filter(partners__organisation__members__user=user)
    return Survey.objects.filter(pk__in=joint.values("pk"))


def partners_of(user, survey: Survey) -> QuerySet[Partner]:
    """The partners of ``survey`` whose organisation ``user`` belongs to."""
    if not survey.partners_from:
        return Partner.objects.none()
    return Partner.objects.filter(survey=survey, organisation__members__user=user).select_related("organisation")


def partner_of(user, survey: Survey) -> Partner | None:
    """The one partner of ``survey`` that ``user`` speaks for, or None: not a
    partner, or a member of more than one (they see pooled figures only)."""
    partners = list(partners_of(user, survey)[:2])
    return partners[0] if len(partners) == 1 else None


def is_partner_organiser(user, survey: Survey) -> bool:
    """A partner's organiser who does not organise the survey itself."""
    return partnered_by(user).filter(pk=survey.pk).exists() and not is_organiser(user, survey)


def _organisers_and_partners(user) -> QuerySet[Survey]:
    return Survey.objects.filter(Q(pk__in=organised_by(user).values("pk")) | Q(pk__in=partnered_by(user).values("pk")))


def member_required(role: str):
    """Let through only people with ``role`` on the survey named by ``slug``
    (``PARTNER``: its organisers and its partner organisers).

    The view receives the survey (scoped to the user) instead of the slug.
    Outsiders get 404, so they cannot even learn that a survey exists.
    """
    surveys = {
        Member.Role.ORGANISER: organised_by,
        Member.Role.MODERATOR: moderated_by,
        PARTNER: _organisers_and_partners,
    }[role]

    def decorator(view):
        @login_required
        @wraps(view)
        def wrapper(request, slug, *args, **kwargs):
            survey = surveys(request.user).filter(slug=slug).first()
            if survey is None:
                raise Http404("No such survey")
            return view(request, survey, *args, **kwargs)

        return wrapper

    return decorator


def organisation_member_required(view):
    """Let through only members (owners or organisers) of the organisation named by ``org``."""

    @login_required
    @wraps(view)
    def wrapper(request, org, *args, **kwargs):
        organisation = organisations_of(request.user).filter(slug=org).first()
        if organisation is None:
            raise Http404("No such organisation")
        return view(request, organisation, *args, **kwargs)

    return wrapper
