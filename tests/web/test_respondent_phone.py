"""The respondent's pages on a phone, as the server sees them: a step count
that never changes, "Change" back to the review, nothing lost on a language
switch or on the browser's Back, comments left out of what a browser keeps
for a later visit, code errors in a summary, the intro's promise first, and
a thank-you page that says where results appear and who can help."""

import datetime as dt
import re

import pytest
from django.core import signing
from django.utils import timezone

from survey.definitions.format import export_definition, load_definition, validate_definition
from survey.models import LedgerEntry, Survey
from survey.responses.invitation_codes import generate_codes
from survey.web.respondent import _SALT
from tests.factories import definition
from tests.respondent import Walk, answer_all

STEPS = re.compile(r"Step (\d+) of (\d+)")
SAVED = re.compile(r'data-saved-state="([^"]+)"')


def steps(walk):
    return tuple(int(n) for n in STEPS.search(walk.html).groups())


def test_step_count_never_changes_when_a_follow_up_appears(db):
    document = definition()
    care = document["sections"][1]["questions"]
    document["sections"][1]["questions"] = [q for q in care if q["key"] != "patient_care_comment"]
    load_definition(definition=validate_definition(document))  # the follow-up alone on its page
    walk = Walk("therapy-2026")
    walk.start()
    first = steps(walk)
    walk.next(service="iapt")
    walk.next(raised_patient_care="yes")  # the follow-up page appears
    assert "Was your concern adequately resolved?" in walk.html
    assert steps(walk) == (3, first[1])
    other = Walk("therapy-2026")
    other.start()
    other.next(service="iapt")
    other.next(raised_patient_care="no")  # no follow-up: progress moves on past it, the total stays
    assert "Was your concern adequately resolved?" not in other.html
    assert steps(other) == (4, first[1])


def test_change_from_the_review_returns_to_the_review(survey):
    walk = answer_all("therapy-2026", raised="yes")
    walk.post({"action": "change-0", "state": walk.state()})
    assert "Which kind of service" in walk.html or 'value="0"' in walk.html
    walk.next(service="other")
    assert "Check your answers" in walk.html  # not every later page again


def test_change_that_opens_a_follow_up_asks_it_then_returns_to_the_review(survey):
    walk = answer_all("therapy-2026", raised="no")
    walk.post({"action": "change-1", "state": walk.state()})
    walk.next(raised_patient_care="yes")
    assert "Was your concern adequately resolved?" in walk.html  # the page that has just appeared
    walk.next(outcome_patient_care="partly")
    assert "Check your answers" in walk.html


def test_language_switch_keeps_what_was_entered_on_the_page(survey):
    survey.translations = {"cy": {"title": "Gweithio"}}
    survey.save()
    walk = Walk("therapy-2026")
    walk.start()
    walk.post({"state": walk.state(), "page": walk.page(), "q_service": "iapt", "lang": "cy"})  # the Cymraeg button
    assert walk.response.status_code == 200 and '<html lang="cy">' in walk.html
    assert re.search(r'value="iapt"[^>]*checked', walk.html)
    assert walk.page() == "0"


def test_browser_history_move_shows_the_named_step_with_this_pages_answers(survey):
    walk = Walk("therapy-2026")
    walk.start()
    walk.next(service="iapt")
    walk.post({"action": "move", "to": "0", "state": walk.state(), "page": "1", "q_raised_patient_care": "yes"})
    assert walk.page() == "0" and re.search(r'value="iapt"[^>]*checked', walk.html)
    walk.post({"action": "move", "to": "1", "state": walk.state(), "page": "0", "q_service": "iapt"})
    assert walk.page() == "1" and re.search(r'value="yes"[^>]*checked', walk.html)
    walk.post({"action": "move", "to": "99", "state": walk.state()})
    assert walk.response.status_code == 400


def test_answers_kept_for_a_later_visit_leave_out_typed_comments(survey):
    walk = answer_all("therapy-2026", raised="yes", comment="Sister Jones on Oak Ward")
    signer = signing.TimestampSigner(salt=_SALT)
    full = signer.unsign_object(walk.state())["a"]
    kept = signer.unsign_object(SAVED.search(walk.html).group(1))["a"]
    assert full["patient_care_comment"] == "Sister Jones on Oak Ward"
    assert "patient_care_comment" not in kept
    assert kept == {k: v for k, v in full.items() if k != "patient_care_comment"}


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("ABCD-EFGH-JKMN", "That code has a typing mistake in it."),
        (None, "This code is not accepted: it has already been used, or it was never issued."),
    ],
)
def test_code_errors_are_in_a_summary_at_the_top(client, alice, typed, message):
    survey = Survey.objects.get(slug="therapy-2026")
    survey.access = Survey.Access.CODES
    survey.save()
    code = generate_codes(survey=survey, count=1, acting_user=alice)[0]
    if typed is None:  # well formed, never issued here
        other = load_definition(definition=validate_definition(definition(slug="elsewhere", access="codes")))
        typed = generate_codes(survey=other, count=1, acting_user=alice)[0]
    assert typed != code
    response = client.post("/s/therapy-2026/answer/", {"action": "start", "code": typed})
    html = response.content.decode()
    assert response.status_code == 400
    summary = html.index('id="error-summary"')
    assert html.index("<h1") < summary < html.index('class="promise') < html.index('name="code"')
    assert message in html[summary : html.index("</div>", summary)]
    assert 'href="#id_code"' in html and "<title>Error:" in html


