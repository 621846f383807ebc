"""DESIGN rule 4 (first part): submissions wait in a pending pool and are
mixed into the response table in transactions of their own, so a spent form
token and a response never share a key or a transaction id.

To see it fail, make ``submit_response`` in survey/responses/mixing.py call
``insert_responses`` itself instead of creating a PendingSubmission.
"""

import pytest
from django.db import connection

from survey.models import PendingSubmission, Response, UsedFormToken
from survey.responses.mixing import mix_pending_submissions
from tests.respondent import answer_all


def test_spent_token_and_response_share_no_column(survey):
    token_fields = {f.name for f in UsedFormToken._meta.get_fields()}
    response_fields = {f.name for f in Response._meta.get_fields()}
    assert token_fields == {"token_hash", "used_on"}
    assert response_fields == {"id", "survey", "submitted_on", "answers"}


@pytest.mark.django_db(transaction=True)
def test_token_burn_and_response_insert_are_different_transactions(survey):
    if connection.vendor != "postgresql":
        pytest.skip("xmin is PostgreSQL's; CI runs this on PostgreSQL")
    for raised in ("yes", "no", "no"):
        answer_all("therapy-2026", raised=raised).submit()
    mix_pending_submissions()
    assert not PendingSubmission.objects.exists()
    with connection.cursor() as cursor:
        cursor.execute("SELECT xmin::text FROM survey_usedformtoken")
        token_xids = {row[0] for row in cursor.fetchall()}
        cursor.execute("SELECT xmin::text FROM survey_response UNION SELECT xmin::text FROM survey_answer")
        response_xids = {row[0] for row in cursor.fetchall()}
    assert len(token_xids) == 1  # spent together by the mixer, in a transaction of their own
    assert token_xids.isdisjoint(response_xids)
    assert len(response_xids) == 1  # all three mixed in one shuffled batch
