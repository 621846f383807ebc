import json
from pathlib import Path

from bench.detector import evaluate
from survey.moderation.detector import detect, suggest_redaction

ROOT = Path(__file__).resolve().parents[2]


def kinds(text, terms=()):
    return {text[s.start : s.end]: s.kind for s in detect(text, list(terms))}


def test_each_kind_is_found():
    found = kinds(
        "Dr Okafor on Ward 7 at Northgate Hospital, 943 476 5919, SW1A 1AA, 07700 900123, a@example.org, 3rd March",
    )
    assert found == {
        "Dr Okafor": "PERSON",
        "Ward 7": "PLACE",
        "Northgate Hospital": "PLACE",
        "943 476 5919": "NHS_NUMBER",
        "SW1A 1AA": "POSTCODE",
        "07700 900123": "PHONE",
        "a@example.org": "EMAIL",
        "3rd March": "DATE",
    }


def test_survey_terms_are_found_in_any_case():
    assert kinds("we were moved to harbour house again", ["Harbour House"]) == {"harbour house": "PLACE"}


def test_ordinary_words_and_numbers_are_left_alone():
    assert kinds("I will mark it. We had 12 patients, 3 nurses, band 5 pay, and I hope HR acts by Monday.") == {}


def test_redaction_suggestion_replaces_every_span():
    text = "Sister Jones emailed jo@example.org"
    assert suggest_redaction(text, detect(text)) == "[name] emailed [email]"


def test_recall_and_precision_on_the_labelled_comments():
    data = json.loads((ROOT / "tests" / "data" / "moderation_comments.json").read_text())
    assert len(data) >= 100
    result = evaluate(data)
    assert result["recall"] >= 0.9, result["missed"]
    assert result["precision"] >= 0.9, result["spurious"]
