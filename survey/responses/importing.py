"""Importing responses from CSV: every row validated first, all or nothing;
then written in one transaction (by COPY on PostgreSQL, see insert_responses)."""

import csv
import io

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from survey.figures.aggregate import request_aggregation
from survey.models import AuditEvent, Question, Survey
from survey.refused import Refused
from survey.responses.answers import AnswerError, clean_answers, survey_spec
from survey.responses.mixing import insert_responses


class CsvImportError(Refused):
    """A CSV refused whole; the message names the row, column and reason."""


def parse_rows(*, survey: Survey, text: str) -> tuple[tuple[str, ...], list[tuple]]:
    """Validate a whole CSV file; return the question keys and each row's
    cleaned answers in their order (None: unanswered), or raise at the first
    fault. Rows are compact (repeated values are shared objects), so a
    million of them fit in a few hundred megabytes.

    Header = question keys; multiple choices joined by ";"; empty means
    unanswered. Row numbers count the header as row 1, as a spreadsheet does.
    """
    spec = survey_spec(survey)
    keys = tuple(q.key for q in spec.questions)
    shared: dict = {}  # one object per distinct choice value
    reader = csv.reader(io.StringIO(text))
    try:
        header = next(reader)
    except StopIteration:
        raise CsvImportError("the file is empty") from None
    except csv.Error as exc:
        raise CsvImportError(f"row 1: {exc}") from None
    header = [h.strip().lstrip("\ufeff") for h in header]
    for col, key in enumerate(header, start=1):
        if key not in spec.by_key:
            raise CsvImportError(f'row 1, column {col} "{key}": not a question of survey "{survey.slug}"')
        if header.count(key) > 1:
            raise CsvImportError(f'row 1, column {col} "{key}": column appears twice')
    cleaned = []
    try:
        for line, row in enumerate(reader, start=2):
            if not any(cell.strip() for cell in row):
                continue
            if len(row) != len(header):
                raise CsvImportError(f"row {line}: {len(row)} columns, but the header has {len(header)}")
            raw: dict = {}
            for key, cell in zip(header, row, strict=True):
                if spec[key].kind == Question.Kind.MULTIPLE_CHOICE:
                    raw[key] = [v for v in cell.split(";") if v.strip()]
                else:
                    raw[key] = cell
            try:
                answers = clean_answers(spec, raw)
            except AnswerError as exc:
                raise CsvImportError(f'row {line}, column "{exc.key}": {exc.message}') from None
            cleaned.append(tuple(_shared(shared, spec[k].kind, answers.get(k)) for k in keys))
    except csv.Error as exc:
        raise CsvImportError(f"row {reader.line_num}: {exc}") from None
    if not cleaned:
        raise CsvImportError("the file has a header but no responses")
    return keys, cleaned


def _shared(shared: dict, kind: str, value):
    if value is None or kind == Question.Kind.FREE_TEXT:
        return value
    value = tuple(value) if isinstance(value, list) else value
    return shared.setdefault(value, value)


def import_responses(*, survey: Survey, text: str, acting_user: User | None = None) -> int:
    """Add the responses of a CSV file to a survey, all or nothing; never to
    a closed one (its figures were released once, at closing)."""
    if Survey.objects.filter(pk=survey.pk, status=Survey.Status.CLOSED).exists():
        raise CsvImportError("The survey has closed: its final figures are released, so it takes no more responses.")
    keys, cleaned = parse_rows(survey=survey, text=text)
    today = timezone.localdate()
    with transaction.atomic():
        count = insert_responses(survey_id=survey.pk, submissions=[(row, today) for row in cleaned], keys=keys)
        AuditEvent.objects.create(
            survey=survey, user=acting_user, action=AuditEvent.Action.RESPONSES_IMPORTED, detail=f"{count} responses"
        )
        transaction.on_commit(lambda: request_aggregation(survey_ids=[survey.pk]))
    return count
