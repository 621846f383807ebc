"""The Report tab: a preview of exactly the next version, Publish there,
quotes chosen one by one (none until chosen), Publish saving unsaved
changes and showing them first, and no link to a public report before it exists."""

import pytest

from survey.models import AuditEvent, ReportSettings, ReportVersion
from survey.moderation import decisions as moderation
from survey.reports.drafting import save_report_settings
from survey.reports.publishing import PublishRefused, next_snapshot, publish_report
from survey.responses.importing import import_responses
from tests.factories import answers, close_and_release, to_csv
from tests.moderation.test_decisions import released_at_days_end

URL = "/console/therapy-2026/report/"
FIRST = "Nights are short-staffed every week"
SECOND = "The new rota helped a lot"


@pytest.fixture
def quotes(survey, bob):
    rows = [answers(service="iapt", raised="yes", outcome="adequately", comment=FIRST)]
    rows += [answers(service="iapt", raised="yes", outcome="not", comment=SECOND)]
    rows += [answers(service="iapt", raised="yes", outcome="partly")] * 18 + [answers(service="other")] * 20
    import_responses(survey=survey, text=to_csv(rows))
    released_at_days_end()
    close_and_release(survey)
    survey.refresh_from_db()
    ids = {}
    for answer in moderation.queue(survey=survey):
        moderation.approve_quote(
            survey=survey, acting_user=bob, answer_id=answer.pk, redacted_text=answer.text, concern_key="patient-care"
        )
        ids[answer.text] = str(answer.pk)
    return ids


def form(**changes) -> dict:
    data = {
        "title": "",
        "narrative": "",
        "note": "",
    }
    data.update(changes)
    return data


def test_the_preview_is_the_next_version_and_publish_is_on_the_tab(client, alice, survey, quotes):
    client.force_login(alice)
    ReportSettings.objects.create(survey=survey, narrative="We heard you.", quotes=[quotes[FIRST]])
    page = client.get(URL).content.decode()
    assert "Preview of version 1" in page and "We heard you." in page and FIRST in page
    assert 'name="publish"' in page
    previewed = page.split('name="previewed" value="')[1].split('"')[0]
    expected = next_snapshot(survey=survey)
    data = form(narrative="We heard you.", quotes=[quotes[FIRST]], publish="yes", previewed=previewed)
    asking = client.post(URL, data)
    assert asking.status_code == 200 and "Publish version 1 of the report?" in asking.content.decode()
    assert not ReportVersion.objects.exists()
    done = client.post(URL, data | {"confirmed": "yes"})
    assert done.status_code == 302 and done["Location"] == URL
    assert ReportVersion.objects.get().snapshot == expected
    # Pressing Publish again changes no settings: one settings entry in the audit list, from before.
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.REPORT_SETTINGS_CHANGED).exists()


def test_a_quote_appears_only_when_chosen(client, alice, survey, quotes):
    client.force_login(alice)
    page = client.get(URL).content.decode()
    assert f"“{FIRST}”" in page and 'name="quotes"' in page  # offered as a choice
    assert publish_report(survey=survey, acting_user=alice).snapshot["quotes"] == []
    assert client.post(URL, form(quotes=[quotes[SECOND]])).status_code == 302
    preview = client.get(URL).content.decode().split('id="preview"')[1]
    assert SECOND in preview and FIRST not in preview
    report = publish_report(survey=survey, acting_user=alice)
    assert [q["text"] for q in report.snapshot["quotes"]] == [SECOND]


def test_a_chosen_id_that_is_not_an_approved_quote_is_refused(client, alice, survey, quotes):
    client.force_login(alice)
    other = "00000000-0000-4000-8000-000000000000"
    response = client.post(URL, form(quotes=[quotes[FIRST], other]))
    assert response.status_code == 400 and not ReportSettings.objects.exists()
    save_report_settings(
        survey=survey,
        acting_user=alice,
        title="",
        narrative="",
        concerns=[],
        breakdowns=[],
        questions=[],
        quotes=[quotes[FIRST], other],
    )
    assert ReportSettings.objects.get(survey=survey).quotes == [quotes[FIRST]]


def test_publish_with_unsaved_changes_shows_the_new_preview_first(client, alice, survey, quotes):
    client.force_login(alice)
    previewed = client.get(URL).content.decode().split('name="previewed" value="')[1].split('"')[0]
    response = client.post(URL, form(narrative="A late change.", publish="yes", previewed=previewed))
    assert response.status_code == 302 and response["Location"] == URL + "#preview"
    assert not ReportVersion.objects.exists()
    assert "A late change." in client.get(URL).content.decode().split('id="preview"')[1]


def test_a_version_that_is_not_the_preview_is_refused(alice, survey, quotes):
    with pytest.raises(PublishRefused, match="changed since the preview"):
        publish_report(survey=survey, acting_user=alice, previewed="not-this-one")
    assert not ReportVersion.objects.exists()


def test_no_link_to_the_public_report_before_its_first_version(client, alice, survey, quotes):
    client.force_login(alice)
    for url in ("/console/therapy-2026/", URL):
        assert 'href="/r/therapy-2026/"' not in client.get(url).content.decode(), url
    publish_report(survey=survey, acting_user=alice)
    assert 'href="/r/therapy-2026/"' in client.get("/console/therapy-2026/").content.decode()
