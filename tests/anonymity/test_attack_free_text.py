"""Attack: read a respondent's free text anywhere but the moderators' queue.

Free text is never shown until a moderator approves it (moderation is a later
issue): no results page, export, report, download or admin page may carry
it. To see it fail, render answers' text in templates/survey/_figures.html or
register an Answer admin in survey/admin.py.
"""

from io import StringIO

from django.core.management import call_command

from survey.models import ReportVersion
from survey.reports.publishing import publish_report
from survey.responses.mixing import mix_pending_submissions
from survey.responses.submit import submit_response
from tests.factories import answers, close_and_release

MARKER = "Sister Jones on ward 7 hid the incident"


def test_free_text_reaches_no_output(client, survey, alice, django_user_model):
    for i in range(12):
        submit_response(survey=survey, answers=answers(raised="yes", outcome="not", comment=MARKER), nonce=str(i))
    mix_pending_submissions()
    close_and_release(survey)
    publish_report(survey=survey, acting_user=alice)

    outputs = []
    for fmt in ("json", "csv"):
        buffer = StringIO()
        call_command("export_results", "therapy-2026", "--format", fmt, stdout=buffer)
        outputs.append(buffer.getvalue())
    outputs.append(client.get("/r/therapy-2026/").content.decode())
    outputs.append(client.get("/r/therapy-2026/report.csv").content.decode())
    client.force_login(alice)
    outputs += [client.get(url).content.decode() for url in ("/console/", "/console/therapy-2026/")]
    root = django_user_model.objects.create_superuser("root", password="x-root-pass-123")
    client.force_login(root)
    outputs += [
        client.get(url).content.decode()
        for url in ("/admin/", f"/admin/survey/survey/{survey.pk}/change/", "/admin/survey/auditevent/")
    ]
    for output in outputs:
        assert MARKER not in output
    assert all(MARKER not in str(r.snapshot) for r in ReportVersion.objects.all())
    for url in ("/admin/survey/answer/", "/admin/survey/response/", "/admin/survey/pendingsubmission/"):
        assert client.get(url).status_code == 404
