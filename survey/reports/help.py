"""Who can help: the routes organisers write for each concern topic.

One model, ``ConcernAction.help``, written in the report builder: the public
report shows it, and so does the thank-you page, to someone who may just
have described unsafe care."""

from survey.definitions import languages
from survey.models import ConcernAction, Survey
from survey.reports.markup import render


def help_routes(*, survey: Survey, language: str = languages.DEFAULT) -> list[dict]:
    """Each concern topic that has a "who can help", in the order of the survey."""
    actions = (
        ConcernAction.objects.filter(concern__survey=survey)
        .exclude(help="")
        .select_related("concern")
        .order_by("concern__position")
    )
    return [
        {
            "concern": action.concern.key,
            "label": languages.text(action.concern.label, action.concern.translations, language, "label"),
            "help_html": render(languages.text(action.help, action.translations, language, "help")),
        }
        for action in actions
    ]
