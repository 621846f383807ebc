"""Who may do what, decided here and nowhere else.

A survey's organisers are its per-survey organiser members and the owners
and organisers of the organisation that owns it; moderators are named per
survey only (DESIGN "People and what each may do"). Console views say the
role they need with a decorator; commands, the console's lists and the
safeguarding e-mails ask the selectors below.
"""

from functools import wraps

from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.db.models import Q, QuerySet
from django.http import Http404

from survey.models import Member, Organisation, Survey


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


def member_required(role: str):
    """Let through only people with ``role`` on the survey named by ``slug``.

    The view receives the survey (scoped to the user) instead of the slug.
    Outsiders get 404, so they cannot even learn that a survey exists.
    """
    surveys = organised_by if role == Member.Role.ORGANISER else moderated_by

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
