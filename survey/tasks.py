"""Celery tasks: thin, idempotent wrappers around services.

Tasks take ids only (never answers or request data: DESIGN rule 1).
"""

import logging

from celery import shared_task

from survey.definitions import status
from survey.figures import aggregate
from survey.responses import mixing, submit

logger = logging.getLogger(__name__)


def enqueue_aggregation(survey_ids: list[int]) -> None:
    """Ask a worker to aggregate; never block or fail the caller.

    Publishing does not retry and the broker has short socket timeouts, so
    with the broker down this returns at once; beat's reconciliation finds
    the stale results later.
    """
    for survey_id in survey_ids:
        try:
            aggregate_survey.apply_async(args=[survey_id], retry=False)
        except Exception:  # noqa: BLE001 - any broker failure is recoverable by reconciliation
            logger.warning(
                "Could not enqueue aggregation of survey %s; reconciliation will catch up.", survey_id, exc_info=True
            )


@shared_task
def aggregate_survey(survey_id: int) -> None:
    """Debounced: tasks queued for figures that are already fresh do nothing."""
    if aggregate.stale(survey_id=survey_id):
        aggregate.compute_results(survey_id=survey_id)


@shared_task
def mix_pending() -> None:
    mixing.mix_pending()


@shared_task
def reconcile() -> None:
    """Mix in what is waiting, recompute every survey whose results are stale,
    and forget spent form tokens too old to be replayed."""
    mixing.mix_pending()
    submit.forget_spent_tokens()
    enqueue_aggregation(aggregate.stale_survey_ids())


@shared_task
def apply_schedule() -> None:
    """Open and close surveys whose scheduled times have come."""
    status.apply_schedule()
