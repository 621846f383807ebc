"""A survey shaped like the one Candour was built for (1,500 respondents; 38%
raised patient care, 25% of those resolved; 36% working conditions, 6%
resolved; IAPT 58% and 55%), published, and every number of the published
document recomputed here from the rows with plain Python and scipy, never
with the project's own statistics code (docs/statistics.md is the spec)."""

import json
import random
from collections import Counter
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from math import sqrt

import pytest
from django.contrib.auth import get_user_model
from scipy import stats as sp

from survey.definitions.format import builtin_definitions, load_definition, parse_definition
from survey.definitions.status import set_status
from survey.figures.aggregate import compute_results
from survey.models import Member, Survey
from survey.reports.downloads import report_json
from survey.reports.publishing import publish_report
from survey.responses.importing import import_responses

SERVICES = {"iapt": 400, "community": 450, "inpatient": 400, "other": 250}
# Raised, per service: patient care 232 of 400 in IAPT (58%), 572 of 1,500
# in all (38.1%); working conditions 220 of 400 (55%), 534 in all (35.6%).
RAISED = {
    "patient_care": {"iapt": 232, "community": 130, "inpatient": 130, "other": 80},
    "working_conditions": {"iapt": 220, "community": 130, "inpatient": 110, "other": 74},
}
# Outcomes of those who raised it: 143 of 572 resolved (25.0%), 32 of 534 (6.0%).
OUTCOMES = {
    "patient_care": {"adequately": 143, "partly": 200, "not": 150, "pending": 79},
    "working_conditions": {"adequately": 32, "partly": 180, "not": 250, "pending": 72},
}
MEASURES = ("raised", "resolved")
CONCERNS = {"patient-care": "patient_care", "working-conditions": "working_conditions"}
ALPHA = 0.05


def make_rows() -> list[dict]:
    rng = random.Random(18)
    rows = []
    for service, size in SERVICES.items():
        for i in range(size):
            rows.append({"service": service, "role": ("therapist", "nurse", "other")[i % 3]})
    for topic, per_service in RAISED.items():
        outcomes = [o for o, n in OUTCOMES[topic].items() for _ in range(n)]
        rng.shuffle(outcomes)
        for service, yes in per_service.items():
            people = [r for r in rows if r["service"] == service]
            flags = ["yes"] * yes + ["no"] * (len(people) - yes)
            rng.shuffle(flags)
            for person, flag in zip(people, flags, strict=True):
                person[f"raised_{topic}"] = flag
                if flag == "yes":
                    person[f"outcome_{topic}"] = outcomes.pop()
    for r in rows:
        r["barriers"] = [b for b in ("fear", "futile", "unclear", "time") if rng.random() < 0.3]
        r["safe_to_speak"] = str(rng.choice([1, 2, 2, 3, 3, 3, 4, 4, 5]))
    return rows


# --- The rules of docs/statistics.md, written again from the page ------------


def half_up(value) -> float:
    """One decimal place, halves away from zero, from an exact value."""
    rounded = Decimal(value.numerator) / Decimal(value.denominator) if isinstance(value, Fraction) else Decimal(value)
    out = float(rounded.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))
    return out + 0.0 if out != 0 else 0.0


def wilson(count, n):
    ci = sp.binomtest(count, n).proportion_ci(method="wilson")
    return ci.low, ci.high


def figure(count, n):
    low, high = wilson(count, n)
    return {
        "count": count,
        "n": n,
        "pct": half_up(Fraction(100 * count, n)),
        "ci95": [half_up(repr(float(100 * low))), half_up(repr(float(100 * high)))],
    }


def holm(ps):
    order = sorted(range(len(ps)), key=lambda i: ps[i])
    out, running = [0.0] * len(ps), 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (len(ps) - rank) * ps[i]))
        out[i] = running
    return out


def pair(c1, n1, c2, n2):
    """Newcombe's hybrid score interval and the two-sided z-test (chi-square
    without continuity correction); Fisher's exact test when an expected count is under 5."""
    p1, p2 = c1 / n1, c2 / n2
    (l1, u1), (l2, u2) = wilson(c1, n1), wilson(c2, n2)
    d = p1 - p2
    low = d - sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2)
    high = d + sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)
    table = [[c1, n1 - c1], [c2, n2 - c2]]
    chi2, p, _, expected = sp.chi2_contingency(table, correction=False)
    test = "z"
    if expected.min() < 5:
        test, p = "Fisher's exact", sp.fisher_exact(table).pvalue
    return {
        "difference": half_up(Fraction(100 * c1, n1) - Fraction(100 * c2, n2)),
        "ci95": [half_up(repr(float(100 * low))), half_up(repr(float(100 * high)))],
        "p_value": p,
        "test": test,
    }


