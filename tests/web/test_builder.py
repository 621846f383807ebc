"""The builder in plain words, the share kit, code counts and charts."""

import re
from xml.etree import ElementTree

import pytest
from django.urls import reverse
from django.utils import timezone

from survey.definitions import editing
from survey.definitions.format import export_definition
from survey.models import AuditEvent, Member, Response, Survey
from survey.responses.mixing import insert_responses
from survey.web import charts
from survey.web.forms import KEY_LENGTH, short_key
from tests.factories import answers

SLUG = "therapy-2026"


def url(name, **kwargs):
    return reverse(f"survey:{name}", kwargs={"slug": SLUG, **kwargs})


def question_data(**extra):
    data = {"kind": "single_choice", "required": "on", "choices-TOTAL_FORMS": "3", "choices-INITIAL_FORMS": "0"}
    return {**data, **extra}


# --- Short names ---------------------------------------------------------------


def test_short_names_come_from_the_first_words_that_matter_and_are_unique():
    text = "On your last night shift, did you raise a concern about staffing levels on the ward?"
    assert short_key(text) == "last_night_shift_raise_concern"
    assert len(short_key(text)) <= KEY_LENGTH
    assert short_key(text, taken={"last_night_shift_raise_concern"}) == "last_night_shift_raise_conce_2"
    assert short_key("Who?") == "who"
    assert short_key("Dyma gwestiwn hir iawn yn Gymraeg am bryderon") == "dyma_gwestiwn_hir_iawn_yn"


def test_a_question_added_without_a_short_name_gets_one_of_at_most_30_characters(organiser, survey):
    text = "On your last night shift, did you raise a concern about staffing levels on the ward?"
    data = question_data(text=text, **{"choices-0-label": "Yes, to my manager", "choices-1-label": "No"})
    assert organiser.post(url("question-new") + "?section=1", data).status_code == 302
    keys = [q["key"] for s in export_definition(survey=survey)["sections"] for q in s["questions"]]
    assert "last_night_shift_raise_concern" in keys
    question = survey.questions.get(key="last_night_shift_raise_concern")
    assert [c.value for c in question.choices.all()] == ["yes_my_manager", "no"]


def test_short_name_can_change_until_the_first_answer(organiser, survey):
    form = organiser.get(url("question-edit", key="service")).context["form"]
    assert not form.fields["key"].disabled
    insert_responses(survey_id=survey.pk, submissions=[(answers(), timezone.localdate())])
    form = organiser.get(url("question-edit", key="service")).context["form"]
    assert form.fields["key"].disabled


# --- Sentences, not keys -------------------------------------------------------


def test_build_page_says_who_is_asked_and_what_a_topic_counts_in_sentences(organiser, survey):
    html = organiser.get(url("survey-build")).content.decode()
    assert "Asked of those who answered “Yes” to “In the last 12 months, have you raised a concern about pati…”" in html
    assert "asked if" not in html and "raised_patient_care" not in re.sub(r'(href|action|id)="[^"]*"', "", html)
    assert "Resolved: those who then answered “Yes, adequately”" in html


def test_section_and_question_buttons_are_named_in_words(organiser, survey):
    html = organiser.get(url("survey-build")).content.decode()
    assert '<span class="visually-hidden"> section “About your work”</span>' in html
    assert "{&#x27;en&#x27;" not in html and "{'en'" not in html
    assert '<span class="visually-hidden"> question “Which service do you work in?”</span>' in html


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        (
            {
                "text": "Which team?",
                "kind": "multiple_choice",
                "breakdown": "on",
                "choices-0-label": "A",
                "choices-1-label": "B",
            },
            "breakdown",
            "only a single-choice question can be a breakdown",
        ),
        ({"text": "Which team?", "key": "service", "choices-0-label": "A"}, "key", None),
    ],
)
def test_console_messages_name_no_kind_code_or_key(organiser, survey, data, field, message):
    response = organiser.post(url("question-new") + "?section=0", question_data(**data))
    assert response.status_code == 400
    errors = response.context["form"].errors.get(field, []) + [
        e for row in response.context["formset"].forms for e in row.errors.get("label", [])
    ]
    text = " ".join(errors)
    assert text and not re.search(r"single_choice|multiple_choice|yes_no|free_text|\"service\"", text)
    if message:
        assert message in text


def test_a_single_choice_with_one_choice_is_refused_in_words(organiser, survey):
    response = organiser.post(
        url("question-new") + "?section=0", question_data(text="Team?", **{"choices-0-label": "A"})
    )
    formset = response.context["formset"]
    assert formset.forms[0].errors["label"] == ["a single-choice question needs at least two choices"]


