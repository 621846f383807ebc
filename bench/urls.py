"""Baselines measured beside the real views, under the same server and settings."""

import json
import secrets

from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import include, path
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from survey.models import PendingSubmission, Survey
from survey.responses.pending import seal


@csrf_exempt
def bare_submit(request):
    """Insert the same payload as one row, with nothing else around it."""
    survey_id = Survey.objects.values_list("pk", flat=True).get(slug=request.POST["slug"])
    PendingSubmission.objects.create(
        survey_id=survey_id,
        payload=seal(json.loads(request.POST["answers"]), secrets.token_hex(32)),
        nonce_hash=secrets.token_hex(32),
        submitted_on=timezone.localdate(),
    )
    return HttpResponseRedirect("/done/")


def static_page(request):
    return render(request, "bench_static.html")


urlpatterns = [
    path("bench/bare-submit/", bare_submit),
    path("bench/static/", static_page),
    path("", include("config.urls")),
]
