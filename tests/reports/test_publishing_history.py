"""A new version is checked against every published version, not only the
last: a figure left out of version 2 is compared, in version 3, with the
last version that showed it (version 1)."""

import pytest

from survey.definitions.format import load_definition, validate_definition
from survey.figures.aggregate import compute_results
from survey.models import ReportSettings, ReportVersion, Survey
from survey.reports.publishing import PublishRefused, publish_report
from survey.responses.importing import import_responses
from tests.factories import answers, definition, to_csv, varied


def group_bases(report: ReportVersion) -> dict[str, int]:
    concern = report.snapshot["results"]["concerns"][0]
    return {g["value"]: g["raised"]["n"] for b in concern["breakdowns"] for g in b["groups"] if not g.get("suppressed")}


def test_a_figure_left_out_of_the_last_version_is_compared_with_the_one_before(survey, alice):
    import_responses(survey=survey, text=to_csv(varied("iapt", 20) + varied("other", 20)))
    compute_results(survey_id=survey.pk)
    first = publish_report(survey=survey, acting_user=alice)
    assert group_bases(first) == {"iapt": 20, "other": 20}

    # Ten more from "other" (k = 10: a step of k); version 2 leaves out every breakdown.
    import_responses(survey=survey, text=to_csv([answers(service="other", safe=str(1 + i % 5)) for i in range(10)]))
    compute_results(survey_id=survey.pk)
    ReportSettings.objects.create(survey=survey, breakdowns=["not-a-breakdown"])
    second = publish_report(survey=Survey.objects.get(pk=survey.pk), acting_user=alice)
    assert second.snapshot["results"]["respondents"] == 50 and group_bases(second) == {}

    # k is raised to 15: "other" (20 in version 1, 30 now) has moved by
    # fewer than k since the last version that showed it.
    load_definition(definition=validate_definition(definition(min_group_size=15)), acting_user=alice)
    compute_results(survey_id=survey.pk)
    ReportSettings.objects.filter(survey=survey).update(breakdowns=[])
    with pytest.raises(PublishRefused, match="could reveal individual answers"):
        publish_report(survey=Survey.objects.get(pk=survey.pk), acting_user=alice)
    assert ReportVersion.objects.filter(survey=survey).count() == 2
