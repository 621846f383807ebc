"""Attack: compare two releases of a question summary to learn what a few
new people answered. Ten people join, three of them answer an optional
question: the question's base would move by 3 while every concern figure
moves by 10 or not at all, so only the summaries can give them away.

To see it fail, leave question summaries out of
``survey.figures.disclosure.differencing_risks`` (its ``_figures``).
"""

from survey.figures.aggregate import compute_results
from survey.figures.documents import released_document
from survey.responses.importing import import_responses
from tests.factories import answers, to_csv, varied

K = 10


def barrier_bases(document: dict) -> dict[str, int]:
    """The base of every shown barriers figure: overall and per service group."""
    question = next(q for q in document["questions"] if q["key"] == "barriers")
    bases = {} if question.get("suppressed") else {"overall": question["n"]}
    for breakdown in question["breakdowns"]:
        for group in breakdown["groups"]:
            if not group.get("suppressed"):
                bases[group["value"]] = group["n"]
    return bases


def test_question_summaries_never_move_by_fewer_than_k(survey):
    import_responses(survey=survey, text=to_csv(varied("iapt", 20, True) + varied("other", 20, True)))
    compute_results(survey_id=survey.pk)
    first = released_document(survey=survey)
    assert barrier_bases(first) == {"overall": 40, "iapt": 20, "other": 20}
    shown = [barrier_bases(first)]

    # Ten iapt staff who raised nothing; three of them answer the barriers question.
    newcomers = [answers(service="iapt", safe=str(1 + i % 5), barriers=("fear",) if i < 3 else ()) for i in range(10)]
    import_responses(survey=survey, text=to_csv(newcomers))
    compute_results(survey_id=survey.pk)
    shown.append(barrier_bases(released_document(survey=survey)))

    # Seven more answer it: now the question has grown by 10 since it was shown.
    more = [
        answers(service="iapt", safe=str(1 + i % 5), barriers=("time",) if i % 2 else ("fear", "time"))
        for i in range(7)
    ]
    import_responses(survey=survey, text=to_csv(more))
    compute_results(survey_id=survey.pk)
    last = released_document(survey=survey)
    shown.append(barrier_bases(last))

    for before, after in zip(shown, shown[1:], strict=False):
        for name, n in after.items():
            grown = n - before.get(name, n)
            assert grown == 0 or grown >= K, (name, before, after)
    assert shown[1] == shown[0], "three new answers were shown"
    assert last["respondents"] == 57 and shown[2] == {"overall": 50, "iapt": 30, "other": 20}
