from django.contrib import admin

from survey.models import Answer, Member, PendingSubmission, Response, Survey


def test_admin_offers_no_way_to_browse_answers():
    for model in (Response, Answer, PendingSubmission):
        assert model not in admin.site._registry


def test_admin_can_add_a_member_to_a_survey(client, survey, django_user_model):
    root = django_user_model.objects.create_superuser("root", password="pw-root-123456")
    dana = django_user_model.objects.create_user("dana")
    client.force_login(root)
    url = f"/admin/survey/survey/{survey.pk}/change/"
    assert client.get(url).status_code == 200
    data = {
        "title": survey.title,
        "status": "open",
        "min_group_size": 10,
        "members-TOTAL_FORMS": 1,
        "members-INITIAL_FORMS": 0,
        "members-0-user": dana.pk,
        "members-0-role": "organiser",
    }
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Member.objects.filter(survey=survey, user=dana, role="organiser").exists()


def test_every_admin_change_is_audited(client, survey, django_user_model):
    from survey.admin import AuditedAdmin
    from survey.models import AuditEvent

    assert all(isinstance(a, AuditedAdmin) for a in admin.site._registry.values())
    root = django_user_model.objects.create_superuser("root", password="pw-root-123456")
    dana = django_user_model.objects.create_user("dana")
    client.force_login(root)
    data = {
        "title": survey.title,
        "min_group_size": 12,
        "members-TOTAL_FORMS": 1,
        "members-INITIAL_FORMS": 0,
        "members-0-user": dana.pk,
        "members-0-role": "organiser",
    }
    assert client.post(f"/admin/survey/survey/{survey.pk}/change/", data).status_code == 302
    event = AuditEvent.objects.get(survey=survey, action=AuditEvent.Action.ADMIN_CHANGED)
    assert event.user == root
    for changed in ("Min group size", "member"):  # the status is read-only in the admin
        assert changed.lower() in event.detail.lower(), event.detail

    # Accounts too (no survey), and deletions.
    user_url = f"/admin/auth/user/{dana.pk}/delete/"
    assert client.post(user_url, {"post": "yes"}).status_code == 302
    deleted = AuditEvent.objects.get(action=AuditEvent.Action.ADMIN_DELETED)
    assert deleted.user == root and deleted.survey is None and "dana" in deleted.detail
    # A survey cannot be deleted in the admin: its audit events cannot be.
    assert client.post(f"/admin/survey/survey/{survey.pk}/delete/", {"post": "yes"}).status_code == 200
    assert Survey.objects.filter(pk=survey.pk).exists()
