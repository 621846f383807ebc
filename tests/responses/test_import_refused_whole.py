"""A CSV import is one transaction: when the database fails part-way
through writing it (after hundreds of rows have gone in), nothing of it
stays, and the survey's figures and data version are as before."""

import pytest

from survey.figures.aggregate import compute_results
from survey.figures.releases import released_document
from survey.models import Answer, AuditEvent, Response, Survey
from survey.responses.importing import import_responses
from tests.factories import answers, to_csv
from tests.part_way import FAILED, MESSAGE, fails_once_table_holds


@pytest.mark.django_db(transaction=True)
def test_a_failure_part_way_through_an_import_leaves_nothing_of_it(survey):
    import_responses(survey=survey, text=to_csv([answers(raised="yes", outcome="not")] * 10 + [answers()] * 10))
    compute_results(survey_id=survey.pk)
    before = released_document(survey=survey)
    version = Survey.objects.get(pk=survey.pk).data_version

    rows = [answers(service="other", raised="yes", outcome="partly")] * 600 + [answers()] * 600
    with fails_once_table_holds("survey_response", 20 + 900), pytest.raises(FAILED, match=MESSAGE):
        import_responses(survey=survey, text=to_csv(rows))

    assert Response.objects.count() == 20  # not 520, 1,020 or any chunk of the 1,200
    assert Answer.objects.filter(response__isnull=True).count() == 0
    assert Answer.objects.count() == 20 * 3 + 10  # service, raised, safe; outcome for 10
    assert Survey.objects.get(pk=survey.pk).data_version == version
    assert AuditEvent.objects.filter(action=AuditEvent.Action.RESPONSES_IMPORTED).count() == 1
    compute_results(survey_id=survey.pk)
    assert released_document(survey=survey) == before

    # The same file goes in whole once the database accepts it.
    assert import_responses(survey=survey, text=to_csv(rows)) == 1200
    assert Response.objects.count() == 1220
