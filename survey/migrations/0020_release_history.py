"""Every set of figures shown is a Release: the console's release
(ResultSet.released) and every published version's snapshot are copied
into the history first, then the old fields go (nothing shown is lost)."""

import hashlib
import json

import django.db.models.deletion
from django.db import migrations, models


def _digest(document):
    return hashlib.sha256(json.dumps(document, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def copy_history(apps, schema_editor):
    Release = apps.get_model("survey", "Release")
    ResultSet = apps.get_model("survey", "ResultSet")
    ReportVersion = apps.get_model("survey", "ReportVersion")
    seen = set()
    for version in ReportVersion.objects.order_by("survey_id", "number"):
        document = version.snapshot["results"] | {"questions": version.snapshot.get("questions", [])}
        key = (version.survey_id, "public", _digest(document))
        if key in seen:
            continue
        seen.add(key)
        Release.objects.create(
            survey_id=version.survey_id,
            audience="public",
            released_on=version.published_at.date(),
            document=document,
            digest=key[2],
            report=version,
        )
    for result_set in ResultSet.objects.exclude(released=None).select_related("survey"):
        Release.objects.get_or_create(
            survey_id=result_set.survey_id,
            audience="organisers",
            audience_name="",
            digest=_digest(result_set.released),
            defaults={
                "released_on": result_set.released_on or result_set.computed_at.date(),
                "document": result_set.released,
                # A closed survey's release was of its final figures.
                "final": result_set.survey.status == "closed",
            },
        )


class Migration(migrations.Migration):
    dependencies = [
        ("survey", "0019_respondent_intro"),
    ]

    operations = [
        migrations.AlterField(
            model_name="auditevent",
            name="action",
            field=models.CharField(
                choices=[
                    ("survey.created", "Created the survey"),
                    ("survey.updated", "Changed the survey"),
                    ("survey.open", "Opened the survey"),
                    ("survey.closed", "Closed the survey"),
                    ("survey.draft", "Put the survey back to draft"),
                    ("survey.open_failed", "Could not open the survey at its opening time"),
                    ("survey.scheduled", "Set the opening and closing times"),
                    ("codes.generated", "Printed a batch of invitation codes"),
                    ("responses.imported", "Imported responses from a file"),
                    ("report.settings_changed", "Changed what the next report contains"),
                    ("report.update_added", 'Added a "you said, we did" update'),
                    ("report.published", "Published a report version"),
                    ("figures.released", "Released the final figures"),
                    ("figures.widened", "Hid more figures so that no hidden one could be worked out"),
                    ("figures.refused", "Held figures back: a hidden figure could have been worked out"),
                    ("comment.approved", "Approved a comment as a quote"),
                    ("comment.rejected", "Rejected a comment"),
                    ("comment.flagged", "Flagged a comment for safeguarding"),
                    ("comment.reviewed", "Confirmed another moderator's approval"),
                    ("comment.bulk_rejected", "Rejected every one-word comment"),
                    ("moderation.settings_changed", "Changed the moderation settings"),
                    ("team.invited", "Invited someone to the team"),
                    ("team.reinvited", "Sent a new invitation link"),
                    ("team.removed", "Removed someone from the team"),
                    ("account.two_factor_on", "Turned on two-factor sign-in"),
                    ("account.two_factor_off", "Turned off two-factor sign-in"),
                    ("admin.added", "Added something in the admin"),
                    ("admin.changed", "Changed something in the admin"),
                    ("admin.deleted", "Deleted something in the admin"),
                    ("comments.read", "Read comments in the moderation queue"),
                ],
                max_length=60,
            ),
        ),
        migrations.CreateModel(
            name="Release",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "audience",
                    models.CharField(
                        choices=[
                            ("organisers", "Organisers, in the console"),
                            ("public", "The public report"),
                            ("download", "A download of the public report"),
                            ("command", "A command's output"),
                        ],
                        max_length=20,
                    ),
                ),
                ("audience_name", models.CharField(blank=True, default="", max_length=100)),
                ("released_on", models.DateField()),
                ("document", models.JSONField()),
                ("digest", models.CharField(max_length=64)),
                ("final", models.BooleanField(default=False)),
                (
                    "report",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="survey.reportversion",
                    ),
                ),
                (
                    "survey",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="releases", to="survey.survey"
                    ),
                ),
            ],
            options={
                "ordering": ["pk"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("survey", "audience", "audience_name", "digest"), name="release_once_per_audience"
                    )
                ],
            },
        ),
        migrations.RunPython(copy_history, migrations.RunPython.noop),
        migrations.RemoveField(
            model_name="resultset",
            name="released",
        ),
        migrations.RemoveField(
            model_name="resultset",
            name="released_on",
        ),
        migrations.RemoveField(
            model_name="resultset",
            name="shown",
        ),
    ]
