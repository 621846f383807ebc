"""HTTP benchmarks: real views against baselines in the same run (wrk on 127.0.0.1).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/candour_bench REDIS_URL=redis://127.0.0.1:6379/14 \\
        .venv/bin/python bench/web.py

1. Submissions: a 30-question survey's final POST through the real respondent
   view (signed one-time state, CSRF, rate limit, validation, token burn,
   pending pool) against a bare view inserting the same payload as one row:
   64 clients offering about 150 req/s (gthread workers), then 64
   connections flat out (sync workers). Each run is warmed up first and
   posts bodies no other run posts.
2. Public report page against a static page rendered by the same engine,
   at two survey sizes.
"""

import argparse
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"

import django  # noqa: E402
import django.contrib.auth  # noqa: E402
import django.db  # noqa: E402
import django.utils.timezone  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.middleware.csrf import _get_new_csrf_string, _mask_cipher_secret  # noqa: E402

from survey.definitions.format import load_definition, validate_definition  # noqa: E402
from survey.figures.aggregate import compute_results  # noqa: E402
from survey.models import Member, PendingSubmission, Survey  # noqa: E402
from survey.reports.publishing import publish_report  # noqa: E402
from survey.responses.mixing import insert_responses  # noqa: E402
from survey.web.respondent import _sign  # noqa: E402

PORT = 8931
CONNECTIONS, SECONDS = 64, 15


def thirty_question_definition() -> dict:
    choices = [{"value": v, "label": v.title()} for v in ("never", "sometimes", "often", "always")]
    sections = [
        {
            "title": "About you",
            "questions": [
                {
                    "key": "service",
                    "kind": "single_choice",
                    "breakdown": True,
                    "text": "Service?",
                    "choices": [{"value": "iapt", "label": "IAPT"}, {"value": "other", "label": "Other"}],
                },
                {"key": "raised", "kind": "yes_no", "text": "Raised a concern?"},
                {
                    "key": "outcome",
                    "kind": "single_choice",
                    "text": "Resolved?",
                    "required": False,
                    "choices": [{"value": "yes", "label": "Yes"}, {"value": "no", "label": "No"}],
                },
            ],
        }
    ]
    for s in range(3):
        sections.append(
            {
                "title": f"Part {s + 1}",
                "questions": [
                    {"key": f"q{s}_{i}", "kind": "single_choice", "text": f"Question {s}.{i}", "choices": choices}
                    for i in range(9)
                ],
            }
        )
    return {
        "slug": "bench-30",
        "title": "Bench",
        "sections": sections,
        "concerns": [{"key": "c", "label": "C", "raised": "raised", "outcome": "outcome", "resolved_values": ["yes"]}],
    }


def answers(rng: random.Random) -> dict:
    out = {"service": rng.choice(["iapt", "other"]), "raised": rng.choice(["yes", "no"])}
    out["outcome"] = rng.choice(["yes", "no"])
    for s in range(3):
        for i in range(9):
            out[f"q{s}_{i}"] = rng.choice(["never", "sometimes", "often", "always"])
    return out


def serve(workers: int, threads: int) -> subprocess.Popen:
    env = os.environ | {
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "GUNICORN_BIND": f"127.0.0.1:{PORT}",
        "GUNICORN_WORKERS": str(workers),
        "GUNICORN_THREADS": str(threads),
    }
    server = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "-c",
            "gunicorn.conf.py",
            "--access-logfile",
            "/dev/null",
            "config.wsgi",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    time.sleep(3)
    return server


LUA = """
local threads = 0
function setup(thread) thread:set("tid", threads); threads = threads + 1 end
local bodies = {}
for line in io.lines("%(path)s") do bodies[#bodies + 1] = line end
local counter = 0
request = function()
  counter = counter + 1
  local body = bodies[%(first)d + (counter * 2 + tid) %% %(slot)d + 1]
  return wrk.format("POST", "%(url)s", {["Content-Type"] = "application/x-www-form-urlencoded",
                                       ["Cookie"] = "csrftoken=%(secret)s"}, body)
end
%(delay)s
"""
# A paced client waits a random (exponential) time between its requests, so
# that 64 of them offer about PACED_RATE requests a second in all.
DELAY = "function delay() return -math.log(1 - math.random()) * %(mean_ms).1f end"
SLOT = 20_000  # bodies per wrk run (more than a run posts): no run replays another's
RUNS = 8  # two measurements of two endpoints, each warmed up first
PACED_RATE = 150


