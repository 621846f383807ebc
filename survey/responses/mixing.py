"""Mixing: pending submissions move into the response table in shuffled
batches, in transactions of their own, so that nothing in the database (ids,
row order, transaction ids) ties a response to its request (DESIGN rule 4)."""

import logging
import os
import random
import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, F, Min
from django.utils import timezone

from survey.figures.aggregate import request_aggregation
from survey.figures.counts import add_responses
from survey.models import (
    Answer,
    Choice,
    PendingSubmission,
    Question,
    Response,
    Survey,
)
from survey.moderation.decisions import release_comments
from survey.responses.answers import AnswerValue
from survey.responses.pending import InvalidToken, unseal
from survey.responses.submit import spend_tokens

logger = logging.getLogger(__name__)

_shuffle = random.SystemRandom().shuffle


def _lookups(survey_id: int) -> tuple[dict[str, int], dict[tuple[str, str], int]]:
    questions = dict(Question.objects.filter(survey_id=survey_id).values_list("key", "pk"))
    choices = {
        (qkey, value): pk
        for qkey, value, pk in Choice.objects.filter(question__survey_id=survey_id).values_list(
            "question__key", "value", "pk"
        )
    }
    return questions, choices


def _take_for_remixing(survey_id: int, count: int) -> list[tuple[list[tuple], date]]:
    """Remove ``count`` random stored responses, returning their answers so
    they can be inserted again, under new ids, inside a new batch."""
    # Responses whose comments were released to moderators (or decided on)
    # keep their ids, so the queue, decisions and approved quotes survive.
    old = list(
        Response.objects.filter(survey_id=survey_id)
        .exclude(answers__review__isnull=False)
        .exclude(answers__moderation_batches__isnull=False)
        .order_by("?")
        .values_list("pk", "submitted_on")[:count]
    )
    if not old:
        return []
    rows: dict = defaultdict(list)
    for response_id, *answer in Answer.objects.filter(response_id__in=[pk for pk, _ in old]).values_list(
        "response_id", "question_id", "choice_id", "text"
    ):
        rows[response_id].append(tuple(answer))
    Response.objects.filter(pk__in=[pk for pk, _ in old]).delete()
    return [(rows[pk], day) for pk, day in old]


# Answer rows are shuffled within chunks of this many responses: all of a
# mixing batch at once, and a bounded amount of memory for a large import.
_SHUFFLE_CHUNK = 20_000


def insert_responses(
    *,
    survey_id: int,
    submissions: list[tuple[dict[str, AnswerValue] | tuple, date]],
    remix: int = 0,
    keys: tuple[str, ...] = (),
) -> int:
    """Write validated submissions as Response and Answer rows, in random order.

    ``remix`` stored responses of the survey are taken out and written again
    under new ids in the same shuffled batch, so that even a small batch hides
    among at least that many others (DESIGN rule 4). A submission's answers
    are a dict by question key, or (for a large import, to save memory) a
    tuple of values in the order of ``keys``. Runs inside the caller's
    transaction (or its own); on PostgreSQL the rows go in by COPY. Bumps the survey's data
    version so reconciliation knows its results are stale, and adds the new
    responses' counts to its Tally. Returns how many new responses were added.
    """
    with transaction.atomic():  # the caller's transaction, or one of its own
        return _insert_responses(survey_id, submissions, remix, keys)


def _insert_responses(survey_id: int, submissions: list, remix: int, keys: tuple[str, ...]) -> int:
    questions, choices = _lookups(survey_id)
    batch: list[tuple] = [(a, day, True) for a, day in submissions]
    batch += [(a, day, False) for a, day in _take_for_remixing(survey_id, remix)]
    _shuffle(batch)
    ids = _random_ids(len(batch))
    postgres = connection.vendor == "postgresql"
    (_copy_rows if postgres else _create_rows)(survey_id, batch, ids, _AnswerRows(questions, choices, keys))
    Survey.objects.filter(pk=survey_id).update(data_version=F("data_version") + 1)
    Survey.hold_min_group_size(survey_id)  # from now on k may only be raised
    # Remixed responses went out and back in with the same answers: only the
    # new ones change the counts.
    new = [response_id for response_id, (_, _, fresh) in zip(ids, batch, strict=True) if fresh]
    version = Survey.objects.values_list("data_version", flat=True).get(pk=survey_id)
    add_responses(survey_id=survey_id, response_ids=new, version=version)
    return len(submissions)


