"""A joint survey for the partner attack tests: the test survey with a
partner question (a breakdown whose choices are the partners' slugs),
partners and their responses, through the services."""

import csv
import io

from survey.figures.audit import audit
from survey.figures.audit import releases as history
from survey.models import Release, Survey
from survey.responses.importing import import_responses
from tests import factories
from tests.factories import HEADER, close_and_release


def make_joint_survey(slugs, *, see_each_other=False, slug="joint", **changes) -> Survey:
    """The test survey run jointly by organisations ``slugs`` (named after them)."""
    partners = [(s, s.title()) for s in slugs]
    return factories.make_joint_survey(partners, see_each_other=see_each_other, slug=slug, **changes)


def joint_csv(rows: list[tuple[str, dict]]) -> str:
    """(partner slug, answers) rows as a CSV with the partner column."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["partner", *HEADER])
    for partner, row in rows:
        writer.writerow([partner] + [";".join(row.get(k, [])) if k == "barriers" else row.get(k, "") for k in HEADER])
    return out.getvalue()


def close_joint(survey, rows):
    import_responses(survey=survey, text=joint_csv(rows))
    return close_and_release(survey)


def held_by(survey, slug) -> list[dict]:
    """Every document partner ``slug``'s organisers hold: every release to a
    shared audience and every release to that partner (every version)."""
    shared = Release.objects.filter(survey=survey).exclude(audience=Release.Audience.PARTNER)
    own = Release.objects.filter(survey=survey, audience=Release.Audience.PARTNER, audience_name=slug)
    return [r.document for r in shared] + [r.document for r in own]


def every_partner_view_audits_clean(survey) -> list:
    """The auditor over each partner's whole view (and the shared one)."""
    return audit(survey=survey, documents=history(survey=survey))


def table(document, kind, key, breakdown="service") -> dict:
    """{group value: group} of one table's breakdown: ``kind`` "questions" or "concerns"."""
    item = next(t for t in document[kind] if t["key"] == key)
    return {g["value"]: g for b in item["breakdowns"] if b["question"] == breakdown for g in b["groups"]}
