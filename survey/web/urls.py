"""survey.web.urls."""

from django.urls import path, re_path

from survey.web import accounts, builder, console, public
from survey.web import moderation as moderate
from survey.web import respondent as respond

app_name = "survey"

urlpatterns = [
    path("", public.home, name="home"),
    path("healthz", public.healthz, name="healthz"),
    path("s/<slug:slug>/", respond.intro, name="response-start"),
    path("s/<slug:slug>/answer/", respond.answer, name="response-answer"),
    path("s/<slug:slug>/thanks/", respond.thanks, name="response-thanks"),
    path("console/", console.home, name="console-home"),
    path("console/new/", builder.survey_new, name="survey-new"),
    path("console/<slug:slug>/build/", builder.build, name="survey-build"),
    path("console/<slug:slug>/build/settings/", builder.build_settings, name="survey-settings"),
    path("console/<slug:slug>/build/section/new/", builder.section_edit, name="section-new"),
    path("console/<slug:slug>/build/section/<int:index>/", builder.section_edit, name="section-edit"),
    path("console/<slug:slug>/build/question/new/", builder.question_edit, name="question-new"),
    path("console/<slug:slug>/build/question/<slug:key>/", builder.question_edit, name="question-edit"),
    path("console/<slug:slug>/build/concern/new/", builder.concern_edit, name="concern-new"),
    path("console/<slug:slug>/build/concern/<slug:key>/", builder.concern_edit, name="concern-edit"),
    re_path(
        r"^console/(?P<slug>[-\w]+)/build/(?P<what>section|question|concern)/(?P<ident>[-\w]+)/move/$",
        builder.build_move,
        name="structure-move",
    ),
    re_path(
        r"^console/(?P<slug>[-\w]+)/build/(?P<what>section|question|concern)/(?P<ident>[-\w]+)/remove/$",
        builder.build_remove,
        name="structure-remove",
    ),
    path("console/<slug:slug>/build/upload/", builder.definition_upload, name="definition-upload"),
    path("console/<slug:slug>/definition.json", builder.definition_download, name="definition-download"),
    path("console/<slug:slug>/status/", builder.survey_status, name="survey-status"),
    path("console/<slug:slug>/schedule/", builder.survey_schedule, name="survey-schedule"),
    path("console/<slug:slug>/preview/", builder.preview, name="survey-preview"),
    path("console/<slug:slug>/preview/answer/", builder.preview_answer, name="survey-preview-answer"),
    path("console/<slug:slug>/share/", builder.share, name="survey-share"),
    re_path(r"^console/(?P<slug>[-\w]+)/share/qr\.(?P<fmt>svg|png)$", builder.share_qr, name="survey-qr"),
    path("console/<slug:slug>/team/", accounts.team_page, name="team"),
    path("console/<slug:slug>/team/<int:member_id>/remove/", accounts.member_remove, name="member-remove"),
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
