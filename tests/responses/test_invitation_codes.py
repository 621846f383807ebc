import re

import pytest
from django.contrib.auth.views import redirect_to_login
from django.core.management import call_command
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from survey.models import InvitationCode, PendingSubmission, Survey
from survey.responses import invitation_codes as invitations
from survey.responses.invitation_codes import ALPHABET, CodeError, generate_codes, validate_code
from tests.respondent import Walk

CODE = re.compile(r"^[A-HJKMNP-TW-Y2-9]{4}-[A-HJKMNP-TW-Y2-9]{4}-[A-HJKMNP-TW-Y2-9]{4}$")


@pytest.fixture
def code_survey(survey):
    Survey.objects.filter(pk=survey.pk).update(access=Survey.Access.CODES)
    survey.refresh_from_db()
    return survey


def test_codes_are_grouped_unambiguous_and_stored_only_as_keyed_hashes(survey, alice):
    batch = generate_codes(survey=survey, count=50, acting_user=alice)
    assert len(set(batch)) == 50 and all(CODE.match(c) for c in batch)
    assert not set("0O1ILUVZ") & set("".join(batch))
    stored = set(InvitationCode.objects.values_list("code_hash", flat=True))
    assert validate_code(batch[0]) in stored
    from io import StringIO

    dump = StringIO()
    call_command("dumpdata", "survey.invitationcode", stdout=dump)
    plain = [c.replace("-", "") for c in batch]
    assert not any(c in dump.getvalue() or f in dump.getvalue() for c, f in zip(plain, batch, strict=True))
    # The hash, its survey and (a joint survey's batches) its partner: no
    # used flag, no order, nothing that could tie a code to a response.
    assert {f.name for f in InvitationCode._meta.get_fields()} == {"survey", "code_hash", "partner"}


@given(st.data())
def test_any_single_typing_mistake_is_caught(data):
    body = "".join(data.draw(st.lists(st.sampled_from(ALPHABET), min_size=11, max_size=11)))
    code = body + invitations.check_character(body)
    position = data.draw(st.integers(0, len(code) - 1))
    wrong = data.draw(st.sampled_from([c for c in ALPHABET if c != code[position]]))
    typo = code[:position] + wrong + code[position + 1 :]
    with pytest.raises(CodeError, match="typing mistake"):
        validate_code(typo)
    assert validate_code(code.lower()) == validate_code(invitations.format_code(code))


def hand_written_check_character(body: str) -> str:
    """The Luhn mod N that made the codes already printed, before python-stdnum."""
    n = len(ALPHABET)
    factor, total = 2, 0
    for char in reversed(body):
        addend = factor * ALPHABET.index(char)
        total += addend // n + addend % n
        factor = 1 if factor == 2 else 2
    return ALPHABET[(n - total % n) % n]


# Made with the hand-written check character, before the switch to python-stdnum.
PRINTED_CODES = [
    "AAAAAAAAAAAA",
    "99999999999N",
    "ABCDEFGHJKM9",
    "23456789AB2M",
    "PKD8MEPSR367",
    "PPJ4MM2MJW6S",
    "4F4FBYFMM7FA",
    "GE2X9ADBJSQC",
    "N444AP6T7DY9",
    "4XM7FD2C54HF",
    "E45SNQ526R3J",
    "G3P5QP454XF3",
    "8JR786S33ADS",
    "7MXKNH4N75K6",
    "JB8MJ9RKKKTD",
    "E266KPTGG2R3",
    "54BKN9FAKQ6F",
    "JF8SDCA2WQJS",
    "PJQWWX6WMYM9",
    "D4R3RMGE8AG8",
    "T5E5584YRTED",
    "JJQEX5J68HDE",
    "46A69YCG94QA",
    "QBDYXH2MEDBJ",
]


@hypothesis_settings(max_examples=2000)
@given(st.text(alphabet=ALPHABET, min_size=0, max_size=20))
def test_check_character_is_the_one_printed_codes_carry(body):
    assert invitations.check_character(body) == hand_written_check_character(body)


def test_codes_printed_before_the_switch_still_validate():
    for code in PRINTED_CODES:
        assert invitations.check_character(code[:-1]) == code[-1]
        validate_code(invitations.format_code(code))


def start_with(code: str) -> Walk:
    walk = Walk("therapy-2026")
    walk.post({"action": "start", "code": code})
    return walk


def finish(walk: Walk):
    walk.next(service="iapt")
    walk.next(raised_patient_care="no")
    walk.next()
    walk.next(safe="3")
    return walk.submit()


def test_code_survey_end_to_end_burns_the_code(code_survey, alice):
    (code,) = generate_codes(survey=code_survey, count=1, acting_user=alice)
    walk = start_with(code)
    assert 'name="state"' in walk.html
    assert finish(walk)["Location"] == "/s/therapy-2026/thanks/"
    assert PendingSubmission.objects.count() == 1
    assert not InvitationCode.objects.exists()  # a burned code leaves no row
    again = start_with(code)
    assert again.response.status_code == 400 and "not accepted" in again.html


