"""Fuzzing writes that fail part-way: a generated CSV file or definition is
written while the database refuses rows after a generated point. Either
everything went in, or nothing did: no prefix of an import, no half-built
definition."""

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from survey.definitions.format import export_definition, load_definition, validate_definition
from survey.models import Answer, Choice, Question, Response, Survey
from survey.responses.importing import import_responses
from tests.factories import answers, definition, to_csv
from tests.part_way import FAILED, fails_once_table_holds

rows = st.lists(
    st.builds(
        lambda service, raised, outcome, safe, barriers: answers(
            service=service, raised=raised, outcome=outcome if raised == "yes" else None, safe=safe, barriers=barriers
        ),
        st.sampled_from(["iapt", "other", "agency", "bank"]),
        st.sampled_from(["yes", "no"]),
        st.sampled_from(["adequately", "partly", "not"]),
        st.sampled_from(["1", "2", "3", "4", "5"]),
        st.lists(st.sampled_from(["fear", "time"]), unique=True, max_size=2),
    ),
    min_size=1,
    max_size=60,
)


def rows_written(batch: list[dict], table: str) -> int:
    """How many rows an import of ``batch`` writes into ``table``."""
    if table == "survey_response":
        return len(batch)
    return sum(len(a) - ("barriers" in a) + len(a.get("barriers", ())) for a in batch)


@settings(max_examples=30)
@given(rows, st.sampled_from(["survey_response", "survey_answer"]), st.floats(0, 1))
def test_an_import_failing_part_way_leaves_nothing(survey, batch, table, where):
    before = Response.objects.count(), Answer.objects.count()
    version = Survey.objects.get(pk=survey.pk).data_version
    # The database refuses the row at this point of the write (none, at 1).
    after = round(where * rows_written(batch, table))
    try:
        with fails_once_table_holds(table, before[table == "survey_answer"] + after):
            count = import_responses(survey=survey, text=to_csv(batch))
    except FAILED:
        assert after < rows_written(batch, table)
        assert (Response.objects.count(), Answer.objects.count()) == before
        assert Survey.objects.get(pk=survey.pk).data_version == version
        return
    assert after == rows_written(batch, table)
    assert count == len(batch) and Response.objects.count() == before[0] + len(batch)


_slugs = itertools.count()


@settings(max_examples=30)
@given(st.integers(0, 30), st.sampled_from(["survey_question", "survey_choice"]), st.integers(1, 4))
def test_a_definition_reload_failing_part_way_leaves_the_old_one(db, after, table, extra):
    slug = f"part-way-{next(_slugs)}"
    survey = load_definition(definition=validate_definition(definition(slug=slug)))
    before = export_definition(survey=survey)
    model = Question if table == "survey_question" else Choice
    others = (
        model.objects.count()
        - (
            Question.objects.filter(survey=survey)
            if model is Question
            else Choice.objects.filter(question__survey=survey)
        ).count()
    )
    document = definition(slug=slug, title="Reloaded")
    document["sections"][0]["questions"][0]["choices"] += [
        {"value": f"extra{i}", "label": f"Extra {i}"} for i in range(extra)
    ]
    try:
        with fails_once_table_holds(table, others + after):
            load_definition(definition=validate_definition(document))
    except FAILED:
        assert export_definition(survey=Survey.objects.get(slug=slug)) == before
    else:
        assert export_definition(survey=Survey.objects.get(slug=slug))["title"] == "Reloaded"
        assert Choice.objects.filter(question__survey__slug=slug, value__startswith="extra").count() == extra