@dataclass(frozen=True)
class _AnswerRows:
    """Turns one submission's answers into (question id, choice id, text) rows."""

    questions: dict[str, int]
    choices: dict[tuple[str, str], int]
    keys: tuple[str, ...]

    def __call__(self, answers) -> list[tuple[int, int | None, str]]:
        if isinstance(answers, list):  # a remixed response: its stored answers, as they were
            return answers
        items = answers.items() if isinstance(answers, dict) else zip(self.keys, answers, strict=True)
        rows = []
        for key, value in items:
            if value is None:
                continue
            question = self.questions[key]
            if isinstance(value, list | tuple):
                rows.extend((question, self.choices[key, v], "") for v in value)
            elif (key, value) in self.choices:
                rows.append((question, self.choices[key, value], ""))
            else:
                rows.append((question, None, value))
        return rows


def _random_ids(count: int) -> list[uuid.UUID]:
    return [uuid.uuid4() for _ in range(count)]


def _random_hex_ids(count: int) -> list[str]:
    """``count`` random version-4 UUIDs as 32 hex digits, made in bulk (one
    system call): uuid4() one by one costs more than COPY writing the row."""
    h = os.urandom(16 * count).hex()
    return [
        h[i : i + 12] + "4" + h[i + 13 : i + 16] + "89ab"[int(h[i + 16], 16) & 3] + h[i + 17 : i + 32]
        for i in range(0, 32 * count, 32)
    ]


def _copy_rows(survey_id: int, batch: list[tuple], ids: list[uuid.UUID], answer_rows: _AnswerRows) -> None:
    """PostgreSQL: COPY the responses, then their answers, shuffled in chunks.
    psycopg's write_row writes COPY's text format (escaping, NULL).

    Every row is checked first: a COPY that fails part-way is logged by
    PostgreSQL with the failing line, answers and all."""
    _check_rows(batch, answer_rows)
    with connection.cursor() as cursor:
        raw = cursor.cursor  # psycopg's own cursor, for COPY
        with raw.copy("COPY survey_response (id, survey_id, submitted_on) FROM STDIN") as copy:
            for response_id, (_, day, _) in zip(ids, batch, strict=True):
                copy.write_row((response_id, survey_id, day))
        with raw.copy("COPY survey_answer (id, response_id, question_id, choice_id, text) FROM STDIN") as copy:
            for start in range(0, len(batch), _SHUFFLE_CHUNK):
                rows = [
                    (response_id.hex, q, c, t)
                    for response_id, (answers, _, _) in zip(
                        ids[start : start + _SHUFFLE_CHUNK], batch[start : start + _SHUFFLE_CHUNK], strict=True
                    )
                    for q, c, t in answer_rows(answers)
                ]
                _shuffle(rows)
                for answer_id, (response_hex, q, c, t) in zip(_random_hex_ids(len(rows)), rows, strict=True):
                    copy.write_row((answer_id, response_hex, q, c, t))


def _check_rows(batch: list[tuple], answer_rows: _AnswerRows) -> None:
    """Raise, before any statement, for a row COPY would refuse (an unknown
    question or choice, a NUL character, which PostgreSQL text cannot hold)."""
    for answers, _, _ in batch:
        for _, _, text in answer_rows(answers):
            if "\x00" in text:
                raise ValueError("an answer holds a NUL character")


def _create_rows(survey_id: int, batch: list[tuple], ids: list[uuid.UUID], answer_rows: _AnswerRows) -> None:
    responses = [
        Response(id=response_id, survey_id=survey_id, submitted_on=day)
        for response_id, (_, day, _) in zip(ids, batch, strict=True)
    ]
    Response.objects.bulk_create(responses, batch_size=2000)
    rows = [
        Answer(response_id=response_id, question_id=q, choice_id=c, text=t)
        for response_id, (answers, _, _) in zip(ids, batch, strict=True)
        for q, c, t in answer_rows(answers)
    ]
    _shuffle(rows)
    Answer.objects.bulk_create(rows, batch_size=5000)


