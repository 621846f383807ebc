"""Attack: compare two releases of a question summary to learn what a few
new people answered. Ten people join, three of them answer an optional
question: the question's base would move by 3 while every concern figure
moves by 10 or not at all, so only the summaries can give them away.

Figures are released once, at closing (survey/figures/releases.py). To see
it fail, let ``released_document`` return the computed figures while open.
"""

import copy

from survey.definitions.format import load_definition, validate_definition
from survey.figures.aggregate import compute_results
from survey.figures.releases import released_document
from survey.models import Release
from survey.responses.importing import import_responses
from tests.factories import answers, close_and_release, definition, to_csv, varied

K = 10


def survey_with_an_optional_scale():
    document = definition(slug="optional-scale")
    scale = document["sections"][2]["questions"][1]
    assert scale["key"] == "safe"
    scale["required"] = False
    return load_definition(definition=validate_definition(copy.deepcopy(document)))


def scale_bases(document: dict) -> dict[str, int]:
    """The base of every shown figure of the scale question: overall and per service group."""
    question = next(q for q in document["questions"] if q["key"] == "safe")
    bases = {} if question.get("suppressed") else {"overall": question["n"]}
    for breakdown in question["breakdowns"]:
        for group in breakdown["groups"]:
            if not group.get("suppressed"):
                bases[group["value"]] = group["n"]
    return bases


def test_question_summaries_never_move_by_fewer_than_k(db):
    """No summary is shown while the survey is open, so none can move by 3;
    the one release, at closing, shows the final bases."""
    survey = survey_with_an_optional_scale()

    def add(rows):
        import_responses(survey=survey, text=to_csv(rows))
        compute_results(survey_id=survey.pk)
        return released_document(survey=survey)

    shown = [add(varied("iapt", 20) + varied("other", 20))]
    # Ten iapt staff who raised nothing; three of them answer the optional scale.
    shown.append(add([answers(service="iapt", safe=str(2 + i) if i < 3 else "") for i in range(10)]))
    # Seven more answer it.
    shown.append(add([answers(service="iapt", safe=str(1 + i % 5)) for i in range(7)]))
    assert all(d["questions"] == [] and d["concerns"] == [] for d in shown), "a summary was shown while open"
    close_and_release(survey)
    last = released_document(survey=survey)
    assert last["respondents"] == 57 and scale_bases(last) == {"overall": 50, "iapt": 30, "other": 20}
    assert Release.objects.filter(survey=survey).count() == 1
