"""Attack: a partner with fewer than k respondents (issue 23).

Its staff are as exposed as any small group, so it is hidden everywhere: it
gets no own figures; its group in the pooled partner breakdown (when
partners see each other's tables) is hidden, with a complement, and so is
the number of its staff who answered; and no subtraction of released
figures gives its counts (with two partners, the pooled figures minus the
other partner's own would be exactly its figures: the other partner's own
figures are withheld).

To see it fail: drop the "fewer than k" test in
survey/figures/aggregate.py ``own_figures`` (C gets its own figures), or make
survey/figures/audit.py ``_partner_view`` return [] (A's own figures are
released, and the pooled figures minus A's are C's).
"""

from survey.figures.releases import partner_release, released_document
from survey.models import AuditEvent, Partner, Release
from tests.anonymity.joint import close_joint, every_partner_view_audits_clean, held_by, make_joint_survey, table
from tests.factories import varied

SMALL = 4  # C's staff who answered: fewer than k (10)


def rows(partners):
    out = []
    for slug in partners:
        if slug == "c":
            out += [("c", r) for r in varied("iapt", 2) + varied("other", 2)]
        else:
            out += [(slug, r) for r in varied("iapt", 20) + varied("other", 20) + varied("bank", 12)]
    return out


def overall(document, key) -> dict | None:
    item = next((q for q in document["questions"] if q["key"] == key), None)
    if item is None or item.get("suppressed"):
        return None
    return {c["value"]: c["count"] for c in item["choices"]}


def c_worked_out(survey, partners) -> list:
    """What each partner's organisers can subtract: the pooled figures minus
    the own figures they hold, wherever that leaves C's staff alone."""
    out = []
    others = [p for p in partners if p != "c"]
    for viewer in others:
        held = held_by(survey, viewer)
        pooled = [d for d in held if "partner" not in d]
        own = [d for d in held if "partner" in d]
        if len(others) > 1:
            continue  # pooled minus one's own is the other partners together, never C alone
        for p in pooled:
            for o in own:
                out.append(("respondents", p["respondents"] - o["respondents"]))
                for q in p["questions"]:
                    mine, theirs = overall(p, q["key"]), overall(o, q["key"])
                    if mine is not None and theirs is not None:
                        out.append((q["key"], {c: n - theirs.get(c, 0) for c, n in mine.items()}))
    return out


def test_a_partner_under_k_is_hidden_everywhere(db):
    survey = make_joint_survey(["a", "c"], see_each_other=True)
    close_joint(survey, rows(["a", "c"]))
    c = Partner.objects.get(organisation__slug="c")
    assert partner_release(survey=survey, partner=c) is None
    assert not Release.objects.filter(survey=survey, audience_name="c").exists()
    assert AuditEvent.objects.filter(survey=survey, detail__contains="fewer than 10 of its staff").exists()
    pooled = released_document(survey=survey)
    for kind, key in (("questions", "safe"), ("questions", "raised_patient_care"), ("concerns", "patient-care")):
        assert table(pooled, kind, key, breakdown="partner")["c"]["suppressed"]
        assert table(pooled, kind, key, breakdown="partner")["a"]["suppressed"]  # its complement
    summary = next(q for q in pooled["questions"] if q["key"] == "partner")
    assert summary["suppressed"] and "choices" not in summary  # how many of C's staff answered: not shown
    # Pooled minus A's own would be C's: A's own figures are withheld.
    assert partner_release(survey=survey, partner=Partner.objects.get(organisation__slug="a")) is None
    assert c_worked_out(survey, ["a", "c"]) == []
    assert every_partner_view_audits_clean(survey) == []


def test_with_three_partners_the_small_one_is_hidden_and_the_others_see_their_own(db):
    survey = make_joint_survey(["a", "b", "c"])
    close_joint(survey, rows(["a", "b", "c"]))
    a, b, c = (Partner.objects.get(organisation__slug=s) for s in "abc")
    assert partner_release(survey=survey, partner=c) is None
    assert partner_release(survey=survey, partner=a).document["respondents"] == 52
    assert partner_release(survey=survey, partner=b).document["respondents"] == 52
    for viewer in ("a", "b"):
        pooled = [d for d in held_by(survey, viewer) if "partner" not in d]
        own = [d for d in held_by(survey, viewer) if "partner" in d]
        # What a partner can subtract is everyone else together: the other big partner and C.
        assert {p["respondents"] - o["respondents"] for p in pooled for o in own} == {52 + SMALL}
    assert every_partner_view_audits_clean(survey) == []
