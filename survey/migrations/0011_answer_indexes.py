# The answer table keeps only the indexes it needs: every answer written
# updates each of them (issue 7: writes into 30 million rows).
import django.db.models.deletion
from django.db import migrations, models

# Django's name for the foreign key's own index on question_id (the same on
# every backend). Dropping it by SQL keeps the foreign key constraint as it
# is: AlterField would drop and re-add it, checking every answer again.
QUESTION_INDEX = "survey_answer_question_id_1e622dbb"


class Migration(migrations.Migration):
    dependencies = [
        ("survey", "0010_tally_definition_version"),
    ]

    operations = [
        # The same as the foreign key's own index on response_id.
        migrations.RemoveIndex(model_name="answer", name="answer_response"),
        # (question, response, choice) leads with question_id.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="answer",
                    name="question",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="answers",
                        to="survey.question",
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    f'DROP INDEX IF EXISTS "{QUESTION_INDEX}"',
                    reverse_sql=f'CREATE INDEX "{QUESTION_INDEX}" ON "survey_answer" ("question_id")',
                ),
            ],
        ),
    ]
