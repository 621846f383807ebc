"""Issue finding 7: with a 6-person "other" service, the next-smallest
visible group was hidden to protect it: IAPT (60 respondents), the group the
survey exists to report on, and its row said "too few respondents", which
was false. Every hidden group now carries its true reason, and the
complement is the cheapest that works: a group the organiser marked as key
is hidden only when nothing else will do. An organiser may also merge small
groups ("Other services"), reported as one group.

To see it fail, let ``disclosure.complement`` ignore ``keep`` (hide the
smallest visible groups, as before)."""

from survey.figures.audit import audit
from survey.figures.disclosure import FEWER_THAN_K, PROTECTS_ANOTHER
from survey.figures.releases import released_document
from survey.responses.importing import import_responses
from tests.factories import DEFINITION, answers, close_and_release, make_survey, to_csv

SIZES = (("iapt", 60), ("other", 6), ("agency", 100), ("bank", 200))


def rows(sizes=SIZES):
    out = []
    for service, size in sizes:
        out += [answers(service=service, raised="yes", outcome="partly")] * (size // 3)
        out += [answers(service=service, raised="yes", outcome="adequately")] * (size // 3)
        out += [answers(service=service)] * (size - 2 * (size // 3))
    return out


def services(**marks) -> list[dict]:
    """The service question's choices, with ``marks`` (value -> extra fields) added."""
    choices = DEFINITION["sections"][0]["questions"][0]["choices"]
    return [c | marks.get(c["value"], {}) for c in choices]


def with_choices(slug: str, choices: list[dict]):
    sections = [dict(s) for s in DEFINITION["sections"]]
    sections[0] = {**sections[0], "questions": [{**sections[0]["questions"][0], "choices": choices}]}
    return make_survey(slug=slug, sections=sections)


def released(survey, data=None) -> dict:
    import_responses(survey=survey, text=to_csv(rows() if data is None else data))
    close_and_release(survey)  # figures are released at closing
    return released_document(survey=survey)


def by_value(groups) -> dict:
    return {g["value"]: g for g in groups}


def test_a_group_hidden_to_protect_another_says_so(survey, organiser):
    document = released(survey)
    groups = by_value(document["concerns"][0]["breakdowns"][0]["groups"])
    assert groups["other"]["reason"] == FEWER_THAN_K
    # Unmarked, IAPT is still the cheapest complement (fewest respondents), and says why it is hidden.
    assert groups["iapt"]["suppressed"] and groups["iapt"]["reason"] == PROTECTS_ANOTHER
    safe = next(q for q in document["questions"] if q["key"] == "raised_patient_care")
    summary = by_value(safe["breakdowns"][0]["groups"])
    assert (summary["other"]["reason"], summary["iapt"]["reason"]) == (FEWER_THAN_K, PROTECTS_ANOTHER)
    page = organiser.get(f"/console/{survey.slug}/").content.decode()
    assert "too few respondents" not in page
    assert page.count(PROTECTS_ANOTHER) >= 1


def test_a_key_group_is_not_hidden_when_a_cheaper_complement_exists(db):
    survey = with_choices("key-iapt", services(iapt={"key_group": True}))
    document = released(survey)
    concern = by_value(document["concerns"][0]["breakdowns"][0]["groups"])
    assert concern["iapt"]["raised"] == {"count": 40, "n": 60, "pct": 66.7, "ci95": [54.1, 77.3]}
    assert not concern["iapt"]["resolved"].get("suppressed")
    assert (concern["other"]["reason"], concern["agency"]["reason"]) == (FEWER_THAN_K, PROTECTS_ANOTHER)
    assert not concern["bank"].get("suppressed")
    for question in document["questions"]:
        if question.get("suppressed"):
            continue  # nobody answered it
        for breakdown in question["breakdowns"]:
            groups = by_value(breakdown["groups"])
            assert not groups["iapt"].get("suppressed"), question["key"]
            assert groups["other"]["reason"] == FEWER_THAN_K
            assert groups["agency"]["reason"] == PROTECTS_ANOTHER, question["key"]
    assert audit(survey=survey, documents=[document]) == []


def test_a_key_group_is_hidden_when_nothing_else_protects_the_small_one(db):
    # Only IAPT (key) and the small group: hiding IAPT is the only protection left.
    survey = with_choices("key-only", services(iapt={"key_group": True}))
    document = released(survey, rows((("iapt", 60), ("other", 6))))
    groups = by_value(document["concerns"][0]["breakdowns"][0]["groups"])
    assert groups["iapt"]["reason"] == PROTECTS_ANOTHER
    assert audit(survey=survey, documents=[document]) == []


def test_merged_groups_are_reported_as_one_group(db):
    label = {"merge": "Other services"}
    survey = with_choices("merged", services(other=label, agency=label))
    document = released(survey)
    groups = document["concerns"][0]["breakdowns"][0]["groups"]
    assert [(g["value"], g["label"]) for g in groups] == [
        ("iapt", "IAPT"),
        ("other+agency", "Other services"),
        ("bank", "Bank"),
    ]
    # The 6 and the 100 together: no group hides, and no figure of the 6 alone exists anywhere.
    merged = by_value(groups)["other+agency"]
    assert merged["raised"]["n"] == 106 and not any(g.get("suppressed") for g in groups)
    text = str(document)
    assert "'other'" not in text and "'agency'" not in text
    service = next(q for q in document["questions"] if q["key"] == "service")
    assert [c["value"] for c in service["choices"]] == ["iapt", "other+agency", "bank"]
    assert audit(survey=survey, documents=[document]) == []


def test_a_merged_group_counts_its_members_bases_and_populations_together(db):
    label = {"merge": "Other services"}
    survey = with_choices(
        "merged-pop",
        services(other=label | {"population": 10}, agency=label | {"population": 150}, bank={"population": 250}),
    )
    data = rows() + [answers(service="other", barriers=["fear"]), answers(service="agency", barriers=["time"])]
    document = released(survey, data)
    barriers = next(q for q in document["questions"] if q["key"] == "barriers")
    merged = by_value(barriers["breakdowns"][0]["groups"])["other+agency"]
    assert merged["n"] == 108  # everyone in the merged group was shown the question (6 + 1 + 100 + 1)
    rates = by_value(document["response_rates"]["breakdowns"][0]["groups"])
    assert (rates["other+agency"]["respondents"], rates["other+agency"]["population"]) == (108, 160)
    assert set(rates) == {"other+agency", "bank"}
