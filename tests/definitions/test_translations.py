"""Surveys in several languages: definitions, the respondent's choice, and
answers that aggregate together whatever the language they were given in."""

import datetime
import json
import re

import pytest
from django.utils import translation

from survey.definitions.format import (
    DefinitionError,
    builtin_definitions,
    export_definition,
    load_definition,
    parse_definition,
    validate_definition,
)
from survey.figures.releases import released_document
from survey.models import Choice, Question, Survey
from survey.responses.mixing import insert_responses, mix_pending_submissions
from tests.factories import answers, close_and_release, definition, make_survey
from tests.respondent import Walk


def welsh_definition(**changes) -> dict:
    document = definition(**changes)
    document["title"] = {"en": "Working in mental health services", "cy": "Gweithio mewn gwasanaethau iechyd meddwl"}
    service = document["sections"][0]["questions"][0]
    service["text"] = {"en": "Which service do you work in?", "cy": "Ym mha wasanaeth ydych chi'n gweithio?"}
    service["choices"][0]["label"] = {"en": "IAPT", "cy": "Therapïau Siarad (IAPT)"}
    document["sections"][1]["title"] = {"en": "Patient care", "cy": "Gofal cleifion"}
    return document


@pytest.fixture
def welsh_survey(db):
    return load_definition(definition=validate_definition(welsh_definition()))


def test_default_text_goes_to_the_column_and_others_to_translations(welsh_survey):
    question = Question.objects.get(survey=welsh_survey, key="service")
    assert question.text == "Which service do you work in?"
    assert question.translations == {"cy": {"text": "Ym mha wasanaeth ydych chi'n gweithio?"}}
    assert Choice.objects.get(question=question, value="iapt").translations == {
        "cy": {"label": "Therapïau Siarad (IAPT)"}
    }
    assert welsh_survey.title == "Working in mental health services"
    assert set(welsh_survey.translations) == {"cy"}


def test_translations_round_trip_through_export(welsh_survey):
    exported = export_definition(survey=welsh_survey)
    assert exported["title"] == {
        "en": "Working in mental health services",
        "cy": "Gweithio mewn gwasanaethau iechyd meddwl",
    }
    assert exported["sections"][0]["questions"][0]["choices"][1]["label"] == "Other NHS"  # plain stays plain
    again = load_definition(definition=validate_definition(json.loads(json.dumps(exported))))
    assert export_definition(survey=again) == exported


def test_builtin_survey_ships_in_english_and_welsh_and_round_trips(db):
    survey = load_definition(definition=parse_definition(builtin_definitions()["raising-concerns"].read_text()))
    assert survey.translations.keys() == {"cy"}
    shipped = parse_definition(builtin_definitions()["raising-concerns"].read_text())
    assert validate_definition(export_definition(survey=survey)) == shipped  # translations compared too


@pytest.mark.parametrize(
    ("change", "path", "message"),
    [
        (lambda d: d.update(title={"cy": "Teitl"}), "", 'title: the text in the default language "en" is required'),
        (
            lambda d: d["sections"][0]["questions"][0].update(text={"en": "Service?", "fr": "Service ?"}),
            "sections[0].questions[0]",
            'text: unknown language "fr"',
        ),
        (
            lambda d: d["sections"][0].update(translations={"cy": {"title": "x"}}),
            "sections[0]",
            'unknown field "translations"',
        ),
        (lambda d: d.update(title={"en": "", "cy": "Teitl"}), "title", "at least 1 character"),
    ],
)
def test_bad_translations_are_refused_with_their_path(db, change, path, message):
    document = definition()
    change(document)
    with pytest.raises(DefinitionError) as error:
        validate_definition(document)
    assert error.value.path == path
    assert message in error.value.message


def test_rewording_a_translation_is_allowed_after_responses(welsh_survey):
    insert_responses(survey_id=welsh_survey.pk, submissions=[(answers(), datetime.date.today())])
    document = welsh_definition()
    document["title"]["cy"] = "Gweithio ym maes iechyd meddwl"
    load_definition(definition=validate_definition(document))
    assert Survey.objects.get(pk=welsh_survey.pk).translations["cy"]["title"] == "Gweithio ym maes iechyd meddwl"


