"""XLSForm in and out: real workbooks from pyxform's examples, round trips
that pyxform converts, and whole refusals naming sheet, row and reason."""

import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook
from pyxform.xls2xform import convert

from survey.definitions.format import DefinitionError, export_definition, validate_definition
from survey.definitions.xlsform import read_xlsform, write_xlsform
from survey.models import Question, Survey
from tests.factories import definition, make_survey

DATA = Path(__file__).parent.parent / "data" / "xlsform"


def _workbook(survey_rows, choice_rows=(), settings=None) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "survey"
    for row in survey_rows:
        sheet.append(row)
    if choice_rows:
        choices = book.create_sheet("choices")
        for row in choice_rows:
            choices.append(row)
    if settings:
        sheet = book.create_sheet("settings")
        sheet.append(list(settings))
        sheet.append(list(settings.values()))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_a_real_xlsform_from_pyxform_loads_as_a_yes_no_question(db):
    call_command("load_survey", str(DATA / "yes_or_no_question.xlsx"), stdout=io.StringIO())
    question = Question.objects.get(survey__slug="yes_or_no_question")
    assert (question.key, question.kind, question.text) == ("good_day", "yes_no", "have you had a good day today?")


def test_a_number_question_refuses_the_whole_workbook_by_sheet_and_row(db):
    with pytest.raises(CommandError, match=r"survey sheet, row 3: a number answer \(integer\)"):
        call_command("load_survey", str(DATA / "text_and_integer.xlsx"))
    assert not Survey.objects.exists()


def test_a_phone_number_question_is_refused(db):
    with pytest.raises(DefinitionError) as refused:
        read_xlsform((DATA / "group.xlsx").read_bytes())
    assert refused.value.path == "survey sheet, row 4" and "phone number" in refused.value.message


@pytest.mark.parametrize(
    "row,reason",
    [
        (["geopoint", "where", "Where are you?"], "a GPS point"),
        (["image", "photo", "A photo"], "a photo"),
        (["calculate", "total", ""], "a calculation"),
        (["begin repeat", "people", "People"], "a repeat"),
    ],
)
def test_what_candour_cannot_ask_is_refused_whole(row, reason):
    data = _workbook([["type", "name", "label"], ["text", "first", "Anything?"], row])
    with pytest.raises(DefinitionError) as refused:
        read_xlsform(data)
    assert refused.value.path == "survey sheet, row 3" and reason in refused.value.message


def test_relevance_maps_to_show_if_and_complex_relevance_is_refused():
    rows = [
        ["type", "name", "label", "relevant"],
        ["select_one yn", "raised", "Raised?", ""],
        ["text", "how", "How?", "${raised} = 'yes'"],
    ]
    choices = [["list_name", "name", "label"], ["yn", "yes", "Yes"], ["yn", "no", "No"]]
    document = read_xlsform(_workbook(rows, choices))
    assert document["sections"][0]["questions"][1]["show_if"] == {"question": "raised", "equals": "yes"}
    rows[2][3] = "${raised} = 'yes' or ${raised} = 'no'"
    with pytest.raises(DefinitionError) as refused:
        read_xlsform(_workbook(rows, choices))
    assert refused.value.path == "survey sheet, row 3" and "too complex" in refused.value.message


def test_language_columns_become_the_definitions_languages():
    rows = [
        ["type", "name", "label::English (en)", "label::Cymraeg (cy)"],
        ["select_multiple help", "help", "Who helped?", "Pwy helpodd?"],
    ]
    choices = [
        ["list_name", "name", "label::English (en)", "label::Cymraeg (cy)"],
        ["help", "manager", "My manager", "Fy rheolwr"],
        ["help", "union", "The union", "Yr undeb"],
    ]
    document = read_xlsform(_workbook(rows, choices, {"form_id": "help", "form_title": "Help"}))
    question = document["sections"][0]["questions"][0]
    assert question["kind"] == "multiple_choice"
    assert question["text"] == {"en": "Who helped?", "cy": "Pwy helpodd?"}
    assert validate_definition(document).languages() == ["en", "cy"]


def test_a_language_candour_does_not_know_is_refused():
    rows = [["type", "name", "label::Français (fr)"], ["text", "x", "Quoi ?"]]
    with pytest.raises(DefinitionError, match="no language"):
        read_xlsform(_workbook(rows))


def test_range_becomes_a_scale():
    rows = [["type", "name", "label", "parameters"], ["range", "safe", "How safe?", "start=1 end=5 step=1"]]
    question = read_xlsform(_workbook(rows))["sections"][0]["questions"][0]
    assert question["kind"] == "scale" and [c["value"] for c in question["choices"]] == ["1", "2", "3", "4", "5"]


def test_a_survey_round_trips_through_an_xlsform_that_pyxform_converts(survey):
    document = export_definition(survey=survey)
    data = write_xlsform(document)
    warnings: list = []
    assert "<h:title>" in convert(xlsform=io.BytesIO(data), file_type=".xlsx", warnings=warnings).xform
    back = read_xlsform(data)
    assert back == document


def test_a_bilingual_survey_round_trips(db):
    document = definition(slug="bilingual", title={"en": "Speaking up", "cy": "Codi llais"})
    document["sections"][0]["questions"][0]["text"] = {
        "en": "Do you work in IAPT?",
        "cy": "Ydych chi'n gweithio yn IAPT?",
    }
    survey = make_survey(**{k: v for k, v in document.items()})
    exported = export_definition(survey=survey)
    assert read_xlsform(write_xlsform(exported)) == exported


def test_export_survey_writes_an_xlsform_that_loads_back(survey, tmp_path):
    out = io.BytesIO()
    wrapper = io.TextIOWrapper(out)
    call_command("export_survey", survey.slug, "--format", "xlsform", stdout=wrapper)
    wrapper.flush()
    data = out.getvalue()
    assert convert(xlsform=io.BytesIO(data), file_type=".xlsx").xform
    path = tmp_path / "copy.xlsx"
    path.write_bytes(data)
    before = export_definition(survey=survey)
    call_command("load_survey", str(path), stdout=io.StringIO())
    assert export_definition(survey=Survey.objects.get(slug=survey.slug)) == before


def test_console_upload_of_an_xlsform(organiser, survey):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("form.xlsx", (DATA / "yes_or_no_question.xlsx").read_bytes())
    organiser.post("/console/therapy-2026/build/upload/", {"definition": upload})
    assert [q.key for q in Question.objects.filter(survey=survey)] == ["good_day"]
    bad = SimpleUploadedFile("form.xlsx", (DATA / "group.xlsx").read_bytes())
    page = organiser.post("/console/therapy-2026/build/upload/", {"definition": bad}, follow=True).content.decode()
    assert "survey sheet, row 4" in page
    assert [q.key for q in Question.objects.filter(survey=survey)] == ["good_day"]  # nothing changed