def test_refusals_once_answered_name_the_question_by_its_words():
    document = {
        "sections": [{"questions": [{"key": "raised_patient_care", "text": "Have you raised a concern?"}]}],
        "concerns": [{"key": "patient-care", "label": "Patient care"}],
    }
    message = editing.in_plain_words('the kind of question "raised_patient_care" cannot change', document)
    assert message == "the kind of the question “Have you raised a concern?” cannot change"
    message = editing.in_plain_words('concern "patient-care" cannot be removed', document)
    assert message == "the concern topic “Patient care” cannot be removed"


def test_a_refused_removal_says_why_in_words(organiser, survey):
    insert_responses(survey_id=survey.pk, submissions=[(answers(), timezone.localdate())])
    response = organiser.post(url("structure-remove", what="question", ident="service"), follow=True)
    text = " ".join(str(m) for m in response.context["messages"])
    assert text.startswith("Not changed:") and "“Which service do you work in?”" in text
    assert '"service"' not in text and "sections" not in text


# --- Choice rows and outcomes without saving ----------------------------------


def test_more_choice_rows_without_javascript_keep_what_was_typed_and_save_nothing(organiser, survey):
    before = export_definition(survey=survey)
    data = question_data(text="Which ward?", **{f"choices-{i}-label": f"Ward {i}" for i in range(3)})
    data["more_choices"] = "1"
    response = organiser.post(url("question-new") + "?section=0", data)
    assert response.status_code == 200 and export_definition(survey=survey) == before
    formset = response.context["formset"]
    assert len(formset.forms) == 6
    assert [f.initial.get("label") for f in formset.forms[:3]] == ["Ward 0", "Ward 1", "Ward 2"]
    assert response.context["form"].initial["text"] == "Which ward?"
    data = question_data(text="Which ward?", **{f"choices-{i}-label": f"Ward {i}" for i in range(6)})
    data["choices-TOTAL_FORMS"] = "6"
    assert organiser.post(url("question-new") + "?section=0", data).status_code == 302
    assert survey.questions.get(text="Which ward?").choices.count() == 6


def test_resolved_outcomes_are_offered_only_from_the_chosen_outcome_question(organiser, survey):
    form = organiser.get(url("concern-edit", key="patient-care")).context["form"]
    assert [v for v, _ in form.fields["resolved_values"].choices] == ["adequately", "partly", "not"]
    # Without JavaScript: choose the question, then ask for its answers; nothing is saved.
    response = organiser.post(
        url("concern-new"), {"label": "X", "outcome": "outcome_patient_care", "pick_outcome": "1"}
    )
    assert response.status_code == 200 and survey.concerns.count() == 1
    labels = [label for _, label in response.context["form"].fields["resolved_values"].choices]
    assert labels == ["Yes, adequately", "Partly", "No"]
    assert "Which service do you work in?: IAPT" not in response.content.decode()


# --- Languages -----------------------------------------------------------------


def test_a_welsh_title_makes_the_builder_offer_welsh_beside_every_text(organiser, survey):
    assert "text_cy" not in organiser.get(url("question-edit", key="service")).context["form"].fields
    settings = {
        "settings-title": "Working in mental health services",
        "settings-title_cy": "Gweithio ym maes iechyd meddwl",
        "settings-intro": "All answers are anonymous.",
        "settings-intro_cy": "Mae pob ateb yn ddienw.",
        "settings-min_group_size": "10",
        "settings-access": "open",
    }
    assert organiser.post(url("survey-settings"), settings).status_code == 302
    page = organiser.get(url("question-edit", key="service"))
    assert {"text_cy", "help_cy"} <= set(page.context["form"].fields)
    assert "choices-0-label_cy" in page.content.decode() and 'lang="cy"' in page.content.decode()
    section = organiser.get(url("section-edit", index=0)).context["form"]
    assert "title_cy" in section.fields
    data = question_data(
        text="Which service do you work in?",
        text_cy="Ym mha wasanaeth ydych chi'n gweithio?",
        key="service",
        breakdown="on",
        help="",
        help_cy="",
        **{"choices-TOTAL_FORMS": "4"},
    )
    for i, (value, en, cy) in enumerate(
        [
            ("iapt", "IAPT", "IAPT"),
            ("other", "Other NHS", "GIG arall"),
            ("agency", "Agency", "Asiantaeth"),
            ("bank", "Bank", "Banc"),
        ]
    ):
        data.update({f"choices-{i}-label": en, f"choices-{i}-label_cy": cy, f"choices-{i}-value": value})
    assert organiser.post(url("question-edit", key="service"), data).status_code == 302
    question = export_definition(survey=Survey.objects.get(slug=SLUG))["sections"][0]["questions"][0]
    assert question["text"] == {"en": "Which service do you work in?", "cy": "Ym mha wasanaeth ydych chi'n gweithio?"}
    assert question["choices"][1]["label"] == {"en": "Other NHS", "cy": "GIG arall"}
    # Changing the English keeps the Welsh.
    data["text"] = "Which service do you mainly work in?"
    del data["text_cy"]
    organiser.post(url("question-edit", key="service"), data)
    question = export_definition(survey=Survey.objects.get(slug=SLUG))["sections"][0]["questions"][0]
    assert question["text"]["cy"] == "Ym mha wasanaeth ydych chi'n gweithio?"


