"""Candour's data model.

Response-side models (PendingSubmission, Response, Answer) never hold a
user, an address or a datetime: only the date a response was submitted on
(DESIGN rule 1). Their ids are random UUID4 (rule 2).
"""

import secrets
import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q


def random_token() -> str:
    return secrets.token_urlsafe(16)


class Organisation(models.Model):
    """A union, professional body, research team or trust that owns surveys.

    Its organisers (and owners) are organisers of every survey it owns
    (survey/staff/permissions.py); moderators stay named per survey.
    """

    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=200)

    def __str__(self) -> str:
        return self.name


class OrganisationMember(models.Model):
    """A person's role in an organisation: an owner also organises its surveys."""

    class Role(models.TextChoices):
        OWNER = "owner", "Owner"
        ORGANISER = "organiser", "Organiser"

    organisation = models.ForeignKey(Organisation, models.CASCADE, related_name="members")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="organisation_memberships")
    role = models.CharField(max_length=10, choices=Role.choices)

    class Meta:
        verbose_name = "organisation member"
        constraints = [models.UniqueConstraint(fields=["organisation", "user"], name="organisation_member_unique")]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display().lower()})"


class Survey(models.Model):
    class Access(models.TextChoices):
        OPEN = "open", "Open link"
        CODES = "codes", "Invitation codes"

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"

    slug = models.SlugField(unique=True)
    title = models.CharField(max_length=200)
    # Who runs it: the organisation's organisers organise it. PROTECT: an
    # organisation that still owns surveys cannot be deleted with them.
    organisation = models.ForeignKey(Organisation, models.PROTECT, null=True, blank=True, related_name="surveys")
    intro = models.TextField(blank=True)
    # Shown on the intro page: about how long answering takes, and who reads
    # the comments, in the survey's own words ("two staff-side reps").
    estimated_minutes = models.PositiveSmallIntegerField(null=True, blank=True)
    moderators = models.CharField(max_length=200, blank=True)
    # Texts in languages other than the default: {language: {field: text}} (survey/definitions/format.py).
    translations = models.JSONField(default=dict, blank=True)
    min_group_size = models.PositiveSmallIntegerField(default=10)
    # k may never go below this: set to k at the first submission (waiting or
    # stored) and raised with k from then on (hold_min_group_size), so k is
    # never lowered once anyone has answered (issue finding 5).
    min_group_size_floor = models.PositiveSmallIntegerField(default=5, editable=False)
    access = models.CharField(max_length=10, choices=Access.choices, default=Access.OPEN)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    # Optional times at which beat opens a draft or closes an open survey.
    opens_at = models.DateTimeField(null=True, blank=True)
    closes_at = models.DateTimeField(null=True, blank=True)
    # Bumped whenever responses are added; results record the version they
    # were computed from, so "results older than answers" is a comparison.
    data_version = models.PositiveIntegerField(default=0)
    # Invitation codes ever generated; used = issued - codes still stored.
    codes_issued = models.PositiveIntegerField(default=0)
    # Staff in scope, from workforce records (docs/statistics.md, "Response
    # rates"); blank: unknown (a code survey then counts the codes issued).
    population = models.PositiveIntegerField(null=True, blank=True)

    # Linked surveys, one concept (DESIGN "Linked surveys"): this survey is
    # the next wave of ``linked_survey``, or a follow-up pulse of one of its
    # actions (``pulse_action``, docs/following-up.md).
    class Link(models.TextChoices):
        WAVE = "wave", "Next wave"
        PULSE = "pulse", "Follow-up pulse"

    linked_survey = models.ForeignKey("self", models.SET_NULL, null=True, blank=True, related_name="linked_from")
    link = models.CharField(max_length=10, choices=Link.choices, blank=True)
    pulse_action = models.ForeignKey("Action", models.SET_NULL, null=True, blank=True, related_name="pulses")
    # A new random value whenever load_definition saves the survey: caches
    # of its structure (responses.answers.survey_spec) are keyed by it.
    definition_version = models.UUIDField(default=uuid.uuid4, editable=False)
    # Moderation: the survey's own list of local names to highlight (wards,
    # teams, sites), who receives safeguarding flags, and whether approvals
    # need a second moderator before they can be published.
    moderation_terms = models.JSONField(default=list, blank=True)
    safeguarding_contact = models.EmailField(blank=True)
    two_person_review = models.BooleanField(default=False)

    # A joint survey (docs/partners.md): several organisations (Partner)
    # run it together; each response belongs to one partner, a breakdown
    # like any other (the question marked ``partner``).
    class PartnersFrom(models.TextChoices):
        LINK = "link", "Each partner's own link or invitation codes"
        QUESTION = "question", "A question respondents answer"

    # Blank: not a joint survey.
    partners_from = models.CharField(max_length=10, choices=PartnersFrom.choices, blank=True, default="")
    # Agreed when the survey is set up: whether partners may see each
    # other's tables (the pooled figures broken down by partner).
    partners_see_each_other = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(min_group_size__gte=5), name="min_group_size_at_least_5"),
            models.CheckConstraint(
                condition=Q(min_group_size__gte=F("min_group_size_floor")), name="min_group_size_not_below_floor"
            ),
        ]

    def __str__(self) -> str:
        return self.slug

    def save(self, *args, **kwargs):
        # The floor only ever moves up, by hold_min_group_size's conditional
        # update: saving a survey read earlier never writes an older floor.
        if not self._state.adding and not kwargs.get("update_fields") and not kwargs.get("force_insert"):
            kwargs["update_fields"] = [
                f.name for f in self._meta.concrete_fields if not f.primary_key and f.name != "min_group_size_floor"
            ]
        super().save(*args, **kwargs)

    @staticmethod
    def hold_min_group_size(survey_id: int) -> None:
        """Answers have arrived: from now on k may only be raised (the floor follows k up)."""
        Survey.objects.filter(pk=survey_id, min_group_size_floor__lt=F("min_group_size")).update(
            min_group_size_floor=F("min_group_size")
        )

    def has_answers(self) -> bool:
        """Whether anyone has answered: stored responses, or submissions waiting to be mixed in.
        From then on only wording may change, and the survey cannot go back to draft."""
        return self.responses.exists() or self.pending.exists()


