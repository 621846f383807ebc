"""Per-survey roles, visible on every console view as a decorator."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.http import Http404

from survey.models import Survey


def member_required(role: str):
    """Let through only members of the survey named by ``slug`` with ``role``.

    The view receives the survey (scoped to the user) instead of the slug.
    Outsiders get 404, so they cannot even learn that a survey exists.
    """

    def decorator(view):
        @login_required
        @wraps(view)
        def wrapper(request, slug, *args, **kwargs):
            survey = Survey.objects.filter(slug=slug, members__user=request.user, members__role=role).first()
            if survey is None:
                raise Http404("No such survey")
            return view(request, survey, *args, **kwargs)

        return wrapper

    return decorator
