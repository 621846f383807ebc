"""k may never be lowered once anyone has answered: a floor set at the first
submission, enforced by the database (issue finding 5)."""

from django.db import migrations, models
from django.db.models import Exists, F, OuterRef, Q


def hold_answered_surveys(apps, schema_editor):
    Survey = apps.get_model("survey", "Survey")
    Response = apps.get_model("survey", "Response")
    PendingSubmission = apps.get_model("survey", "PendingSubmission")
    Survey.objects.filter(
        Q(Exists(Response.objects.filter(survey=OuterRef("pk"))))
        | Q(Exists(PendingSubmission.objects.filter(survey=OuterRef("pk"))))
    ).update(min_group_size_floor=F("min_group_size"))


class Migration(migrations.Migration):
    dependencies = [
        ("survey", "0014_traces"),
    ]

    operations = [
        migrations.AddField(
            model_name="survey",
            name="min_group_size_floor",
            field=models.PositiveSmallIntegerField(default=5, editable=False),
        ),
        migrations.AddField(
            model_name="result",
            name="reason",
            field=models.CharField(blank=True, default="", max_length=60),
        ),
        migrations.RunPython(hold_answered_surveys, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="survey",
            constraint=models.CheckConstraint(
                condition=models.Q(("min_group_size__gte", models.F("min_group_size_floor"))),
                name="min_group_size_not_below_floor",
            ),
        ),
    ]
