import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from survey.models import Answer, Response, Survey
from tests.factories import answers, to_csv


def run_import(tmp_path, text: str):
    path = tmp_path / "in.csv"
    path.write_text(text)
    call_command("import_responses", "therapy-2026", str(path))


def test_import_stores_every_answer(survey, tmp_path):
    run_import(tmp_path, to_csv([answers(raised="yes", outcome="not", barriers=["fear", "time"], comment="Hi")] * 3))
    assert Response.objects.count() == 3
    # service, raised, outcome, comment, 2 barriers, safe = 7 rows each
    assert Answer.objects.count() == 21
    assert Survey.objects.get(pk=survey.pk).data_version == 1


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ([answers(), answers(service="hospital")], 'row 3, column "service": "hospital" is not one of iapt, other'),
        (
            [answers(raised="no", outcome="partly")],
            'row 2, column "outcome_patient_care": answered, but it is only asked',
        ),
        ([answers(raised="yes")], 'row 2, column "outcome_patient_care": an answer is required'),
        ([answers(barriers=["fear", "cats"])], 'row 2, column "barriers": "cats" is not one of fear, time'),
    ],
)
def test_bad_row_is_refused_whole_naming_row_and_column(survey, tmp_path, rows, message):
    with pytest.raises(CommandError) as info:
        run_import(tmp_path, to_csv([answers()] * 5 + rows))
    assert message.replace("row 2", f"row {2 + 5}").replace("row 3", f"row {3 + 5}") in str(info.value)
    assert "nothing was imported" in str(info.value)
    assert not Response.objects.exists()


def test_unknown_column_and_short_row_are_refused(survey, tmp_path):
    with pytest.raises(CommandError, match='row 1, column 2 "colour": not a question'):
        run_import(tmp_path, "service,colour\niapt,red\n")
    with pytest.raises(CommandError, match="row 3: 1 columns, but the header has 3"):
        run_import(tmp_path, "service,raised_patient_care,safe\niapt,no,3\niapt\n")
    with pytest.raises(CommandError, match="the file is empty"):
        run_import(tmp_path, "")
    assert not Response.objects.exists()


def test_import_of_unknown_survey_is_refused(db, tmp_path):
    path = tmp_path / "in.csv"
    path.write_text("service\niapt\n")
    with pytest.raises(CommandError, match='no survey "nope"'):
        call_command("import_responses", "nope", str(path))


def test_a_carriage_return_inside_a_quoted_answer_is_kept(survey, tmp_path):
    path = tmp_path / "in.csv"
    path.write_bytes(to_csv([answers(raised="yes", outcome="not", comment="first line\rsecond\r\nthird")] * 1).encode())
    call_command("import_responses", "therapy-2026", str(path))
    assert Answer.objects.get(question__key="patient_care_comment").text == "first line\rsecond\r\nthird"


def nul_refused(survey, tmp_path):
    rows = [answers(raised="yes", outcome="not", comment="fine")] * 3
    rows.append(answers(raised="yes", outcome="not", comment="bad\x00byte"))
    with pytest.raises(CommandError, match=r'row 5, column "patient_care_comment": contains a NUL character'):
        run_import(tmp_path, to_csv(rows))
    assert not Response.objects.exists() and Survey.objects.get(pk=survey.pk).data_version == 0


def test_a_nul_in_a_free_text_cell_is_refused_by_row_and_column(survey, tmp_path):
    nul_refused(survey, tmp_path)


@pytest.mark.django_db(transaction=True)
def test_a_nul_in_a_free_text_cell_is_refused_on_postgresql(survey, tmp_path):
    from django.db import connection

    from tests.faults.helpers import need

    need(connection.vendor == "postgresql", "needs PostgreSQL (DATABASE_URL)")
    nul_refused(survey, tmp_path)
