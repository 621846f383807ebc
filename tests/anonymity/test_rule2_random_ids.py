"""DESIGN rule 2: random response ids; nothing reveals insertion order.

To see it fail, replace ``_shuffle(batch)`` and ``order_by("?")`` in
survey/responses/mixing.py with nothing, or give Response a sequential id.
"""

import uuid

from django.db import connection
from scipy.stats import spearmanr

from survey.models import Answer, Response
from survey.responses.mixing import mix_pending_submissions
from survey.responses.submit import submit_response
from tests.factories import answers


def test_response_and_answer_ids_are_uuid4(survey):
    submit_response(survey=survey, answers=answers(comment="x"), nonce="a")
    mix_pending_submissions()
    assert {r.pk.version for r in Response.objects.all()} == {4}
    assert {a.pk.version for a in Answer.objects.all()} == {4}
    assert isinstance(Response._meta.pk.default(), uuid.UUID)


def test_mixing_does_not_keep_submission_order(survey):
    n = 60
    for i in range(n):
        submit_response(survey=survey, answers=answers(comment=f"order-{i:03d}"), nonce=f"n{i}")
    mix_pending_submissions()
    comments = Answer.objects.filter(question__key="patient_care_comment")
    submitted = {a.response_id: int(a.text.removeprefix("order-")) for a in comments}
    by_id = [submitted[pk] for pk in sorted(submitted)]
    physical = "ctid" if connection.vendor == "postgresql" else "rowid"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id FROM survey_response ORDER BY {physical}")  # noqa: S608 - constant
        table_order = [Response._meta.pk.to_python(row[0]) for row in cursor.fetchall()]
    by_insertion = [submitted[pk] for pk in table_order]
    # Order of ids and of the table's own order against submission order: a
    # shuffled batch of 60 gives |rho| > 0.5 with probability below 1e-4.
    assert abs(spearmanr(range(n), by_id).statistic) < 0.5
    assert abs(spearmanr(range(n), by_insertion).statistic) < 0.5
