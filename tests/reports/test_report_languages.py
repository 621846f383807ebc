"""The public report in every language of its survey, with a switch; dates
in words, addresses as links, contents and headlines first; printable."""

import datetime
import re
from html import unescape

import pytest
from django.conf import settings
from django.utils import timezone

from survey.definitions.format import load_definition, validate_definition
from survey.models import LedgerEntry, Member, ReportSettings
from survey.reports.publishing import publish_report
from survey.responses.importing import import_responses
from tests.definitions.test_translations import welsh_definition
from tests.factories import all_welsh_definition, answers, close_and_release, ledger_action, to_csv, varied

NARRATIVE_CY = "Diolch. Ysgrifennwch at help@example.org neu gweler https://example.org/cymorth."


@pytest.fixture
def published(db, django_user_model, django_capture_on_commit_callbacks):
    survey = load_definition(definition=validate_definition(welsh_definition()))
    alice = django_user_model.objects.create_user(username="alice", password="correct horse battery")
    Member.objects.create(survey=survey, user=alice, role=Member.Role.ORGANISER)
    rows = [answers(service="iapt", raised="yes", outcome="adequately")] * 30 + [answers(service="other")] * 30
    import_responses(survey=survey, text=to_csv(rows))
    close_and_release(survey)  # figures are published once the survey has closed
    ReportSettings.objects.create(
        survey=survey,
        narrative="Thank you. Write to help@example.org.",
        translations={"cy": {"narrative": NARRATIVE_CY}},
    )
    ledger_action(
        survey,
        text="We will staff nights.",
        note="Two nurses hired.",
        on=datetime.date(2026, 12, 1),
        translations={"cy": {"text": "Byddwn yn staffio.", "note": "Dwy nyrs."}},
    )
    with django_capture_on_commit_callbacks(execute=True):
        publish_report(survey=survey, acting_user=alice)
    return survey


def test_the_report_is_in_welsh_with_lang_cy(client, published):
    """The finding: ?lang=cy was ignored though respondents answered in Welsh."""
    response = client.get("/r/therapy-2026/?lang=cy")
    html = response.content.decode()
    assert '<html lang="cy">' in html and response["Content-Language"] == "cy"
    assert "Gweithio mewn gwasanaethau iechyd meddwl" in html  # the survey's Welsh title
    assert "Therapïau Siarad (IAPT)" in html  # a choice label in Welsh, in the breakdown
    for words in ("Y prif ganfyddiadau", "Cynnwys", "Camau gweithredu a chynigion o help", "Pob cwestiwn"):
        assert words in html, words
    assert "Byddwn yn staffio." in html and "Dwy nyrs." in html
    assert "Diolch." in html and "Thank you." not in html
    assert "Headlines" not in html and "Every question" not in html


def test_english_by_default_with_a_switch_to_welsh(client, published):
    html = client.get("/r/therapy-2026/").content.decode()
    assert '<html lang="en-gb">' in html and "Headlines" in html and "Thank you." in html
    assert '<a href="/r/therapy-2026/?lang=cy" lang="cy" hreflang="cy">Cymraeg</a>' in html
    welsh = client.get("/r/therapy-2026/?lang=cy").content.decode()
    assert '<a href="/r/therapy-2026/?lang=en" lang="en" hreflang="en">English</a>' in welsh


def test_cached_pages_are_kept_per_language(client, published):
    # Each asked twice, in turn: a page cached under one key for all
    # languages would serve the first language to everyone.
    for _ in range(2):
        assert "Headlines" in client.get("/r/therapy-2026/?lang=en").content.decode()
        assert "Y prif ganfyddiadau" in client.get("/r/therapy-2026/?lang=cy").content.decode()
        assert "Y prif ganfyddiadau" in client.get("/r/therapy-2026/v1/?lang=cy").content.decode()
        assert "Headlines" in client.get("/r/therapy-2026/v1/").content.decode()


def test_a_language_the_survey_lacks_gives_the_default(client, published):
    assert "Headlines" in client.get("/r/therapy-2026/?lang=fr").content.decode()


def test_dates_in_words_and_addresses_as_links(client, published):
    html = client.get("/r/therapy-2026/").content.decode()
    assert '<time datetime="2026-12-01">1 December 2026</time>' in html and "2026-12-01:" not in html
    assert '<a href="mailto:help@example.org"' in html
    welsh = client.get("/r/therapy-2026/?lang=cy").content.decode()
    assert '<time datetime="2026-12-01">1 Rhagfyr 2026</time>' in welsh
    assert '<a href="https://example.org/cymorth"' in welsh


def test_headlines_and_contents_come_before_the_figures(client, published):
    html = client.get("/r/therapy-2026/").content.decode()
    headline = html.index('id="headlines"')
    assert headline < html.index('id="contents-title"') < html.index('id="concern-patient-care"')
    assert (
        '<a href="#concern-patient-care">50 in 100 raised a concern about patient care; '
        "all of them said it was resolved.</a>" in html
    )


