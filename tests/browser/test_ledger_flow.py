"""An organiser keeps the action ledger in a real browser: adds actions with
roles and due dates, records a change (the public ledger shows both
entries), lets one go overdue (marked), opens a follow-up pulse from an
action; respondents answer it (one in the browser from the original
survey's address, the rest through the services) and once it has closed
and released its figures they show beside the action. axe on every page;
screenshots at 390 and 1280 px when CANDOUR_SCREENSHOTS names a folder."""

import os
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import timezone

from survey.definitions.status import set_status
from survey.figures.aggregate import compute_results
from survey.models import Member, Survey
from survey.reports.publishing import publish_report
from survey.responses.importing import import_responses
from tests.browser.a11y import assert_accessible, go
from tests.factories import answers, make_survey, to_csv

SHOTS = os.environ.get("CANDOUR_SCREENSHOTS", "")


def shoot(page, name):
    for label, width in (("phone", 390), ("desktop", 1280)):
        page.set_viewport_size({"width": width, "height": 900})
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 1, f"{name} at {width}px is {overflow}px wider than the screen"
        if SHOTS:
            page.screenshot(path=os.path.join(SHOTS, f"{name}-{label}.png"), full_page=True)
    page.set_viewport_size({"width": 1200, "height": 900})


def add_action(page, text, role, due):
    form = page.locator("form[action$='/actions/new/']")
    form.get_by_label("Concern topic").select_option("patient-care")
    form.get_by_label("What will be done").fill(text)
    form.get_by_label("Accountable role").fill(role)
    form.get_by_label("Due by").fill(due.isoformat())
    form.get_by_role("button", name="Add action").click()
    assert_accessible(page)
    assert page.get_by_text("Action added.").is_visible()