def test_address_help_text_shows_its_example(client, charlie):
    client.force_login(charlie)
    html = client.get(reverse("survey:survey-new")).content.decode()
    assert "/s/speaking-up-2027/" in html and "<address>" not in html


# --- Duplicate -----------------------------------------------------------------


def test_duplicate_makes_a_draft_copy_without_answers_in_one_click(organiser, survey, alice):
    insert_responses(survey_id=survey.pk, submissions=[(answers(), timezone.localdate())])
    survey.status = Survey.Status.OPEN
    survey.save()
    response = organiser.post(url("survey-duplicate"))
    copy = Survey.objects.get(slug=f"{SLUG}-copy")
    assert response["Location"] == reverse("survey:survey-build", kwargs={"slug": copy.slug})
    assert copy.status == Survey.Status.DRAFT and copy.title == "Copy of Working in mental health services"
    assert not Response.objects.filter(survey=copy).exists()
    before, after = export_definition(survey=survey), export_definition(survey=copy)
    assert after["sections"] == before["sections"] and after["concerns"] == before["concerns"]
    assert Member.objects.filter(survey=copy, user=alice, role=Member.Role.ORGANISER).exists()
    assert AuditEvent.objects.filter(survey=copy, detail__startswith=f"copied from {SLUG}").exists()
    organiser.post(url("survey-duplicate"))
    assert Survey.objects.filter(slug=f"{SLUG}-copy-2").exists()


# --- Share kit and codes -------------------------------------------------------


def test_share_page_has_copy_buttons_an_invitation_and_a_poster(organiser, survey):
    html = organiser.get(url("survey-share")).content.decode()
    assert 'data-copy="public-link"' in html and 'data-copy="invitation-text"' in html
    assert "Answer it here: http://testserver/s/therapy-2026/" in html
    assert "groups of at least 10 people" in html
    poster = organiser.get(url("survey-poster")).content.decode()
    assert "data:image/svg+xml" in poster and "http://testserver/s/therapy-2026/" in poster
    png = organiser.get(url("survey-poster-png"))
    assert png["Content-Type"] == "image/png" and png.content.startswith(b"\x89PNG")


