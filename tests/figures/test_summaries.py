"""Every choice question summarised, checked against independently computed values."""

import pytest
from django.utils import timezone
from scipy import stats as sp

from survey.figures.audit import audit
from survey.figures.releases import released_document
from survey.responses.importing import import_responses
from survey.responses.mixing import insert_responses
from tests.factories import answers, close_and_release, to_csv


def wilson(count, n):
    ci = sp.binomtest(count, n).proportion_ci(method="wilson")
    return [round(100 * ci.low, 1), round(100 * ci.high, 1)]


@pytest.fixture
def summaries(survey):
    rows = (
        [answers(service="iapt", raised="yes", outcome="not", barriers=["fear"], safe="5")] * 4
        + [answers(service="iapt", raised="no", barriers=["fear", "time"], safe="4")] * 3
        + [answers(service="iapt", raised="no", safe="1")] * 3
        + [answers(service="other", raised="yes", outcome="partly", barriers=["time"], safe="2")] * 12
        + [answers(service="other", raised="no", safe="3")] * 18
        + [answers(service="bank", raised="no", safe="3")] * 4
        + [answers(service="agency", raised="yes", outcome="not", safe="2")] * 3
        + [answers(service="agency", raised="no", safe="2")] * 5
    )
    import_responses(survey=survey, text=to_csv(rows))
    close_and_release(survey)
    return {q["key"]: q for q in released_document(survey=survey)["questions"]}


def choice(summary, value):
    return next(c for c in summary["choices"] if c["value"] == value)


def test_single_choice_counts_and_shares(summaries):
    service = summaries["service"]
    assert service["n"] == 52
    assert choice(service, "other") == {
        "value": "other",
        "label": "Other NHS",
        "count": 30,
        "n": 52,
        "pct": round(100 * 30 / 52, 1),
        "ci95": wilson(30, 52),
    }
    raised = summaries["raised_patient_care"]
    assert choice(raised, "yes")["count"] == 19 and choice(raised, "yes")["ci95"] == wilson(19, 52)


def test_multiple_choice_base_is_those_shown_the_question(summaries):
    # Everyone is shown "barriers"; ticking nothing and skipping look the
    # same, so the base is all 52, not the 19 who ticked something.
    barriers = summaries["barriers"]
    assert barriers["n"] == 52
    assert choice(barriers, "fear")["pct"] == round(100 * 7 / 52, 1)
    iapt = next(g for g in barriers["breakdowns"][0]["groups"] if g["value"] == "iapt")
    assert iapt["n"] == 10 and choice(iapt, "fear")["count"] == 7
    assert choice(barriers, "fear")["count"] == 7
    assert choice(barriers, "time")["count"] == 15


def test_scale_distribution_and_share_agreeing(summaries):
    safe = summaries["safe"]
    assert safe["n"] == 52
    assert [c["count"] for c in safe["choices"]] == [3, 20, 22, 3, 4]
    assert safe["agree"]["labels"] == ["Point 4", "Point 5"]
    assert safe["agree"]["count"] == 7 and safe["agree"]["ci95"] == wilson(7, 52)


def test_groups_hidden_under_k_or_when_nearly_unanimous(summaries):
    by_group = {g["value"]: g for g in summaries["safe"]["breakdowns"][0]["groups"]}
    # iapt has exactly k = 10 respondents: shown, with its interval.
    assert by_group["iapt"]["n"] == 10
    assert next(c for c in by_group["iapt"]["choices"] if c["value"] == "5")["ci95"] == wilson(4, 10)
    assert by_group["bank"] == {
        "value": "bank",
        "label": "Bank",
        "suppressed": True,
        "reason": "fewer than k respondents",
    }
    assert by_group["agency"]["suppressed"]  # 8: under k
    outcome = {g["value"]: g for g in summaries["outcome_patient_care"]["breakdowns"][0]["groups"]}
    # All 12 "other" who raised a concern said "partly": that tells each one's answer.
    assert outcome["other"].get("suppressed")