@pytest.mark.parametrize(
    ("typed", "message"),
    [("", "Please enter"), ("HELLO", "not an invitation code"), ("ABCD-EFGH-JKMN", "typing mistake")],
)
def test_bad_codes_get_clear_messages(code_survey, typed, message):
    walk = start_with(typed)
    assert walk.response.status_code == 400
    assert message in walk.html


def test_unknown_and_used_codes_get_one_message(code_survey, alice):
    # A burned code leaves no row: "never issued" and "already used" are one answer.
    generate_codes(survey=code_survey, count=1, acting_user=alice)
    walk = start_with(invitations.format_code(invitations.new_code()))
    assert "not accepted: it has already been used, or it was never issued" in walk.html


def test_code_used_in_another_tab_stores_nothing(code_survey, alice):
    (code,) = generate_codes(survey=code_survey, count=1, acting_user=alice)
    first, second = start_with(code), start_with(code)
    finish(first)
    response = finish(second)
    assert response.status_code == 409 and "not accepted" in response.content.decode()
    assert PendingSubmission.objects.count() == 1


def test_codes_of_another_survey_do_not_open_this_one(code_survey, alice, charlie):
    other = Survey.objects.get(slug="other-survey")
    (code,) = generate_codes(survey=other, count=1, acting_user=charlie)
    assert "not accepted" in start_with(code).html


def test_guessing_is_rate_limited(code_survey, settings, alice):
    settings.CANDOUR_CODE_FAILURE_RATE = "5/900"
    (code,) = generate_codes(survey=code_survey, count=1, acting_user=alice)
    for _ in range(5):
        assert start_with(invitations.format_code(invitations.new_code())).response.status_code == 400
    blocked = start_with(code)  # even a right code waits once the limit is reached
    assert blocked.response.status_code == 429
    # Another network is not affected.
    walk = Walk("therapy-2026", REMOTE_ADDR="192.0.2.9")
    walk.post({"action": "start", "code": code})
    assert 'name="state"' in walk.html


def test_open_link_submissions_are_rate_limited_per_network(survey, settings):
    from tests.respondent import answer_all

    settings.CANDOUR_SUBMIT_RATE = "2/3600"
    for _ in range(2):
        assert answer_all("therapy-2026", raised="no").submit().status_code == 302
    assert answer_all("therapy-2026", raised="no").submit().status_code == 429
    assert PendingSubmission.objects.count() == 2


def test_rate_limit_keys_hold_no_address(survey, settings):
    from tests.factories import cache_keys
    from tests.respondent import answer_all

    answer_all("therapy-2026", raised="no", REMOTE_ADDR="203.0.113.77").submit()
    keys = cache_keys()
    assert any(":rl:submit:" in k for k in keys)
    assert not any("203.0.113.77" in k for k in keys)


@pytest.mark.parametrize("user", ["bob", "charlie", None])
def test_only_organisers_reach_the_codes_page(client, survey, bob, charlie, user):
    if user:
        client.force_login({"bob": bob, "charlie": charlie}[user])
    response = client.post("/console/therapy-2026/codes/", {"count": 5})
    if user:
        assert response.status_code == 404
    else:
        assert response.status_code == 302
        assert response["Location"] == redirect_to_login("/console/therapy-2026/codes/")["Location"]
    assert not InvitationCode.objects.exists()


def test_organiser_generates_codes_once_and_sees_only_counts(client, code_survey, alice):
    client.force_login(alice)
    response = client.post("/console/therapy-2026/codes/", {"count": 3})
    html = response.content.decode()
    codes = re.findall(r'class="code-value">([^<]+)<', html)
    assert len(codes) == 3 and "data:text/csv;base64," in html
    assert response["Cache-Control"] == "no-store"
    finish(start_with(codes[0]))
    page = client.get("/console/therapy-2026/codes/").content.decode()
    assert "Codes issued: <strong>3</strong>" in page and "Responses so far: <strong>fewer than 10</strong>" in page
    assert not any(c in page for c in codes)
    assert client.post("/console/therapy-2026/codes/", {"count": 0}).status_code == 200
    assert InvitationCode.objects.count() == 2  # the used one left no row


def test_codes_are_hashed_under_the_configured_code_key(code_survey, alice, settings):
    """With CANDOUR_CODE_KEY set, a stolen database and SECRET_KEY together
    cannot test a code: it is accepted only under the key it was made with."""
    settings.CANDOUR_CODE_KEY = "code-key-one-" + "a" * 40
    (code,) = generate_codes(survey=code_survey, count=1, acting_user=alice)
    assert invitations.code_status(survey=code_survey, hashed=validate_code(code)) == "ok"
    for other in ("code-key-two-" + "b" * 40, ""):  # another key, or none (derived from SECRET_KEY)
        settings.CANDOUR_CODE_KEY = other
        assert invitations.code_status(survey=code_survey, hashed=validate_code(code)) == "not_accepted"
    settings.CANDOUR_CODE_KEY = "code-key-one-" + "a" * 40
    assert invitations.code_status(survey=code_survey, hashed=validate_code(code)) == "ok"
