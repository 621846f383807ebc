"""Safeguarding: who hears of a comment that reveals a risk, and when a survey may open.

A survey that asks for free text may receive a comment revealing a risk to
patients or staff, so it opens only once it names a safeguarding contact
(every path that opens a survey asks ``opening_refusal``). A flag is never
refused: on a survey that opened before this rule, without a contact, the
flag goes to the survey's organisers instead.
"""

from survey.models import Member, Question, Survey

NO_CONTACT = (
    "This survey asks for free text, so it cannot open without a safeguarding contact: name one in its "
    "moderation settings (an e-mail address that can act on a risk to patients or staff)."
)


def has_free_text(survey: Survey) -> bool:
    return Question.objects.filter(survey=survey, kind=Question.Kind.FREE_TEXT).exists()


def opening_refusal(survey: Survey) -> str:
    """Why ``survey`` may not open now, or "" when it may (as far as safeguarding goes)."""
    return NO_CONTACT if not survey.safeguarding_contact and has_free_text(survey) else ""


def flag_recipients(survey: Survey) -> tuple[list[str], str]:
    """Where a flag goes, and the words for whom: the contact, else the organisers."""
    if survey.safeguarding_contact:
        return [survey.safeguarding_contact], "the safeguarding contact"
    organisers = (
        Member.objects.filter(survey=survey, role=Member.Role.ORGANISER)
        .exclude(user__email="")
        .values_list("user__email", flat=True)
    )
    return sorted(set(organisers)), "the survey's organisers (it has no safeguarding contact)"
