"""survey.web.errors: the pages for "not found" and "something went wrong".

An address under /api/ that matches nothing answers as the API's other
errors do, a problem document, not an HTML page."""

from django.shortcuts import render

API_PREFIX = "/api/"


def not_found(request, exception=None):
    if request.path.startswith(API_PREFIX):
        from survey.api.problems import problem

        return problem(404, "The API has no such address: see /api/v1/docs for what it offers.")
    return render(request, "404.html", status=404)


def server_error(request):
    return render(request, "500.html", status=500)
