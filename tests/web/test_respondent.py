import re

import pytest

from survey.models import PendingSubmission, Survey
from tests.respondent import Walk, answer_all


def test_intro_explains_anonymity(client, survey):
    response = client.get("/s/therapy-2026/")
    assert response.status_code == 200
    assert 'What "anonymous" means here' in response.content.decode()


def test_full_walk_stores_one_pending_submission(survey):
    walk = answer_all("therapy-2026", raised="yes", comment="Understaffed nights")
    assert "Check your answers" in walk.html
    assert "Partly" in walk.html and "Understaffed nights" in walk.html
    response = walk.submit()
    assert response.status_code == 302 and response["Location"] == "/s/therapy-2026/thanks/"
    submission = PendingSubmission.objects.get()
    assert submission.answers == {
        "service": "iapt",
        "raised_patient_care": "yes",
        "outcome_patient_care": "partly",
        "patient_care_comment": "Understaffed nights",
        "barriers": ["fear", "time"],
        "safe": "4",
    }


def test_followup_shown_only_when_its_condition_holds(survey):
    walk = Walk("therapy-2026")
    walk.start()
    walk.next(service="other")
    walk.next(raised_patient_care="no")
    assert "Was your concern adequately resolved?" not in walk.html
    assert "Anything you want to tell us?" in walk.html

    walk = Walk("therapy-2026")
    walk.start()
    walk.next(service="other")
    walk.next(raised_patient_care="yes")
    assert "Was your concern adequately resolved?" in walk.html


def test_changing_the_controlling_answer_drops_the_followup(survey):
    walk = answer_all("therapy-2026", raised="yes")
    walk.post({"action": "goto-1", "state": walk.state()})
    walk.next(raised_patient_care="no")
    walk.next()  # comment page
    walk.next(safe="2")
    assert "Was your concern adequately resolved?" not in walk.html
    walk.submit()
    assert "outcome_patient_care" not in PendingSubmission.objects.get().answers


def test_progress_indicator_counts_steps(survey):
    walk = Walk("therapy-2026")
    walk.start()
    assert 'aria-label="Progress: step 1 of' in walk.html
    walk.next(service="iapt")
    assert 'aria-label="Progress: step 2 of' in walk.html


def test_missing_required_answer_is_shown_beside_the_field(survey):
    walk = Walk("therapy-2026")
    walk.start()
    walk.next()
    assert walk.response.status_code == 200
    assert 'aria-invalid="true"' in walk.html
    assert '<div id="id_q_service_error" class="invalid-feedback">' in walk.html
    assert 'aria-label="Progress: step 1 of' in walk.html


def test_error_summary_comes_first_and_links_to_each_field(survey):
    walk = Walk("therapy-2026")
    walk.start()
    walk.next()
    summary = re.search(r'<div class="alert alert-danger" role="alert" id="error-summary".*?</div>', walk.html, re.S)
    assert summary and "autofocus" in summary.group(0)
    link = r'<a class="alert-link" href="#id_q_service_0">[^<]* Please answer this question.</a>'
    assert re.search(link, summary.group(0))
    assert 'id="id_q_service_0"' in walk.html
    assert walk.html.index("error-summary") < walk.html.index('name="q_service"')
    assert "<title>Error:" in walk.html


def test_back_keeps_answers(survey):
    walk = Walk("therapy-2026")
    walk.start()
    walk.next(service="agency")
    walk.back()
    assert re.search(r'value="agency"[^>]*checked', walk.html)
    assert not re.search(r'value="iapt"[^>]*checked', walk.html)


def test_double_submit_and_replay_store_one_response(survey):
    walk = answer_all("therapy-2026", raised="no")
    state = walk.state()
    first = walk.post({"action": "submit", "state": state})
    second = walk.post({"action": "submit", "state": state})
    assert first["Location"] == second["Location"] == "/s/therapy-2026/thanks/"
    assert PendingSubmission.objects.count() == 1


