"""Attack: while a submission waits in the pending pool, its row shares a
transaction id (xmin) with the invitation code it burned and the form token
it spent. With burned codes deleted and the form token spent in a
transaction of its own, a pending row's xmin matches nothing.

To see it fail, spend the form token and burn the code in the transaction
that stores the pending row (survey/responses/submit.py).
"""

import pytest
from django.db import connection

from survey.models import PendingSubmission, Survey
from survey.responses.invitation_codes import code_hash, generate_codes
from survey.responses.submit import submit_response
from tests.factories import answers
from tests.faults.helpers import need


@pytest.mark.django_db(transaction=True)
def test_waiting_submission_shares_no_xmin_with_token_or_code(survey, alice):
    need(connection.vendor == "postgresql", "xmin is PostgreSQL's; CI runs this on PostgreSQL")
    Survey.objects.filter(pk=survey.pk).update(access=Survey.Access.CODES)
    survey.refresh_from_db()
    codes = [c.replace("-", "") for c in generate_codes(survey=survey, count=8, acting_user=alice)]
    for i, code in enumerate(codes[:5]):
        assert submit_response(survey=survey, answers=answers(), nonce=f"x-{i}", invitation_hash=code_hash(code))
    assert PendingSubmission.objects.count() == 5
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM survey_pendingsubmission p JOIN ("
            " SELECT xmin::text AS x FROM survey_usedformtoken"
            " UNION ALL SELECT xmin::text FROM survey_invitationcode) o ON o.x = p.xmin::text"
        )
        assert cursor.fetchone()[0] == 0
        cursor.execute("SELECT count(DISTINCT xmin::text) FROM survey_pendingsubmission")
        assert cursor.fetchone()[0] == 5