class Section(models.Model):
    survey = models.ForeignKey(Survey, models.CASCADE, related_name="sections")
    position = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=200)
    # Texts in languages other than the default: {language: {field: text}} (survey/definitions/format.py).
    translations = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["position"]
        constraints = [models.UniqueConstraint(fields=["survey", "position"], name="section_position_unique")]


class Question(models.Model):
    class Kind(models.TextChoices):
        SINGLE_CHOICE = "single_choice", "Single choice"
        MULTIPLE_CHOICE = "multiple_choice", "Multiple choice"
        YES_NO = "yes_no", "Yes / no"
        SCALE = "scale", "Scale"
        FREE_TEXT = "free_text", "Free text"

    # The kinds answered by choosing: summarised, countable, able to control a follow-up.
    CHOICE_KINDS = (Kind.SINGLE_CHOICE, Kind.MULTIPLE_CHOICE, Kind.YES_NO, Kind.SCALE)

    survey = models.ForeignKey(Survey, models.CASCADE, related_name="questions")
    section = models.ForeignKey(Section, models.CASCADE, related_name="questions")
    position = models.PositiveSmallIntegerField()
    key = models.SlugField(max_length=80)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    text = models.TextField()
    help_text = models.TextField(blank=True)
    # Texts in languages other than the default: {language: {field: text}} (survey/definitions/format.py).
    translations = models.JSONField(default=dict, blank=True)
    required = models.BooleanField(default=True)
    breakdown = models.BooleanField(default=False)
    show_if_question = models.ForeignKey("self", models.PROTECT, null=True, blank=True, related_name="followups")
    show_if_value = models.CharField(max_length=80, blank=True)
    # A joint survey's partner question: a breakdown whose choices are the
    # partners (values: their organisations' slugs). With partners known
    # from links or codes it is never shown: the answer comes from the link.
    partner = models.BooleanField(default=False)

    class AgreeEnd(models.TextChoices):
        LAST = "last", "The last choices agree"
        FIRST = "first", "The first choices agree"

    # Which end of a scale agrees (docs/statistics.md, "Share agreeing"); structural once answered.
    agree_end = models.CharField(max_length=5, choices=AgreeEnd.choices, default=AgreeEnd.LAST)

    class Meta:
        ordering = ["section__position", "position"]
        constraints = [
            models.UniqueConstraint(fields=["survey", "key"], name="question_key_unique"),
            models.UniqueConstraint(fields=["section", "position"], name="question_position_unique"),
            models.CheckConstraint(
                condition=Q(breakdown=False) | Q(kind="single_choice"), name="breakdown_is_single_choice"
            ),
            models.CheckConstraint(condition=Q(partner=False) | Q(breakdown=True), name="partner_is_a_breakdown"),
            models.UniqueConstraint(fields=["survey"], condition=Q(partner=True), name="one_partner_question"),
        ]

    def __str__(self) -> str:
        return self.key


