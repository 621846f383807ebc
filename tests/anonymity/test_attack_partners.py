"""Attack: one partner of a joint survey subtracts its own tables from the
pooled ones (issue 23, "Releases per audience").

Two partners, A and B. Bank staff: 10 of A's and 2 of B's, so the pooled
tables and A's own tables both show the bank group (12 and 10 people), and
the pooled bank figures minus A's own bank figures would be B's 2 bank
staff's answers, exactly. A's organisers hold every shared release (the
pooled figures, every version) and A's own figures: nothing of B's bank
group may come out of them, by the auditor (everything A holds, audited
together) and by an independent brute check (subtract A's shown tables from
the pooled shown tables, groups derived from the margins included).

To see it fail, release the partners' own figures without the auditor (in
survey/figures/releases.py ``release_partners``, take ``shown, risks =
own, []`` instead of widening).
"""

import pytest

from survey.figures.aggregate import own_figures
from survey.figures.audit import audit
from survey.figures.partners import pooled_figures
from survey.figures.releases import ReleaseRefused, partner_release, released_document, show
from survey.models import Partner, Release
from tests.anonymity.joint import close_joint, every_partner_view_audits_clean, held_by, make_joint_survey, table
from tests.factories import varied

K = 10


def rows():
    a = varied("iapt", 20) + varied("other", 20) + varied("bank", 10)
    b = varied("iapt", 15) + varied("other", 15) + varied("bank", 2)
    return [("a", r) for r in a] + [("b", r) for r in b]


def bank(document, kind, key, measure=None) -> dict | None:
    """What a reader of ``document`` knows of the bank group in one table:
    {what: count}, shown or derived from the overall figure minus the other
    groups; None when it cannot be worked out from this document alone."""
    if not any(t["key"] == key for t in document.get(kind, [])):
        return None
    groups = table(document, kind, key)
    item = next(t for t in document[kind] if t["key"] == key)

    def counts(figures):
        if kind == "questions":
            return {c["value"]: c["count"] for c in figures["choices"]}
        figure = figures[measure]
        return None if figure.get("suppressed") else {"count": figure["count"], "n": figure["n"]}

    if "bank" not in groups:
        return None
    if not groups["bank"].get("suppressed"):
        return counts(groups["bank"])
    if item.get("suppressed") or (kind == "concerns" and item[measure].get("suppressed")):
        return None
    left = counts(item)
    for value, group in groups.items():
        if value == "bank":
            continue
        if group.get("suppressed"):
            if group.get("reason") != "no respondents":
                return None
            continue
        theirs = counts(group)
        if theirs is None:
            return None
        left = {c: n - theirs.get(c, 0) for c, n in left.items()}
    return left


def b_bank_worked_out(pooled_documents, own_documents) -> list:
    """Every table where pooled minus A's own gives B's bank group exactly."""
    out = []
    for pooled in pooled_documents:
        for own in own_documents:
            for q in [t["key"] for t in pooled["questions"]]:
                p, a = bank(pooled, "questions", q), bank(own, "questions", q)
                if p is not None and a is not None:
                    out.append((q, {c: p[c] - a.get(c, 0) for c in p}))
            for c in [t["key"] for t in pooled["concerns"]]:
                for measure in ("raised", "resolved"):
                    p, a = bank(pooled, "concerns", c, measure), bank(own, "concerns", c, measure)
                    if p is not None and a is not None:
                        out.append((c, measure, {x: p[x] - a[x] for x in p}))
    return out


def test_the_pooled_tables_and_a_own_tables_show_the_bank_group(db):
    """The set-up: without the auditor per audience, A would pin B's bank staff."""
    survey = make_joint_survey(["a", "b"])
    close_joint(survey, rows())
    pooled = released_document(survey=survey)
    assert not table(pooled, "questions", "safe")["bank"].get("suppressed")  # 12 bank staff, pooled
    raw = own_figures(survey=survey, partner=Partner.objects.get(organisation__slug="a"))
    assert not table(raw, "questions", "safe")["bank"].get("suppressed")  # 10 of A's, on their own
    assert b_bank_worked_out([pooled], [raw])  # the subtraction, before the auditor
    risks = audit(survey=survey, documents=[pooled, raw], new=raw)
    print(*risks, sep="\n")
    assert {r.partner for r in risks} == {"b"}
    assert {(r.question, r.choice) for r in risks if r.group == "bank"} >= {("safe", str(i)) for i in range(1, 6)}


def test_a_cannot_pin_any_cell_of_b_small_group(db):
    survey = make_joint_survey(["a", "b"])
    close_joint(survey, rows())
    held = held_by(survey, "a")
    pooled = [d for d in held if "partner" not in d]
    own = [d for d in held if d.get("partner") == "a"]
    assert pooled and own  # A holds the pooled figures and (widened) its own
    assert b_bank_worked_out(pooled, own) == []
    assert every_partner_view_audits_clean(survey) == []
    assert [r for r in audit(survey=survey, documents=held) if r.partner == "b"] == []


def test_each_partner_gets_its_own_figures_and_b_its_small_group_hidden(db):
    survey = make_joint_survey(["a", "b"])
    close_joint(survey, rows())
    a, b = (Partner.objects.get(organisation__slug=s) for s in "ab")
    mine = partner_release(survey=survey, partner=b)
    assert mine is not None and mine.document["partner"] == "b" and mine.document["respondents"] == 32
    assert table(mine.document, "questions", "safe")["bank"]["suppressed"]
    theirs = partner_release(survey=survey, partner=a)
    assert theirs is not None and theirs.document["respondents"] == 50
    # A's own figures say nothing by service that would leave B's bank staff exposed.
    assert pooled_figures(survey=survey)["respondents"] == 82


def test_a_partner_own_figures_go_only_to_that_partner(db):
    """Shown to a shared audience, or to another partner, A's own figures
    would leave what the auditor took A's organisers alone to hold."""
    survey = make_joint_survey(["a", "b"])
    close_joint(survey, rows())
    own = partner_release(survey=survey, partner=Partner.objects.get(organisation__slug="a")).document
    for audience, name in ((Release.Audience.PUBLIC, ""), (Release.Audience.PARTNER, "b")):
        with pytest.raises(ReleaseRefused, match="only to that partner"):
            show(survey=survey, audience=audience, document=own, name=name)
    assert show(survey=survey, audience=Release.Audience.PARTNER, document=own, name="a").final
