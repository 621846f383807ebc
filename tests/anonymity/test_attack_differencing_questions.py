"""Attack: compare two releases of a question summary to learn what a few
new people answered. Ten people join, three of them answer an optional
question: the question's base would move by 3 while every concern figure
moves by 10 or not at all, so only the summaries can give them away.

To see it fail, leave question summaries out of
``survey.figures.disclosure.differencing_risks`` (its ``_figures``).
"""

import copy

from survey.definitions.format import load_definition, validate_definition
from survey.figures.aggregate import compute_results
from survey.figures.documents import released_document
from survey.responses.importing import import_responses
from tests.factories import answers, definition, to_csv, varied

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
    survey = survey_with_an_optional_scale()

    def add(rows):
        import_responses(survey=survey, text=to_csv(rows))
        compute_results(survey_id=survey.pk)
        return released_document(survey=survey)

    first = add(varied("iapt", 20) + varied("other", 20))
    assert scale_bases(first) == {"overall": 40, "iapt": 20, "other": 20}
    shown = [scale_bases(first)]

    # Ten iapt staff who raised nothing; three of them answer the optional scale.
    shown.append(scale_bases(add([answers(service="iapt", safe=str(2 + i) if i < 3 else "") for i in range(10)])))

    # Seven more answer it: now the question has grown by 10 since it was shown.
    last = add([answers(service="iapt", safe=str(1 + i % 5)) for i in range(7)])
    shown.append(scale_bases(last))

    for before, after in zip(shown, shown[1:], strict=False):
        for name, n in after.items():
            grown = n - before.get(name, n)
            assert grown == 0 or grown >= K, (name, before, after)
    assert shown[1] == shown[0], "three new answers were shown"
    assert last["respondents"] == 57 and shown[2] == {"overall": 50, "iapt": 30, "other": 20}