class Choice(models.Model):
    question = models.ForeignKey(Question, models.CASCADE, related_name="choices")
    position = models.PositiveSmallIntegerField()
    value = models.SlugField(max_length=80)
    label = models.CharField(max_length=200)
    # Texts in languages other than the default: {language: {field: text}} (survey/definitions/format.py).
    translations = models.JSONField(default=dict, blank=True)
    # False: shown, but left out of the base of every share ("Don't know",
    # "Not applicable", an outcome's "Too early to say"); structural once answered.
    counted = models.BooleanField(default=True)
    # Staff in this group of a breakdown, from workforce records; blank: unknown.
    population = models.PositiveIntegerField(null=True, blank=True)
    # A breakdown's choices only: a key group is hidden to protect another
    # group only when nothing else will do; choices with the same merge
    # label are reported as one group of that label (survey/figures/groups.py).
    key_group = models.BooleanField(default=False)
    merge = models.CharField(max_length=200, blank=True, default="")

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["question", "value"], name="choice_value_unique"),
        ]

    def __str__(self) -> str:
        return self.value


class Concern(models.Model):
    survey = models.ForeignKey(Survey, models.CASCADE, related_name="concerns")
    position = models.PositiveSmallIntegerField()
    key = models.SlugField(max_length=80)
    label = models.CharField(max_length=200)
    # Texts in languages other than the default: {language: {field: text}} (survey/definitions/format.py).
    translations = models.JSONField(default=dict, blank=True)
    raised = models.ForeignKey(Question, models.PROTECT, related_name="+")
    outcome = models.ForeignKey(Question, models.PROTECT, related_name="+")
    resolved_values = models.JSONField(default=list)

    class Meta:
        ordering = ["position"]
        constraints = [models.UniqueConstraint(fields=["survey", "key"], name="concern_key_unique")]


class Member(models.Model):
    """A person's role on one survey (roles are per survey, not global)."""

    class Role(models.TextChoices):
        ORGANISER = "organiser", "Organiser"
        MODERATOR = "moderator", "Moderator"

    survey = models.ForeignKey(Survey, models.CASCADE, related_name="members")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=10, choices=Role.choices)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["survey", "user", "role"], name="member_unique")]


# --- Response side: no user, no address, no datetime (DESIGN rule 1). -------


