from django.urls import path, re_path

from survey.views import console, moderate, public, respond

app_name = "survey"

urlpatterns = [
    path("", public.home, name="home"),
    path("s/<slug:slug>/", respond.intro, name="response-start"),
    path("s/<slug:slug>/answer/", respond.answer, name="response-answer"),
    path("s/<slug:slug>/thanks/", respond.thanks, name="response-thanks"),
    path("console/", console.home, name="console-home"),
    path("console/<slug:slug>/", console.results, name="survey-results"),
    path("console/<slug:slug>/publish/", console.publish, name="report-publish"),
    path("console/<slug:slug>/codes/", console.codes, name="codes-generate"),
    path("console/<slug:slug>/report/", console.report_builder, name="report-builder"),
    path("console/<slug:slug>/explore/", console.explore, name="survey-explore"),
    path("console/<slug:slug>/compare/", console.compare, name="survey-compare"),
    re_path(r"^console/(?P<slug>[-\w]+)/chart/(?P<what>concern|question)\.svg$", console.chart, name="survey-chart"),
    path("console/<slug:slug>/report/update/", console.action_update, name="report-update"),
    path("moderate/<slug:slug>/", moderate.queue, name="moderation-queue"),
    path("moderate/<slug:slug>/<uuid:answer_id>/decide/", moderate.decide, name="comment-decide"),
    path("moderate/<slug:slug>/<uuid:answer_id>/review/", moderate.review, name="comment-review"),
    path("moderate/<slug:slug>/bulk-reject/", moderate.bulk_reject, name="comment-bulk-reject"),
    path("console/<slug:slug>/moderation/", console.moderation_settings, name="moderation-settings"),
    path("r/<slug:slug>/", public.report, name="report-detail"),
    path("r/<slug:slug>/v<int:number>/", public.report, name="report-version"),
    re_path(r"^r/(?P<slug>[-\w]+)/report\.(?P<fmt>csv|xlsx|json)$", public.report_download, name="report-download"),
    re_path(
        r"^r/(?P<slug>[-\w]+)/v(?P<number>[0-9]+)/report\.(?P<fmt>csv|xlsx|json)$",
        public.report_download,
        name="report-version-download",
    ),
]
