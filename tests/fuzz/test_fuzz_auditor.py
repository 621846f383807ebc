"""The release auditor on random surveys: whatever the answers, once a survey
has closed and its final figures are released, published and downloaded,
no hidden cell can be worked out from everything shown together (the LP
bounds of every protected cell are at least PROTECTION apart), or nothing
was released and the audit list says why.

`make test` runs three random surveys; `make fuzz` about one in sixty of
its FUZZ_EXAMPLES (56 at 3,400), since each example loads, closes, releases
and audits a whole survey.
"""

import os

from django.db import transaction
from hypothesis import given, settings
from hypothesis import strategies as st

from survey.figures.audit import audit, releases
from survey.models import AuditEvent, Release
from survey.reports.publishing import publish_report
from tests.factories import close_and_release
from tests.figures.shapes import random_survey

EXAMPLES = max(3, int(os.environ.get("FUZZ_EXAMPLES", "60")) // 60)


@settings(max_examples=EXAMPLES)
@given(seed=st.integers(6, 10**6))
def test_nothing_hidden_can_be_worked_out_from_every_release_of_a_random_survey(db, django_user_model, seed):
    # Hypothesis runs every example inside one test's transaction: each
    # example rolls its own survey back, so a seed drawn twice starts afresh.
    with transaction.atomic():
        released_and_audited(django_user_model, seed)
        transaction.set_rollback(True)


def released_and_audited(django_user_model, seed: int) -> None:
    survey = random_survey(seed, slug=f"audit-{seed}")
    organiser = django_user_model.objects.create_user(f"organiser-{seed}")
    release = close_and_release(survey)
    if release is None:
        # Held back: the gate could not make the figures safe and said why.
        assert AuditEvent.objects.filter(survey=survey, action=AuditEvent.Action.FIGURES_REFUSED).exists()
        assert not Release.objects.filter(survey=survey).exists()
        return
    if release.document["respondents"] >= survey.min_group_size:
        publish_report(survey=survey, acting_user=organiser)
    shown = releases(survey=survey)
    assert shown, "the final release is in the history"
    assert audit(survey=survey, documents=shown) == []