def script(folder: Path, bodies: Path, url: str, secret: str, run: int, paced: bool = False) -> str:
    """A wrk script posting bodies run * SLOT ... (run + 1) * SLOT - 1, two
    wrk threads taking alternate ones."""
    path = folder / f"run{run}.lua"
    delay = DELAY % {"mean_ms": 1000 * CONNECTIONS / PACED_RATE} if paced else ""
    path.write_text(
        LUA % {"path": bodies, "first": run * SLOT, "slot": SLOT, "url": url, "secret": secret, "delay": delay}
    )
    return str(path)


def wrk(url: str, lua: str | None = None, seconds: int = SECONDS) -> tuple[float, float, int]:
    """Requests a second, p99 latency in ms and requests answered."""
    args = ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{seconds}s", "--latency", "--timeout", "5s"]
    if lua:
        args += ["-s", lua]
    out = subprocess.run([*args, url], capture_output=True, text=True, check=True).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    answered = int(re.search(r"(\d+) requests in", out).group(1))
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)", out)
    scale = {"us": 0.001, "ms": 1, "s": 1000}[p99.group(2)]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if errors:
        print(f"    ({errors.group(1)} non-2xx/3xx responses)")
    return rate, float(p99.group(1)) * scale, answered


def warm_up(url: str, lua: str | None = None) -> None:
    """Load first, measure after: a worker's first requests import views,
    compile templates and connect to the database (a second and more each,
    enough to be the p99 of 64 connections' 15 seconds on their own)."""
    wrk(url, lua, seconds=3)


