from survey.models import Answer, PendingSubmission, Response, Survey
from survey.responding import mix_pending, submit_response
from tests.factories import answers


def submit(survey, n, **kwargs):
    for i in range(n):
        submit_response(survey=survey, answers=answers(**kwargs), nonce=f"nonce-{i}")


def test_mixing_moves_every_pending_submission_and_enqueues_aggregation(
    survey, django_capture_on_commit_callbacks, monkeypatch
):
    enqueued = []
    monkeypatch.setattr("survey.tasks.enqueue_aggregation", enqueued.extend)
    submit(survey, 12, raised="yes", outcome="not", barriers=["fear"])
    assert not Response.objects.exists()  # figures count submissions once moved
    with django_capture_on_commit_callbacks(execute=True):
        moved = mix_pending()
    assert moved == {survey.pk: 12}
    assert not PendingSubmission.objects.exists()
    assert Response.objects.count() == 12
    assert Answer.objects.filter(question__key="barriers").count() == 12
    assert enqueued == [survey.pk]
    assert Survey.objects.get(pk=survey.pk).data_version == 1


def test_lone_submission_waits_for_company(survey, settings):
    settings.CANDOUR_MIX_MIN_BATCH = 3
    submit(survey, 2)
    assert mix_pending() == {}
    assert PendingSubmission.objects.count() == 2
    assert mix_pending(force=True) == {survey.pk: 2}


def test_submission_from_an_earlier_day_is_mixed_in_alone(survey, settings):
    import datetime

    settings.CANDOUR_MIX_MIN_BATCH = 10
    submit(survey, 1)
    PendingSubmission.objects.update(submitted_on=datetime.date(2020, 1, 1))
    assert mix_pending() == {survey.pk: 1}


def test_mixing_nothing_does_nothing(survey):
    assert mix_pending() == {}
