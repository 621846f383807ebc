"""Attack: close, publish, reopen, wait for one response, close and publish
again (issue finding 4): the two versions differed by one person's answers.

Closing is final on every path: the console's buttons, the status action,
the schedule (console and beat), the admin, ``load_survey`` and importing
responses all leave a closed survey closed, with a plain refusal where a
person asked. To see it fail, let ``set_status`` or ``schedule``
(survey/definitions/status.py) accept a closed survey, or let
``import_responses`` add to one.
"""

import json
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from survey.definitions.format import export_definition
from survey.definitions.status import StatusRefused, apply_schedule, schedule, set_status
from survey.figures.aggregate import compute_results
from survey.models import Release, Survey
from survey.reports.publishing import publish_report
from survey.responses.importing import CsvImportError, import_responses
from tests.factories import answers, to_csv

BASE = [answers(service="iapt", raised="yes", outcome="not")] * 20 + [answers(service="other")] * 30


@pytest.fixture
def closed(survey, alice, django_capture_on_commit_callbacks):
    import_responses(survey=survey, text=to_csv(BASE))
    compute_results(survey_id=survey.pk)
    with django_capture_on_commit_callbacks(execute=True):
        set_status(survey=survey, acting_user=alice, status=Survey.Status.CLOSED)
    publish_report(survey=survey, acting_user=alice)
    return survey


def still_closed(survey) -> bool:
    survey.refresh_from_db()
    return survey.status == Survey.Status.CLOSED


def test_the_status_action_refuses_to_reopen(closed, alice):
    for status in (Survey.Status.OPEN, Survey.Status.DRAFT):
        with pytest.raises(StatusRefused, match="A closed survey stays closed"):
            set_status(survey=closed, acting_user=alice, status=status)
    assert still_closed(closed)


def test_the_console_offers_no_reopening_and_refuses_it(closed, organiser):
    build = reverse("survey:survey-build", kwargs={"slug": closed.slug})
    page = organiser.get(build).content.decode()
    assert "Open the survey now" not in page and 'name="status" value="open"' not in page
    assert 'name="status" value="draft"' not in page
    assert "Save the schedule" not in page and "Closing is final" in page
    status = reverse("survey:survey-status", kwargs={"slug": closed.slug})
    response = organiser.post(status, {"status": "open"}, follow=True)
    assert "A closed survey stays closed" in response.content.decode()
    assert still_closed(closed)


def test_the_schedule_cannot_reopen_it(closed, alice, organiser):
    soon = timezone.now() + timedelta(hours=1)
    with pytest.raises(StatusRefused, match="A closed survey stays closed"):
        schedule(survey=closed, acting_user=alice, opens_at=soon, closes_at=None)
    url = reverse("survey:survey-schedule", kwargs={"slug": closed.slug})
    response = organiser.post(url, {"opens_at": soon.strftime("%Y-%m-%dT%H:%M"), "closes_at": ""}, follow=True)
    assert "A closed survey stays closed" in response.content.decode()
    closed.refresh_from_db()
    assert closed.opens_at is None
    Survey.objects.filter(pk=closed.pk).update(opens_at=soon)  # even if a time got there some other way
    apply_schedule(now=soon + timedelta(minutes=1))
    assert still_closed(closed)


def test_the_admin_cannot_reopen_it(closed, client, django_user_model):
    root = django_user_model.objects.create_superuser("root", password="pw-root-123456")
    client.force_login(root)
    data = {
        "title": closed.title,
        "status": "open",
        "min_group_size": 10,
        "members-TOTAL_FORMS": 0,
        "members-INITIAL_FORMS": 0,
    }
    client.post(f"/admin/survey/survey/{closed.pk}/change/", data)
    assert still_closed(closed)


def test_loading_its_definition_again_leaves_it_closed(closed, tmp_path):
    path = tmp_path / "again.json"
    path.write_text(json.dumps(export_definition(survey=closed) | {"status": "open"}))
    try:
        call_command("load_survey", str(path))
    except Exception:  # noqa: BLE001 - a refusal is as good as leaving it closed
        pass
    assert still_closed(closed)


def test_no_response_can_be_added_so_a_second_version_shows_nobody_new(closed, alice):
    with pytest.raises(CsvImportError, match="has closed"):
        import_responses(survey=closed, text=to_csv([answers(service="iapt", raised="yes", outcome="adequately")]))
    second = publish_report(survey=closed, acting_user=alice)
    first = closed.reports.get(number=1)
    assert second.snapshot["results"] == first.snapshot["results"]
    assert Release.objects.filter(survey=closed, audience=Release.Audience.ORGANISERS).count() == 1