def test_tampered_state_stores_nothing(survey):
    walk = answer_all("therapy-2026", raised="no")
    response = walk.post({"action": "submit", "state": walk.state()[:-2] + "xx"})
    assert response.status_code == 400
    assert not PendingSubmission.objects.exists()


def test_honeypot_gets_thanks_and_stores_nothing(survey):
    walk = answer_all("therapy-2026", raised="no")
    response = walk.submit(website="http://spam.example")
    assert response["Location"] == "/s/therapy-2026/thanks/"
    assert not PendingSubmission.objects.exists()


@pytest.mark.parametrize("status", [Survey.Status.CLOSED, Survey.Status.DRAFT])
def test_survey_not_open_takes_no_answers(client, survey, status):
    walk = answer_all("therapy-2026", raised="no")
    Survey.objects.filter(pk=survey.pk).update(status=status)
    assert client.get("/s/therapy-2026/").status_code == 410
    assert walk.submit().status_code == 410
    assert not PendingSubmission.objects.exists()


@pytest.mark.parametrize(
    "path",
    [
        "/s/nope/",  # no such survey
        "/s/nope/answer/",
        "/s/nope/thanks/",
        "/r/nope/",
        "/r/therapy-2026/",  # the survey exists, but nothing is published yet
        "/r/therapy-2026/v1/",
        "/r/therapy-2026/v1/report.csv",
    ],
)
def test_unknown_things_are_404(client, survey, path):
    assert client.get(path).status_code == 404


def test_console_of_a_survey_sends_an_anonymous_visitor_to_sign_in(client, survey):
    response = client.get("/console/therapy-2026/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/console/therapy-2026/"


def test_garbage_posts_never_answer_500(client, survey):
    url = "/s/therapy-2026/answer/"
    for data in (
        {},
        {"action": "next"},
        {"action": "next", "state": "x", "page": "zz"},
        {"action": "goto-99"},
        {"action": "zzz", "state": "a:b:c"},
    ):
        assert client.post(url, data).status_code == 400
    assert client.get(url).status_code == 302


def test_showing_a_survey_in_welsh_leaves_the_model_as_it_was(rf, db):
    """Display never writes translated texts into the Survey instance: a later save() would store them."""
    from survey.definitions.format import builtin_definitions, load_definition, parse_definition
    from survey.web.respondent import intro_page

    survey = load_definition(definition=parse_definition(builtin_definitions()["raising-concerns"].read_text()))
    before = dict(vars(survey))
    request = rf.get(f"/s/{survey.slug}/", {"lang": "cy"})
    page = intro_page(request, survey).content.decode()
    assert survey.translations["cy"]["title"] in page  # the page is in Welsh
    assert {k: v for k, v in vars(survey).items() if k != "_state"} == {
        k: v for k, v in before.items() if k != "_state"
    }


def test_the_review_page_carries_the_honeypot_inside_the_form_that_sends(survey):
    """The honeypot field is on the page whose form sends the answers, out
    of sight and out of the tab order, so people never fill it and bots do."""
    from html.parser import HTMLParser

    class Forms(HTMLParser):
        def __init__(self):
            super().__init__()
            self.forms, self.current = [], None

        def handle_starttag(self, tag, attrs):
            attrs = dict(attrs)
            if tag == "form":
                self.current = {"inputs": {}, "buttons": set()}
                self.forms.append(self.current)
            elif self.current is not None and tag == "input" and attrs.get("name"):
                self.current["inputs"][attrs["name"]] = attrs
            elif self.current is not None and tag == "button" and attrs.get("value"):
                self.current["buttons"].add(attrs["value"])

        def handle_endtag(self, tag):
            if tag == "form":
                self.current = None

    walk = answer_all("therapy-2026", raised="no")
    assert "Check your answers" in walk.html
    parser = Forms()
    parser.feed(walk.html)
    (sending,) = [f for f in parser.forms if "submit" in f["buttons"]]
    honeypot = sending["inputs"]["website"]
    assert honeypot.get("tabindex") == "-1" and honeypot.get("autocomplete") == "off"
