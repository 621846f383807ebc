"""The release history (Release): every set of figures shown, kept with the
document and the day only; what was shown before the history existed is
carried into it by the migration, nothing lost."""

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from survey.figures.audit import releases
from survey.figures.releases import digest
from survey.models import Release

BEFORE, AFTER = ("survey", "0019_respondent_intro"), ("survey", "0020_release_history")


def test_a_release_holds_a_day_never_a_time():
    fields = {f.name: f.get_internal_type() for f in Release._meta.get_fields() if f.concrete}
    assert fields["released_on"] == "DateField"
    assert not [name for name, kind in fields.items() if kind == "DateTimeField"]


def test_the_history_gives_each_document_once(db, survey):
    document = {"survey": survey.slug, "respondents": 40, "concerns": [], "questions": []}
    for audience in (Release.Audience.ORGANISERS, Release.Audience.PUBLIC, Release.Audience.DOWNLOAD):
        Release.objects.create(
            survey=survey,
            audience=audience,
            released_on=timezone.localdate(),
            document=document,
            digest=digest(document),
        )
    assert releases(survey=survey) == [document]


@pytest.mark.django_db(transaction=True)
def test_the_migration_carries_every_earlier_release_into_the_history():
    executor = MigrationExecutor(connection)
    executor.migrate([BEFORE])
    old = executor.loader.project_state([BEFORE]).apps
    survey = old.get_model("survey", "Survey").objects.create(slug="old", title="Old", status="closed")
    user = old.get_model("auth", "User").objects.create(username="olive")
    console = {"survey": "old", "respondents": 50, "concerns": [{"key": "c"}], "questions": []}
    old.get_model("survey", "ResultSet").objects.create(
        survey=survey,
        computed_at=timezone.now(),
        respondents=50,
        released=console,
        released_on=datetime.date(2026, 3, 2),
    )
    for number, respondents in ((1, 40), (2, 50)):
        snapshot = {"results": {"survey": "old", "respondents": respondents, "concerns": []}, "questions": []}
        old.get_model("survey", "ReportVersion").objects.create(
            survey=survey,
            number=number,
            title="Old",
            snapshot=snapshot,
            published_at=timezone.now(),
            published_by=user,
        )
    executor = MigrationExecutor(connection)
    executor.migrate([AFTER])
    new = executor.loader.project_state([AFTER]).apps
    rows = list(new.get_model("survey", "Release").objects.order_by("pk").values("audience", "document", "final"))
    assert [r["audience"] for r in rows] == ["public", "public", "organisers"]
    assert [r["document"]["respondents"] for r in rows] == [40, 50, 50]
    assert rows[2]["document"] == console and rows[2]["final"]  # the survey had closed: its release was final
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
