"""The action ledger: each concern topic's "what we will do", "who can help"
and dated updates move into append-only ledger entries, nothing lost."""

import django.db.models.deletion
import uuid
from django.conf import settings
from datetime import datetime, time
from datetime import timezone as tz

from django.db import migrations, models
from django.utils import timezone


def _at(day):
    return datetime.combine(day, time(0, 0), tzinfo=tz.utc)


_GUARDED = ("survey_ledgerentry", "survey_action")


def refuse_updates(apps, schema_editor):
    """The database itself refuses to rewrite a ledger row (raw SQL included)."""
    vendor = schema_editor.connection.vendor
    for table in _GUARDED:
        if vendor == "postgresql":
            schema_editor.execute(
                f"""CREATE FUNCTION {table}_append_only() RETURNS trigger AS $$
                BEGIN RAISE EXCEPTION 'ledger rows are never rewritten: append a new entry'; END;
                $$ LANGUAGE plpgsql"""
            )
            schema_editor.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE ON {table} "
                f"FOR EACH ROW EXECUTE FUNCTION {table}_append_only()"
            )
        elif vendor == "sqlite":
            schema_editor.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE ON {table} "
                "BEGIN SELECT RAISE(ABORT, 'ledger rows are never rewritten: append a new entry'); END"
            )


