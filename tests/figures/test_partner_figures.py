"""A partner's own figures (survey/figures/partners.py) are the survey's
figures over that partner's respondents, with every rule: the same as a
survey of those respondents alone would give, computed from the pooled
counts (never a second count of the answers)."""

from survey.figures.aggregate import compute_results, own_figures
from survey.figures.documents import results_document
from survey.figures.partners import pooled_figures
from survey.models import Partner, ResultSet
from survey.responses.importing import import_responses
from tests.anonymity.joint import joint_csv, make_joint_survey
from tests.factories import make_survey, to_csv, varied


def a_rows():
    return varied("iapt", 14, barriers=True) + varied("other", 25, barriers=True) + varied("bank", 3)


def b_rows():
    return varied("iapt", 30) + varied("agency", 12, barriers=True)


def test_own_figures_are_the_figures_of_a_survey_of_that_partner_alone(db):
    joint = make_joint_survey(["a", "b"], see_each_other=True)
    import_responses(survey=joint, text=joint_csv([("a", r) for r in a_rows()] + [("b", r) for r in b_rows()]))
    compute_results(survey_id=joint.pk)
    alone = make_survey(slug="alone")
    import_responses(survey=alone, text=to_csv(a_rows()))
    compute_results(survey_id=alone.pk)
    expected = results_document(survey=alone) | {"questions": ResultSet.objects.get(survey=alone).questions}
    expected.pop("response_rates", None)
    own = own_figures(survey=joint, partner=Partner.objects.get(organisation__slug="a"))
    assert own.pop("partner") == "a"
    assert own | {"survey": "alone"} == expected
    assert own["respondents"] == 42


def test_the_pooled_figures_are_the_survey_figures(db):
    joint = make_joint_survey(["a", "b"], see_each_other=True)
    import_responses(survey=joint, text=joint_csv([("a", r) for r in a_rows()] + [("b", r) for r in b_rows()]))
    compute_results(survey_id=joint.pk)
    pooled = pooled_figures(survey=joint)
    assert pooled["respondents"] == 84
    assert pooled == results_document(survey=joint) | {"questions": ResultSet.objects.get(survey=joint).questions}
    assert own_figures(survey=make_survey(slug="single"), partner=Partner.objects.first()) is None
