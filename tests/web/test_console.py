import pytest

from survey.figures.aggregate import compute_results
from survey.models import AuditEvent, Member, ReportVersion, Survey
from survey.responses.importing import import_responses
from tests.factories import answers, close_and_release, make_survey, to_csv

VIEWS = [("get", "/console/therapy-2026/"), ("post", "/console/therapy-2026/publish/")]


@pytest.fixture
def figures(survey):
    rows = [answers(service="iapt", raised="yes", outcome="adequately")] * 30 + [answers(service="iapt")] * 5
    rows += [answers(service="other", raised="yes", outcome="partly")] * 10 + [answers(service="other")] * 30
    rows += [answers(service="bank", raised="yes", outcome="not")] * 3 + [answers(service="agency")] * 8
    import_responses(survey=survey, text=to_csv(rows))
    close_and_release(survey)


@pytest.mark.parametrize(("method", "url"), VIEWS)
def test_anonymous_visitor_is_sent_to_sign_in(client, survey, method, url):
    response = getattr(client, method)(url)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize(("method", "url"), VIEWS)
def test_organiser_of_another_survey_gets_404(client, charlie, method, url):
    client.force_login(charlie)
    assert getattr(client, method)(url).status_code == 404


@pytest.mark.parametrize(("method", "url"), VIEWS)
def test_moderator_of_this_survey_gets_404(client, bob, method, url):
    client.force_login(bob)
    assert getattr(client, method)(url).status_code == 404
    assert not ReportVersion.objects.exists()


def test_organiser_sees_figures_with_suppressed_cells_marked(client, alice, figures):
    client.force_login(alice)
    html = client.get("/console/therapy-2026/").content.decode()
    assert "(30 of 35; 95% CI 70.6–93.7)" in html  # iapt raised
    # iapt's 30 of 30 resolved, with "other" shown, would pin the 3 of bank
    # (none adequately resolved): the closing release's audit hid the
    # resolved figures by service, and says why.
    assert "(30 of 30;" not in html and "suppressed: hidden to protect" in html
    assert "These are the final figures, released on" in html and "Counted on" in html
    assert "suppressed: fewer than k respondents" in html  # the true reason (issue finding 7)
    assert "of 3;" not in html  # the bank group of 3 shows no figure


def test_home_lists_only_own_surveys_with_coarse_progress(client, alice, charlie, survey):
    import_responses(survey=survey, text=to_csv([answers()] * 4))
    compute_results(survey_id=survey.pk)
    client.force_login(alice)
    html = client.get("/console/").content.decode()
    assert "Working in mental health services" in html
    assert "fewer than 10" in html and ">4<" not in html
    client.force_login(charlie)
    html = client.get("/console/").content.decode()
    assert "/console/therapy-2026/" not in html and "/console/other-survey/" in html


def test_publish_freezes_a_snapshot_and_audits_it(client, alice, survey, figures):
    client.force_login(alice)
    response = client.post("/console/therapy-2026/publish/", {"note": "First results", "confirmed": "yes"})
    assert response.status_code == 302
    report = ReportVersion.objects.get()
    assert (report.number, report.note, report.published_by) == (1, "First results", alice)
    assert report.snapshot["results"]["concerns"][0]["raised"]["n"] == 86
    event = AuditEvent.objects.get(action="report.published")
    assert (event.user, event.survey) == (alice, survey)


def test_publish_with_a_bad_note_changes_nothing(client, alice, figures):
    client.force_login(alice)
    client.post("/console/therapy-2026/publish/", {"note": "x" * 3000})
    assert not ReportVersion.objects.exists()


def test_the_audit_list_says_each_change_in_words(client, alice, survey):
    from survey.definitions.status import set_status

    set_status(survey=survey, acting_user=alice, status="closed")
    client.force_login(alice)
    page = client.get(f"/console/{survey.slug}/changes/").content.decode()
    assert "Closed the survey" in page and "survey.closed" not in page


def test_compare_offers_only_the_organisers_own_surveys(client, alice, charlie, survey, figures):
    # Three surveys of the same shape: one alice runs, one she only moderates,
    # and charlie's, each with released figures.
    mine = make_survey(slug="therapy-2025")
    Member.objects.create(survey=mine, user=alice, role=Member.Role.ORGANISER)
    moderated = make_survey(slug="moderated-2025")
    Member.objects.create(survey=moderated, user=alice, role=Member.Role.MODERATOR)
    rows = [answers(service="iapt", raised="yes", outcome="not")] * 20 + [answers(service="other")] * 20
    for other in ("therapy-2025", "moderated-2025", "other-survey"):
        other_survey = Survey.objects.get(slug=other)
        import_responses(survey=other_survey, text=to_csv(rows))
        close_and_release(other_survey)
    client.force_login(alice)
    page = client.get("/console/therapy-2026/compare/")
    assert [s.slug for s in page.context["candidates"]] == ["therapy-2025"]
    html = page.content.decode()
    assert 'value="therapy-2025"' in html
    assert "moderated-2025" not in html and "other-survey" not in html
    for slug in ("other-survey", "moderated-2025"):
        page = client.get(f"/console/therapy-2026/compare/?with={slug}")
        assert page.status_code == 200 and page.context["other"] is None and page.context["rows"] == []
        assert "comparisons of figures shown in both" not in page.content.decode()
    # Her own survey can be selected: the same request then compares.
    page = client.get("/console/therapy-2026/compare/?with=therapy-2025")
    assert page.context["other"].slug == "therapy-2025" and page.context["rows"]
