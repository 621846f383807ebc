"""Attack: lower k once answers have arrived (issue finding 5).

k was lowered from 10 to 5 after responses had arrived, the audit entry said
only "survey settings", and the admin could edit k and the status directly.
Once any response exists, waiting or stored, k may only be raised: the
database refuses min_group_size below min_group_size_floor, which is set
when the first responses are mixed in (not at submission: an update of the
survey row there would share its xmin with the waiting submission); while
submissions wait, every path that changes k (load_definition, the admin)
refuses a lower one. Every change of k or of a breakdown flag is a readable
audit entry. To see it fail, drop the min_group_size_floor check constraint
(survey/models.py) or the floor update in survey/responses/mixing.py.
"""

import pytest
from django.db import IntegrityError, transaction

from survey.definitions.editing import edit_definition, set_settings
from survey.definitions.format import DefinitionError
from survey.models import AuditEvent, Survey
from survey.responses.importing import import_responses
from survey.responses.mixing import mix_pending_submissions
from survey.responses.submit import submit_response
from tests.factories import answers, to_csv


def settings_with_k(k):
    return lambda document: set_settings(
        document, title=document["title"], intro=document.get("intro", ""), min_group_size=k, access="open"
    )


def test_k_cannot_be_lowered_once_one_submission_is_waiting(survey, alice):
    assert submit_response(survey=survey, answers=answers(), nonce="n-1")
    with pytest.raises(DefinitionError):
        edit_definition(survey=survey, acting_user=alice, change=settings_with_k(5), what="survey settings")
    from survey.admin import SurveyForm

    form = SurveyForm({"title": survey.title, "min_group_size": 5}, instance=Survey.objects.get(pk=survey.pk))
    assert not form.is_valid() and "can only be raised" in str(form.errors)
    mix_pending_submissions(force=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        Survey.objects.filter(pk=survey.pk).update(min_group_size=5)
    survey.refresh_from_db()
    assert survey.min_group_size == 10


def test_k_cannot_be_lowered_after_an_import(survey, alice):
    import_responses(survey=survey, text=to_csv([answers()] * 3))
    with pytest.raises(IntegrityError), transaction.atomic():
        Survey.objects.filter(pk=survey.pk).update(min_group_size=9)


def test_k_may_be_raised_but_never_lowered_again_and_each_change_is_audited(survey, alice):
    assert submit_response(survey=survey, answers=answers(), nonce="n-2")
    edit_definition(survey=survey, acting_user=alice, change=settings_with_k(12), what="survey settings")
    survey.refresh_from_db()
    assert (survey.min_group_size, survey.min_group_size_floor) == (12, 12)
    with pytest.raises(DefinitionError):
        edit_definition(survey=survey, acting_user=alice, change=settings_with_k(10), what="survey settings")
    details = list(AuditEvent.objects.filter(survey=survey).values_list("detail", flat=True))
    assert any("Minimum group size (k): 10 → 12" in d for d in details), details


def test_a_breakdown_flag_change_is_audited(db, alice):
    from tests.factories import make_survey

    survey = make_survey(slug="flags")
    Survey.objects.filter(pk=survey.pk).update(status=Survey.Status.DRAFT)

    def no_breakdown(document):
        document["sections"][0]["questions"][0]["breakdown"] = False

    edit_definition(survey=survey, acting_user=alice, change=no_breakdown, what="question service")
    detail = AuditEvent.objects.filter(survey=survey).latest("pk").detail
    assert "Question service used as a breakdown: yes → no" in detail


def test_the_admin_cannot_lower_k_or_change_the_status(client, survey, django_user_model):
    import_responses(survey=survey, text=to_csv([answers()] * 3))
    root = django_user_model.objects.create_superuser("root", password="pw-root-123456")
    client.force_login(root)
    url = f"/admin/survey/survey/{survey.pk}/change/"
    data = {
        "title": survey.title,
        "status": "draft",
        "min_group_size": 5,
        "members-TOTAL_FORMS": 0,
        "members-INITIAL_FORMS": 0,
    }
    client.post(url, data)
    survey.refresh_from_db()
    assert (survey.min_group_size, survey.status) == (10, "open")
    data["min_group_size"] = 15
    assert client.post(url, data).status_code == 302
    survey.refresh_from_db()
    assert (survey.min_group_size, survey.status) == (15, "open")
    entry = AuditEvent.objects.filter(survey=survey, action=AuditEvent.Action.SURVEY_UPDATED).latest("pk")
    assert entry.user == root and "Minimum group size (k): 10 → 15" in entry.detail
