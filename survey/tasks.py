"""Celery tasks: thin, idempotent wrappers around services.

Tasks take ids only (never answers or request data: DESIGN rule 1). Each
imports its service inside its body; no service imports this module (they
ask for work with ``survey.figures.aggregate.request_aggregation``).
"""

from celery import shared_task


@shared_task
def aggregate_survey(survey_id: int) -> None:
    """Debounced: tasks queued for figures that are already fresh do nothing."""
    from survey.figures.aggregate import aggregate_if_stale

    aggregate_if_stale(survey_id=survey_id)


@shared_task
def mix_pending() -> None:
    from survey.responses.mixing import mix_pending_submissions

    mix_pending_submissions()


@shared_task
def reconcile() -> None:
    """Mix in what is waiting, recompute every survey whose results are stale,
    and forget spent form tokens too old to be replayed."""
    from survey.figures.aggregate import request_aggregation, stale_survey_ids
    from survey.responses.mixing import mix_pending_submissions
    from survey.responses.submit import forget_spent_tokens

    mix_pending_submissions()
    forget_spent_tokens()
    request_aggregation(survey_ids=stale_survey_ids())


@shared_task
def apply_schedule() -> None:
    """Open and close surveys whose scheduled times have come."""
    from survey.definitions.status import apply_schedule

    apply_schedule()
