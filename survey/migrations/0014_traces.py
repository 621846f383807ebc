"""Burned invitation codes leave no row; waiting submissions are sealed.

Comments: released to the moderation queue in batches (ModerationBatch);
those there already form one batch per survey.
Codes: the count ever issued moves to Survey.codes_issued, used codes are
deleted, the hash becomes the key (no sequential id). Waiting submissions:
answers are sealed with the pending key, with a per-row nonce hash.
"""

import secrets
import uuid

import django.db.models.deletion
from django.db import migrations, models


def forward(apps, schema_editor):
    from survey.responses.pending import seal

    Survey = apps.get_model("survey", "Survey")
    InvitationCode = apps.get_model("survey", "InvitationCode")
    PendingSubmission = apps.get_model("survey", "PendingSubmission")
    for survey in Survey.objects.all():
        Survey.objects.filter(pk=survey.pk).update(codes_issued=InvitationCode.objects.filter(survey=survey).count())
    InvitationCode.objects.filter(used=True).delete()
    for row in PendingSubmission.objects.all():
        # A replay of a form sent before this migration is not caught: its token was spent then.
        token = secrets.token_hex(32)
        PendingSubmission.objects.filter(pk=row.pk).update(payload=seal(row.answers, token), nonce_hash=token)


def release_decided(apps, schema_editor):
    """Comments already in the queue (or decided) stay released: one batch per survey."""
    Answer = apps.get_model("survey", "Answer")
    ModerationBatch = apps.get_model("survey", "ModerationBatch")
    from django.utils import timezone

    shown = Answer.objects.filter(question__kind="free_text").exclude(text="")
    for survey_id in set(shown.values_list("question__survey_id", flat=True)):
        batch = ModerationBatch.objects.create(survey_id=survey_id, released_on=timezone.localdate())
        batch.answers.set(shown.filter(question__survey_id=survey_id))


class Migration(migrations.Migration):
    dependencies = [("survey", "0013_audit_more")]

    operations = [
        migrations.AddField("survey", "codes_issued", models.PositiveIntegerField(default=0)),
        migrations.AddField("pendingsubmission", "payload", models.TextField(default="")),
        migrations.AddField("pendingsubmission", "nonce_hash", models.CharField(max_length=64, null=True)),
        migrations.RunPython(forward, migrations.RunPython.noop),
        migrations.RemoveField("pendingsubmission", "answers"),
        migrations.AlterField("pendingsubmission", "payload", models.TextField()),
        migrations.AlterField("pendingsubmission", "nonce_hash", models.CharField(max_length=64, unique=True)),
        migrations.RemoveField("invitationcode", "used"),
        migrations.RemoveField("invitationcode", "id"),
        migrations.AlterField(
            "invitationcode", "code_hash", models.CharField(max_length=64, primary_key=True, serialize=False)
        ),
        migrations.CreateModel(
            name="ModerationBatch",
            fields=[
                ("id", models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                ("released_on", models.DateField()),
                ("answers", models.ManyToManyField(related_name="moderation_batches", to="survey.answer")),
                (
                    "survey",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="moderation_batches",
                        to="survey.survey",
                    ),
                ),
            ],
        ),
        migrations.RunPython(release_decided, migrations.RunPython.noop),
    ]
