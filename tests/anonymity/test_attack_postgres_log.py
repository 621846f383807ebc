"""Attack: read PostgreSQL's server log. A double-clicked Send used to fail
the unique check on the spent form token, and PostgreSQL logged the failing
statement, the token's hash and a timestamp (log_min_error_statement).

Nothing on the respondent path or in the mixer may fail in a way the server
logs: replays are INSERT ... ON CONFLICT DO NOTHING, a spent code is a DELETE
that finds nothing, answer rows are checked before COPY. The test logs a
marker of its own, then double-submits (an open survey and a code survey),
reuses a spent code, mixes, replays after mixing, tries to COPY a NUL, and reads the log after the
marker. To see it fail, create the UsedFormToken row in submit_response and
catch IntegrityError (the code as it was).
"""

import glob
import uuid
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone

from survey.models import PendingSubmission, Survey
from survey.responses.invitation_codes import code_hash, generate_codes, normalise
from survey.responses.mixing import insert_responses, mix_pending_submissions
from survey.responses.submit import form_token_hash
from survey.web.respondent import _unsign
from tests.factories import answers
from tests.faults.helpers import need
from tests.respondent import Walk, answer_all


def server_log() -> Path | None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_current_logfile()")
        (current,) = cursor.fetchone()
        cursor.execute("SHOW data_directory")
        (data,) = cursor.fetchone()
    candidates = [Path(current) if Path(current).is_absolute() else Path(data) / current] if current else []
    candidates += [Path(p) for p in sorted(glob.glob("/var/log/postgresql/postgresql-*.log"))]
    for path in candidates:
        try:
            path.open().close()
            return path
        except OSError:
            continue
    return None


def lines_after(path: Path, marker: str) -> list[str]:
    lines = path.read_text(errors="replace").splitlines()
    starts = [i for i, line in enumerate(lines) if marker in line]
    assert starts, "the marker did not reach the log: the log read is not the server's"
    return lines[starts[-1] + 1 :]


def finish(walk: Walk) -> str:
    walk.next(service="iapt")
    walk.next(raised_patient_care="no")
    walk.next(patient_care_comment="the log must not hold this")
    walk.next(safe="3")
    return walk.state()


@pytest.mark.django_db(transaction=True)
def test_double_submit_and_mixing_leave_nothing_in_the_postgres_log(survey, alice):
    need(connection.vendor == "postgresql", "PostgreSQL's server log; CI runs this on PostgreSQL")
    path = server_log()
    need(path is not None, "PostgreSQL's server log cannot be read (pg_current_logfile, /var/log/postgresql)")
    with connection.cursor() as cursor:
        cursor.execute("SHOW log_min_error_statement")
        (level,) = cursor.fetchone()
        # Below "error", failing statements would not be logged and the test would prove nothing.
        assert level in ("debug5", "debug4", "debug3", "debug2", "debug1", "info", "notice", "warning", "error")
        marker = f"candour-log-marker-{uuid.uuid4().hex}"
        cursor.execute(f"DO $$ BEGIN RAISE LOG '{marker}'; END $$")  # noqa: S608

    secrets = []
    today = timezone.localdate()
    # An open survey: Send clicked twice.
    walk = answer_all("therapy-2026", raised="no", comment="the log must not hold this")
    state = walk.state()
    secrets.append(form_token_hash(_unsign(state)["t"]))
    assert walk.post({"action": "submit", "state": state}).status_code == 302
    assert walk.post({"action": "submit", "state": state}).status_code == 302
    assert PendingSubmission.objects.count() == 1

    # A code survey: Send clicked twice, then the same code in another form.
    Survey.objects.filter(pk=survey.pk).update(access=Survey.Access.CODES)
    (code,) = generate_codes(survey=survey, count=1, acting_user=alice)
    secrets.append(code_hash(normalise(code)))
    first = Walk("therapy-2026")
    first.post({"action": "start", "code": code})
    other = Walk("therapy-2026")
    other.post({"action": "start", "code": code})
    state = finish(first)
    secrets.append(form_token_hash(_unsign(state)["t"]))
    assert first.post({"action": "submit", "state": state}).status_code == 302
    assert first.post({"action": "submit", "state": state}).status_code == 302
    assert other.post({"action": "submit", "state": finish(other)}).status_code == 409
    assert PendingSubmission.objects.count() == 2

    # The mixer, twice, then a replay of a mixed form.
    mix_pending_submissions(force=True)
    mix_pending_submissions(force=True)
    assert first.post({"action": "submit", "state": state}).status_code == 302
    assert not PendingSubmission.objects.exists()

    # A row COPY would refuse is caught before COPY starts.
    with pytest.raises(ValueError):
        insert_responses(survey_id=survey.pk, submissions=[(answers(comment="the log must not hold\x00this"), today)])

    name = connection.settings_dict["NAME"]
    logged = lines_after(path, marker)
    assert not [line for line in logged if f"@{name} " in line and ("ERROR" in line or "STATEMENT" in line)]
    assert not [line for line in logged if any(s in line for s in secrets) or "the log must not hold" in line]
