from survey.models import Answer, PendingSubmission, Response, Survey
from survey.responses.mixing import mix_pending_submissions
from survey.responses.submit import submit_response
from tests.factories import answers


def submit(survey, n, **kwargs):
    for i in range(n):
        submit_response(survey=survey, answers=answers(**kwargs), nonce=f"nonce-{i}")


def test_mixing_moves_every_pending_submission_and_enqueues_aggregation(
    survey, django_capture_on_commit_callbacks, monkeypatch
):
    enqueued = []
    monkeypatch.setattr(
        "survey.responses.mixing.request_aggregation", lambda *, survey_ids: enqueued.extend(survey_ids)
    )
    submit(survey, 12, raised="yes", outcome="not", barriers=["fear"])
    assert not Response.objects.exists()  # figures count submissions once moved
    with django_capture_on_commit_callbacks(execute=True):
        moved = mix_pending_submissions()
    assert moved == {survey.pk: 12}
    assert not PendingSubmission.objects.exists()
    assert Response.objects.count() == 12
    assert Answer.objects.filter(question__key="barriers").count() == 12
    assert enqueued == [survey.pk]
    assert Survey.objects.get(pk=survey.pk).data_version == 1


def test_lone_submission_waits_for_company(survey, settings):
    settings.CANDOUR_MIX_MIN_BATCH = 3
    submit(survey, 2)
    assert mix_pending_submissions() == {}
    assert PendingSubmission.objects.count() == 2
    assert mix_pending_submissions(force=True) == {survey.pk: 2}


def test_small_batch_from_an_earlier_day_waits_while_nothing_can_hide_it(survey, settings):
    import datetime

    settings.CANDOUR_MIX_MIN_BATCH = 10
    submit(survey, 1)
    PendingSubmission.objects.update(submitted_on=datetime.date(2020, 1, 1))
    assert mix_pending_submissions() == {}


def test_small_batch_is_hidden_among_remixed_stored_responses(survey, settings):
    import datetime

    from django.db.models import Count

    from survey.responses.mixing import insert_responses

    settings.CANDOUR_MIX_MIN_BATCH = 10
    insert_responses(
        survey_id=survey.pk,
        submissions=[
            (answers(service="other", raised="yes", outcome="partly", barriers=["time"]), datetime.date(2020, 1, 1))
        ]
        * 15,
    )
    before_ids = set(Response.objects.values_list("pk", flat=True))
    before = list(
        Answer.objects.values("question__key", "choice__value")
        .annotate(n=Count("pk"))
        .order_by("question__key", "choice__value")
    )
    submit(survey, 1, service="iapt")
    PendingSubmission.objects.update(submitted_on=datetime.date(2020, 1, 2))
    assert mix_pending_submissions() == {survey.pk: 1}
    after_ids = set(Response.objects.values_list("pk", flat=True))
    assert len(after_ids) == 16
    assert len(before_ids & after_ids) == 15 - 9  # nine stored responses moved into the new batch
    after = list(
        Answer.objects.exclude(response__answers__choice__value="iapt")
        .values("question__key", "choice__value")
        .annotate(n=Count("pk"))
        .order_by("question__key", "choice__value")
    )
    assert after == before  # remixed responses keep every answer
    assert Response.objects.filter(submitted_on=datetime.date(2020, 1, 1)).count() == 15


def test_mixing_nothing_does_nothing(survey):
    assert mix_pending_submissions() == {}


TRICKY_TEXTS = [
    "a\ttab",
    "two\nlines",
    "windows\r\nline end",
    "lone\rreturn",
    "back\\slash and \\t \\n \\N written out",
    "\\N",
    "\\.",
    "trailing backslash \\",
    "quotes ' \" and ; , |",
    "accents é ü ß, symbols ✓ — and 日本語",
    "   spaces around   ",
]


def test_free_text_survives_copy_unchanged(survey):
    """On PostgreSQL the rows go in by COPY (psycopg's write_row): every
    character COPY's text format treats specially comes back as typed, and
    again after a remix takes the stored answers out and copies them back."""
    import datetime

    from django.db import connection

    from survey.responses.mixing import insert_responses
    from tests.faults.helpers import need

    need(connection.vendor == "postgresql", "COPY is PostgreSQL's (CI)")
    day = datetime.date(2026, 3, 1)
    insert_responses(
        survey_id=survey.pk,
        submissions=[(answers(comment=text, barriers=["fear"]), day) for text in TRICKY_TEXTS],
    )

    def stored():
        comments = Answer.objects.filter(question__key="patient_care_comment")
        assert not comments.filter(choice__isnull=False).exists()
        assert Answer.objects.filter(question__key="barriers", choice__value="fear", text="").count() == len(
            TRICKY_TEXTS
        )
        assert set(Response.objects.values_list("survey_id", "submitted_on")) == {(survey.pk, day)}
        return sorted(comments.values_list("text", flat=True))

    assert stored() == sorted(TRICKY_TEXTS)
    insert_responses(survey_id=survey.pk, submissions=[], remix=len(TRICKY_TEXTS))  # out and back in by COPY
    assert stored() == sorted(TRICKY_TEXTS)