@pytest.mark.django_db(transaction=True)
def test_organiser_keeps_the_ledger_and_follows_up_with_a_pulse(live_server, page):
    survey = make_survey()
    alice = get_user_model().objects.create_user(username="alice", password="correct horse battery")
    Member.objects.create(survey=survey, user=alice, role=Member.Role.ORGANISER)
    rows = [answers(service="iapt", raised="yes", outcome="adequately")] * 20
    rows += [answers(service="other", raised="yes", outcome="not")] * 20
    import_responses(survey=survey, text=to_csv(rows))
    set_status(survey=survey, acting_user=alice, status=Survey.Status.CLOSED)
    compute_results(survey_id=survey.pk)
    publish_report(survey=survey, acting_user=alice)
    today = timezone.localdate()

    page.goto(f"{live_server.url}/console/therapy-2026/actions/")
    page.get_by_label("Username").fill("alice")
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Sign in").click()
    assert_accessible(page)
    add_action(page, "Weekly supervision for every team.", "Director of Nursing", today + timedelta(days=60))
    add_action(page, "Exit interviews for everyone who leaves.", "Head of Workforce", today + timedelta(days=1))
    help_form = page.locator("form[action$='/actions/help/patient-care/']")
    help_form.get_by_label("Who can help, and how to reach them").fill(
        "The Freedom to Speak Up Guardian, ftsu@example.org"
    )
    help_form.get_by_role("button", name="Save who can help for Patient care").click()
    page.mouse.move(0, 0)  # axe measures a button still fading out of its hover colours otherwise
    assert_accessible(page)

    # Text typed into one form is not lost by sending another: the page asks first.
    help_box = help_form.get_by_label("Who can help, and how to reach them")
    help_box.fill("Union rep: rep@example.org")
    asked = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    page.locator("form[action$='/actions/new/']").get_by_role("button", name="Add action").click()
    assert asked and "lose that text" in asked[0]
    assert help_box.input_value() == "Union rep: rep@example.org"  # still there, nothing sent
    help_box.fill("The Freedom to Speak Up Guardian, ftsu@example.org")

    # A change: the first action is under way.
    first = page.locator("article.card", has_text="Weekly supervision for every team.")
    first.get_by_text("Record a change to this action").click()
    first.get_by_label("Status").select_option("in_progress")
    first.get_by_label("What happened (you said, we did)").fill("Two teams have started.")
    first.get_by_role("button", name="Add this change").click()
    assert_accessible(page)
    assert page.get_by_text("Change recorded as a new dated entry").is_visible()

    # The second action's due date passes (a day later, nothing done).
    second = page.locator("article.card", has_text="Exit interviews")
    second.get_by_text("Record a change to this action").click()
    second.get_by_label("Due by").fill((today - timedelta(days=1)).isoformat())
    second.get_by_label("What happened (you said, we did)").fill("Delayed: waiting for a new form.")
    second.get_by_role("button", name="Add this change").click()
    assert_accessible(page)
    shoot(page, "ledger-console")

    page.goto(f"{live_server.url}/r/therapy-2026/")
    assert_accessible(page)
    page.get_by_role("link", name="the action ledger").click()
    assert_accessible(page)
    public_first = page.locator("article.card", has_text="Weekly supervision for every team.")
    assert public_first.locator("ol li").count() == 2  # both entries, each dated
    assert public_first.get_by_text("Two teams have started.").is_visible()
    assert public_first.get_by_text("In progress", exact=True).is_visible()
    # The change kept what it did not touch: the due date came back in the form.
    due = today + timedelta(days=60)
    assert public_first.get_by_text(f"Due {due.day} {due:%B %Y}.").is_visible()
    assert page.locator("article.card", has_text="Exit interviews").get_by_text("Overdue").is_visible()
    assert public_first.get_by_text("Overdue").count() == 0
    assert page.get_by_text("ftsu@example.org").is_visible()

    # A pulse from the first action.
    page.goto(f"{live_server.url}/console/therapy-2026/actions/")
    page.locator("article.card", has_text="Weekly supervision for every team.").get_by_role(
        "link", name="Open a follow-up pulse about this action"
    ).click()
    assert_accessible(page)
    shoot(page, "pulse-new")
    page.get_by_role("textbox", name="Question 1").fill(
        "Since the results came out, has supervision changed where you work?"
    )
    page.get_by_role("button", name="Open the pulse").click()
    assert_accessible(page)
    assert page.get_by_text("The pulse is open.").is_visible()
    assert page.get_by_text("A follow-up pulse of an action of").is_visible()
    shoot(page, "pulse-results")
    pulse = Survey.objects.get(link=Survey.Link.PULSE)
    page.goto(f"{live_server.url}/console/therapy-2026/actions/")
    assert_accessible(page)
    assert page.get_by_text("is open: the survey's address").is_visible()
    assert page.get_by_text("Open now: figures are shown once it closes.").is_visible()

    # A respondent follows the original survey's address and answers the pulse.
    respondent = page.context.browser.new_context(viewport={"width": 390, "height": 800}).new_page()
    respondent.goto(f"{live_server.url}/s/therapy-2026/")
    assert respondent.url.endswith(f"/s/{pulse.slug}/")
    assert_accessible(respondent)
    go(respondent, "Start the survey")
    respondent.get_by_label("Better").check()
    go(respondent, "Continue")
    go(respondent, "Send my answers")
    assert respondent.get_by_role("heading", name="Thank you").is_visible()
    assert respondent.get_by_text("ftsu@example.org").is_visible()  # the same help route
    assert_accessible(respondent)
    if SHOTS:
        respondent.screenshot(path=os.path.join(SHOTS, "pulse-thanks-phone.png"), full_page=True)
    respondent.context.close()

    # Many more answer through the services; the organiser closes the pulse.
    import_responses(survey=pulse, text="q1\n" + "\n".join(["better"] * 13 + ["same"] * 9 + ["worse"] * 4) + "\n")
    call_command("aggregate", pulse.slug)
    set_status(survey=pulse, acting_user=alice, status=Survey.Status.CLOSED)
    compute_results(survey_id=pulse.pk)

    page.goto(f"{live_server.url}/r/therapy-2026/actions/")
    assert_accessible(page)
    beside = page.locator("article.card", has_text="Weekly supervision for every team.").locator("section.pulse")
    assert beside.get_by_text("27 people answered.").is_visible()
    assert beside.get_by_text("Better: 51.9% (14 of 27)").is_visible()
    shoot(page, "ledger-public")