def mix_pending_submissions(*, batch_size: int = 5000, force: bool = False) -> dict[int, int]:
    """Mix waiting submissions (``_mix``), then release new comments to the
    moderation queue in batches of at least k (``release_comments``), then,
    on PostgreSQL, VACUUM the pending pool and the code table."""
    moved = _mix(batch_size, force)
    release_comments()
    if moved:
        _vacuum()
    return moved


def _mix(batch_size: int, force: bool) -> dict[int, int]:
    """Move waiting submissions into the response table in shuffled batches.

    A survey's submissions move once CANDOUR_MIX_MIN_BATCH of them are
    waiting. Fewer move only when the oldest is from an earlier day, the
    survey has closed, or when
    ``force`` is given (``manage.py aggregate``), and then stored responses
    are remixed into the batch to make it up to the minimum; an open survey
    with nothing stored yet keeps waiting unless forced. Each call is its own
    transaction, claims rows so that concurrent calls never move one twice,
    and enqueues aggregation once it has committed. Returns how many
    responses each survey received.
    """
    minimum = settings.CANDOUR_MIX_MIN_BATCH
    moved: dict[int, int] = {}
    # First, in a transaction of its own, spend the form tokens of the rows
    # about to move: a replay stays refused once the pending row is gone,
    # and no token shares a transaction id with a pending row or a response.
    with transaction.atomic():
        candidates = _candidates(minimum, batch_size, force)
        if not candidates:
            return moved
        spend_tokens([token for _, token in candidates.values()], timezone.localdate())
    with transaction.atomic():
        pending = PendingSubmission.objects.filter(pk__in=list(candidates))
        if connection.features.has_select_for_update_skip_locked:
            pending = pending.select_for_update(skip_locked=True)
        claimed = list(pending.values_list("pk", "survey_id", "submitted_on"))
        if not claimed:
            return moved
        _shuffle(claimed)
        by_survey: dict[int, list] = {}
        for pk, survey_id, day in claimed:
            by_survey.setdefault(survey_id, []).append((candidates[pk][0], day))
        deleted, _ = PendingSubmission.objects.filter(pk__in=[row[0] for row in claimed]).delete()
        if deleted != len(claimed):
            # Another process got there first; roll back and let it finish.
            transaction.set_rollback(True)
            return {}
        for survey_id, submissions in by_survey.items():
            remix = max(0, minimum - len(submissions))
            moved[survey_id] = insert_responses(survey_id=survey_id, submissions=submissions, remix=remix)
        transaction.on_commit(lambda: request_aggregation(survey_ids=list(moved)))
    return moved


def _candidates(minimum: int, batch_size: int, force: bool) -> dict:
    """Waiting rows ready to move, opened: {pk: (answers, token hash)}."""
    waiting = {
        row["survey_id"]: row
        for row in PendingSubmission.objects.values("survey_id")
        .annotate(waiting=Count("pk"), first_day=Min("submitted_on"))
        .order_by()
    }
    # A closed survey gains no more submissions: its last few need not wait
    # for company (nobody else can come; if nothing is stored yet, they are
    # the whole survey and move together).
    closed = set(Survey.objects.filter(pk__in=list(waiting), status=Survey.Status.CLOSED).values_list("pk", flat=True))
    ready = [
        survey_id
        for survey_id, row in waiting.items()
        if row["waiting"] >= minimum
        or force
        or survey_id in closed
        or (row["first_day"] < timezone.localdate() and Response.objects.filter(survey_id=survey_id).exists())
    ]
    if not ready:
        return {}
    rows = PendingSubmission.objects.filter(survey_id__in=ready).order_by("?").values_list("pk", "payload")
    opened = {}
    unreadable = 0
    for pk, payload in rows[:batch_size]:
        try:
            opened[pk] = unseal(payload)
        except InvalidToken:
            unreadable += 1  # sealed under a key no longer configured: it waits for the key
    if unreadable:
        logger.warning("%d waiting submissions cannot be opened with CANDOUR_PENDING_KEY", unreadable)
    return opened


def _vacuum() -> None:
    """PostgreSQL: VACUUM the pending pool and the code table after a batch,
    so that their dead rows (a burned code's, a moved submission's) are
    pruned from the heap. Not possible inside a transaction (tests, a caller's
    atomic block): there autovacuum does it later (docs/anonymity.md)."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return
    with connection.cursor() as cursor:
        cursor.execute("VACUUM survey_pendingsubmission, survey_invitationcode")
