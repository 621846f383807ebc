"""Attack: a database administrator tells the newest responses from the old
ones by where their rows lie. A small batch is hidden among stored responses
taken out and written again under new ids (rule 4); if the batch's rows were
written new first, remixed after, physical order (ctid on PostgreSQL, rowid
on SQLite) would point at the new ones.

To see it fail, remove ``_shuffle(batch)`` in survey/responses/mixing.py.
"""

import statistics

import pytest
from django.db import connection, transaction
from django.utils import timezone

from survey.models import Answer, Response, UsedFormToken
from survey.responses.mixing import insert_responses, mix_pending_submissions
from survey.responses.submit import submit_response
from tests.factories import answers

STORED, NEW, ROUNDS = 45, 5, 6


def physical_order() -> list:
    column = "ctid" if connection.vendor == "postgresql" else "rowid"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id FROM survey_response ORDER BY {column}")  # noqa: S608 - a fixed name
        return [Response._meta.pk.to_python(row[0]) for row in cursor.fetchall()]


def positions_of_new(survey) -> list[int]:
    Response.objects.all().delete()
    UsedFormToken.objects.all().delete()
    with transaction.atomic():
        insert_responses(
            survey_id=survey.pk,
            submissions=[(answers(comment=f"old-{i}"), timezone.localdate()) for i in range(STORED)],
        )
    for i in range(NEW):
        submit_response(survey=survey, answers=answers(comment=f"new-{i}"), nonce=f"new-{i}")
    assert mix_pending_submissions(force=True) == {survey.pk: NEW}
    texts = dict(Answer.objects.filter(question__key="patient_care_comment").values_list("response_id", "text"))
    order = physical_order()
    assert len(order) == STORED + NEW  # every stored response went out and back in with the batch
    return [i for i, pk in enumerate(order) if texts[pk].startswith("new-")]


@pytest.mark.django_db(transaction=True)
def test_physical_order_does_not_tell_new_responses_from_remixed_ones(survey, settings):
    settings.CANDOUR_MIX_MIN_BATCH = STORED + NEW  # the batch of 5 is made up to 50 with stored ones
    found = [positions_of_new(survey) for _ in range(ROUNDS)]
    # Shuffled, each new row lies anywhere among the 50: the mean position is
    # 24.5 with a standard error of 2.5 over 30 rows; written first, it is 2.
    mean = statistics.mean(p for round_ in found for p in round_)
    assert mean > 12, found
    assert any(max(round_) >= NEW for round_ in found), found
