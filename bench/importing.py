"""CSV import against PostgreSQL COPY of the same rows, measured in the same run.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/candour_bench \\
        .venv/bin/python bench/importing.py --rows 1000000

A CSV file of random answers to the 30-question survey of
bench/aggregation.py is made first (not timed), and so are COPY files of
exactly the rows an import of it writes (responses, then answers, with
random ids). Timed: ``import_responses`` on the CSV text (parse, validate
every row, write, all in one transaction) against COPY FROM STDIN of the two
files. Both run in a transaction that is rolled back, so nothing stays.
Prints rows per second, the ratio and the process's peak RSS.
"""

import argparse
import csv
import io
import os
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")

import django  # noqa: E402

django.setup()

import aggregation  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from survey.definitions.format import load_definition, validate_definition  # noqa: E402
from survey.models import Survey  # noqa: E402
from survey.responses.answers import survey_spec  # noqa: E402
from survey.responses.importing import import_responses  # noqa: E402
from survey.responses.mixing import _random_hex_ids  # noqa: E402

SLUG = "bench-import"


def make_survey() -> Survey:
    aggregation.drop(SLUG)
    document = aggregation.definition(0)
    document["slug"] = SLUG
    return load_definition(definition=validate_definition(document))


def make_files(survey: Survey, rows: int, folder: Path) -> tuple[str, Path, Path]:
    """The CSV text, and COPY files of the rows importing it writes."""
    rng = random.Random(rows)
    spec = survey_spec(survey)
    keys = [q.key for q in spec.questions if q.kind != "free_text"]
    ids = {q.key: q.pk for q in survey.questions.all()}
    choice = {}
    for q in survey.questions.prefetch_related("choices"):
        for c in q.choices.all():
            choice[q.key, c.value] = c.pk
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(keys)
    responses, answers = folder / "responses.copy", folder / "answers.copy"
    response_ids = _random_hex_ids(rows)
    with responses.open("w") as r, answers.open("w") as a:
        for response_id in response_ids:
            row = aggregation.answers(rng)
            writer.writerow([";".join(row[k]) if isinstance(row.get(k), list) else row.get(k, "") for k in keys])
            r.write(f"{response_id}\t{survey.pk}\t2026-01-01\n")
            pairs = [(k, v) for k in keys if k in row for v in (row[k] if isinstance(row[k], list) else [row[k]])]
            for answer_id, (k, v) in zip(_random_hex_ids(len(pairs)), pairs, strict=True):
                a.write(f"{answer_id}\t{response_id}\t{ids[k]}\t{choice[k, v]}\t\n")
    return text.getvalue(), responses, answers


def copy_files(responses: Path, answers: Path) -> None:
    with connection.cursor() as cursor:
        for path, sql in (
            (responses, "COPY survey_response (id, survey_id, submitted_on) FROM STDIN"),
            (answers, "COPY survey_answer (id, response_id, question_id, choice_id, text) FROM STDIN"),
        ):
            with path.open("rb") as f, cursor.cursor.copy(sql) as copy:
                while block := f.read(1 << 20):
                    copy.write(block)


def rolled_back(fn) -> float:
    """Seconds fn took in a transaction then rolled back, starting from
    vacuumed tables (a rolled-back run leaves dead rows and index entries)."""
    with connection.cursor() as cursor:
        cursor.execute("VACUUM survey_response, survey_answer")
    started = time.perf_counter()
    with transaction.atomic():
        fn()
        elapsed = time.perf_counter() - started
        transaction.set_rollback(True)
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, nargs="+", default=[1_000_000])
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    survey = make_survey()
    for rows in args.rows:
        with tempfile.TemporaryDirectory() as folder:
            started = time.perf_counter()
            text, responses, answers = make_files(survey, rows, Path(folder))
            print(
                f"  (CSV of {rows:,} rows, {len(text) / 1e6:.0f} MB, and COPY files made in "
                f"{time.perf_counter() - started:.0f} s)",
                flush=True,
            )
            base = rolled_back(lambda: copy_files(responses, answers))  # noqa: B023
            before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            ours = rolled_back(lambda: import_responses(survey=survey, text=text))  # noqa: B023
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(
            f"{rows:>9,} rows: COPY {base:.1f} s ({rows / base:,.0f} rows/s) | import_responses {ours:.1f} s "
            f"({rows / ours:,.0f} rows/s) | ratio {base / ours:.2f} (target >= 0.25) | "
            f"peak RSS {peak:.0f} MB (before the import {before:.0f} MB, the CSV text included)",
            flush=True,
        )


if __name__ == "__main__":
    main()
