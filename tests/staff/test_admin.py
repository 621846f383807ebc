from django.contrib import admin

from survey.models import Answer, Member, PendingSubmission, Response


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