def drop_survey(slug: str) -> None:
    """Delete a benchmark survey and everything under it (PROTECT blocks a plain delete)."""
    survey = Survey.objects.filter(slug=slug).first()
    if survey is None:
        return
    with django.db.connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM survey_answer WHERE response_id IN (SELECT id FROM survey_response WHERE survey_id = %s)",
            [survey.pk],
        )
        cursor.execute("DELETE FROM survey_response WHERE survey_id = %s", [survey.pk])
        cursor.execute("DELETE FROM survey_pendingsubmission WHERE survey_id = %s", [survey.pk])
    survey.concerns.all().delete()
    survey.questions.update(show_if_question=None)
    survey.delete()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)  # production serves them compressed
    with django.db.connection.cursor() as cursor:
        # Start from a settled database: the benchmark run before this one
        # (aggregation, writing millions of rows when it generates its data)
        # leaves dirty pages whose checkpoint would otherwise run under the
        # first measurements.
        started = time.perf_counter()
        try:
            cursor.execute("CHECKPOINT")
            print(f"(checkpoint before measuring: {time.perf_counter() - started:.1f} s)")
        except django.db.DatabaseError as exc:  # needs a superuser or pg_checkpoint
            print(f"(no checkpoint before measuring: {exc})")
    drop_survey("bench-30")  # start from nothing, keeping the aggregation benchmark's kept surveys
    survey = load_definition(definition=validate_definition(thirty_question_definition()))
    rng = random.Random(1)
    secret = _get_new_csrf_string()
    token = _mask_cipher_secret(secret)
    folder = Path(tempfile.mkdtemp())
    n = RUNS * SLOT
    real = folder / "real.txt"
    bare = folder / "bare.txt"
    with real.open("w") as r, bare.open("w") as b:
        for i in range(n):
            a = answers(rng)
            r.write(
                urllib.parse.urlencode(
                    {
                        "action": "submit",
                        "csrfmiddlewaretoken": token,
                        "state": _sign({"t": f"bench-{time.time()}-{i}", "a": a}),
                    }
                )
                + "\n"
            )
            b.write(urllib.parse.urlencode({"slug": "bench-30", "answers": json.dumps(a)}) + "\n")
    endpoints = (("bare insert", bare, "/bench/bare-submit/"), ("respondent view", real, "/s/bench-30/answer/"))
    pending = PendingSubmission.objects.filter(survey=survey)
    runs = iter(range(RUNS))

    def measure(paced: bool) -> dict:
        results = {}
        for name, bodies, url in endpoints:
            warm_up(f"http://127.0.0.1:{PORT}{url}", script(folder, bodies, url, secret, next(runs)))
            before = pending.count()
            lua = script(folder, bodies, url, secret, next(runs), paced)
            results[name] = rate, p99, answered = wrk(f"http://127.0.0.1:{PORT}{url}", lua)
            stored = pending.count() - before
            print(f"  {name:<16} {rate:>8.0f} req/s   p99 {p99:>7.1f} ms   ({stored} stored, {answered} answered)")
        return results

    # Paced clients hold connections open while they wait, which a sync worker
    # would sit waiting on (in production the buffering proxy in front takes
    # them): the paced runs go to gthread workers with a thread for each
    # connection (gunicorn gives a new connection a thread until its first
    # request arrives, so with fewer threads, requests queue behind idle clients).
    threads = CONNECTIONS // args.workers
    server = serve(args.workers, threads)
    try:
        print(
            f"submissions, {CONNECTIONS} clients offering {PACED_RATE} req/s, {SECONDS}s each "
            f"(gunicorn, {args.workers} workers, gthread, {threads} threads each)"
        )
        measure(paced=True)
    finally:
        server.terminate()
        server.wait()

    server = serve(args.workers, args.threads)
    kind = "sync" if args.threads == 1 else f"gthread, {args.threads} threads each"
    try:
        print(f"submissions, {CONNECTIONS} connections, {SECONDS}s each (gunicorn, {args.workers} workers, {kind})")
        results = measure(paced=False)
        ratio = results["respondent view"][0] / results["bare insert"][0]
        print(f"  ratio respondent/bare: {ratio:.2f} (target >= 0.5), p99 target < 250 ms")

        print("public report page against a static page")
        user, _ = django.contrib.auth.get_user_model().objects.get_or_create(username="bench")
        for size in (1_000, 1_000_000):
            if size == 1_000:
                insert_responses(
                    survey_id=survey.pk,
                    submissions=[(answers(rng), django.utils.timezone.localdate()) for _ in range(size)],
                )
                reported = survey
            else:  # the aggregation benchmark's kept survey: 30 questions, 1,000,000 responses
                reported = Survey.objects.filter(slug=f"bench-agg-{size}").first()
                if reported is None:
                    print("  (no 1,000,000-response survey: run bench/aggregation.py --responses 1000000 first)")
                    continue
            Member.objects.get_or_create(survey=reported, user=user, role="organiser")
            Survey.objects.filter(pk=reported.pk).update(status=Survey.Status.CLOSED)
            started = time.perf_counter()
            compute_results(survey_id=reported.pk)
            print(f"  ({size} responses x 30 questions aggregated in {time.perf_counter() - started:.2f} s)")
            publish_report(survey=Survey.objects.get(pk=reported.pk), acting_user=user)
            warm_up(f"http://127.0.0.1:{PORT}/bench/static/")
            static = wrk(f"http://127.0.0.1:{PORT}/bench/static/")
            warm_up(f"http://127.0.0.1:{PORT}/r/{reported.slug}/")
            report = wrk(f"http://127.0.0.1:{PORT}/r/{reported.slug}/")
            print(
                f"  {size:>9,} responses: report {report[0]:>7.0f} req/s, static {static[0]:>7.0f} req/s, "
                f"ratio {report[0] / static[0]:.2f} (target >= 0.8), report p99 {report[1]:.1f} ms"
            )
    finally:
        server.terminate()
        server.wait()


if __name__ == "__main__":
    main()
