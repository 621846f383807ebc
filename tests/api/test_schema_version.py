"""The definition format and the report JSON each say which version of
their format they are."""

import json

import pytest

from survey.definitions.format import DefinitionError, export_definition, validate_definition
from survey.reports.downloads import report_json
from survey.reports.publishing import publish_report
from tests.factories import definition


def test_an_exported_definition_says_its_format_version(survey):
    assert export_definition(survey=survey)["schema_version"] == 1


def test_a_definition_without_a_version_is_version_one():
    assert validate_definition(definition()).schema_version == 1


def test_a_definition_of_an_unknown_version_is_refused_by_path():
    with pytest.raises(DefinitionError) as refused:
        validate_definition(definition(schema_version=2))
    assert refused.value.path == "schema_version"


def test_the_report_json_says_its_format_version(survey, alice):
    from django.core.management import call_command

    from survey.models import Survey
    from survey.responses.importing import import_responses
    from tests.factories import answers, to_csv

    import_responses(survey=survey, text=to_csv([answers(raised="yes", outcome="adequately")] * 12))
    call_command("aggregate", survey.slug)
    Survey.objects.filter(pk=survey.pk).update(status=Survey.Status.CLOSED)
    from survey.figures.aggregate import release_at_closing

    release_at_closing(survey_id=survey.pk)
    report = publish_report(survey=survey, acting_user=alice)
    assert json.loads(report_json(report))["schema_version"] == 1
