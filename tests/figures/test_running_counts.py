"""Running counts are used only while they are up to date: a batch too
large to be counted on its own leaves them behind, and then neither does
aggregation read them nor does the next small batch add to them; the
figures come from a full recount until a new tally is stored."""

import pytest
from django.db import transaction
from django.utils import timezone

from survey.figures import counts
from survey.figures.aggregate import compute_results
from survey.figures.releases import released_document
from survey.responses.mixing import insert_responses
from tests.factories import answers, close_and_release, varied


def mix_in(survey, rows: list[dict]) -> None:
    """A batch written as mixing writes it (running counts added in its transaction)."""
    with transaction.atomic():
        insert_responses(survey_id=survey.pk, submissions=[(a, timezone.localdate()) for a in rows])


@pytest.fixture
def behind(survey, monkeypatch):
    """A survey of 40 whose running counts were left behind by a batch of
    12 too large to count on its own (as a big import is)."""
    mix_in(survey, varied("iapt", 20) + varied("other", 20))
    compute_results(survey_id=survey.pk)  # stores the running counts
    monkeypatch.setattr(counts, "DELTA_LIMIT", 11)
    mix_in(survey, [answers(service="bank", safe=str(1 + i % 5)) for i in range(12)])
    return survey


def test_aggregation_recounts_when_the_running_counts_are_behind(behind):
    close_and_release(behind)  # the closing aggregation; its figures are released
    document = released_document(survey=behind)
    assert document["respondents"] == 52
    assert document["concerns"][0]["raised"] == {**document["concerns"][0]["raised"], "count": 20, "n": 52}


def test_a_small_batch_is_not_added_to_running_counts_that_are_behind(behind):
    mix_in(behind, [answers(service="agency", safe=str(1 + i % 5)) for i in range(10)])
    close_and_release(behind)
    document = released_document(survey=behind)
    assert document["respondents"] == 62
    groups = {g["value"]: g for g in document["concerns"][0]["breakdowns"][0]["groups"]}
    assert groups["bank"].get("suppressed") or groups["bank"]["raised"]["n"] == 12
    assert next(q for q in document["questions"] if q["key"] == "safe")["n"] == 62