def test_intro_leads_with_the_promise_the_time_and_who_moderates(client, db):
    survey = load_definition(
        definition=validate_definition(
            definition(estimated_minutes=7, moderators={"en": "two union reps", "cy": "dau gynrychiolydd undeb"})
        )
    )
    html = client.get("/s/therapy-2026/").content.decode()
    promise = html[html.index('class="promise') : html.index("</ul>", html.index('class="promise'))]
    assert promise.count("<li>") == 3 and "two union reps" in promise
    assert "It takes about 7 minutes." in html
    assert html.index("It takes about") < html.index("Start the survey") < html.index("<details")
    assert "named moderator" not in html
    resume = html[html.index('id="resume"') : html.index("</section>", html.index('id="resume"'))]
    assert html.count("Clear my saved answers") == resume.count("Clear my saved answers")  # only in the hidden box
    assert "dau gynrychiolydd undeb" in client.get("/s/therapy-2026/?lang=cy").content.decode()
    exported = export_definition(survey=survey)
    assert exported["estimated_minutes"] == 7
    assert exported["moderators"] == {"en": "two union reps", "cy": "dau gynrychiolydd undeb"}
    again = load_definition(definition=validate_definition(exported))
    assert (again.estimated_minutes, again.moderators) == (7, "two union reps")
    assert "estimated_minutes" not in export_definition(
        survey=load_definition(definition=validate_definition(definition()))
    )


def test_estimated_time_is_checked(db):
    from survey.definitions.format import DefinitionError

    assert validate_definition(definition(estimated_minutes=5)).estimated_minutes == 5
    with pytest.raises(DefinitionError, match="estimated_minutes"):
        validate_definition(definition(estimated_minutes=0))


def test_thank_you_page_says_when_and_where_results_appear_and_who_can_help(client, survey):
    survey.closes_at = timezone.make_aware(dt.datetime(2027, 3, 31, 17, 0))
    survey.save()
    LedgerEntry.objects.create(
        survey=survey,
        concern_key="patient-care",
        kind="help",
        text="Call the **Freedom to Speak Up** guardian on 0113 496 0000.",
        translations={"cy": {"text": "Ffoniwch y **gwarcheidwr**."}},
        entered_at=timezone.now(),
    )
    html = client.get("/s/therapy-2026/thanks/").content.decode()
    assert "The survey closes on 31 March 2027." in html
    assert 'href="http://testserver/r/therapy-2026/"' in html
    assert "<strong>Freedom to Speak Up</strong> guardian" in html
    assert "Who can help: Patient care" in html
    survey.translations = {"cy": {"title": "Gweithio"}}
    survey.save()
    welsh = client.get("/s/therapy-2026/thanks/?lang=cy").content.decode()
    assert "Ffoniwch y <strong>gwarcheidwr</strong>." in welsh and "Pwy all helpu:" in welsh


def test_builder_settings_set_and_clear_the_estimated_time_and_moderators(alice):
    from survey.definitions.editing import edit_definition, set_settings

    survey = load_definition(definition=validate_definition(definition(moderators={"en": "two reps", "cy": "dau"})))

    def settings(**extra):
        edit_definition(
            survey=survey,
            acting_user=alice,
            change=lambda d: set_settings(d, title="Renamed", intro="", min_group_size=10, access="open", **extra),
            what="settings",
        )
        survey.refresh_from_db()

    settings(estimated_minutes=4, moderators="two union reps")  # the English text reworded, the Welsh kept
    assert (survey.title, survey.estimated_minutes, survey.moderators) == ("Renamed", 4, "two union reps")
    assert export_definition(survey=survey)["moderators"] == {"en": "two union reps", "cy": "dau"}
    settings(estimated_minutes=None, moderators={"en": "", "cy": ""})  # both fields emptied in the form
    assert (survey.estimated_minutes, survey.moderators) == (None, "")
    assert "moderators" not in export_definition(survey=survey)


def test_new_actions_with_bad_values_never_answer_500(survey):
    walk = Walk("therapy-2026")
    walk.start()
    state = walk.state()
    for data in [
        {"action": "move", "to": "x", "state": state},
        {"action": "move", "to": "-1", "state": state, "page": "0"},
        {"action": "move", "state": state, "page": "zz"},
        {"action": "change-x", "state": state},
        {"action": "change-99", "state": state},
        {"action": "stay", "state": state},
        {"lang": "xx", "state": state, "page": "0", "q_service": "nonsense"},
        {"lang": "cy", "state": "garbage", "page": "0"},
    ]:
        response = walk.client.post("/s/therapy-2026/answer/", data)
        assert response.status_code in (200, 400), (data, response.status_code)
