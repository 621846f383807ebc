"""Attack: a database administrator recovers the order (hence the time, hence
the person) of responses from ids, transaction ids (xmin), physical row
order (ctid/rowid) or dates.

200 submissions arrive in a known order (each marked in its free text); they
are mixed in, and every ordering the database offers is compared with the
true order. To see it fail on PostgreSQL (as CI runs it), remove both
``_shuffle(claimed)`` and ``_shuffle(batch)`` in survey/responses/mixing.py:
either alone still shuffles the batch, and on SQLite reading the waiting
rows back by their random ids already scrambles them. (New responses among
remixed ones: tests/anonymity/test_attack_remix_order.py.)
"""

import statistics

import pytest
from django.db import connection
from scipy.stats import spearmanr

from survey.models import Answer, Response
from survey.responses.mixing import mix_pending_submissions
from survey.responses.submit import submit_response
from tests.factories import answers

N = 200
ROUNDS = 8


def orderings() -> dict[str, list]:
    physical = "ctid" if connection.vendor == "postgresql" else "rowid"
    columns = {"id": "id", "physical": physical, "date": "submitted_on"}
    if connection.vendor == "postgresql":
        columns["xmin"] = "xmin::text::bigint"
    found = {}
    with connection.cursor() as cursor:
        for name, expression in columns.items():
            cursor.execute(f"SELECT id FROM survey_response ORDER BY {expression}, random()")  # noqa: S608
            found[name] = [Response._meta.pk.to_python(row[0]) for row in cursor.fetchall()]
    return found


def one_round(survey) -> dict[str, float]:
    Response.objects.all().delete()
    for i in range(N):
        submit_response(
            survey=survey,
            answers=answers(comment=f"order-{i:04d}"),
            nonce=f"n-{i}",
        )
    mix_pending_submissions()
    true_order = {
        a.response_id: int(a.text.removeprefix("order-"))
        for a in Answer.objects.filter(question__key="patient_care_comment")
    }
    rhos = {}
    for name, ids in orderings().items():
        ranks = [true_order[pk] for pk in ids]
        rhos[name] = spearmanr(range(N), ranks).statistic
    return rhos


@pytest.mark.django_db(transaction=True)
def test_no_database_ordering_recovers_submission_order(survey):
    from survey.models import UsedFormToken

    rounds = []
    for _ in range(ROUNDS):
        UsedFormToken.objects.all().delete()
        rounds.append(one_round(survey))
    for name in rounds[0]:
        values = [round_[name] for round_ in rounds]
        # Each round's shuffle is uniform, so rho ~ N(0, 1/sqrt(N-1)) = 0.07:
        # the mean of 8 rounds stays under 0.1 (4 sigma) and no single round
        # reaches 0.35 (5 sigma). Unshuffled insertion gives rho = 1.
        assert abs(statistics.mean(values)) < 0.1, (name, values)
        assert max(abs(v) for v in values) < 0.35, (name, values)
