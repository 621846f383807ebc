"""Counts of a survey's answers: what every figure and summary is computed from.

Three kinds of count, all computed by the database and all additive over
disjoint sets of responses (so counts of a new batch can be added to the
counts of the responses before it):

- ``answers``: (question, choice, groups) -> answers, for every choice question;
- ``bases``: (question, groups) -> respondents, for multiple-choice questions
  only (for the other kinds a respondent gives at most one answer, so the
  base is the sum of the question's counts);
- ``concerns``: (concern, groups) -> the four counts of DESIGN.md's figures:
  respondents who answered the raised question, who answered yes, who
  answered yes and answered the outcome question with a choice counted in
  the base, and whose outcome is one of the resolved values.

``groups`` is the tuple of a respondent's answers (choice ids, or None) to
the survey's breakdown questions, in their order. Rolling a breakdown up
over the other breakdowns (or over all of them, for the overall figures)
is a sum over a few hundred cells, never a loop over responses.

Two queries make all of it in one pass over the answers: one over each
respondent's answers to the breakdown, raised and outcome questions,
grouped per response then per group; one over every choice answer joined
to its respondent's groups. ``mix_pending`` adds the counts of each batch
to the survey's Tally in the batch's own transaction, so aggregation reads
a few hundred numbers instead of recounting every answer.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from uuid import UUID

from django.db import DatabaseError, connection, transaction

from survey.models import Choice, Question, Survey, Tally

# A batch larger than this is not counted on its own: recounting the whole
# survey at the next aggregation costs about the same (a CSV import).
DELTA_LIMIT = 50_000
_SQLITE_CHUNK = 500  # SQLite's limit on parameters per query


@dataclass(frozen=True)
class ConcernPlan:
    id: int
    raised: int
    yes: int
    outcome: int
    resolved: tuple[int, ...]
    uncounted: tuple[int, ...] = ()  # outcome choices left out of the resolved base


@dataclass(frozen=True)
class Plan:
    """What to count for one survey: question and choice ids."""

    breakdowns: tuple[int, ...]
    concerns: tuple[ConcernPlan, ...]
    questions: tuple[int, ...]  # choice questions
    multiple: tuple[int, ...]  # multiple-choice questions among them


@dataclass
class Counts:
    respondents: int = 0
    answers: dict = field(default_factory=dict)
    bases: dict = field(default_factory=dict)
    concerns: dict = field(default_factory=dict)

    def add(self, other: "Counts") -> "Counts":
        self.respondents += other.respondents
        for mine, theirs in ((self.answers, other.answers), (self.bases, other.bases)):
            for key, n in theirs.items():
                mine[key] = mine.get(key, 0) + n
        for key, four in other.concerns.items():
            have = self.concerns.get(key, (0, 0, 0, 0))
            self.concerns[key] = tuple(a + b for a, b in zip(have, four, strict=True))
        return self

    def as_json(self) -> dict:
        return {
            "respondents": self.respondents,
            "answers": [[q, c, list(g), n] for (q, c, g), n in self.answers.items()],
            "bases": [[q, list(g), n] for (q, g), n in self.bases.items()],
            "concerns": [[c, list(g), list(four)] for (c, g), four in self.concerns.items()],
        }

    @classmethod
    def from_json(cls, data: dict) -> "Counts":
        return cls(
            respondents=data["respondents"],
            answers={(q, c, tuple(g)): n for q, c, g, n in data["answers"]},
            bases={(q, tuple(g)): n for q, g, n in data["bases"]},
            concerns={(c, tuple(g)): tuple(four) for c, g, four in data["concerns"]},
        )

    def by_question(self, index: int | None) -> tuple[dict, dict]:
        """{(question, group): {choice: count}} and {(question, group): base n},
        where group is the answer to breakdown ``index`` (None: everyone)."""
        counts: dict = defaultdict(dict)
        for (q, c, groups), n in self.answers.items():
            cell = counts[(q, None if index is None else groups[index])]
            cell[c] = cell.get(c, 0) + n
        bases = {key: sum(cell.values()) for key, cell in counts.items()}
        multiple: dict = defaultdict(int)
        for (q, groups), n in self.bases.items():
            multiple[(q, None if index is None else groups[index])] += n
        bases.update(multiple)
        return counts, bases

    def concern_cells(self, concern_id: int) -> list[tuple[tuple, dict]]:
        """The concern's four counts per combination of breakdown answers."""
        names = ("raised_n", "raised_count", "resolved_n", "resolved_count")
        return [
            (groups, dict(zip(names, four, strict=True)))
            for (c, groups), four in self.concerns.items()
            if c == concern_id
        ]


