"""Fuzzing: generated survey definitions, CSV files and form posts.

Every input is either accepted or refused with a message; nothing answers
500 and a refused input writes nothing."""

import copy
import json
import re

from django.test import Client
from hypothesis import given
from hypothesis import strategies as st

from survey.definitions.format import DefinitionError, load_definition, parse_definition, validate_definition
from survey.models import Answer, PendingSubmission, Response, Survey
from survey.responses.importing import CsvImportError, import_responses
from survey.web.respondent import _sign
from tests.factories import DEFINITION, HEADER, to_csv
from tests.factories import answers as make_answers

# Texts an attacker would try: NUL bytes, newlines and carriage returns,
# formula starts, and texts longer than a title's 200-character column.
hostile_text = st.one_of(
    st.text(max_size=12),
    st.text(alphabet=st.sampled_from('ab \x00\n\r\t=;,"'), max_size=12),
    st.integers(150, 260).map(lambda n: "x" * n),
)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 2000) | hostile_text,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=12,
)


def paths(document, prefix=()):
    yield prefix
    if isinstance(document, dict):
        for key, value in document.items():
            yield from paths(value, (*prefix, key))
    elif isinstance(document, list):
        for i, value in enumerate(document):
            yield from paths(value, (*prefix, i))


ALL_PATHS = [p for p in paths(DEFINITION) if p]