class PendingSubmission(models.Model):
    """A submission waiting to be mixed into the response table (rule 4).

    Rows are moved out in shuffled batches by ``mix_pending_submissions``;
    the payload is the validated answers keyed by question key and the
    spent form token's hash, sealed (survey/responses/pending.py), so a
    dump shows neither. ``nonce_hash`` is a second keyed hash of the form
    token, unique, so that a double submit stores nothing (ON CONFLICT DO
    NOTHING); it differs from the UsedFormToken hash written at mixing.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    survey = models.ForeignKey(Survey, models.CASCADE, related_name="pending")
    payload = models.TextField()
    nonce_hash = models.CharField(max_length=64, unique=True)
    submitted_on = models.DateField()

    @property
    def answers(self) -> dict:
        from survey.responses.pending import unseal

        return unseal(self.payload)[0]


class Response(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    survey = models.ForeignKey(Survey, models.PROTECT, related_name="responses")
    submitted_on = models.DateField()


class Answer(models.Model):
    """One answer; a multiple-choice answer is one row per chosen choice."""

    # Every answer written updates every index of this table (30 million rows
    # at 1,000,000 responses), so it has only the four it needs: the key, a
    # response's answers (the foreign key's own index: counting a batch,
    # deleting a response), (question, response, choice) below (which also
    # serves lookups by question alone), and choice (PROTECT's check).
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    response = models.ForeignKey(Response, models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, models.PROTECT, related_name="answers", db_index=False)
    choice = models.ForeignKey(Choice, models.PROTECT, null=True, blank=True, related_name="answers")
    text = models.TextField(blank=True)

    class Meta:
        indexes = [
            # Aggregation joins every respondent's answer to one question:
            # (question, response) -> choice is an index-only lookup.
            models.Index(fields=["question", "response", "choice"], name="answer_question_response"),
        ]


class ModerationBatch(models.Model):
    """Free-text answers released to the moderation queue together.

    A comment reaches the queue only inside a batch: at least k
    (``min_group_size``) comments at a time, or an earlier day's remainder,
    so the queue is no clock. Release is recorded here, never on the answer
    rows; the batch holds its date only.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    survey = models.ForeignKey(Survey, models.CASCADE, related_name="moderation_batches")
    released_on = models.DateField()
    answers = models.ManyToManyField(Answer, related_name="moderation_batches")


class Partner(models.Model):
    """An organisation running a joint survey with others (docs/partners.md).

    Its organisers see its own figures and the pooled ones; its responses
    are its group in the survey's partner question (value: the
    organisation's slug), known from its own link (``token``) or codes."""

    survey = models.ForeignKey(Survey, models.CASCADE, related_name="partners")
    organisation = models.ForeignKey(Organisation, models.PROTECT, related_name="partnerships")
    position = models.PositiveSmallIntegerField()
    # The partner's own respondent link, /s/<survey>/p/<token>/: random, so
    # one partner cannot guess another's link.
    token = models.CharField(max_length=32, unique=True, default=random_token, editable=False)

    class Meta:
        ordering = ["position"]
        constraints = [models.UniqueConstraint(fields=["survey", "organisation"], name="partner_once_per_survey")]

    def __str__(self) -> str:
        return self.organisation.name


class InvitationCode(models.Model):
    """A single-use invitation code, stored only as a keyed hash (rule 4).

    A code is deleted when it is burned, so the table holds only unused
    codes: no used flag, no order of use, no link to a submission. The
    key is the hash (no sequential id following the printed list); a batch
    is inserted in shuffled order.
    """

    code_hash = models.CharField(max_length=64, primary_key=True)
    survey = models.ForeignKey(Survey, models.CASCADE, related_name="codes")
    # A joint survey's codes are issued in batches per partner: a code's
    # respondent belongs to its partner (nothing else is known of them).
    partner = models.ForeignKey(Partner, models.CASCADE, null=True, blank=True, related_name="codes")


class CommentReview(models.Model):
    """A moderator's decision on one free-text answer (DESIGN rule 7).

    The original text stays in its Answer row, which only moderators see;
    reports carry only ``redacted_text`` of approved (and, where the survey
    asks for it, second-reviewed) comments.
    """

    class Status(models.TextChoices):
        APPROVED = "approved", "Approved as a quote"
        REJECTED = "rejected", "Rejected"
        FLAGGED = "flagged", "Flagged for safeguarding"

    answer = models.OneToOneField(Answer, models.CASCADE, primary_key=True, related_name="review")
    status = models.CharField(max_length=10, choices=Status.choices)
    redacted_text = models.TextField(blank=True)
    concern = models.ForeignKey(Concern, models.SET_NULL, null=True, blank=True, related_name="+")
    group_label = models.CharField(max_length=200, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    decided_at = models.DateTimeField()
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+")
    reviewed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="approved") | ~Q(redacted_text=""), name="approved_quote_has_text"
            ),
        ]