def test_print_has_page_numbers_title_version_addresses_and_no_stranded_headings(client, published):
    html = client.get("/r/therapy-2026/?lang=cy").content.decode()
    assert '<link rel="stylesheet" href="/r/therapy-2026/v1/print.css?lang=cy" media="print">' in html
    head = client.get("/r/therapy-2026/v1/print.css?lang=cy")
    assert head["Content-Type"].startswith("text/css")
    assert head.content.decode() == (
        '@page { @top-left { content: "Gweithio mewn gwasanaethau iechyd meddwl · Fersiwn 1"; } }\n'
    )
    css = (settings.BASE_DIR / "survey/static/candour.css").read_text()
    printed = css[css.index("@media print") :]
    for rule in ("counter(page)", "attr(href)", "break-after: avoid"):
        assert rule in printed, rule


def test_a_title_cannot_break_out_of_the_print_stylesheet(client, published):
    published.reports.update(title='Bad"; } body { display: none } x { content: "')
    css = client.get("/r/therapy-2026/v1/print.css").content.decode()
    # One CSS string from the first quote to the last: the title's quotes are escaped.
    assert re.fullmatch(r'@page \{ @top-left \{ content: "[^"]*"; \} \}\n', css), css


def test_an_earlier_snapshot_without_languages_is_shown_in_english(client, published):
    report = published.reports.get()
    snapshot = {k: v for k, v in report.snapshot.items() if k not in ("languages", "texts")}
    published.reports.update(snapshot=snapshot, published_at=timezone.now())
    html = client.get("/r/therapy-2026/v1/?lang=cy").content.decode()
    assert "Thank you." in html and 'hreflang="cy"' not in html


def test_the_narrative_actions_and_updates_are_written_in_welsh_in_the_console(client, published):
    alice = published.members.get(role="organiser").user
    client.force_login(alice)
    page = client.get("/console/therapy-2026/report/").content.decode()
    assert 'name="narrative_cy"' in page and 'lang="cy"' in page
    assert NARRATIVE_CY in page  # the saved Welsh narrative is shown to edit
    data = {"title": "", "title_cy": "Adroddiad", "narrative": "In English.", "narrative_cy": "Yn Gymraeg."}
    assert client.post("/console/therapy-2026/report/", data).status_code == 302
    settings_row = ReportSettings.objects.get(survey=published)
    assert settings_row.translations == {"cy": {"title": "Adroddiad", "narrative": "Yn Gymraeg."}}
    # Actions, updates and help routes are written in Welsh in the ledger.
    ledger_page = client.get("/console/therapy-2026/actions/").content.decode()
    assert 'name="add-text_cy"' in ledger_page and 'name="help-patient-care-text_cy"' in ledger_page
    action = published.actions.get()
    prefix = f"action-{action.pk}"
    assert f'name="{prefix}-note_cy"' in ledger_page and "Byddwn yn staffio." in ledger_page
    change = {"text": "We will staff nights.", "text_cy": "Byddwn yn staffio.", "role": "Director of Nursing"}
    change |= {"status": "done", "note": "Done.", "note_cy": "Wedi'i wneud."}
    response = client.post(
        f"/console/therapy-2026/actions/{action.pk}/", {f"{prefix}-{k}": v for k, v in change.items()}
    )
    assert response.status_code == 302
    written = {"cy": {"text": "Byddwn yn staffio.", "note": "Wedi'i wneud."}}
    assert LedgerEntry.objects.latest("pk").translations == written
    help_data = {"help-patient-care-text": "The Guardian.", "help-patient-care-text_cy": "Y Gwarcheidwad."}
    client.post("/console/therapy-2026/actions/help/patient-care/", help_data)
    assert LedgerEntry.objects.latest("pk").translations == {"cy": {"text": "Y Gwarcheidwad."}}


def test_the_public_ledger_is_in_welsh_with_lang_cy_and_marks_what_is_only_in_english(client, published):
    from survey.reports.ledger import set_help

    alice = published.members.get(role="organiser").user
    set_help(survey=published, acting_user=alice, concern_key="patient-care", text="The Guardian, ftsu@example.org")
    response = client.get("/r/therapy-2026/actions/?lang=cy")
    html = response.content.decode()
    assert '<html lang="cy">' in html and response["Content-Language"] == "cy"
    assert "Byddwn yn staffio." in html and "Dwy nyrs." in html and "We will staff nights." not in html
    assert "Hanes" in html and "Yn atebol:" in html and "History" not in html
    assert '<div lang="en"><p>The Guardian' in html  # written in English only, and marked so
    assert 'href="/r/therapy-2026/actions/?lang=en"' in html
    english = client.get("/r/therapy-2026/actions/").content.decode()
    assert "We will staff nights." in english and "History" in english


