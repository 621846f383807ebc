"""Time of the auditor for a joint survey (survey/figures/audit.py, a partner's view).

    /work/main/.venv/bin/pytest -q -s bench/audit_timing_partners.py

The built-in survey (raising-concerns: service and role breakdowns, two
concern topics, barriers, a scale) with a partner question, 1,500
synthetic respondents (survey/responses/demo.py), shared between 2 partners
(60/40) or 3 partners (55/35/10, so that the small partner has groups
under k). Timed:

- closing: the pooled release widened against the shared audiences, then
  each partner's own figures audited (and widened) against what that
  partner holds (release_final);
- the gate for a public version of the pooled figures afterwards (every
  partner's view, as releases.show runs it);
- the whole history audited (every partner's view and the shared one).
"""

import json
import random
import time

import pytest

from survey.definitions.format import builtin_definitions, load_definition, parse_definition
from survey.figures.audit import audit
from survey.figures.audit import releases as history
from survey.figures.releases import partner_release, released_document
from survey.models import Survey
from survey.responses.demo import synthetic_answers
from survey.responses.mixing import insert_responses
from tests.factories import close_and_release, joint

SHARES = {2: [("north", 0.6), ("south", 0.4)], 3: [("north", 0.55), ("south", 0.35), ("west", 0.10)]}


def joint_survey(partners: int) -> Survey:
    document = json.loads(builtin_definitions()["raising-concerns"].read_text(encoding="utf-8"))
    document["slug"] = f"joint-bench-{partners}"
    document["safeguarding_contact"] = "guardian@example.org"
    slugs = [s for s, _ in SHARES[partners]]
    document = joint(document, [(s, s.title()) for s in slugs])
    survey = load_definition(definition=parse_definition(json.dumps(document)))
    rng = random.Random(partners)
    submissions = []
    for _ in range(1500):
        answers = synthetic_answers(rng)
        answers["partner"] = rng.choices(slugs, [w for _, w in SHARES[partners]])[0]
        submissions.append((answers, None))
    from django.utils import timezone

    today = timezone.localdate()
    insert_responses(survey_id=survey.pk, submissions=[(a, today) for a, _ in submissions])
    survey.refresh_from_db()
    return survey


def timed(label, run):
    start = time.perf_counter()
    out = run()
    print(f"\n{label}: {time.perf_counter() - start:.2f} s")
    return out


@pytest.mark.parametrize("partners", [2, 3])
def test_joint_audit_time(db, partners):
    survey = joint_survey(partners)
    release = timed(f"{partners} partners, closing (pooled + each partner's own)", lambda: close_and_release(survey))
    assert release is not None
    for partner in survey.partners.select_related("organisation"):
        own = partner_release(survey=survey, partner=partner)
        print(f"  {partner.organisation.slug}: own figures {'released' if own else 'withheld'}")
    pooled = released_document(survey=survey)
    public = pooled | {"questions": pooled["questions"][: len(pooled["questions"]) // 2]}
    risks = timed(
        f"{partners} partners, the gate for a public version",
        lambda: audit(survey=survey, documents=[*history(survey=survey), public], new=public),
    )
    assert risks == []
    risks = timed(
        f"{partners} partners, the whole history", lambda: audit(survey=survey, documents=history(survey=survey))
    )
    assert risks == []
