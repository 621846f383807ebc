"""Joint surveys set up through the service: partners, the partner question, audit, and what is fixed."""

import pytest

from survey.definitions.format import PARTNER_KEY, export_definition
from survey.models import AuditEvent, Choice, InvitationCode, Organisation, Partner, PendingSubmission, Question
from survey.refused import Refused
from survey.responses.invitation_codes import generate_codes
from survey.responses.submit import submit_response
from survey.staff import partners
from survey.staff.partners import PartnersRefused
from tests.factories import answers


@pytest.fixture
def college(db):
    return Organisation.objects.create(name="Royal College of Nursing", slug="rcn-yorkshire")


def _partner_question(survey):
    return survey.questions.get(partner=True)


def test_a_survey_made_joint_has_its_own_organisation_first_and_the_partner_question_first(survey, alice, trust):
    partners.start_partners(survey=survey, acting_user=alice, partners_from="link")
    survey.refresh_from_db()
    assert survey.partners_from == "link"
    assert [p.organisation for p in survey.partners.all()] == [trust]
    question = _partner_question(survey)
    assert (question.key, question.breakdown, question.required, question.kind) == (
        PARTNER_KEY,
        True,
        True,
        "single_choice",
    )
    first = survey.questions.order_by("section__position", "position").first()
    assert first == question
    assert list(question.choices.values_list("value", "label")) == [("leeds-trust", "Leeds Teaching Hospitals")]
    event = survey.audit.get(action=AuditEvent.Action.PARTNERS_STARTED)
    assert event.user == alice and "Run with partners: no → yes" in event.detail


def test_partners_are_added_moved_and_removed_with_the_partner_question_in_step(survey, alice, trust, union, college):
    partners.start_partners(survey=survey, acting_user=alice, partners_from="question")
    partners.add_partner(survey=survey, acting_user=alice, organisation=union)
    partners.add_partner(survey=survey, acting_user=alice, organisation=college)
    token = Partner.objects.get(survey=survey, organisation=union).token
    assert list(_partner_question(survey).choices.values_list("value", flat=True)) == [
        "leeds-trust",
        "unison-leeds",
        "rcn-yorkshire",
    ]
    partners.move_partner(survey=survey, acting_user=alice, organisation=college, offset=-1)
    assert [o.slug for o in partners.partner_organisations(survey=survey)] == [
        "leeds-trust",
        "rcn-yorkshire",
        "unison-leeds",
    ]
    assert list(_partner_question(survey).choices.values_list("value", flat=True)) == [
        "leeds-trust",
        "rcn-yorkshire",
        "unison-leeds",
    ]
    # A kept partner keeps its own link through every change.
    assert Partner.objects.get(survey=survey, organisation=union).token == token
    partners.remove_partner(survey=survey, acting_user=alice, organisation=college)
    assert list(_partner_question(survey).choices.values_list("value", flat=True)) == ["leeds-trust", "unison-leeds"]
    added = survey.audit.get(action=AuditEvent.Action.PARTNER_ADDED, organisation=union)
    assert "Partner added: “UNISON Leeds Health” (organisation unison-leeds)" in added.detail
    removed = survey.audit.get(action=AuditEvent.Action.PARTNER_REMOVED)
    assert removed.organisation == college and "Partner removed" in removed.detail
    moved = survey.audit.get(action=AuditEvent.Action.PARTNER_MOVED)
    assert (
        "Order of partners: leeds-trust, unison-leeds, rcn-yorkshire → leeds-trust, rcn-yorkshire, unison-leeds"
        in moved.detail
    )


def test_the_survey_own_organisation_cannot_be_removed_or_moved(survey, alice, trust, union):
    partners.start_partners(survey=survey, acting_user=alice, partners_from="link")
    partners.add_partner(survey=survey, acting_user=alice, organisation=union)
    with pytest.raises(PartnersRefused, match="always a partner"):
        partners.remove_partner(survey=survey, acting_user=alice, organisation=trust)
    with pytest.raises(PartnersRefused, match="listed first"):
        partners.move_partner(survey=survey, acting_user=alice, organisation=union, offset=-1)
    with pytest.raises(PartnersRefused, match="a partner already"):
        partners.add_partner(survey=survey, acting_user=alice, organisation=union)