def freeman_halton(counts, bases):
    """Exact test of equal proportions across groups: every table with these
    group sizes and total, weighed by scipy's multivariate hypergeometric."""
    total = sum(counts)
    observed = sp.multivariate_hypergeom.pmf(counts, bases, total)

    def tables(i, left):
        if i == len(bases) - 1:
            if left <= bases[i]:
                yield [left]
            return
        for x in range(min(bases[i], left) + 1):
            for rest in tables(i + 1, left - x):
                yield [x, *rest]

    probs = sp.multivariate_hypergeom.pmf(list(tables(0, total)), bases, total)
    return float(probs[probs <= observed * (1 + 1e-7)].sum())


# --- The expected document ----------------------------------------------------


def concern_figures(rows, topic):
    def of(people):
        answered = [r for r in people if f"raised_{topic}" in r]
        raised = [r for r in answered if r[f"raised_{topic}"] == "yes"]
        told = [r for r in raised if f"outcome_{topic}" in r]
        resolved = [r for r in told if r[f"outcome_{topic}"] == "adequately"]
        return {"raised": figure(len(raised), len(answered)), "resolved": figure(len(resolved), len(told))}

    return of


def expected_comparisons(rows, document):
    out = []
    minimum = max(30, 10)
    for key, topic in CONCERNS.items():
        of = concern_figures(rows, topic)
        everyone = of(rows)
        for b, values in (("service", list(SERVICES)), ("role", ["therapist", "nurse", "other"])):
            family, omnibus = [], []
            for m in MEASURES:
                groups = {v: of([r for r in rows if r[b] == v])[m] for v in values}
                for v, g in groups.items():
                    rest_c, rest_n = everyone[m]["count"] - g["count"], everyone[m]["n"] - g["n"]
                    row = {"concern": key, "measure": m, "question": b, "value": v, "group_pct": g["pct"]}
                    row |= {"rest_pct": half_up(Fraction(100 * rest_c, rest_n))}
                    row |= pair(g["count"], g["n"], rest_c, rest_n)
                    assert min(g["n"], rest_n) >= minimum
                    family.append(row)
                table = [[g["count"], g["n"] - g["count"]] for g in groups.values()]
                chi2, p, df, expected = sp.chi2_contingency(table, correction=False)
                test = "chi-square"
                if expected.min() < 5:
                    test, p = (
                        "exact",
                        freeman_halton([g["count"] for g in groups.values()], [g["n"] for g in groups.values()]),
                    )
                omnibus.append(
                    {
                        "concern": key,
                        "measure": m,
                        "question": b,
                        "statistic": chi2,
                        "df": df,
                        "p_value": p,
                        "test": test,
                    }
                )
            for fam in (family, omnibus):
                for row, adjusted in zip(fam, holm([r["p_value"] for r in fam]), strict=True):
                    row |= {"p_adjusted": adjusted, "significant": adjusted < ALPHA, "family_size": len(fam)}
            out += family + omnibus
    return out


def summaries(rows, definition):
    out = {}
    breakdowns = [q for s in definition["sections"] for q in s["questions"] if q.get("breakdown")]
    for q in (q for s in definition["sections"] for q in s["questions"]):
        if q["kind"] == "free_text":
            continue
        values = [c["value"] for c in q.get("choices", [])] or ["yes", "no"]

        def dist(people, q=q, values=values):
            if q["kind"] == "multiple_choice":
                shown = [r for r in people if not q.get("show_if") or r.get(q["show_if"]["question"]) == "yes"]
                counts, n = Counter(v for r in shown for v in r.get(q["key"], [])), len(shown)
            else:
                answers = [r[q["key"]] for r in people if q["key"] in r]
                counts, n = Counter(answers), len(answers)
            result = {"n": n, "choices": {v: figure(counts[v], n) for v in values}}
            if q["kind"] == "scale":  # agree at the end listed last: the upper half of 5 points
                result["agree"] = figure(counts["4"] + counts["5"], n)
            return result

        out[q["key"]] = {
            "all": dist(rows),
            "groups": {
                (b["key"], c["value"]): dist([r for r in rows if r[b["key"]] == c["value"]])
                for b in ([] if q.get("breakdown") else breakdowns)
                for c in b["choices"]
            },
        }
    return out


@pytest.fixture
def published(db, django_capture_on_commit_callbacks):
    definition_text = builtin_definitions()["raising-concerns"].read_text()
    survey = load_definition(definition=parse_definition(definition_text))
    organiser = get_user_model().objects.create_user(username="alice", password="correct horse battery")
    Member.objects.create(survey=survey, user=organiser, role=Member.Role.ORGANISER)
    rows = make_rows()
    header = [q["key"] for s in json.loads(definition_text)["sections"] for q in s["questions"]]
    lines = [",".join(header)]
    for r in rows:
        lines.append(",".join(";".join(r[k]) if isinstance(r.get(k), list) else r.get(k, "") for k in header))
    import_responses(survey=survey, text="\n".join(lines) + "\n")
    with django_capture_on_commit_callbacks(execute=True):
        set_status(survey=survey, acting_user=organiser, status=Survey.Status.CLOSED)
    compute_results(survey_id=survey.pk)
    report = publish_report(survey=survey, acting_user=organiser)
    return rows, json.loads(definition_text), json.loads(report_json(report))


