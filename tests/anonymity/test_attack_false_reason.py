"""Issue finding 7: with a 6-person "other" service, the group hidden to
protect it (IAPT, 60 respondents) said "too few respondents", which was
false. Every hidden group now carries its true reason."""

from survey.figures.disclosure import FEWER_THAN_K, PROTECTS_ANOTHER
from survey.figures.releases import released_document
from survey.responses.importing import import_responses
from tests.factories import answers, close_and_release, to_csv


def rows():
    out = []
    for service, size in (("iapt", 60), ("other", 6), ("agency", 100), ("bank", 200)):
        out += [answers(service=service, raised="yes", outcome="partly")] * (size // 3)
        out += [answers(service=service, raised="yes", outcome="adequately")] * (size // 3)
        out += [answers(service=service)] * (size - 2 * (size // 3))
    return out


def test_a_group_hidden_to_protect_another_says_so(survey, organiser):
    import_responses(survey=survey, text=to_csv(rows()))
    close_and_release(survey)
    document = released_document(survey=survey)
    groups = {g["value"]: g for g in document["concerns"][0]["breakdowns"][0]["groups"]}
    assert groups["other"]["reason"] == FEWER_THAN_K
    assert groups["iapt"]["suppressed"] and groups["iapt"]["reason"] == PROTECTS_ANOTHER
    safe = next(q for q in document["questions"] if q["key"] == "raised_patient_care")
    summary = {g["value"]: g for g in safe["breakdowns"][0]["groups"]}
    assert (summary["other"]["reason"], summary["iapt"]["reason"]) == (FEWER_THAN_K, PROTECTS_ANOTHER)
    page = organiser.get(f"/console/{survey.slug}/").content.decode()
    assert "too few respondents" not in page
    assert page.count(PROTECTS_ANOTHER) >= 1
