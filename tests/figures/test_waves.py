"""Waves: a survey linked as the next wave of an earlier one shows the trend
across waves, with a test of each change, on the console and the report."""

import pytest
from scipy import stats as sp

from survey.definitions.format import DefinitionError, export_definition, load_definition, validate_definition
from survey.figures.comparisons import trend
from survey.figures.stats import holm_adjust, proportion
from survey.models import Member, Survey
from survey.reports.publishing import publish_report
from survey.responses.importing import import_responses
from tests.factories import answers, close_and_release, definition, to_csv


def wave(slug, raised_yes, *, follows=None, title=None):
    document = definition(slug=slug, title=title or slug)
    if follows:
        document["next_wave_of"] = follows
    survey = load_definition(definition=validate_definition(document))
    rows = [answers(service="iapt", raised="yes", outcome="adequately")] * (raised_yes // 2)
    rows += [answers(service="other", raised="yes", outcome="not")] * (raised_yes - raised_yes // 2)
    rows += [answers(service="iapt")] * ((100 - raised_yes) // 2) + [answers(service="other")] * (
        100 - raised_yes - (100 - raised_yes) // 2
    )
    import_responses(survey=survey, text=to_csv(rows))
    close_and_release(survey)  # a wave's figures are released when it closes
    return survey


@pytest.fixture
def waves(db, alice):
    first = wave("therapy-2025", 30, title="2025")
    Member.objects.create(survey=first, user=alice, role=Member.Role.ORGANISER)
    publish_report(survey=first, acting_user=alice)
    second = wave("therapy-2027", 45, follows="therapy-2025", title="2027")
    Member.objects.create(survey=second, user=alice, role=Member.Role.ORGANISER)
    return first, second


def test_the_link_round_trips_and_is_checked(waves):
    first, second = waves
    assert export_definition(survey=second)["next_wave_of"] == "therapy-2025"
    assert "next_wave_of" not in export_definition(survey=first)
    # A wave of one of its own later waves: refused, nothing changes.
    document = export_definition(survey=first) | {"next_wave_of": "therapy-2027"}
    with pytest.raises(DefinitionError, match="cannot be a wave of itself") as refused:
        load_definition(definition=validate_definition(document))
    assert refused.value.path == "next_wave_of"
    assert Survey.objects.get(pk=first.pk).linked_survey is None
    with pytest.raises(DefinitionError, match='there is no survey "nowhere"'):
        load_definition(definition=validate_definition(definition(slug="x", next_wave_of="nowhere")))
    other = definition(slug="y", next_wave_of="therapy-2025")
    other["concerns"][0]["key"] = "working-conditions"
    with pytest.raises(DefinitionError, match="does not have the same concern topics"):
        load_definition(definition=validate_definition(other))


def test_trend_and_test_of_change_match_scipy():
    one = {
        "min_group_size": 10,
        "concerns": [{"key": "c", "label": "C", "raised": proportion(300, 1000), "resolved": proportion(60, 300)}],
    }
    two = {
        "min_group_size": 10,
        "concerns": [{"key": "c", "label": "C", "raised": proportion(380, 1000), "resolved": proportion(95, 380)}],
    }
    three = {
        "min_group_size": 10,
        "concerns": [{"key": "c", "label": "C", "raised": proportion(400, 1100), "resolved": {"suppressed": True}}],
    }
    rows = trend([("2024", one), ("2025", two), ("2026", three)])
    raised, resolved = rows
    assert [p["pct"] for p in raised["points"]] == [30.0, 38.0, 36.4]
    assert [(c["from"], c["to"]) for c in raised["changes"]] == [("2024", "2025"), ("2025", "2026")]
    first = raised["changes"][0]
    _, p, _, _ = sp.chi2_contingency([[380, 620], [300, 700]], correction=False)
    assert first["difference"] == 8.0 and first["p_value"] == pytest.approx(p, rel=1e-9)
    # One family per concern: three changes (the 2026 resolved figure is hidden, so resolved has one).
    family = raised["changes"] + resolved["changes"]
    assert len(family) == 3 and {c["family_size"] for c in family} == {3}
    assert [c["p_adjusted"] for c in family] == pytest.approx(holm_adjust([c["p_value"] for c in family]))
    assert trend([("2026", three)]) == []


def test_console_and_report_show_the_trend(waves, client, alice):
    first, second = waves
    client.force_login(alice)
    page = client.get("/console/therapy-2027/").content.decode()
    assert "Across waves" in page and "2025 → 2027: 15.0" in page and "share many of the same people" in page
    report = publish_report(survey=second, acting_user=alice)
    (raised, _) = report.snapshot["trend"]
    assert [p["pct"] for p in raised["points"]] == [30.0, 45.0]
    public = client.get("/r/therapy-2027/").content.decode()
    assert "Across waves" in public and "2025 → 2027: 15.0" in public
    # The compare page opens on the linked earlier wave.
    compare = client.get("/console/therapy-2027/compare/").content.decode()
    assert 'value="therapy-2025" selected' in compare


def test_an_unpublished_earlier_wave_shows_nothing(db, alice):
    first = wave("therapy-2025", 30)
    second = wave("therapy-2027", 45, follows="therapy-2025")
    Member.objects.create(survey=second, user=alice, role=Member.Role.ORGANISER)
    report = publish_report(survey=second, acting_user=alice)
    assert report.snapshot["trend"] == [] and first.reports.count() == 0