def spelled(path: tuple) -> str:
    """A location as DefinitionError spells it: sections[0].questions[1].key."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def names_a_place_in(document: dict, exc: DefinitionError) -> bool:
    """Whether a refusal says where the fault is: a place in the document, or
    a field missing from one. A text's language faults name the field at the
    start of the message (``title: unknown language ...``), after the path of
    the part that holds it (none for the survey itself)."""
    if not exc.message.strip() or str(exc) != (f"{exc.path}: {exc.message}" if exc.path else exc.message):
        return False
    places = {spelled(p) for p in paths(document)}
    where = exc.path
    field = re.match(r"([a-z_]+)(\.[a-z]+)?: \S", exc.message)
    if field:
        where = f"{where}.{field.group(1)}" if where else field.group(1)
    if not where:
        return False
    if where in places:
        return True
    missing = re.fullmatch(r"(.*?)(\.[a-z_]+|\[\d+\]|^[a-z_]+)", where)  # a required field or list item
    return bool(missing) and missing.group(1) in places


@st.composite
def mutated_definitions(draw):
    document = copy.deepcopy(DEFINITION)
    document["slug"] = "fuzzed"
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(ALL_PATHS))
        parent = document
        try:
            for key in path[:-1]:
                parent = parent[key]
            if draw(st.booleans()):
                parent[path[-1]] = draw(json_values)
            elif isinstance(parent, dict):
                parent.pop(path[-1], None)
            else:
                parent.pop(path[-1])
        except (KeyError, IndexError, TypeError, AttributeError):
            continue
    return document


@given(mutated_definitions())
def test_definitions_are_accepted_or_refused_with_a_path(db, document):
    before = list(Survey.objects.values_list("slug", "title"))
    try:
        definition = validate_definition(json.loads(json.dumps(document)))
    except DefinitionError as exc:
        assert names_a_place_in(json.loads(json.dumps(document)), exc), str(exc)
        assert list(Survey.objects.values_list("slug", "title")) == before  # refused whole
        return
    survey = load_definition(definition=definition)
    assert survey.questions.exists()


@given(st.sampled_from(ALL_PATHS), st.integers(1, 5000))
def test_deeply_nested_definitions_are_refused_not_a_crash(db, path, depth):
    document = copy.deepcopy(DEFINITION)
    parent = document
    for key in path[:-1]:
        parent = parent[key]
    parent[path[-1]] = "__deep__"
    text = json.dumps(document).replace('"__deep__"', "[" * depth + "]" * depth, 1)
    try:
        parse_definition(text)
    except DefinitionError as exc:
        assert "nested more than" in exc.message or names_a_place_in(document, exc), str(exc)
        return
    assert depth <= 20


def names_a_row_and_column(message: str, header: list, text: str) -> bool:
    """Whether a CSV refusal names the row (the header is row 1) and, for a
    fault in a cell, the column; or says the file as a whole is empty."""
    if message in ("the file is empty", "the file has a header but no responses"):
        return True
    found = re.fullmatch(r'row (\d+)(?:, column (?:(\d+) )?"([^"]*)")?: \S.*', message, re.S)
    if not found:
        return False
    row, number, key = int(found.group(1)), found.group(2), found.group(3)
    if not 1 <= row <= text.count("\n") + 1:
        return False
    if number is not None:  # a header cell: row 1, by position and name
        return row == 1 and 1 <= int(number) <= len(header) and header[int(number) - 1].strip() == key
    return key is None or key in HEADER  # an answer: the question it is for


cells = st.sampled_from(["iapt", "other", "bank", "yes", "no", "adequately", "partly", "not", "3", "fear;time", ""])
rows = st.lists(st.lists(cells | st.text(max_size=6), min_size=0, max_size=8), min_size=0, max_size=6)


@given(st.permutations(HEADER).flatmap(lambda h: st.tuples(st.just(h[: len(h) - 1] if len(h) > 3 else h), rows)))
def test_csv_imports_are_all_or_nothing(survey, case):
    header, body = case
    text = ",".join(header) + "\n" + "\n".join(",".join(r) for r in body)
    before = (Response.objects.count(), Answer.objects.count())
    try:
        count = import_responses(survey=survey, text=text)
    except CsvImportError as exc:
        assert names_a_row_and_column(str(exc), header, text), str(exc)
        assert (Response.objects.count(), Answer.objects.count()) == before
        return
    assert Response.objects.count() == before[0] + count


@given(st.lists(hostile_text, min_size=1, max_size=4))
def test_free_text_cells_are_kept_exactly_or_refused(survey, comments):
    rows = [make_answers(raised="yes", outcome="not", comment=c) for c in comments] * 1
    text = to_csv(rows)
    before = Answer.objects.filter(question__key="patient_care_comment").count()
    try:
        import_responses(survey=survey, text=text)
    except CsvImportError as exc:
        assert names_a_row_and_column(str(exc), HEADER, text), str(exc)
        assert Answer.objects.filter(question__key="patient_care_comment").count() == before
        return
    stored = Answer.objects.filter(question__key="patient_care_comment").order_by().values_list("text", flat=True)
    assert "\x00" not in "".join(stored)
    kept = sorted(c.strip() for c in comments if c.strip())
    assert all(c in list(stored) for c in kept)  # exactly as written, carriage returns and all
    Response.objects.filter(survey=survey).delete()


answers = st.dictionaries(
    st.sampled_from(["service", "raised_patient_care", "outcome_patient_care", "patient_care_comment", "safe", "x"]),
    st.text(max_size=8) | st.sampled_from(["iapt", "yes", "no", "partly", "3"]) | st.lists(st.text(max_size=4)),
    max_size=6,
)
posts = st.fixed_dictionaries(
    {"action": st.sampled_from(["start", "next", "back", "submit", "goto-1", "goto-x", "", "zzz"])},
    optional={
        "page": st.text(max_size=3) | st.sampled_from(["0", "1", "2", "99", "-1"]),
        "state": st.text(max_size=20),
        "q_service": st.text(max_size=8),
        "q_patient_care_comment": hostile_text,
        "q_safe": st.sampled_from(["1", "5", "9", ""]),
        "website": st.text(max_size=5),
    },
)


@given(posts, answers, st.booleans())
def test_form_posts_never_fail_and_store_only_valid_answers(survey, post, raw_answers, signed):
    if signed:
        post = post | {"state": _sign({"t": "fuzz-token", "a": raw_answers})}
    before = PendingSubmission.objects.count()
    response = Client().post("/s/therapy-2026/answer/", post)
    assert response.status_code in (200, 302, 400, 409, 410, 429)
    stored = PendingSubmission.objects.count() - before
    assert stored in (0, 1)
    if stored:
        from survey.responses.answers import clean_answers, survey_spec

        clean_answers(survey_spec(survey), PendingSubmission.objects.latest("submitted_on").answers)
        PendingSubmission.objects.all().delete()
        from survey.models import UsedFormToken

        UsedFormToken.objects.all().delete()