def partner_counts(counts: Counts, *, question: int, index: int, choice: int) -> Counts:
    """The counts of one partner's respondents: the cells whose coordinate
    ``index`` (the partner question's place among the breakdowns) is
    ``choice``, with that coordinate dropped; the partner question's own
    answers are left out (every one of them would be this partner)."""

    def rest(groups: tuple) -> tuple:
        return groups[:index] + groups[index + 1 :]

    out = Counts()
    for (q, c, groups), n in counts.answers.items():
        if groups[index] != choice:
            continue
        if q == question:
            out.respondents += n
            continue
        out.answers[(q, c, rest(groups))] = n
    out.bases = {(q, rest(groups)): n for (q, groups), n in counts.bases.items() if groups[index] == choice}
    out.concerns = {(c, rest(groups)): four for (c, groups), four in counts.concerns.items() if groups[index] == choice}
    return out


def plan(*, survey: Survey) -> Plan:
    questions = list(
        Question.objects.filter(survey=survey, kind__in=Question.CHOICE_KINDS)
        .order_by("section__position", "position")
        .values_list("pk", "kind", "breakdown")
    )
    concerns = []
    for concern in survey.concerns.all():
        yes = Choice.objects.get(question_id=concern.raised_id, value="yes").pk
        resolved = Choice.objects.filter(question_id=concern.outcome_id, value__in=concern.resolved_values).values_list(
            "pk", flat=True
        )
        uncounted = Choice.objects.filter(question_id=concern.outcome_id, counted=False).values_list("pk", flat=True)
        concerns.append(
            ConcernPlan(
                concern.pk,
                concern.raised_id,
                yes,
                concern.outcome_id,
                tuple(sorted(resolved)),
                tuple(sorted(uncounted)),
            )
        )
    return Plan(
        breakdowns=tuple(pk for pk, _, breakdown in questions if breakdown),
        concerns=tuple(concerns),
        questions=tuple(pk for pk, _, _ in questions),
        multiple=tuple(pk for pk, kind, _ in questions if kind == Question.Kind.MULTIPLE_CHOICE),
    )


def _ints(values) -> str:
    """A literal list of ids (integers from our own tables, never user input)."""
    return ", ".join(str(int(v)) for v in values) or "NULL"


def _table(source: str) -> str:
    return "batch" if source.startswith("WITH") else source


def _with(source: str) -> str:
    return source if source.startswith("WITH") else ""


def _groups_sql(p: Plan, source: str) -> str:
    """Per response: its answer to each breakdown question."""
    columns = ", ".join(
        f"MAX(CASE WHEN question_id = {b} THEN choice_id END) AS g{i}" for i, b in enumerate(p.breakdowns)
    )
    return (
        f"SELECT response_id, {columns} FROM {_table(source)} answers "  # noqa: S608 - ids and fixed names only
        f"WHERE question_id IN ({_ints(p.breakdowns)}) GROUP BY response_id"
    )


def _count_concerns(cursor, p: Plan, source: str, params: list) -> dict:
    if not p.concerns:
        return {}
    flags = []
    sums = []
    for j, c in enumerate(p.concerns):
        resolved = f"choice_id IN ({_ints(c.resolved)})" if c.resolved else "1 = 0"
        counted = f" AND choice_id NOT IN ({_ints(c.uncounted)})" if c.uncounted else ""
        flags += [
            f"MAX(CASE WHEN question_id = {c.raised} AND choice_id IS NOT NULL THEN 1 ELSE 0 END) AS rn{j}",
            f"MAX(CASE WHEN question_id = {c.raised} AND choice_id = {c.yes} THEN 1 ELSE 0 END) AS ry{j}",
            f"MAX(CASE WHEN question_id = {c.outcome} AND choice_id IS NOT NULL{counted} THEN 1 ELSE 0 END) AS on{j}",
            f"MAX(CASE WHEN question_id = {c.outcome} AND {resolved} THEN 1 ELSE 0 END) AS orr{j}",
        ]
        sums += [f"SUM(rn{j})", f"SUM(ry{j})", f"SUM(ry{j} * on{j})", f"SUM(ry{j} * orr{j})"]
    groups = [f"MAX(CASE WHEN question_id = {b} THEN choice_id END) AS g{i}" for i, b in enumerate(p.breakdowns)]
    asked = {b for b in p.breakdowns} | {c.raised for c in p.concerns} | {c.outcome for c in p.concerns}
    group_by = ", ".join(f"g{i}" for i in range(len(p.breakdowns)))
    cursor.execute(
        f"{_with(source)}SELECT {group_by + ', ' if group_by else ''}{', '.join(sums)} FROM ("  # noqa: S608 - ids, fixed names
        f"SELECT response_id, {', '.join(groups + flags)} FROM {_table(source)} answers "
        f"WHERE question_id IN ({_ints(sorted(asked))}) GROUP BY response_id"
        f") per_response {'GROUP BY ' + group_by if group_by else ''}",
        params,
    )
    width = len(p.breakdowns)
    out = {}
    for row in cursor.fetchall():
        groups_of_row, numbers = tuple(row[:width]), [int(x or 0) for x in row[width:]]
        for j, c in enumerate(p.concerns):
            out[(c.id, groups_of_row)] = tuple(numbers[4 * j : 4 * j + 4])
    return out