def allow_updates(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for table in _GUARDED:
        if vendor == "postgresql":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
            schema_editor.execute(f"DROP FUNCTION IF EXISTS {table}_append_only()")
        elif vendor == "sqlite":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only")


def _languages(translations, old_name, new_name):
    """{"cy": {"commitment": ...}} -> {"cy": {"text": ...}} (languages with a text only)."""
    out = {}
    for code, texts in (translations or {}).items():
        if (texts or {}).get(old_name):
            out[code] = {new_name: texts[old_name]}
    return out


def to_ledger(apps, schema_editor):
    ConcernAction = apps.get_model("survey", "ConcernAction")
    Action = apps.get_model("survey", "Action")
    LedgerEntry = apps.get_model("survey", "LedgerEntry")
    for old in ConcernAction.objects.select_related("concern__survey").order_by("pk"):
        concern, survey = old.concern, old.concern.survey
        updates = list(old.updates.order_by("posted_on", "pk"))
        first = _at(updates[0].posted_on) if updates else timezone.now()
        if old.help.strip():
            LedgerEntry.objects.create(
                survey=survey,
                concern_key=concern.key,
                kind="help",
                text=old.help,
                translations=_languages(old.translations, "help", "text"),
                entered_at=first,
            )
        if not old.commitment.strip() and not updates:
            continue
        action = Action.objects.create(survey=survey, concern_key=concern.key, created_at=first)
        state = {
            "survey": survey,
            "concern_key": concern.key,
            "kind": "action",
            "action": action,
            "text": old.commitment.strip() or f"Actions on {concern.label.lower()}",
            "status": "planned",
        }
        texts = _languages(old.translations, "commitment", "text")
        LedgerEntry.objects.create(entered_at=first, translations=texts, **state)
        for update in updates:
            notes = _languages(update.translations, "text", "note")
            both = {code: {**texts.get(code, {}), **notes.get(code, {})} for code in {*texts, *notes}}
            LedgerEntry.objects.create(entered_at=_at(update.posted_on), note=update.text, translations=both, **state)


def from_ledger(apps, schema_editor):
    Concern = apps.get_model("survey", "Concern")
    ConcernAction = apps.get_model("survey", "ConcernAction")
    ActionUpdate = apps.get_model("survey", "ActionUpdate")
    LedgerEntry = apps.get_model("survey", "LedgerEntry")
    for concern in Concern.objects.all():
        entries = list(
            LedgerEntry.objects.filter(survey_id=concern.survey_id, concern_key=concern.key).order_by(
                "entered_at", "id"
            )
        )
        if not entries:
            continue
        helps = [e for e in entries if e.kind == "help"]
        latest = {}
        for e in entries:
            if e.kind == "action":
                latest[e.action_id] = e
        codes = {code for e in entries for code in (e.translations or {})}
        translations = {}
        for code in codes:
            commitment = "\n\n".join(e.translations.get(code, {}).get("text", "") for e in latest.values()).strip()
            help_text = helps[-1].translations.get(code, {}).get("text", "") if helps else ""
            if commitment or help_text:
                translations[code] = {"commitment": commitment, "help": help_text}
        old = ConcernAction.objects.create(
            concern_id=concern.pk,
            commitment="\n\n".join(e.text for e in latest.values()),
            help=helps[-1].text if helps else "",
            translations=translations,
        )
        for e in entries:
            if e.kind == "action" and e.note:
                notes = {c: {"text": t["note"]} for c, t in (e.translations or {}).items() if t.get("note")}
                ActionUpdate.objects.create(action=old, text=e.note, posted_on=e.entered_at.date(), translations=notes)


class Migration(migrations.Migration):
    dependencies = [
        ("survey", "0022_organisations"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name="auditevent",
            name="action",
            field=models.CharField(
                choices=[('survey.created', 'Created the survey'), ('survey.updated', 'Changed the survey'), ('survey.open', 'Opened the survey'), ('survey.closed', 'Closed the survey'), ('survey.draft', 'Put the survey back to draft'), ('survey.open_failed', 'Could not open the survey at its opening time'), ('survey.scheduled', 'Set the opening and closing times'), ('codes.generated', 'Printed a batch of invitation codes'), ('responses.imported', 'Imported responses from a file'), ('report.settings_changed', 'Changed what the next report contains'), ('report.update_added', 'Added a "you said, we did" update'), ('ledger.action_added', 'Added an action to the ledger'), ('ledger.action_changed', 'Recorded a change to an action'), ('ledger.help_changed', 'Changed "who can help"'), ('pulse.opened', 'Opened a follow-up pulse'), ('report.published', 'Published a report version'), ('figures.released', 'Released the final figures'), ('figures.widened', 'Hid more figures so that no hidden one could be worked out'), ('figures.refused', 'Held figures back: a hidden figure could have been worked out'), ('comment.approved', 'Approved a comment as a quote'), ('comment.rejected', 'Rejected a comment'), ('comment.flagged', 'Flagged a comment for safeguarding'), ('comment.reviewed', "Confirmed another moderator's approval"), ('comment.bulk_rejected', 'Rejected every one-word comment'), ('moderation.settings_changed', 'Changed the moderation settings'), ('team.invited', 'Invited someone to the team'), ('team.reinvited', 'Sent a new invitation link'), ('team.removed', 'Removed someone from the team'), ('account.two_factor_on', 'Turned on two-factor sign-in'), ('account.two_factor_off', 'Turned off two-factor sign-in'), ('admin.added', 'Added something in the admin'), ('admin.changed', 'Changed something in the admin'), ('admin.deleted', 'Deleted something in the admin'), ('comments.read', 'Read comments in the moderation queue'), ('api_key.created', 'Created a personal API key'), ('api_key.revoked', 'Revoked a personal API key'), ('api.write', 'Changed the survey through the API')],
                max_length=60,
            ),
        ),
        migrations.AlterField(
            model_name="survey",
            name="link",
            field=models.CharField(
                blank=True, choices=[("wave", "Next wave"), ("pulse", "Follow-up pulse")], max_length=10
            ),
        ),
        migrations.CreateModel(
            name="Action",
            fields=[
                ("id", models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                ("concern_key", models.SlugField(max_length=80)),
                ("created_at", models.DateTimeField()),
                (
                    "survey",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="actions", to="survey.survey"
                    ),
                ),
            ],
            options={
                "ordering": ["created_at", "id"],
            },
        ),
        migrations.AddField(
            model_name="survey",
            name="pulse_action",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="pulses",
                to="survey.action",
            ),
        ),
        migrations.CreateModel(
            name="LedgerEntry",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("concern_key", models.SlugField(max_length=80)),
                ("kind", models.CharField(choices=[("action", "Action"), ("help", "Who can help")], max_length=10)),
                ("text", models.TextField(blank=True, help_text="What will be done, or who can help (Markdown)")),
                (
                    "role",
                    models.CharField(blank=True, help_text="Who answers for it: a role, not a person", max_length=200),
                ),
                ("due_on", models.DateField(blank=True, null=True)),
                (
                    "status",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("planned", "Planned"),
                            ("in_progress", "In progress"),
                            ("done", "Done"),
                            ("dropped", "Dropped"),
                        ],
                        max_length=12,
                    ),
                ),
                ("note", models.TextField(blank=True, help_text="What happened (Markdown)")),
                ("translations", models.JSONField(blank=True, default=dict)),
                ("entered_at", models.DateTimeField()),
                (
                    "action",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="entries",
                        to="survey.action",
                    ),
                ),
                (
                    "entered_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "survey",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="ledger", to="survey.survey"
                    ),
                ),
            ],
            options={
                "ordering": ["entered_at", "id"],
            },
        ),
        migrations.AddIndex(
            model_name="ledgerentry",
            index=models.Index(fields=["survey", "entered_at"], name="ledger_survey_time"),
        ),
        migrations.AddConstraint(
            model_name="ledgerentry",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("action__isnull", True), ("kind", "help"), ("status", "")),
                    models.Q(("action__isnull", False), ("kind", "action"), models.Q(("status", ""), _negated=True)),
                    _connector="OR",
                ),
                name="ledger_entry_kind_shape",
            ),
        ),
        migrations.RunPython(to_ledger, from_ledger),
        migrations.RunPython(refuse_updates, allow_updates),
        migrations.DeleteModel(
            name="ActionUpdate",
        ),
        migrations.DeleteModel(
            name="ConcernAction",
        ),
    ]
