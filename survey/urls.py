from django.urls import path

from survey.views import console, public, respond

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
    path("r/<slug:slug>/", public.report, name="report-detail"),
    path("r/<slug:slug>/v<int:number>/", public.report, name="report-version"),
    path("r/<slug:slug>/report.csv", public.report_csv, name="report-csv"),
]