class UsedFormToken(models.Model):
    """Hashes of spent one-time form tokens, so a replay stores nothing (rule 8).

    Holds a date for clean-up only; never joined to a submission.
    """

    token_hash = models.CharField(max_length=64, primary_key=True)
    used_on = models.DateField()


# --- Derived data: always recomputable from responses. -----------------------


class ResultSet(models.Model):
    """Bookkeeping of a survey's last aggregation (kept off the Survey row so
    that aggregating never contends with mixing new responses in)."""

    survey = models.OneToOneField(Survey, models.CASCADE, primary_key=True, related_name="result_set")
    version = models.PositiveIntegerField(default=0)
    computed_at = models.DateTimeField()
    # Respondents counted by the last aggregation (coarse progress, rule 6).
    respondents = models.PositiveIntegerField(default=0)
    # Summaries of every choice question (already suppressed), see figures/summaries.py.
    # Nobody sees these rows: what an audience sees is a Release.
    questions = models.JSONField(default=list, blank=True)


class Tally(models.Model):
    """Running counts of a survey's answers (see figures/counts.py), unsuppressed.

    Derived data like Result: never shown to anyone, only read by
    aggregation, and always recomputable from the answers. Mixing a batch
    in adds the batch's counts in the same transaction, so aggregation reads
    a few hundred numbers instead of recounting every answer. Cumulative
    totals only: nothing records what any one batch added.
    """

    survey = models.OneToOneField(Survey, models.CASCADE, primary_key=True, related_name="tally")
    # The survey's data version the counts are of; any other means recount.
    version = models.PositiveIntegerField()
    # Breakdown question ids, in the order of the groups in every count.
    breakdowns = models.JSONField(default=list)
    counts = models.JSONField()


class Result(models.Model):
    """One figure for a concern (overall or for one breakdown group).

    Stored already suppressed: a suppressed figure keeps no count and no n.
    """

    class Measure(models.TextChoices):
        RAISED = "raised"
        RESOLVED = "resolved"

    # Every figure of a concern topic, in the order they are shown.
    MEASURES = (Measure.RAISED.value, Measure.RESOLVED.value)

    survey = models.ForeignKey(Survey, models.CASCADE, related_name="results")
    concern = models.ForeignKey(Concern, models.CASCADE, related_name="results")
    breakdown = models.ForeignKey(Question, models.CASCADE, null=True, blank=True, related_name="+")
    group = models.ForeignKey(Choice, models.CASCADE, null=True, blank=True, related_name="+")
    measure = models.CharField(max_length=10, choices=Measure.choices)
    suppressed = models.BooleanField(default=False)
    # Why it is hidden (disclosure.py: fewer than k, too uniform, to protect another group).
    reason = models.CharField(max_length=60, blank=True, default="")
    count = models.PositiveIntegerField(null=True)
    n = models.PositiveIntegerField(null=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(suppressed=True, count__isnull=True, n__isnull=True)
                | Q(suppressed=False, count__isnull=False, n__isnull=False),
                name="suppressed_result_has_no_counts",
            ),
        ]
        indexes = [
            # Console and export read all results of one survey.
            models.Index(fields=["survey"], name="result_survey"),
        ]


class ReportVersion(models.Model):
    """A published, frozen snapshot of a survey's suppressed results."""

    survey = models.ForeignKey(Survey, models.CASCADE, related_name="reports")
    number = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    snapshot = models.JSONField()
    note = models.TextField(blank=True)
    published_at = models.DateTimeField()
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-number"]
        constraints = [models.UniqueConstraint(fields=["survey", "number"], name="report_number_unique")]