def test_free_text_is_not_summarised(summaries):
    assert "patient_care_comment" not in summaries


def test_a_choice_nobody_chose_has_an_interval_from_zero(summaries):
    agency = choice(summaries["service"], "agency")
    assert agency["count"] == 8
    by_group = {g["value"]: g for g in summaries["safe"]["breakdowns"][0]["groups"]}
    nobody = next(c for c in by_group["other"]["choices"] if c["value"] == "5")
    assert nobody["count"] == 0 and nobody["ci95"] == wilson(0, 30) and nobody["ci95"][0] == 0.0


# --- Suppression, each rule on data made to need it (k = 10). ----------------

OUTCOMES = ("adequately", "partly", "not")


def released(survey, rows) -> dict:
    """Store these responses, compute, and return the released document."""
    insert_responses(survey_id=survey.pk, submissions=[(row, timezone.localdate()) for row in rows])
    close_and_release(survey)
    return released_document(survey=survey)


def groups(document, question, breakdown="service") -> dict:
    summary = next(q for q in document["questions"] if q["key"] == question)
    return {g["value"]: g for b in summary["breakdowns"] if b["question"] == breakdown for g in b["groups"]}


def test_group_where_all_but_one_gave_the_same_answer_is_suppressed(survey):
    # iapt: 10 people (k), 9 of them "5" on the scale: that tells the team how
    # everyone but one answered, so the group's distribution is hidden.
    rows = [answers(service="iapt", raised="yes", outcome="partly", safe="5")] * 5
    rows += [answers(service="iapt", safe="5")] * 4 + [answers(service="iapt", safe="4")]
    rows += [answers(service="other", raised="yes", outcome="not", safe="2")] * 10
    rows += [answers(service="other", safe="3")] * 10 + [answers(service="other", safe="4")] * 10
    document = released(survey, rows)
    assert not document["concerns"][0]["breakdowns"][0]["groups"][0].get("suppressed")  # iapt: raised 5 of 10
    safe = next(q for q in document["questions"] if q["key"] == "safe")
    assert safe["n"] == 40 and not safe.get("suppressed")
    assert groups(document, "safe")["iapt"] == {
        "value": "iapt",
        "label": "IAPT",
        "suppressed": True,
        "reason": "answers too uniform to show",
    }


def test_lone_small_group_hides_the_next_smallest_so_the_total_does_not_give_it_away(survey):
    # Outcome question: 3 iapt (under k) and 15 other answered it. Hiding iapt
    # alone would leave it as the overall 18 minus other's 15.
    rows = [answers(service="iapt", raised="yes", outcome=o, safe="3") for o in OUTCOMES]
    rows += [answers(service="iapt", safe=str(1 + i % 5)) for i in range(17)]
    rows += [answers(service="other", raised="yes", outcome=o, safe="2") for o in OUTCOMES for _ in range(5)]
    rows += [answers(service="other", safe="4")] * 15
    document = released(survey, rows)
    concern_groups = {g["value"]: g for g in document["concerns"][0]["breakdowns"][0]["groups"]}
    assert not concern_groups["iapt"].get("suppressed") and not concern_groups["other"].get("suppressed")
    outcome = next(q for q in document["questions"] if q["key"] == "outcome_patient_care")
    assert outcome["n"] == 18 and [c["count"] for c in outcome["choices"]] == [6, 6, 6]
    by_group = groups(document, "outcome_patient_care")
    assert by_group["iapt"].get("suppressed")  # 3: under k
    assert by_group["other"] == {
        "value": "other",
        "label": "Other NHS",
        "suppressed": True,
        "reason": "hidden to protect another group",
    }  # its partner
    # The same groups on a question everyone answered are safe, and shown.
    assert groups(document, "safe")["iapt"]["n"] == 20 and groups(document, "safe")["other"]["n"] == 30