def test_the_poster_png_is_the_whole_poster_not_only_its_qr_code(organiser, survey):
    """The picture is A4-shaped, carries the link's QR code pixel for pixel,
    and has words drawn above the code (the title, the promise) and below it
    (the link, the anonymity sentence)."""
    import io

    from PIL import Image, ImageChops

    from survey.web.poster import qr_image

    poster = Image.open(io.BytesIO(organiser.get(url("survey-poster-png")).content)).convert("RGB")
    assert poster.size == (1240, 1754)
    qr = qr_image("http://testserver/s/therapy-2026/")
    found = [
        (x, y)
        for y in range(0, poster.height - qr.height, 2)
        for x in [(poster.width - qr.width) // 2]
        if ImageChops.difference(poster.crop((x, y, x + qr.width, y + qr.height)), qr).getbbox() is None
    ]
    assert len(found) == 1, "the QR code of the public link, once"
    top = found[0][1]
    above = poster.crop((0, 0, poster.width, top)).convert("L")
    below = poster.crop((0, top + qr.height, poster.width, poster.height)).convert("L")
    assert above.getextrema()[0] < 100 and below.getextrema()[0] < 100  # dark ink: words on both sides


def test_invitation_for_a_codes_survey_asks_for_the_code(organiser, survey):
    survey.access = Survey.Access.CODES
    survey.save()
    html = organiser.get(url("survey-share")).content.decode()
    assert "with the invitation code you were given: http://testserver/s/therapy-2026/" in html


def test_code_slips_carry_the_link_and_its_qr_code_but_never_the_code_in_a_url(organiser, survey):
    survey.access = Survey.Access.CODES
    survey.save()
    html = organiser.post(url("codes-generate"), {"count": "3"}).content.decode()
    assert html.count('class="code-qr" src="data:image/svg+xml') == 3
    codes = re.findall(r'<span class="code-value">([^<]+)</span>', html)
    assert len(codes) == 3 and not any(code in src for code in codes for src in re.findall(r'src="([^"]+)"', html))


def test_code_counts_make_sense_for_each_access_mode(organiser, survey):
    html = organiser.get(url("codes-generate")).content.decode()
    counts = re.search(r'<p id="code-counts">(.*?)</p>', html, re.S)[1]
    assert "Issued" not in counts and "Used" not in counts and "through the open link" in counts
    survey.access = Survey.Access.CODES
    survey.save()
    counts = re.search(r'<p id="code-counts">(.*?)</p>', organiser.get(url("codes-generate")).content.decode(), re.S)[1]
    assert "No codes issued yet." in counts
    organiser.post(url("codes-generate"), {"count": "4"})
    counts = re.search(r'<p id="code-counts">(.*?)</p>', organiser.get(url("codes-generate")).content.decode(), re.S)[1]
    assert "Codes issued: <strong>4</strong>" in counts


# --- Charts --------------------------------------------------------------------

SVG = "{http://www.w3.org/2000/svg}"
LONG = "Community or secondary mental health care, including crisis and home treatment teams and early intervention"


def chart(bars):
    root = ElementTree.fromstring(charts.bar_chart(title="Patient care: raised", bars=bars))
    return root, [
        (float(t.get("x")), float(t.get("y")), t.get("text-anchor") or "start", t.text) for t in root.iter(f"{SVG}text")
    ]


def figure(pct, low, high):
    return {"pct": pct, "count": 1, "n": 10, "ci95": [low, high]}


def test_chart_axis_labels_are_whole_and_inside_the_picture():
    root, texts = chart([("All respondents", figure(100.0, 96.0, 100.0))])
    width = float(root.get("width"))
    ticks = {t[3]: t for t in texts if t[3].endswith("%") and "." not in t[3]}
    assert set(ticks) == {"0%", "25%", "50%", "75%", "100%"}
    x, _, anchor, _ = ticks["100%"]
    assert anchor == "end" and x <= width - charts.PAD
    assert "…" not in "".join(t[3] for t in texts)


def test_chart_value_labels_never_overlap_a_bar_or_its_interval():
    bars = [("A", figure(2.5, 0.4, 12.9)), ("B", figure(55.0, 39.8, 69.3)), ("C", figure(99.0, 90.0, 100.0))]
    root, texts = chart(bars)
    rects = [r for r in root.iter(f"{SVG}rect")][1:]
    values = [t for t in texts if t[3].endswith("%") and "." in t[3]]
    for (_label, f), rect, (x, _, anchor, text) in zip(bars, rects, values, strict=True):
        end = float(rect.get("x")) + float(rect.get("width"))
        if anchor == "start":  # outside: right of the bar and of its interval
            assert x >= max(end, charts._x(f["ci95"][1]))
        else:  # inside the bar's end, where nothing else is drawn
            assert x <= end and x - charts.text_width(text) >= float(rect.get("x"))
        assert x + (charts.text_width(text) if anchor == "start" else 0) <= float(root.get("width"))


def test_chart_bars_follow_the_tables_order_and_labels_are_whole():
    bars = [
        ("All respondents", figure(38.0, 35.0, 41.0)),
        (LONG, figure(57.8, 51.4, 64.0)),
        ("Bank", {"suppressed": True}),
    ]
    _, texts = chart(bars)
    skip = {"Patient care: raised", "0%", "not shown: too few people, or to protect others"}
    lines = [t for t in texts if t[0] == charts.PAD and t[3] not in skip]
    assert " ".join(t[3] for t in lines) == f"All respondents {LONG} Bank"
    assert [t[1] for t in lines] == sorted(t[1] for t in lines)  # top to bottom, as in the table


def test_explorer_lists_full_question_texts(organiser, survey, alice):
    from survey.responses.importing import import_responses
    from tests.factories import close_and_release, to_csv

    long = "In the last 12 months, on any shift or in any team you worked in, have you raised a concern about care?"

    def reword(document):
        document["sections"][1]["questions"][0]["text"] = long

    editing.edit_definition(survey=survey, acting_user=alice, change=reword, what="wording")
    import_responses(survey=survey, text=to_csv([answers(raised="yes", outcome="partly")] * 12))
    close_and_release(survey)  # the explorer shows figures once they are released, at closing
    html = organiser.get(url("survey-explore")).content.decode()
    assert f"{long}</option>" in html


def test_a_short_name_typed_in_capitals_is_kept_in_lower_case(organiser, survey):
    data = question_data(text="Which ward?", key="Ward_Name", **{"choices-0-label": "A", "choices-1-label": "B"})
    assert organiser.post(url("question-new") + "?section=0", data).status_code == 302
    assert survey.questions.filter(key="ward_name").exists()