def test_a_survey_without_an_organisation_cannot_be_joint(survey, alice):
    with pytest.raises(PartnersRefused, match="run by an organisation"):
        partners.start_partners(survey=survey, acting_user=alice, partners_from="link")
    assert not Partner.objects.exists()


def test_partners_are_fixed_once_anyone_has_answered(survey, alice, trust, union, college):
    partners.start_partners(survey=survey, acting_user=alice, partners_from="question")
    partners.add_partner(survey=survey, acting_user=alice, organisation=union)
    submit_response(survey=survey, answers=answers() | {PARTNER_KEY: "unison-leeds"}, nonce="n1")
    for change in (
        lambda: partners.add_partner(survey=survey, acting_user=alice, organisation=college),
        lambda: partners.remove_partner(survey=survey, acting_user=alice, organisation=union),
        lambda: partners.end_partners(survey=survey, acting_user=alice),
        lambda: partners.set_partner_settings(
            survey=survey, acting_user=alice, partners_from="link", see_each_other=False, question_text="Who?"
        ),
    ):
        with pytest.raises(PartnersRefused, match="partners are fixed"):
            change()
    assert list(_partner_question(survey).choices.values_list("value", flat=True)) == ["leeds-trust", "unison-leeds"]
    # Wording may still change.
    partners.set_partner_settings(
        survey=survey, acting_user=alice, partners_from="question", see_each_other=False, question_text="Who asked you?"
    )
    assert _partner_question(survey).text == "Who asked you?"
    assert "Partner question text: “Which organisation invited you to this survey?” → “Who asked you?”" in (
        survey.audit.get(action=AuditEvent.Action.PARTNERS_CHANGED).detail
    )


def test_removing_a_partner_takes_its_unused_codes_and_ending_takes_the_question(survey, alice, trust, union):
    survey.access = "codes"
    survey.save()
    partners.start_partners(survey=survey, acting_user=alice, partners_from="link")
    survey = partners.add_partner(survey=survey, acting_user=alice, organisation=union)
    generate_codes(survey=survey, count=3, acting_user=alice, partner=Partner.objects.get(organisation=union))
    assert InvitationCode.objects.filter(partner__organisation=union).count() == 3
    partners.remove_partner(survey=survey, acting_user=alice, organisation=union)
    assert not InvitationCode.objects.exists()
    partners.end_partners(survey=survey, acting_user=alice)
    survey.refresh_from_db()
    assert survey.partners_from == "" and not Partner.objects.exists()
    assert (
        not Question.objects.filter(partner=True).exists() and not Choice.objects.filter(value="leeds-trust").exists()
    )
    assert "partners" not in export_definition(survey=survey)


def test_a_joint_survey_opens_only_with_two_partners(survey, alice, trust, union):
    from survey.definitions.status import set_status

    partners.start_partners(survey=survey, acting_user=alice, partners_from="link")
    with pytest.raises(Refused, match="at least two partners"):
        set_status(survey=survey, acting_user=alice, status="open")
    partners.add_partner(survey=survey, acting_user=alice, organisation=union)
    assert set_status(survey=survey, acting_user=alice, status="open").status == "open"


def test_the_preview_of_a_link_survey_walks_through_without_a_partner(client, survey, alice, trust, union):
    from tests.respondent import Walk

    partners.start_partners(survey=survey, acting_user=alice, partners_from="link")
    partners.add_partner(survey=survey, acting_user=alice, organisation=union)
    client.force_login(alice)
    assert "Start the survey" in client.get("/console/therapy-2026/preview/").content.decode()
    walk = Walk("therapy-2026", client=client)
    walk.url = "/console/therapy-2026/preview/answer/"
    walk.start()
    walk.next(service="iapt")
    walk.next(raised_patient_care="no")
    walk.next(patient_care_comment="")
    walk.next(safe="4")
    done = walk.submit()
    assert done.status_code == 200 and "Partner organisation" not in done.content.decode()
    assert not PendingSubmission.objects.exists()
