"""URLs by audience: respondents, the console (with its builder), moderators, the public."""

from django.urls import include, path, re_path

from survey.web import accounts, api_keys, audit, builder, console, organisations, partners, public
from survey.web import ledger as ledgers
from survey.web import moderation as moderate
from survey.web import respondent as respond

app_name = "survey"

respondent_urls = [
    path("", respond.intro, name="response-start"),
    path("p/<str:token>/", respond.partner_intro, name="response-partner"),
    path("answer/", respond.answer, name="response-answer"),
    path("thanks/", respond.thanks, name="response-thanks"),
]

STRUCTURE = r"(?P<what>section|question|concern)/(?P<ident>[-\w]+)"
build_urls = [
    path("", builder.build, name="survey-build"),
    path("settings/", builder.build_settings, name="survey-settings"),
    path("section/new/", builder.section_edit, name="section-new"),
    path("section/<int:index>/", builder.section_edit, name="section-edit"),
    path("question/new/", builder.question_edit, name="question-new"),
    path("question/<slug:key>/", builder.question_edit, name="question-edit"),
    path("concern/new/", builder.concern_edit, name="concern-new"),
    path("concern/<slug:key>/", builder.concern_edit, name="concern-edit"),
    re_path(rf"^{STRUCTURE}/move/$", builder.build_move, name="structure-move"),
    re_path(rf"^{STRUCTURE}/remove/$", builder.build_remove, name="structure-remove"),
    path("upload/", builder.definition_upload, name="definition-upload"),
]

partner_urls = [
    path("", partners.partners_page, name="survey-partners"),
    path("start/", partners.partners_start, name="partners-start"),
    path("settings/", partners.partners_settings, name="partners-settings"),
    path("add/", partners.partner_add, name="partner-add"),
    path("remove/", partners.partner_remove, name="partner-remove"),
    path("move/", partners.partner_move, name="partner-move"),
    path("end/", partners.partners_end, name="partners-end"),
]

ledger_urls = [
    path("", ledgers.ledger_page, name="ledger-console"),
    path("new/", ledgers.action_add, name="action-add"),
    path("<uuid:action_id>/", ledgers.action_change, name="action-change"),
    path("<uuid:action_id>/pulse/", ledgers.pulse_new, name="pulse-new"),
    path("help/<slug:concern_key>/", ledgers.help_change, name="help-change"),
]

console_urls = [
    path("", console.results, name="survey-results"),
    path("build/", include(build_urls)),
    path("definition.json", builder.definition_download, name="definition-download"),
    path("status/", builder.survey_status, name="survey-status"),
    path("duplicate/", builder.survey_duplicate, name="survey-duplicate"),
    path("schedule/", builder.survey_schedule, name="survey-schedule"),
    path("preview/", builder.preview, name="survey-preview"),
    path("preview/answer/", builder.preview_answer, name="survey-preview-answer"),
    path("share/", builder.share, name="survey-share"),
    re_path(r"^share/qr\.(?P<fmt>svg|png)$", builder.share_qr, name="survey-qr"),
    path("share/poster/", builder.share_poster, name="survey-poster"),
    path("share/poster.png", builder.share_poster_png, name="survey-poster-png"),
    path("team/", accounts.team_page, name="team"),
    path("partners/", include(partner_urls)),
    path("changes/", audit.audit_list, name="survey-audit"),
    path("team/<int:member_id>/remove/", accounts.member_remove, name="member-remove"),
    path("publish/", console.publish, name="report-publish"),
    path("approve/", console.report_approval, name="report-approval"),
    path("codes/", console.codes, name="codes-generate"),
    re_path(r"^figures\.(?P<fmt>csv|xlsx|json)$", console.results_download, name="results-download"),
    path("report/", console.report_builder, name="report-builder"),
    path("actions/", include(ledger_urls)),
    path("explore/", console.explore, name="survey-explore"),
    path("compare/", console.compare, name="survey-compare"),
    re_path(r"^chart/(?P<what>concern|question)\.svg$", console.chart, name="survey-chart"),
    path("moderation/", console.moderation_settings, name="moderation-settings"),
]

moderation_urls = [
    path("", moderate.queue, name="moderation-queue"),
    path("<uuid:answer_id>/", moderate.queue, name="comment-open"),
    path("<uuid:answer_id>/decide/", moderate.decide, name="comment-decide"),
    path("<uuid:answer_id>/review/", moderate.review, name="comment-review"),
    path("bulk-reject/", moderate.bulk_reject, name="comment-bulk-reject"),
]

DOWNLOAD = r"report\.(?P<fmt>csv|xlsx|json)$"
public_urls = [
    path("", public.report, name="report-detail"),
    path("v<int:number>/", public.report, name="report-version"),
    path("actions/", public.ledger, name="ledger"),
    path("v<int:number>/print.css", public.report_print_css, name="report-print-css"),
    re_path(rf"^{DOWNLOAD}", public.report_download, name="report-download"),
    re_path(rf"^v(?P<number>[0-9]+)/{DOWNLOAD}", public.report_download, name="report-version-download"),
]

urlpatterns = [
    path("", public.home, name="home"),
    path("healthz", public.healthz, name="healthz"),
    path("s/<slug:slug>/", include(respondent_urls)),
    path("console/", console.home, name="console-home"),
    path("console/new/", builder.survey_new, name="survey-new"),
    path("console/keys/", api_keys.api_keys, name="api-keys"),
    path("console/keys/<int:key_id>/revoke/", api_keys.api_key_revoke, name="api-key-revoke"),
    path("console/<slug:slug>/", include(console_urls)),
    path("organisations/<slug:org>/", organisations.organisation_detail, name="organisation-detail"),
    path("moderate/<slug:slug>/", include(moderation_urls)),
    path("r/<slug:slug>/", include(public_urls)),
]