@pytest.fixture
def all_welsh(db, django_user_model):
    """Every text of the survey in Welsh, and enough answers for comparisons and notes."""
    survey = load_definition(definition=validate_definition(all_welsh_definition(slug="cymraeg")))
    alice = django_user_model.objects.create_user(username="alice", password="correct horse battery")
    Member.objects.create(survey=survey, user=alice, role=Member.Role.ORGANISER)
    rows = varied("iapt", 30, barriers=True) + varied("other", 30) + varied("bank", 12)
    import_responses(survey=survey, text=to_csv(rows))
    close_and_release(survey)
    publish_report(survey=survey, acting_user=alice)
    return survey


ENGLISH_FIGURE_WORDS = (
    "in 100",
    "raised a concern",
    "of them",
    "said it was resolved",
    "Figures for everyone",
    "All respondents",
    "Shares of the",
    "respondents",
    "How it went",
    "not corrected",
    "significant",
    " against ",
    "Show the",
    "Difference in points",
    "rounded",
    "not tested",
    " test,",
    "Agreeing",
    "Point 4",
)


def _text(html: str) -> str:
    body = html[html.index("<main") :]
    return re.sub(
        r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", re.sub(r"<(script|style).*?</\1>", "", body, flags=re.S)))
    )


def test_every_headline_on_the_welsh_report_is_in_welsh(client, all_welsh):
    """The finding: headlines and the figures' captions were left in English (marked lang="en")."""
    english = client.get("/r/cymraeg/").content.decode()
    welsh = client.get("/r/cymraeg/?lang=cy").content.decode()
    headlines = re.findall(r'<p class="concern-headline lead">(.*?)</p>', welsh)
    assert headlines == [
        "Cododd 50 o bob 100 bryder ynghylch gofal cleifion; dywedodd tua 1 o bob 3 ohonynt ei fod wedi&#x27;i ddatrys."
    ]
    assert re.findall(r'<p class="concern-headline lead">(.*?)</p>', english) == [
        "50 in 100 raised a concern about patient care; about 1 in 3 of them said it was resolved."
    ]
    assert 'href="#concern-patient-care">Cododd 50 o bob 100' in welsh  # the headlines on top too
    text = _text(welsh)
    for words in ENGLISH_FIGURE_WORDS:
        assert words not in text, words
    for words in ("Mae'r ffigurau i bawb o fewn tua", "Cyfrannau o'r 72 o ymatebwyr", "Dangos y cymariaethau (4)"):
        assert words in text, words
    assert "prawf z, p wedi'i gywiro" in text and "llai na 30 o ymatebwyr: heb ei brofi" in text
    assert "am fod pob un wedi'i dalgrynnu ar ei ben ei hun" in text and "Yn cytuno (Pwynt 4, Pwynt 5)" in text
    # Nothing on the page is marked as English but the switch to English itself.
    assert re.findall(r'<[^>]* lang="en"[^>]*>', welsh[welsh.index("<body") :]) == [
        '<a href="/r/cymraeg/?lang=en" lang="en" hreflang="en">'
    ]
    for words in ENGLISH_FIGURE_WORDS[:12]:
        assert words in _text(english) or words in ("of them", "said it was resolved"), words


def test_stored_english_sentences_are_given_in_the_page_language():
    from django.utils import translation

    from survey.figures.words import stored

    lines = {
        "From the exact shares; the rounded figures differ by 0.1.": "gwahaniaethu 0.1.",
        "The shares add to 100.1%, not 100%, because each is rounded on its own.": "adio i 100.1%, nid 100%",
        "fewer than 30 respondents: not tested": "llai na 30 o ymatebwyr: heb ei brofi",
        "Respondents: 60 → 72": "Ymatebwyr: 60 → 72",
        "Patient care, raised: 50.0% of 60 → 50.0% of 72": "Gofal cleifion, wedi codi: 50.0% o 60 → 50.0% o 72",
        "hidden to protect another group": "wedi'i guddio i ddiogelu grŵp arall",
    }
    for english, welsh in lines.items():
        assert stored(english) == english  # English stays as it was
        with translation.override("cy"):
            assert welsh in stored(english, {"Patient care": "Gofal cleifion"}), english
    assert stored("Written by an organiser.") == "Written by an organiser."


def test_texts_the_survey_has_only_in_english_are_marked_english_on_the_welsh_report(client, published):
    welsh = client.get("/r/therapy-2026/?lang=cy").content.decode()
    assert '<h2 class="h3" id="concern-patient-care" lang="en">Patient care</h2>' in welsh  # no Welsh label
    assert '<th scope="row" lang="en">Other NHS</th>' in welsh and '<span lang="en">Other NHS</span>' in welsh
    assert '<th scope="row">Therapïau Siarad (IAPT)</th>' in welsh  # translated: not marked
    assert '<h3 class="h5" id="q-service">Ym mha wasanaeth' in welsh
    assert '<h3 class="h5" id="q-safe" lang="en">I feel safe to speak up.</h3>' in welsh
    english = client.get("/r/therapy-2026/").content.decode()
    assert 'lang="en">' not in english.replace('<html lang="en-gb">', "").replace('lang="en" hreflang', "")
