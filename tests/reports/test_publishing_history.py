"""A new version is checked against every published version, not only the
last. Figures are published once the survey has closed, so every version
shows the same final figures: a figure left out of version 2 comes back in
version 3 with the value it had in version 1, and nothing can be
subtracted between them. Publishing while open is refused."""

import pytest

from survey.figures.aggregate import compute_results
from survey.models import ReportSettings, ReportVersion, Survey
from survey.reports.publishing import PublishRefused, publish_report
from survey.responses.importing import import_responses
from tests.factories import answers, close_and_release, to_csv, varied


def group_bases(report: ReportVersion) -> dict[str, int]:
    concern = report.snapshot["results"]["concerns"][0]
    return {g["value"]: g["raised"]["n"] for b in concern["breakdowns"] for g in b["groups"] if not g.get("suppressed")}


def test_a_figure_left_out_of_the_last_version_is_compared_with_the_one_before(survey, alice):
    import_responses(survey=survey, text=to_csv(varied("iapt", 20) + varied("other", 20)))
    import_responses(survey=survey, text=to_csv([answers(service="other", safe=str(1 + i % 5)) for i in range(10)]))
    compute_results(survey_id=survey.pk)
    with pytest.raises(PublishRefused, match="still open"):
        publish_report(survey=survey, acting_user=alice)
    close_and_release(survey)
    first = publish_report(survey=Survey.objects.get(pk=survey.pk), acting_user=alice)
    assert group_bases(first) == {"iapt": 20, "other": 30}
    ReportSettings.objects.create(survey=survey, breakdowns=["not-a-breakdown"])
    second = publish_report(survey=Survey.objects.get(pk=survey.pk), acting_user=alice)
    assert second.snapshot["results"]["respondents"] == 50 and group_bases(second) == {}
    ReportSettings.objects.filter(survey=survey).update(breakdowns=[])
    third = publish_report(survey=Survey.objects.get(pk=survey.pk), acting_user=alice)
    assert group_bases(third) == group_bases(first)
    assert ReportVersion.objects.filter(survey=survey).count() == 3
