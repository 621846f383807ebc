"""Attack: flooding while open (issue finding 3, the n-1 attack).

An attacker who knows when a colleague answered, and the colleague's
groups, submits 9 crafted responses right after; the batch of 10 used to
meet the interim release rule (every figure grew by 0 or at least k), so
the console's release, or a second report version published while open,
differed from the one before by the colleague's answers plus the
attacker's own. Now, while a survey is open, every audience sees the
number of respondents only; the figures are released once, at closing, so
there is no pair of releases to subtract.

To see it fail, let ``released_document`` (survey/figures/releases.py)
return the latest computed figures while the survey is open, or let
``publish_report`` publish an open survey.
"""

import json
import re
from io import StringIO

import pytest
from django.core.management import call_command

from survey.figures.aggregate import compute_results
from survey.figures.releases import released_document
from survey.models import Release, ReportVersion
from survey.reports.publishing import PublishRefused, publish_report
from survey.responses.importing import import_responses
from tests.factories import answers, close_and_release, to_csv

BASE = (
    [answers(service="iapt", raised="yes", outcome="not")] * 20
    + [answers(service="iapt")] * 20
    + [answers(service="other", raised="yes", outcome="partly")] * 15
    + [answers(service="other")] * 30
)
COLLEAGUE = answers(service="iapt", raised="yes", outcome="adequately")
CRAFTED = [answers(service="iapt", raised="no")] * 9  # the attacker knows each of these


def add(survey, rows):
    import_responses(survey=survey, text=to_csv(rows))
    compute_results(survey_id=survey.pk)


def console_figures(client) -> list[str]:
    html = client.get("/console/therapy-2026/").content.decode()
    return re.findall(r"\(\d+ of \d+; 95% CI [\d.]+–[\d.]+\)", html)


def everything_shown(survey, client) -> dict:
    """Every figure any audience could take away now: the console, its
    explorer, export_results, and the public report (if any)."""
    out = StringIO()
    call_command("export_results", survey.slug, stdout=out)
    exported = json.loads(out.getvalue())
    return {
        "console": console_figures(client),
        "explore": re.findall(r"\d+ of \d+", client.get("/console/therapy-2026/explore/").content.decode()),
        "export": [exported["concerns"], exported["questions"]],
        "released": [released_document(survey=survey)["concerns"], released_document(survey=survey)["questions"]],
        "reports": ReportVersion.objects.filter(survey=survey).count(),
    }


def test_flooding_while_open_leaves_nothing_to_subtract(survey, alice, organiser):
    add(survey, BASE)
    with pytest.raises(PublishRefused, match="still open"):
        publish_report(survey=survey, acting_user=alice)
    before = everything_shown(survey, organiser)
    add(survey, [COLLEAGUE, *CRAFTED])  # the colleague answers; the attacker floods 9 right after
    with pytest.raises(PublishRefused, match="still open"):
        publish_report(survey=survey, acting_user=alice)
    after = everything_shown(survey, organiser)
    nothing = {"console": [], "explore": [], "export": [[], []], "released": [[], []], "reports": 0}
    assert before == nothing and after == nothing
    assert not Release.objects.filter(survey=survey).exists()  # no figures were shown to anyone

    # At closing the figures are released once: one set, the colleague among 50 in IAPT.
    close_and_release(survey)
    publish_report(survey=survey, acting_user=alice)
    assert everything_shown(survey, organiser)["explore"]  # the explorer shows figures once there are some
    figures = [r.document for r in Release.objects.filter(survey=survey)]
    assert len({json.dumps(d, sort_keys=True) for d in figures}) == 1
    iapt = next(g for g in figures[0]["concerns"][0]["breakdowns"][0]["groups"] if g["value"] == "iapt")
    assert (iapt["raised"]["count"], iapt["raised"]["n"]) == (21, 50)


def test_an_organiser_with_spare_codes_reads_nothing_off_the_console_either(survey, organiser):
    """The same attack without publishing: the console's own release."""
    add(survey, BASE)
    before = console_figures(organiser)
    add(survey, [COLLEAGUE, *CRAFTED])
    assert before == [] and console_figures(organiser) == []
    page = organiser.get("/console/therapy-2026/").content.decode()
    assert "Responses counted so far: 95." in page