def _count_answers(cursor, p: Plan, source: str, params: list, questions: tuple[int, ...], distinct: bool) -> dict:
    if not questions:
        return {}
    gcols = [f"g.g{i}" for i in range(len(p.breakdowns))]
    join = f"LEFT JOIN ({_groups_sql(p, source)}) g ON g.response_id = a.response_id" if p.breakdowns else ""
    select = ["a.question_id"] + ([] if distinct else ["a.choice_id"]) + gcols
    count = "COUNT(DISTINCT a.response_id)" if distinct else "COUNT(*)"
    cursor.execute(
        f"{_with(source)}SELECT {', '.join(select)}, {count} FROM {_table(source)} a {join} "  # noqa: S608
        f"WHERE a.question_id IN ({_ints(questions)}) AND a.choice_id IS NOT NULL "
        f"GROUP BY {', '.join(select)}",
        params,
    )
    keys = len(select) - len(gcols)
    return {(*row[:keys], tuple(row[keys:-1])): row[-1] for row in cursor.fetchall()}


def count_answers(*, survey: Survey, p: Plan, response_ids: list[UUID] | None = None) -> Counts:
    """Count the answers of the survey's responses (or of the given ones)."""
    if response_ids is not None and connection.vendor != "postgresql":
        total = Counts()
        for start in range(0, len(response_ids), _SQLITE_CHUNK):
            total.add(_count(survey, p, response_ids[start : start + _SQLITE_CHUNK]))
        return total
    return _count(survey, p, response_ids)


def _count(survey: Survey, p: Plan, response_ids: list[UUID] | None) -> Counts:
    # The answers to count: all of the table, or a batch's, fetched first
    # through the response index (kept apart from the rest of the plan).
    if response_ids is None:
        source, params = "survey_answer", []
    elif connection.vendor == "postgresql":
        source = (
            "WITH batch AS MATERIALIZED (SELECT sa.response_id, sa.question_id, sa.choice_id "
            "FROM unnest(%s::uuid[]) AS ids(id) JOIN survey_answer sa ON sa.response_id = ids.id) "
        )
        params = [list(response_ids)]
    else:
        marks = ", ".join(["%s"] * len(response_ids))
        source = (
            "WITH batch AS (SELECT response_id, question_id, choice_id FROM survey_answer "  # noqa: S608
            f"WHERE response_id IN ({marks})) "
        )
        params = [r.hex for r in response_ids]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Room to hash a million respondents' groups in memory.
            cursor.execute("SET LOCAL work_mem = '256MB'")
        if response_ids is None:
            cursor.execute("SELECT COUNT(*) FROM survey_response WHERE survey_id = %s", [survey.pk])
            respondents = cursor.fetchone()[0]
        else:
            respondents = len(response_ids)
        return Counts(
            respondents=respondents,
            answers=_count_answers(cursor, p, source, params, p.questions, distinct=False),
            bases=_count_answers(cursor, p, source, params, p.multiple, distinct=True),
            concerns=_count_concerns(cursor, p, source, params),
        )


def current_counts(*, survey: Survey, p: Plan) -> Counts:
    """The survey's counts now: its Tally if up to date, else a full recount
    (stored as the new Tally when no one else is writing it)."""
    tally = Tally.objects.filter(survey=survey).first()
    if tally is not None and tally.version == survey.data_version and tuple(tally.breakdowns) == p.breakdowns:
        return Counts.from_json(tally.counts)
    counts = count_answers(survey=survey, p=p)
    try:
        with transaction.atomic():
            Tally.objects.update_or_create(
                survey=survey,
                defaults={"version": survey.data_version, "breakdowns": list(p.breakdowns), "counts": counts.as_json()},
            )
    except DatabaseError:  # a batch was mixed in meanwhile: its own counts win, recount next time
        pass
    return counts


def add_responses(*, survey_id: int, response_ids: list[UUID], version: int) -> bool:
    """Add the counts of responses just written (in the caller's transaction)
    to the survey's Tally, if it was up to date before them (``version`` is
    the survey's data version after them). Otherwise leave it: the next
    aggregation recounts. Returns whether the Tally was updated."""
    if len(response_ids) > DELTA_LIMIT:
        return False
    tally = Tally.objects.select_for_update().filter(survey_id=survey_id).first()
    if tally is None or tally.version != version - 1:
        return False
    survey = Survey.objects.get(pk=survey_id)
    p = plan(survey=survey)
    if tuple(tally.breakdowns) != p.breakdowns:
        return False
    counts = Counts.from_json(tally.counts).add(count_answers(survey=survey, p=p, response_ids=response_ids))
    tally.counts = counts.as_json()
    tally.version = version
    tally.save(update_fields=["counts", "version"])
    return True