class Release(models.Model):
    """One set of figures shown to one audience (survey/figures/releases.py).

    Every figure anyone sees (the organisers' console, a public report
    version, a download, a command's output) is a release, recorded with the
    document it showed, so that the auditor can take every earlier release
    into account before the next one is shown. The same document is
    recorded once per audience. A release holds the day it was first shown,
    never a time: a clock would let someone line a release up with a
    person's answering.
    """

    class Audience(models.TextChoices):
        ORGANISERS = "organisers", "Organisers, in the console"
        PUBLIC = "public", "The public report"
        DOWNLOAD = "download", "A download of the public report"
        COMMAND = "command", "A command's output"
        PARTNER = "partner", "One partner's organisers, in the console"

    survey = models.ForeignKey(Survey, models.CASCADE, related_name="releases")
    audience = models.CharField(max_length=20, choices=Audience.choices)
    # Which one, for an audience with several members (a partner: its
    # organisation's slug); empty for the other audiences.
    audience_name = models.CharField(max_length=100, blank=True, default="")
    released_on = models.DateField()
    document = models.JSONField()
    # SHA-256 of the canonical document: how one document is recognised
    # again (recorded once per audience, audited once).
    digest = models.CharField(max_length=64)
    # The organisers' release at closing: the survey's final figures, released once.
    final = models.BooleanField(default=False)
    # The public version this release is, for the public audience.
    report = models.ForeignKey("ReportVersion", models.CASCADE, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["pk"]
        constraints = [
            # Also serves the auditor's read of one survey's history (survey first).
            models.UniqueConstraint(
                fields=["survey", "audience", "audience_name", "digest"], name="release_once_per_audience"
            ),
        ]


class ApprovalRequest(models.Model):
    """The organisers ask a joint survey's partners to approve one prepared
    version of the report (survey/reports/cosigning.py, docs/partners.md).

    The version is named by ``digest``: the digest of exactly what would be
    published (its snapshot and title, ``preview_digest``) with its number.
    When the draft changes, the next version has another digest and this
    request's approvals no longer count. Days only, never a time."""

    survey = models.ForeignKey(Survey, models.CASCADE, related_name="approval_requests")
    number = models.PositiveIntegerField()
    digest = models.CharField(max_length=64)
    asked_on = models.DateField()
    asked_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")

    class Meta:
        ordering = ["pk"]
        constraints = [
            # Also serves the look-up of the request for the version prepared now.
            models.UniqueConstraint(fields=["survey", "number", "digest"], name="approval_request_once"),
        ]


class Approval(models.Model):
    """One partner's approval of one requested version: who approved, and the day."""

    request = models.ForeignKey(ApprovalRequest, models.CASCADE, related_name="approvals")
    partner = models.ForeignKey(Partner, models.CASCADE, related_name="approvals")
    approved_on = models.DateField()
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")

    class Meta:
        ordering = ["partner__position"]
        constraints = [models.UniqueConstraint(fields=["request", "partner"], name="approval_once_per_partner")]


class ReportSettings(models.Model):
    """What the next published version of a survey's report will contain."""

    survey = models.OneToOneField(Survey, models.CASCADE, primary_key=True, related_name="report_settings")
    title = models.CharField(max_length=200, blank=True)
    narrative = models.TextField(blank=True, help_text="Markdown")
    # Keys of what to include; empty means everything.
    concerns = models.JSONField(default=list, blank=True)
    breakdowns = models.JSONField(default=list, blank=True)
    questions = models.JSONField(default=list, blank=True)
    # The title and narrative in the survey's other languages: {"cy": {"title": ..., "narrative": ...}}.
    translations = models.JSONField(default=dict, blank=True)
    # Answer ids of the approved quotes chosen for the report; empty means none
    # (unlike the lists above): a comment is quoted only when chosen.
    quotes = models.JSONField(default=list, blank=True)


class AppendOnlyQuerySet(models.QuerySet):
    """Rows of the ledger are never rewritten: bulk updates and deletes are refused."""

    def update(self, **kwargs):
        raise TypeError("ledger entries are never changed: append a new entry instead")

    def delete(self):
        raise TypeError("ledger entries are never deleted: append a new entry instead")


class Action(models.Model):
    """An action on a concern topic (DESIGN "Editing published words").

    Only its identity: what it says, who answers for it, when it is due and
    how it stands are its ``LedgerEntry`` rows, the latest one being its
    current state. It hangs on the concern's key, not the concern row, so a
    definition rebuilt before any answer keeps its ledger."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    survey = models.ForeignKey(Survey, models.CASCADE, related_name="actions")
    concern_key = models.SlugField(max_length=80)
    created_at = models.DateTimeField()

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise TypeError("an action is never rewritten: append a ledger entry instead")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("an action is never deleted: append an entry that drops it")


class LedgerEntry(models.Model):
    """One dated change to the ledger, appended and never rewritten.

    An action entry carries the action's whole state after the change (so
    the current state is the latest entry) and, optionally, a note saying
    what happened ("you said, we did"). A help entry carries a concern
    topic's "who can help" text: the one model of help routes that the
    report, the thank-you page and the ledger all show."""

    class Kind(models.TextChoices):
        ACTION = "action", "Action"
        HELP = "help", "Who can help"

    class Status(models.TextChoices):
        PLANNED = "planned", "Planned"
        IN_PROGRESS = "in_progress", "In progress"
        DONE = "done", "Done"
        DROPPED = "dropped", "Dropped"

    OPEN_STATUSES = (Status.PLANNED, Status.IN_PROGRESS)

    survey = models.ForeignKey(Survey, models.CASCADE, related_name="ledger")
    concern_key = models.SlugField(max_length=80)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    action = models.ForeignKey(Action, models.CASCADE, null=True, blank=True, related_name="entries")
    text = models.TextField(blank=True, help_text="What will be done, or who can help (Markdown)")
    role = models.CharField(max_length=200, blank=True, help_text="Who answers for it: a role, not a person")
    due_on = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, blank=True)
    note = models.TextField(blank=True, help_text="What happened (Markdown)")
    # The text and note in the survey's other languages: {"cy": {"text": ..., "note": ...}}.
    translations = models.JSONField(default=dict, blank=True)
    entered_at = models.DateTimeField()
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+")

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["entered_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="help", action__isnull=True, status="")
                | Q(kind="action", action__isnull=False) & ~Q(status=""),
                name="ledger_entry_kind_shape",
            ),
        ]
        indexes = [
            # The ledger page and the report read one survey's entries in order.
            models.Index(fields=["survey", "entered_at"], name="ledger_survey_time"),
        ]

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise TypeError("a ledger entry is never rewritten: append a new entry instead")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("a ledger entry is never deleted: append a new entry instead")


class AuditEvent(models.Model):
    """Who changed what and when: every staff action that changes data, and
    every reading of individual comments (the moderation queue)."""

    class Action(models.TextChoices):
        # One entry per kind of staff change; the label is what the audit list shows.
        SURVEY_CREATED = "survey.created", "Created the survey"
        SURVEY_UPDATED = "survey.updated", "Changed the survey"
        SURVEY_OPENED = "survey.open", "Opened the survey"
        SURVEY_CLOSED = "survey.closed", "Closed the survey"
        SURVEY_BACK_TO_DRAFT = "survey.draft", "Put the survey back to draft"
        SURVEY_OPEN_FAILED = "survey.open_failed", "Could not open the survey at its opening time"
        SURVEY_SCHEDULED = "survey.scheduled", "Set the opening and closing times"
        CODES_GENERATED = "codes.generated", "Printed a batch of invitation codes"
        RESPONSES_IMPORTED = "responses.imported", "Imported responses from a file"
        REPORT_SETTINGS_CHANGED = "report.settings_changed", "Changed what the next report contains"
        REPORT_UPDATE_ADDED = "report.update_added", 'Added a "you said, we did" update'
        ACTION_ADDED = "ledger.action_added", "Added an action to the ledger"
        ACTION_CHANGED = "ledger.action_changed", "Recorded a change to an action"
        HELP_CHANGED = "ledger.help_changed", 'Changed "who can help"'
        PULSE_OPENED = "pulse.opened", "Opened a follow-up pulse"
        REPORT_PUBLISHED = "report.published", "Published a report version"
        REPORT_APPROVAL_ASKED = "report.approval_asked", "Asked the partners to approve a report version"
        REPORT_APPROVED = "report.approved", "Approved a report version for a partner"
        REPORT_NOT_YET = "report.not_yet", "Said a report version is not ready to publish"
        FIGURES_RELEASED = "figures.released", "Released the final figures"
        FIGURES_WIDENED = "figures.widened", "Hid more figures so that no hidden one could be worked out"
        FIGURES_REFUSED = "figures.refused", "Held figures back: a hidden figure could have been worked out"
        COMMENT_APPROVED = "comment.approved", "Approved a comment as a quote"
        COMMENT_REJECTED = "comment.rejected", "Rejected a comment"
        COMMENT_FLAGGED = "comment.flagged", "Flagged a comment for safeguarding"
        COMMENT_REVIEWED = "comment.reviewed", "Confirmed another moderator's approval"
        COMMENTS_BULK_REJECTED = "comment.bulk_rejected", "Rejected every one-word comment"
        MODERATION_SETTINGS_CHANGED = "moderation.settings_changed", "Changed the moderation settings"
        TEAM_INVITED = "team.invited", "Invited someone to the team"
        TEAM_REINVITED = "team.reinvited", "Sent a new invitation link"
        TEAM_REMOVED = "team.removed", "Removed someone from the team"
        TWO_FACTOR_ON = "account.two_factor_on", "Turned on two-factor sign-in"
        TWO_FACTOR_OFF = "account.two_factor_off", "Turned off two-factor sign-in"
        ADMIN_ADDED = "admin.added", "Added something in the admin"
        ADMIN_CHANGED = "admin.changed", "Changed something in the admin"
        ADMIN_DELETED = "admin.deleted", "Deleted something in the admin"
        COMMENTS_READ = "comments.read", "Read comments in the moderation queue"
        API_KEY_CREATED = "api_key.created", "Created a personal API key"
        API_KEY_REVOKED = "api_key.revoked", "Revoked a personal API key"
        API_WRITE = "api.write", "Changed the survey through the API"
        ORGANISATION_CREATED = "organisation.created", "Created the organisation"
        ORGANISATION_CHANGED = "organisation.changed", "Changed the organisation"
        ORGANISATION_DELETED = "organisation.deleted", "Deleted the organisation"
        ORGANISATION_MEMBER_ADDED = "organisation.member_added", "Added someone to the organisation"
        ORGANISATION_MEMBER_CHANGED = "organisation.member_changed", "Changed someone's role in the organisation"
        ORGANISATION_MEMBER_REMOVED = "organisation.member_removed", "Removed someone from the organisation"
        SURVEY_ORGANISATION_CHANGED = "survey.organisation_changed", "Moved the survey to another organisation"
        PARTNERS_STARTED = "partners.started", "Made the survey a joint survey, run with partners"
        PARTNERS_ENDED = "partners.ended", "Made the survey run by its own organisation alone again"
        PARTNERS_CHANGED = "partners.changed", "Changed how the survey is run with partners"
        PARTNER_ADDED = "partners.added", "Added a partner organisation"
        PARTNER_REMOVED = "partners.removed", "Removed a partner organisation"
        PARTNER_MOVED = "partners.moved", "Changed the order of the partners"

    survey = models.ForeignKey(Survey, models.CASCADE, null=True, blank=True, related_name="audit")
    # Changes to an organisation (its members, its surveys) are listed on its page.
    organisation = models.ForeignKey(Organisation, models.SET_NULL, null=True, blank=True, related_name="audit")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+")
    action = models.CharField(max_length=60, choices=Action.choices)
    detail = models.TextField(blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at"]


class ApiKey(models.Model):
    """A staff member's personal key for the HTTP API (survey/api/keys.py).

    Only an HMAC-SHA256 of the token is kept: the token itself is shown once,
    at creation. A key reaches only the surveys chosen for it, and only while
    its owner is still an organiser of them; a read key never changes data.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="api_keys")
    name = models.CharField(max_length=100)
    digest = models.CharField(max_length=64, unique=True)  # the unique index serves the lookup by token
    surveys = models.ManyToManyField(Survey, related_name="api_keys", blank=True)
    can_write = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
