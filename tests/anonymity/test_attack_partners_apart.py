"""Attack: partners who agreed not to see each other's tables (issue 23).

Three partners, ``partners_see_each_other`` off: no pooled document shown to
anyone (the organisers' final release, a public version, the figures every
partner's organisers see) contains the partner breakdown or the partner
question's summary; each partner sees its own figures and the pooled ones.

To see it fail, make survey/figures/partners.py ``pooled_figures`` skip
``leave_out_breakdown``.
"""

import json

from survey.figures.releases import figures_of, partner_release, released_document, show
from survey.models import Partner, Release
from survey.reports.publishing import next_snapshot
from tests.anonymity.joint import close_joint, every_partner_view_audits_clean, make_joint_survey
from tests.factories import varied


def rows():
    out = []
    for slug in ("a", "b", "c"):
        out += [(slug, r) for r in varied("iapt", 15) + varied("other", 15) + varied("bank", 12)]
    return out


def mentions_partner(document) -> bool:
    tables = [*document.get("concerns", []), *document.get("questions", [])]
    return any(t["key"] == "partner" for t in document.get("questions", [])) or any(
        b["question"] == "partner" for t in tables for b in t["breakdowns"]
    )


def test_no_pooled_document_contains_the_partner_breakdown(db):
    survey = make_joint_survey(["a", "b", "c"])
    close_joint(survey, rows())
    # A public version, as publishing cuts it from the pooled figures (once every partner approved).
    show(survey=survey, audience=Release.Audience.PUBLIC, document=figures_of(next_snapshot(survey=survey)))
    shared = Release.objects.filter(survey=survey).exclude(audience=Release.Audience.PARTNER)
    assert {r.audience for r in shared} == {Release.Audience.ORGANISERS, Release.Audience.PUBLIC}
    for release in shared:
        assert not mentions_partner(release.document), release.audience
        assert '"partner"' not in json.dumps(release.document["questions"])
    assert not mentions_partner(released_document(survey=survey))
    for slug in "abc":
        own = partner_release(survey=survey, partner=Partner.objects.get(organisation__slug=slug))
        assert own is not None and own.document["partner"] == slug and own.document["respondents"] == 42
        assert not mentions_partner(own.document)
    assert every_partner_view_audits_clean(survey) == []


def test_partners_who_agreed_see_the_partner_breakdown(db):
    survey = make_joint_survey(["a", "b", "c"], see_each_other=True)
    close_joint(survey, rows())
    pooled = released_document(survey=survey)
    assert mentions_partner(pooled)
    summary = next(q for q in pooled["questions"] if q["key"] == "partner")
    assert {c["value"]: c["count"] for c in summary["choices"]} == {"a": 42, "b": 42, "c": 42}
