"""The console's Partners page: run a survey jointly with other organisations (docs/partners.md).

Each form posts to one view that calls one service of survey/staff/partners.py;
removing a partner or ending the partnership asks first.
"""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from survey.models import Member, Organisation, Survey
from survey.staff import partners as service
from survey.staff.permissions import member_required
from survey.web.confirm import confirm_first
from survey.web.forms import PartnerAddForm, PartnerSettingsForm, PartnersStartForm
from survey.web.refusals import refusal_as_message


def _back(survey: Survey):
    return redirect("survey:survey-partners", slug=survey.slug)


@require_GET
@member_required(Member.Role.ORGANISER)
def partners_page(request, survey: Survey):
    joint = bool(survey.partners_from)
    question = survey.questions.filter(partner=True).first()
    context = {
        "survey": survey,
        "joint": joint,
        "answered": survey.has_answers(),
        "partners": list(survey.partners.select_related("organisation")),
        "start_form": None if joint else PartnersStartForm(),
        "settings_form": PartnerSettingsForm(
            initial={
                "partners_from": survey.partners_from,
                "see_each_other": survey.partners_see_each_other,
                "question_text": question.text if question else "",
            }
        )
        if joint
        else None,
        "add_form": PartnerAddForm(survey=survey) if joint else None,
    }
    return render(request, "survey/console/partners.html", context)


@require_POST
@member_required(Member.Role.ORGANISER)
def partners_start(request, survey: Survey):
    form = PartnersStartForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose how each response's partner is known.")
        return _back(survey)
    with refusal_as_message(request):
        service.start_partners(
            survey=survey,
            acting_user=request.user,
            partners_from=form.cleaned_data["partners_from"],
            see_each_other=form.cleaned_data["see_each_other"],
        )
        messages.success(request, f"The survey is now a joint survey; {survey.organisation} is its first partner.")
    return _back(survey)


@require_POST
@member_required(Member.Role.ORGANISER)
def partners_settings(request, survey: Survey):
    form = PartnerSettingsForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose how each response's partner is known, and give the partner question a text.")
        return _back(survey)
    with refusal_as_message(request):
        service.set_partner_settings(
            survey=survey,
            acting_user=request.user,
            partners_from=form.cleaned_data["partners_from"],
            see_each_other=form.cleaned_data["see_each_other"],
            question_text=form.cleaned_data["question_text"],
        )
        messages.success(request, "The partners' settings are saved.")
    return _back(survey)


@require_POST
@member_required(Member.Role.ORGANISER)
def partner_add(request, survey: Survey):
    form = PartnerAddForm(request.POST, survey=survey)
    if not form.is_valid():
        messages.error(request, "Choose an organisation from the list.")
        return _back(survey)
    organisation = form.cleaned_data["organisation"]
    with refusal_as_message(request):
        service.add_partner(survey=survey, acting_user=request.user, organisation=organisation)
        messages.success(request, f"{organisation.name} is a partner: its own link is on the Share page.")
    return _back(survey)


def _partner_organisation(request, survey: Survey) -> Organisation | None:
    return Organisation.objects.filter(partnerships__survey=survey, slug=request.POST.get("organisation", "")).first()


@require_POST
@member_required(Member.Role.ORGANISER)
def partner_remove(request, survey: Survey):
    organisation = _partner_organisation(request, survey)
    if organisation is None:
        messages.error(request, "That organisation is not a partner of this survey.")
        return _back(survey)
    unused = survey.codes.filter(partner__organisation=organisation).count()
    asking = confirm_first(
        request,
        survey=survey,
        title=f"Remove {organisation.name} as a partner?",
        consequences=[
            f"{organisation.name}'s own link stops working at once; a new link is made if it is added again.",
            *([f"Its unused invitation codes ({unused}) stop working and cannot be restored."] if unused else []),
            "The removal is recorded in the list of changes, with your name.",
        ],
        button=f"Remove {organisation.name}",
        cancel=reverse("survey:survey-partners", kwargs={"slug": survey.slug}),
    )
    if asking:
        return asking
    with refusal_as_message(request):
        service.remove_partner(survey=survey, acting_user=request.user, organisation=organisation)
        messages.success(request, f"{organisation.name} is no longer a partner.")
    return _back(survey)


@require_POST
@member_required(Member.Role.ORGANISER)
def partner_move(request, survey: Survey):
    organisation = _partner_organisation(request, survey)
    offset = {"up": -1, "down": 1}.get(request.POST.get("direction", ""))
    if organisation is None or offset is None:
        messages.error(request, "That organisation is not a partner of this survey.")
        return _back(survey)
    with refusal_as_message(request):
        service.move_partner(survey=survey, acting_user=request.user, organisation=organisation, offset=offset)
        messages.success(request, f"{organisation.name} moved {request.POST['direction']}.")
    return _back(survey)


@require_POST
@member_required(Member.Role.ORGANISER)
def partners_end(request, survey: Survey):
    asking = confirm_first(
        request,
        survey=survey,
        title="Stop running the survey with partners?",
        consequences=[
            f"Only {survey.organisation} runs it from now on: every partner's own link stops working, and their "
            "unused invitation codes with it.",
            "The partner question is removed. Links or codes sent out by partners cannot be brought back.",
            "The change is recorded in the list of changes, with your name.",
        ],
        button="Stop running it with partners",
        cancel=reverse("survey:survey-partners", kwargs={"slug": survey.slug}),
    )
    if asking:
        return asking
    with refusal_as_message(request):
        service.end_partners(survey=survey, acting_user=request.user)
        messages.success(request, f"Only {survey.organisation} runs the survey now.")
    return _back(survey)