def test_a_group_too_uniform_on_one_question_is_hidden_there_not_everywhere(survey):
    # iapt: 11 of 12 raised a concern (dominated), so the concern table hides
    # it, and agency with it (secondary). The concern's own questions (raised,
    # and the outcome asked only of those who raised one) hide them too: the
    # same people counted twice. Their answers on the scale are spread out,
    # tell nothing about who raised a concern, and are shown (before, a group
    # hidden for "raised" was hidden in every summary). The auditor finds
    # nothing to work out from the whole document.
    rows = [
        answers(
            service="iapt",
            raised="yes" if i < 11 else "no",
            outcome=OUTCOMES[i % 3] if i < 11 else None,
            safe=str(2 + i % 3),
        )
        for i in range(12)
    ]
    rows += [answers(service="agency", raised="yes", outcome=OUTCOMES[i % 3], safe=str(1 + i % 5)) for i in range(7)]
    rows += [answers(service="agency", safe=str(1 + i % 5)) for i in range(8)]
    rows += [answers(service="other", raised="yes", outcome=OUTCOMES[i % 3], safe="4") for i in range(10)]
    rows += [answers(service="other", safe=str(1 + i % 5)) for i in range(20)]
    document = released(survey, rows)
    concern_groups = {g["value"]: g for g in document["concerns"][0]["breakdowns"][0]["groups"]}
    assert {v for v, g in concern_groups.items() if g.get("suppressed")} == {"iapt", "agency", "bank"}
    assert concern_groups["iapt"]["reason"] == "answers too uniform to show"
    for key in ("raised_patient_care", "outcome_patient_care"):
        linked = groups(document, key)
        assert linked["iapt"]["suppressed"] and linked["agency"]["suppressed"], key
    # Each with its true reason: the raised answers are too uniform, not the outcomes.
    assert groups(document, "raised_patient_care")["iapt"]["reason"] == "answers too uniform to show"
    assert groups(document, "outcome_patient_care")["iapt"]["reason"] == "hidden with the question it follows"
    assert groups(document, "outcome_patient_care")["agency"]["reason"] == "fewer than k respondents"  # 7 raised one
    by_group = groups(document, "safe")
    assert by_group["iapt"]["n"] == 12 and [c["count"] for c in by_group["iapt"]["choices"]] == [0, 4, 4, 4, 0]
    assert by_group["agency"]["n"] == 15 and by_group["other"]["n"] == 30
    assert by_group["bank"]["reason"] == "no respondents"
    assert audit(survey=survey, documents=[document]) == []


def test_a_question_asked_after_an_answer_hides_the_groups_that_answer_hides(db):
    # Everyone in iapt felt unsafe ("1"): the scale hides iapt (and a partner).
    # The follow-up is asked only of those who answered "1", so its base in
    # iapt (20 of 20) would say what the scale hides.
    from tests.factories import definition, make_survey

    document = definition(slug="followup")
    views = document["sections"][2]["questions"]
    views.append(
        {
            "key": "unsafe_why",
            "kind": "single_choice",
            "show_if": {"question": "safe", "equals": "1"},
            "text": "Why?",
            "choices": [{"value": "manager", "label": "My manager"}, {"value": "culture", "label": "The culture"}],
        }
    )
    survey = make_survey(**document)
    rows = [answers(service="iapt", safe="1") | {"unsafe_why": ("manager", "culture")[i % 2]} for i in range(20)]
    rows += [answers(service="other", safe=str(1 + i % 5)) for i in range(30)]
    rows += [answers(service="agency", safe=str(1 + i % 5)) for i in range(40)]
    for i, row in enumerate(rows[20:]):
        if row["safe"] == "1":
            row["unsafe_why"] = ("manager", "culture")[i % 2]
    released_figures = released(survey, rows)
    scale, followup = groups(released_figures, "safe"), groups(released_figures, "unsafe_why")
    assert scale["iapt"]["reason"] == "answers too uniform to show"
    hidden = {v for v, g in scale.items() if g.get("suppressed")}
    assert hidden <= {v for v, g in followup.items() if g.get("suppressed")}
    assert followup["iapt"]["reason"] == "hidden with the question it follows"
