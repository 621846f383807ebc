"""Aggregation cost against a hand-written baseline, measured in the same run.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/candour_bench \\
        .venv/bin/python bench/aggregation.py --responses 10000 100000

For each size: loads the built-in survey under a fresh slug, inserts
synthetic responses, then times ``compute_results`` (every figure, every
breakdown, suppression, result rows written) against one hand-written SQL
query that computes only the headline counts (raised count and n for each
concern). Prints medians and the ratio.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

import random  # noqa: E402

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from survey.definition import builtin_definitions, load_definition, parse_definition  # noqa: E402
from survey.demo import synthetic_answers  # noqa: E402
from survey.models import Survey  # noqa: E402
from survey.responding import insert_responses  # noqa: E402
from survey.results import compute_results  # noqa: E402

BASELINE = """
SELECT q.key, COUNT(*) AS n, COUNT(*) FILTER (WHERE c.value = 'yes') AS raised
FROM survey_answer a
JOIN survey_question q ON q.id = a.question_id
JOIN survey_choice c ON c.id = a.choice_id
WHERE q.survey_id = %s AND q.key IN ('raised_patient_care', 'raised_working_conditions')
GROUP BY q.key
"""


def make_survey(size: int) -> Survey:
    document = parse_definition(builtin_definitions()["raising-concerns"].read_text())
    document.slug = f"bench-{size}"
    Survey.objects.filter(slug=document.slug).delete()
    survey = load_definition(definition=document)
    rng = random.Random(size)
    today = timezone.localdate()
    for start in range(0, size, 20000):
        batch = [(synthetic_answers(rng), today) for _ in range(min(20000, size - start))]
        with transaction.atomic():
            insert_responses(survey_id=survey.pk, submissions=batch)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE survey_answer")
            cursor.execute("VACUUM ANALYZE survey_response")
    return survey


def timed(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def baseline(survey_id: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute(BASELINE, [survey_id])
        cursor.fetchall()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--responses", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    print(f"database: {connection.vendor}")
    print(f"{'responses':>10} {'baseline s':>11} {'candour s':>10} {'ratio':>6}")
    for size in args.responses:
        survey = make_survey(size)
        base = timed(lambda: baseline(survey.pk), args.repeat)  # noqa: B023
        ours = timed(lambda: compute_results(survey_id=survey.pk), args.repeat)  # noqa: B023
        print(f"{size:>10} {base:>11.3f} {ours:>10.3f} {ours / base:>6.2f}")


if __name__ == "__main__":
    main()
