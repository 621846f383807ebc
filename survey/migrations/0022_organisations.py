"""Organisations own surveys. Each existing survey gets an organisation of
its own, named after the survey (or its first organiser when it has no
title), with that first organiser as owner; every per-survey member stays as
they were, so nobody loses or gains access to anything."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def give_each_survey_an_organisation(apps, schema_editor):
    Survey = apps.get_model("survey", "Survey")
    Member = apps.get_model("survey", "Member")
    Organisation = apps.get_model("survey", "Organisation")
    OrganisationMember = apps.get_model("survey", "OrganisationMember")
    AuditEvent = apps.get_model("survey", "AuditEvent")
    # The new columns' indexes are created at the end of this migration, in the
    # same transaction: on PostgreSQL no row written here may leave a deferred
    # foreign-key check pending then ("pending trigger events"), so check now.
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    for survey in Survey.objects.filter(organisation__isnull=True).order_by("pk"):
        first = Member.objects.filter(survey=survey, role="organiser").select_related("user").order_by("pk").first()
        name = survey.title.strip() or (f"{first.user.username}'s organisation" if first else survey.slug)
        organisation = Organisation.objects.create(slug=survey.slug, name=name[:200])
        if first:
            OrganisationMember.objects.create(organisation=organisation, user=first.user, role="owner")
        Survey.objects.filter(pk=survey.pk).update(organisation=organisation)
        AuditEvent.objects.create(
            survey=survey,
            organisation=organisation,
            action="organisation.created",
            detail=f"Organisation {name} made for this survey when surveys came to belong to organisations"
            + (f"\nOwner: {first.user.username}" if first else ""),
        )


class Migration(migrations.Migration):
    dependencies = [
        ("survey", "0021_api"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="Organisation",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("slug", models.SlugField(unique=True)),
                ("name", models.CharField(max_length=200)),
            ],
        ),
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
                    ("api_key.created", "Created a personal API key"),
                    ("api_key.revoked", "Revoked a personal API key"),
                    ("api.write", "Changed the survey through the API"),
                    ("organisation.created", "Created the organisation"),
                    ("organisation.changed", "Changed the organisation"),
                    ("organisation.deleted", "Deleted the organisation"),
                    ("organisation.member_added", "Added someone to the organisation"),
                    ("organisation.member_changed", "Changed someone's role in the organisation"),
                    ("organisation.member_removed", "Removed someone from the organisation"),
                    ("survey.organisation_changed", "Moved the survey to another organisation"),
                ],
                max_length=60,
            ),
        ),
        migrations.AddField(
            model_name="auditevent",
            name="organisation",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="audit",
                to="survey.organisation",
            ),
        ),
        migrations.AddField(
            model_name="survey",
            name="organisation",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="surveys",
                to="survey.organisation",
            ),
        ),
        migrations.CreateModel(
            name="OrganisationMember",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("role", models.CharField(choices=[("owner", "Owner"), ("organiser", "Organiser")], max_length=10)),
                (
                    "organisation",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="members", to="survey.organisation"
                    ),
                ),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="organisation_memberships",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "organisation member",
                "constraints": [
                    models.UniqueConstraint(fields=("organisation", "user"), name="organisation_member_unique")
                ],
            },
        ),
        migrations.RunPython(give_each_survey_an_organisation, migrations.RunPython.noop),
    ]