def check_the_seed_shaped_survey_has_its_headline_figures(published):
    _, _, document = published
    care, work = document["concerns"]
    assert document["respondents"] == 1500
    assert (care["raised"]["pct"], care["resolved"]["pct"]) == (38.1, 25.0)
    assert (work["raised"]["pct"], work["resolved"]["pct"]) == (35.6, 6.0)
    iapt = {c["key"]: next(g for g in c["breakdowns"][0]["groups"] if g["value"] == "iapt") for c in (care, work)}
    assert (iapt["patient-care"]["raised"]["pct"], iapt["working-conditions"]["raised"]["pct"]) == (58.0, 55.0)


def check_every_published_concern_figure_is_recomputed(published):
    rows, _, document = published
    for concern in document["concerns"]:
        of = concern_figures(rows, CONCERNS[concern["key"]])
        for m in MEASURES:
            assert concern[m] == of(rows)[m], (concern["key"], m)
        for breakdown in concern["breakdowns"]:
            for g in breakdown["groups"]:
                expected = of([r for r in rows if r[breakdown["question"]] == g["value"]])
                assert not g.get("suppressed")  # every group holds well over k
                assert {m: g[m] for m in MEASURES} == expected, (concern["key"], breakdown["question"], g["value"])


def check_every_published_question_summary_is_recomputed(published):
    rows, definition, document = published
    expected = summaries(rows, definition)
    assert {q["key"] for q in document["questions"]} == set(expected)
    for q in document["questions"]:
        parts = [("all", q)] + [((b["question"], g["value"]), g) for b in q["breakdowns"] for g in b["groups"]]
        for where, shown in parts:
            want = expected[q["key"]]["all"] if where == "all" else expected[q["key"]]["groups"][where]
            assert shown["n"] == want["n"], (q["key"], where)
            for c in shown["choices"]:
                got = {k: c[k] for k in ("count", "n", "pct", "ci95")}
                assert got == want["choices"][c["value"]], (q["key"], where, c["value"])
            if "agree" in want:
                assert {k: shown["agree"][k] for k in ("count", "n", "pct", "ci95")} == want["agree"]
            printed = sum(Decimal(repr(c["pct"])) for c in shown["choices"])
            single = q["kind"] != "multiple_choice"
            assert ("note" in shown) == ((printed != 100) if single else printed > 100), (q["key"], where)


def check_every_published_comparison_is_recomputed(published):
    rows, _, document = published
    expected = expected_comparisons(rows, document)
    got = document["comparisons"]
    assert len(got) == len(expected) == 2 * (2 * 4 + 2 + 2 * 3 + 2)
    for want in expected:
        match = [
            c
            for c in got
            if (c["concern"], c["measure"], c["question"], c.get("value"))
            == (*[want[k] for k in ("concern", "measure", "question")], want.get("value"))
        ]
        assert len(match) == 1, want
        row = match[0]
        for k, v in want.items():
            if k in ("p_value", "p_adjusted", "statistic"):
                assert row[k] == pytest.approx(v, rel=1e-9, abs=1e-300), (want, k)
            else:
                assert row[k] == v, (want, k)
        if "difference" in want:
            printed = half_up(Decimal(repr(want["group_pct"])) - Decimal(repr(want["rest_pct"])))
            assert ("note" in row) == (printed != want["difference"])


def check_the_margin_of_error_sentence(published, client):
    rows, _, document = published
    page = client.get(f"/r/{document['survey']}/").content.decode()

    def widest(n):
        ci = sp.binomtest(n // 2, n).proportion_ci(method="wilson")
        return half_up(repr(float(100 * (ci.high - ci.low) / 2)))

    sizes = sorted(Counter((b, r[b]) for r in rows for b in ("service", "role")).values())
    typical = int(float(f"{sizes[len(sizes) // 2]:.2g}"))
    sentence = (
        f"Figures for everyone are within about {widest(1500)} points either way; for groups of about {typical}, "
        f"about {widest(typical)} points (95% intervals). This covers chance only, not who chose to answer."
    )
    assert sentence in page
    assert document["trend"] == [] and "response_rates" not in document


def test_every_number_of_the_published_document_is_recomputed(published, client):
    # One published survey (1,500 imported rows), four checks.
    check_the_seed_shaped_survey_has_its_headline_figures(published)
    check_every_published_concern_figure_is_recomputed(published)
    check_every_published_question_summary_is_recomputed(published)
    check_every_published_comparison_is_recomputed(published)
    check_the_margin_of_error_sentence(published, client)