def test_respondent_chooses_welsh_and_the_choice_is_carried_to_the_end(welsh_survey, client):
    intro = client.get("/s/therapy-2026/?lang=cy")
    html = intro.content.decode()
    assert '<html lang="cy">' in html
    assert "Gweithio mewn gwasanaethau iechyd meddwl" in html
    assert "Dechrau&#x27;r arolwg" in html or "Dechrau'r arolwg" in html
    assert 'href="?lang=en"' in html and 'aria-current="page" lang="cy">Cymraeg' in html
    assert set(intro.cookies) <= {"csrftoken"}  # no language cookie, no session
    walk = Walk("therapy-2026", client=client)
    walk.post({"action": "start", "lang": "cy"})
    assert "Ym mha wasanaeth ydych chi&#x27;n gweithio?" in walk.html
    assert "Therapïau Siarad (IAPT)" in walk.html and "Other NHS" in walk.html  # untranslated falls back
    assert "Cynnydd: cam 1 o" in walk.html
    walk.next()  # nothing chosen: the error is in Welsh too
    assert "Atebwch y cwestiwn hwn" in walk.html
    walk.next(service="iapt")
    assert "Gofal cleifion" in walk.html
    assert re.search(r'value="yes"[^>]*>\s*<label[^>]*>\s*Ie\s*</label>', walk.html)  # built-in yes/no in Welsh
    walk.next(raised_patient_care="no")
    walk.next()
    walk.next(safe="4")
    assert "Gwirio eich atebion" in walk.html
    walk.submit()
    assert walk.response.status_code == 302
    assert walk.response["Location"] == "/s/therapy-2026/thanks/?lang=cy"
    thanks = client.get(walk.response["Location"]).content.decode()
    assert "Diolch" in thanks and '<html lang="cy">' in thanks


def test_language_follows_the_browser_only_where_the_survey_has_it(welsh_survey, client):
    assert "Dechrau" in client.get("/s/therapy-2026/", HTTP_ACCEPT_LANGUAGE="cy").content.decode()
    make_survey(slug="english-only")
    other = client.get("/s/english-only/?lang=cy", HTTP_ACCEPT_LANGUAGE="cy").content.decode()
    assert '<html lang="en-gb">' in other and "Start the survey" in other and "Cymraeg" not in other


def test_staff_pages_stay_in_english_and_nothing_leaks_between_requests(welsh_survey, client):
    client.get("/s/therapy-2026/?lang=cy")
    login = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="cy").content.decode()
    assert '<html lang="en-gb">' in login and "Skip to content" in login
    assert translation.get_language() == "en-gb"


def test_answers_in_welsh_and_english_aggregate_together(welsh_survey):
    Survey.objects.filter(pk=welsh_survey.pk).update(min_group_size=5)
    for language, raised in [("cy", "yes")] * 4 + [("cy", "no")] * 3 + [("en", "yes")] * 4 + [("en", "no")] * 3:
        walk = Walk("therapy-2026")
        walk.post({"action": "start", "lang": language})
        assert ("Ym mha wasanaeth" in walk.html) == (language == "cy")
        walk.next(service="iapt")
        walk.next(raised_patient_care=raised)
        walk.next(outcome_patient_care="partly") if raised == "yes" else walk.next()
        walk.next(safe="3")
        walk.submit()
        assert walk.response.status_code == 302
    mix_pending_submissions(force=True)
    close_and_release(welsh_survey)
    raised = released_document(survey=welsh_survey)["concerns"][0]["raised"]
    assert (raised["count"], raised["n"]) == (8, 14)
    service = Question.objects.get(survey=welsh_survey, key="service")
    assert service.answers.filter(choice__value="iapt").count() == 14


def _catalogue() -> dict[str, str]:
    """msgid -> msgstr of the Welsh .po file (header left out)."""
    import ast
    from pathlib import Path

    from django.conf import settings

    text = (Path(settings.BASE_DIR) / "locale/cy/LC_MESSAGES/django.po").read_text()
    assert "#, fuzzy" not in text
    pairs = {}
    for block in text.split("\n\n")[1:]:
        ids, strs = re.search(r'^msgid ((?:".*"\n)+)msgstr ((?:".*"\n)+)', block.strip() + "\n", re.M).groups()
        msgid, msgstr = ("".join(map(ast.literal_eval, part.splitlines())) for part in (ids, strs))
        pairs[msgid] = msgstr
    return pairs


def test_welsh_catalogue_is_complete_and_the_committed_mo_matches_it():
    pairs = _catalogue()
    assert len(pairs) > 50 and all(pairs.values()), [k for k, v in pairs.items() if not v]
    with translation.override("cy"):
        stale = {msgid for msgid, msgstr in pairs.items() if translation.gettext(msgid) != msgstr}
    assert not stale, f"compile locale/cy (msgfmt) again: {sorted(stale)[:3]}"
