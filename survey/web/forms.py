"""Forms: validate and describe layout, no side effects."""

import copy
import json
import re
from pathlib import Path
from typing import ClassVar

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Field, Layout
from django import forms
from django.forms.utils import pretty_name
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from survey.definitions import languages
from survey.definitions.format import (
    YES_NO_CHOICES,
    DefinitionError,
    builtin_definitions,
    parse_json,
    validate_definition,
)
from survey.definitions.xlsform import read_xlsform
from survey.models import LedgerEntry, Member, Question, Survey
from survey.responses.answers import FREE_TEXT_MAX, QuestionSpec


class CrispyForm(forms.Form):
    """A form laid out by crispy inside a <form> tag the template writes itself."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True  # the template's own <form> carries the token


def field_name(key: str) -> str:
    return f"q_{key}"


def _field(q: QuestionSpec) -> forms.Field:
    common = {
        "label": q.text,
        "help_text": q.help,
        "required": q.required,
        "error_messages": {"required": _("Please answer this question.")},
    }
    if q.kind == Question.Kind.MULTIPLE_CHOICE:
        return forms.MultipleChoiceField(choices=q.choices, widget=forms.CheckboxSelectMultiple, **common)
    if q.kind == Question.Kind.FREE_TEXT:
        return forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), max_length=FREE_TEXT_MAX, **common)
    return forms.ChoiceField(choices=q.choices, widget=forms.RadioSelect, **common)


class PageForm(CrispyForm):
    """The questions of one page of a survey, built from plain question specs."""

    def __init__(self, *args, questions: list[QuestionSpec], **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = questions
        for q in questions:
            self.fields[field_name(q.key)] = _field(q)
            if q.kind == Question.Kind.FREE_TEXT:
                parts = ("helptext", "check") if q.help else ("check",)
                described = [f"id_{field_name(q.key)}_{part}" for part in parts]
                self.fields[field_name(q.key)].widget.attrs.update(
                    {"data-comment-check": "", "aria-describedby": " ".join(described)}
                )
        # A comment box has its hint before it, and the browser's check beside it.
        self.helper.layout = Layout(
            *(
                Field(field_name(q.key), template="survey/respond/_comment_field.html")
                if q.kind == Question.Kind.FREE_TEXT
                else field_name(q.key)
                for q in questions
            )
        )

    def answers(self) -> dict:
        """Cleaned answers keyed by question key; unanswered ones left out."""
        out = {}
        for q in self.questions:
            value = self.cleaned_data.get(field_name(q.key))
            if value not in (None, "", []):
                out[q.key] = list(value) if isinstance(value, list) else value
        return out


class CodeForm(CrispyForm):
    code = forms.CharField(
        label=_("Your invitation code"),
        max_length=40,
        error_messages={"required": _("Please enter the invitation code you were given.")},
        help_text=_("The code on the slip or message you were given, like ABCD-EFGH-JKMN."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}),
    )


class PublishForm(CrispyForm):
    note = forms.CharField(
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Optional: what this version is, or what it corrects.",
    )


class NotYetForm(CrispyForm):
    note = forms.CharField(
        label="What should change (optional)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="The organisers read it in the survey's list of changes.",
    )


class CodeBatchForm(CrispyForm):
    count = forms.IntegerField(
        label="How many codes?",
        min_value=1,
        max_value=5000,
        help_text="One per person you will invite. The codes are shown once, on the next page only.",
    )

    def __init__(self, *args, survey=None, **kwargs):
        super().__init__(*args, **kwargs)
        if survey is not None and survey.partners_from == "link":
            # A joint survey's codes come in batches per partner: a code's respondent counts for its partner.
            self.fields["partner"] = forms.ModelChoiceField(
                label="Which partner are these codes for?",
                queryset=survey.partners.select_related("organisation"),
                empty_label=None,
                help_text="Whoever answers with one of these codes is counted among this partner's respondents.",
            )
            self.fields["partner"].label_from_instance = lambda p: p.organisation.name


class PartnersStartForm(CrispyForm):
    partners_from = forms.ChoiceField(
        label="How is each response's partner known?",
        choices=[
            ("link", "From each partner's own link or invitation codes (respondents are not asked)"),
            ("question", "From a question respondents answer: “Which organisation invited you?”"),
        ],
        widget=forms.RadioSelect,
        initial="link",
    )
    see_each_other = forms.BooleanField(
        label="Partners may see each other's tables",
        required=False,
        help_text="Agreed by the partners when the survey is set up; fixed once anyone has answered.",
    )


class PartnerSettingsForm(PartnersStartForm):
    question_text = forms.CharField(
        label="The partner question",
        max_length=200,
        help_text="Respondents read it when they are asked; tables use it to name the breakdown by partner.",
    )


class PartnerAddForm(CrispyForm):
    organisation = forms.ModelChoiceField(
        label="Organisation to add", queryset=None, empty_label="Choose an organisation"
    )

    def __init__(self, *args, survey, **kwargs):
        super().__init__(*args, **kwargs)
        from survey.models import Organisation

        self.fields["organisation"].queryset = Organisation.objects.exclude(partnerships__survey=survey).order_by(
            "name"
        )


class TranslatedFields:
    """Extra fields for a survey's other languages: ``<name>_<code>`` for
    each translated field, gathered by ``clean`` into ``translations``
    ({"cy": {"narrative": ...}}) and spread back from ``initial``."""

    translated: ClassVar[tuple[str, ...]] = ()

    def add_languages(self, codes) -> None:
        self.language_codes = list(codes)
        given = (self.initial or {}).get("translations") or {}
        for code in self.language_codes:
            for name in self.translated:
                field = copy.deepcopy(self.fields[name])
                field.required = False
                field.label = f"{field.label or name.capitalize()} ({languages.NAMES[code]})"
                field.help_text = ""
                field.widget.attrs["lang"] = code
                self.fields[f"{name}_{code}"] = field
                self.initial.setdefault(f"{name}_{code}", given.get(code, {}).get(name, ""))

    def clean(self):
        data = super().clean()
        data["translations"] = {
            code: {name: data.pop(f"{name}_{code}", "") or "" for name in self.translated}
            for code in getattr(self, "language_codes", [])
        }
        data["translations"] = {code: texts for code, texts in data["translations"].items() if any(texts.values())}
        return data


class ReportSettingsForm(TranslatedFields, CrispyForm):
    translated = ("title", "narrative")

    title = forms.CharField(max_length=200, required=False, help_text="Leave empty to use the survey's title.")
    narrative = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text="What the figures mean, in your words. Markdown: **bold**, *italic*, lists, links.",
    )
    concerns = forms.MultipleChoiceField(
        required=False, widget=forms.CheckboxSelectMultiple, help_text="None ticked means all."
    )
    breakdowns = forms.MultipleChoiceField(
        required=False, widget=forms.CheckboxSelectMultiple, help_text="None ticked means all."
    )
    questions = forms.MultipleChoiceField(
        required=False, widget=forms.CheckboxSelectMultiple, help_text="None ticked means all."
    )

    quotes = forms.MultipleChoiceField(
        label="Quotes in the report",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Comments a moderator approved, as they will appear. None ticked means no quotes.",
    )

    def __init__(self, *args, concerns, breakdowns, questions, quotes=(), languages=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["quotes"].choices = quotes
        self.fields["concerns"].choices = concerns
        self.fields["breakdowns"].choices = breakdowns
        self.fields["questions"].choices = questions
        self.add_languages(languages)
        self.order_fields(
            ["title", *[f"title_{c}" for c in languages], "narrative", *[f"narrative_{c}" for c in languages]]
        )


class ActionChangeForm(TranslatedFields, CrispyForm):
    """An action's state: what, who answers for it, by when, how it stands
    (what will be done and what happened also in the survey's other languages)."""

    translated = ("text", "note")

    text = forms.CharField(
        label="What will be done",
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=5000,
        error_messages={"required": "Say what will be done."},
    )
    role = forms.CharField(
        label="Accountable role",
        max_length=200,
        help_text='A role, such as "Director of Nursing", not a person\'s name unless they choose.',
        error_messages={"required": "Name the role that answers for it."},
    )
    due_on = forms.DateField(
        label="Due by",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": "Enter a date, like 2027-03-31."},
    )
    status = forms.ChoiceField(label="Status", choices=LedgerEntry.Status.choices, initial=LedgerEntry.Status.PLANNED)
    note = forms.CharField(
        label="What happened (you said, we did)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=5000,
        help_text="Optional. Shown with today's date; earlier entries stay as they were.",
    )

    def __init__(self, *args, languages=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.add_languages(languages)
        self.order_fields(
            [
                *(["concern"] if "concern" in self.fields else []),
                "text",
                *[f"text_{c}" for c in languages],
                "role",
                "due_on",
                "status",
                "note",
                *[f"note_{c}" for c in languages],
            ]
        )


class ActionForm(ActionChangeForm):
    concern = forms.ChoiceField(label="Concern topic")

    def __init__(self, *args, concerns, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["concern"].choices = concerns


class HelpForm(TranslatedFields, CrispyForm):
    translated = ("text",)

    def __init__(self, *args, languages=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.add_languages(languages)

    text = forms.CharField(
        label="Who can help, and how to reach them",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=5000,
        help_text="Markdown. Shown on the report, the thank-you page and the ledger, with today's date.",
    )


PULSE_KINDS = [
    ("yes_no", "Yes or no"),
    ("changed", "Better, the same, worse"),
]
PULSE_CHANGED_CHOICES = [
    {"value": "better", "label": "Better"},
    {"value": "same", "label": "About the same"},
    {"value": "worse", "label": "Worse"},
    {"value": "unsure", "label": "Not sure", "counted": False},
]


class PulseForm(CrispyForm):
    """A short follow-up: one to three questions with choices."""

    title = forms.CharField(max_length=200)
    intro = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=5000,
        help_text="Shown before the questions. Answers are anonymous, as in the first survey.",
    )
    min_group_size = forms.IntegerField(
        label="Minimum group size (k)",
        min_value=5,
        max_value=1000,
        help_text="No figure is shown about fewer people. It cannot be lower than the first survey's.",
    )
    access = forms.ChoiceField(
        label="Who can answer",
        choices=[("open", "Anyone with the survey's address"), ("codes", "Only people with a fresh invitation code")],
    )
    question_1 = forms.CharField(label="Question 1", max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))
    kind_1 = forms.ChoiceField(label="Answers to question 1", choices=PULSE_KINDS)
    question_2 = forms.CharField(
        label="Question 2 (optional)", required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )
    kind_2 = forms.ChoiceField(label="Answers to question 2", choices=PULSE_KINDS)
    question_3 = forms.CharField(
        label="Question 3 (optional)", required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )
    kind_3 = forms.ChoiceField(label="Answers to question 3", choices=PULSE_KINDS)

    def __init__(self, *args, floor: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.floor = floor
        self.fields["min_group_size"].min_value = floor

    def clean_min_group_size(self):
        value = self.cleaned_data["min_group_size"]
        if value < self.floor:
            raise forms.ValidationError(f"It cannot be lower than the first survey's ({self.floor}).")
        return value

    def questions(self) -> list[dict]:
        """The pulse's questions, in the definition format."""
        out = []
        for i in (1, 2, 3):
            text = self.cleaned_data.get(f"question_{i}", "").strip()
            if not text:
                continue
            question = {"key": f"q{i}", "kind": "yes_no", "text": text}
            if self.cleaned_data[f"kind_{i}"] == "changed":
                question |= {"kind": "single_choice", "choices": PULSE_CHANGED_CHOICES}
            out.append(question)
        return out


class DecisionForm(CrispyForm):
    redacted_text = forms.CharField(
        label="Text to publish",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Suggested redactions are filled in; edit until nothing could identify anyone.",
    )
    concern = forms.ChoiceField(label="Concern topic", required=False)
    label = forms.ChoiceField(label="Group label", required=False)

    def __init__(self, *args, concerns, breakdowns, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["concern"].choices = concerns
        self.fields["label"].choices = breakdowns


class ModerationSettingsForm(CrispyForm):
    terms = forms.CharField(
        label="Local names to highlight",
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Wards, teams, sites and other local names, one per line.",
    )
    safeguarding_contact = forms.EmailField(label="Safeguarding contact", required=False)
    two_person_review = forms.BooleanField(
        label="A second moderator reviews approvals before they are published", required=False
    )


# --- Console: building a survey ----------------------------------------------

MAX_DEFINITION_BYTES = 1_000_000
KEY_LENGTH = 30
# Words left out of a short name made from a question, unless nothing else is left.
_FILLER = set(
    "a an and are at be did do does for from have has how in is it of on or the to was were what which who with "
    "you your".split()
)


def short_key(text: str, *, taken=(), fallback: str = "question", sep: str = "_") -> str:
    """A short name (at most KEY_LENGTH characters) from the first words of
    ``text`` that matter, unused among ``taken``: "On your last night shift,
    did you raise a concern?" -> "last_night_shift_raise_concern"."""
    words = [w for w in slugify(text).replace("_", "-").split("-") if w]
    chosen = [w for w in words if w not in _FILLER] or words
    key = ""
    for word in chosen:
        candidate = f"{key}{sep}{word}" if key else word
        if len(candidate) > KEY_LENGTH:
            break
        key = candidate
    key = key or (chosen[0][:KEY_LENGTH] if chosen else fallback)
    base, n = key, 2
    while key in set(taken):
        suffix = f"{sep}{n}"
        key, n = base[: KEY_LENGTH - len(suffix)].rstrip(sep) + suffix, n + 1
    return key


def read_definition_file(upload) -> dict:
    """An uploaded definition, checked with the same validation as load_survey."""
    if upload.size > MAX_DEFINITION_BYTES:
        raise forms.ValidationError("The file is larger than 1 MB; a survey definition is much smaller.")
    if upload.name.lower().endswith(".xlsx"):  # an XLSForm (ODK, KoboToolbox)
        try:
            document = read_xlsform(upload.read(), fallback_slug=Path(upload.name).stem)
            validate_definition(document, partial=True)
        except DefinitionError as exc:
            raise forms.ValidationError(str(exc)) from None
        return document
    try:
        text = upload.read().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise forms.ValidationError("The file is not UTF-8 text: save it as JSON and try again.") from None
    try:
        document = parse_json(text)
        validate_definition(document, partial=True)
    except DefinitionError as exc:
        raise forms.ValidationError(str(exc)) from None
    return document


class Localised:
    """A field for every other language of the survey beside each text named
    in ``texts``: "Question (English)", then "Question (Cymraeg)"."""

    texts: tuple[str, ...] = ()

    def add_language_fields(self, offered) -> None:
        self.others = [lang for lang in offered if lang != languages.DEFAULT]
        if not self.others:
            return
        fields = {}
        for name, field in self.fields.items():
            fields[name] = field
            if name not in self.texts:
                continue
            label = field.label or pretty_name(name)
            field.label = f"{label} ({languages.NAMES[languages.DEFAULT]})"
            for lang in self.others:
                extra = copy.deepcopy(field)
                extra.required = False
                extra.label = f"{label} ({languages.NAMES[lang]})"
                extra.help_text = ""
                extra.widget.attrs["lang"] = lang
                fields[f"{name}_{lang}"] = extra
        self.fields = fields

    def localised(self, name: str):
        """The text as a definition writes it: a string, or language -> text."""
        value = self.cleaned_data.get(name, "")
        if not self.others:
            return value
        # A language the request did not send is kept as it was, not emptied.
        sent = [lang for lang in self.others if self.add_prefix(f"{name}_{lang}") in self.data]
        return {languages.DEFAULT: value, **{lang: self.cleaned_data.get(f"{name}_{lang}", "") for lang in sent}}

    @staticmethod
    def initial_texts(values: dict, offered) -> dict:
        """Initial values for each text and its other languages."""
        out = {}
        for name, value in values.items():
            out[name] = languages.default_text(value)
            for lang in offered:
                if lang != languages.DEFAULT:
                    out[f"{name}_{lang}"] = value.get(lang, "") if isinstance(value, dict) else ""
        return out


class NewSurveyForm(CrispyForm):
    title = forms.CharField(max_length=200)
    slug = forms.SlugField(
        label="Address",
        max_length=80,
        required=False,
        help_text="Respondents answer at /s/ followed by the address, like /s/speaking-up-2027/. "
        "Made from the title if left empty; it cannot change later.",
    )
    start = forms.ChoiceField(label="Start from", widget=forms.RadioSelect, initial="blank")
    definition = forms.FileField(
        label="Definition file",
        required=False,
        help_text="Only when starting from a file: a JSON survey definition, or an XLSForm (.xlsx).",
    )

    organisation = forms.ModelChoiceField(
        label="Run by",
        queryset=None,
        required=False,
        empty_label="None: only the people I add to its team",
        help_text="The organisation's owners and organisers will organise this survey with you.",
    )

    def __init__(self, *args, organisations=None, **kwargs):
        super().__init__(*args, **kwargs)
        # Offered only to members of an organisation, and only their own.
        if organisations is not None and organisations.exists():
            self.fields["organisation"].queryset = organisations
            if organisations.count() == 1:
                self.fields["organisation"].initial = organisations.get()
        else:
            del self.fields["organisation"]
        templates = [
            (
                f"template:{stem}",
                f"The built-in template “{languages.default_text(json.loads(path.read_text())['title'])}”",
            )
            for stem, path in builtin_definitions().items()
        ]
        self.fields["start"].choices = [("blank", "An empty survey"), *templates, ("upload", "A definition file")]

    def clean_slug(self):
        slug = self.cleaned_data["slug"].lower()
        if slug and not re.fullmatch(r"[a-z0-9][a-z0-9_-]*", slug):
            raise forms.ValidationError("Use lower-case letters, digits, - and _, starting with a letter or digit.")
        return slug

    def clean(self):
        cleaned = super().clean()
        if "title" in cleaned and not cleaned.get("slug"):
            cleaned["slug"] = slugify(cleaned["title"])[:80] or "survey"
        start = cleaned.get("start", "")
        self.source = None
        if start.startswith("template:"):
            self.source = json.loads(builtin_definitions()[start.removeprefix("template:")].read_text())
        elif start == "upload":
            upload = cleaned.get("definition")
            if upload is None:
                self.add_error("definition", "Choose the definition file to start from.")
            else:
                try:
                    self.source = read_definition_file(upload)
                except forms.ValidationError as exc:
                    self.add_error("definition", exc)
        return cleaned


class DefinitionUploadForm(CrispyForm):
    definition = forms.FileField(
        label="Definition file", help_text="A JSON survey definition, or an XLSForm (.xlsx) from ODK or KoboToolbox."
    )

    def clean_definition(self):
        return read_definition_file(self.cleaned_data["definition"])


class SurveySettingsForm(Localised, CrispyForm):
    """The survey's title and introduction in every language Candour knows:
    giving a Welsh title makes the survey bilingual, and the builder then
    offers a Welsh field beside every other text."""

    texts = ("title", "intro", "moderators")
    title = forms.CharField(max_length=200)
    intro = forms.CharField(
        label="Introduction", required=False, widget=forms.Textarea(attrs={"rows": 4}), help_text="Shown first."
    )
    estimated_minutes = forms.IntegerField(
        label="Minutes to answer",
        required=False,
        min_value=1,
        max_value=600,
        help_text="Optional: the first page says “It takes about 5 minutes.”",
    )
    moderators = forms.CharField(
        label="Who reads the comments",
        required=False,
        max_length=200,
        help_text="Optional, in your words: the first page says “Comments are read only by …”, "
        "for example “two staff-side reps chosen by the branch”. Left empty: “the survey's moderators”.",
    )
    min_group_size = forms.IntegerField(
        label="Minimum group size",
        min_value=5,
        max_value=1000,
        help_text="No figure resting on fewer respondents is ever shown (at least 5).",
    )
    access = forms.ChoiceField(label="Who can answer", choices=Survey.Access.choices)
    population = forms.IntegerField(
        label="Staff in scope",
        required=False,
        min_value=1,
        max_value=10_000_000,
        help_text="Optional, from workforce records: gives response rates and narrower intervals.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_language_fields(languages.NAMES)
        for lang in self.others:
            self.fields[f"title_{lang}"].help_text = (
                f"Give a title in {languages.NAMES[lang]} to offer the survey in {languages.NAMES[lang]} too: "
                "every text then gets a field for it."
            )


class SectionForm(Localised, CrispyForm):
    texts = ("title",)
    title = forms.CharField(max_length=200)

    def __init__(self, *args, offered=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.add_language_fields(offered)


class QuestionForm(Localised, CrispyForm):
    texts = ("text", "help")
    text = forms.CharField(label="Question", widget=forms.Textarea(attrs={"rows": 2}))
    key = forms.SlugField(
        label="Short name",
        max_length=80,
        required=False,
        help_text="Used in downloads, like raised_concern. Made from the question's first words if left empty; "
        "it can change until the first answer arrives.",
    )
    kind = forms.ChoiceField(label="Kind of answer", choices=Question.Kind.choices)
    help = forms.CharField(label="Help text", required=False)
    required = forms.BooleanField(label="An answer is required", required=False, initial=True)
    breakdown = forms.BooleanField(
        label="Split results into groups by the answers to this question (single choice, required, asked of everyone)",
        required=False,
    )
    show_if = forms.ChoiceField(label="Who is asked", required=False)
    agree_end = forms.ChoiceField(
        label="On a scale, which choices agree",
        required=False,
        initial="last",
        choices=[
            ("last", "Those listed last (a scale from “Strongly disagree” to “Strongly agree”)"),
            ("first", "Those listed first (a scale from “Strongly agree” to “Strongly disagree”)"),
        ],
    )

    def __init__(self, *args, earlier: list[dict], taken=(), offered=(), answered=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.taken = set(taken)
        options = [("", "Everyone")]
        for q in earlier:
            choices = q.get("choices") or (YES_NO_CHOICES if q["kind"] == "yes_no" else [])
            for c in choices:
                label, text = languages.default_text(c["label"]), languages.default_text(q["text"])
                options.append((f"{q['key']}={c['value']}", f"Those who answered “{label}” to “{text}”"))
        self.fields["show_if"].choices = options
        if answered:
            self.fields["key"].disabled = True
            self.fields["key"].help_text = "Used in downloads. It cannot change now that the survey has answers."
        self.add_language_fields(offered)

    def clean_key(self):
        return (self.cleaned_data.get("key") or "").lower()

    def as_definition(self, choices: list[dict]) -> dict:
        data = self.cleaned_data
        question = {
            "key": data["key"] or short_key(data["text"], taken=self.taken),
            "kind": data["kind"],
            "text": self.localised("text"),
            "help": self.localised("help"),
            "required": data["required"],
            "breakdown": data["breakdown"],
        }
        if data["show_if"]:
            target, value = data["show_if"].split("=", 1)
            question["show_if"] = {"question": target, "equals": value}
        # A yes/no question may word its two answers (in every language): rows
        # with the short names yes and no; left empty, it offers "Yes" and "No".
        if data["kind"] != "free_text" and (choices or data["kind"] != "yes_no"):
            question["choices"] = choices
        if data["kind"] == "scale":
            question["agree_end"] = data["agree_end"] or "last"
        return question


class ChoiceRowForm(Localised, forms.Form):
    texts = ("label",)
    label = forms.CharField(required=False, max_length=200)
    value = forms.SlugField(required=False, max_length=80)
    not_counted = forms.BooleanField(required=False)
    population = forms.IntegerField(required=False, min_value=1, max_value=10_000_000)

    def __init__(self, *args, offered=(), **kwargs):
        super().__init__(*args, **kwargs)
        index = self.prefix.rsplit("-", 1)[-1] if self.prefix else "0"
        n = int(index) + 1 if index.isdigit() else "__number__"
        self.fields["label"].label = f"Choice {n}"
        self.fields["value"].label = f"Short name of choice {n}"
        self.fields["not_counted"].label = f"Leave choice {n} out of the base (like “Don't know”)"
        self.fields["population"].label = f"Staff in group {n} (breakdowns, optional)"
        self.add_language_fields(offered)


ChoiceFormSet = forms.formset_factory(ChoiceRowForm, extra=3)
MORE_CHOICE_ROWS = 3


def choice_rows(formset) -> list[tuple[int, dict]]:
    """The filled-in rows of a choice formset: (row index, choice)."""
    rows, taken = [], {(row.cleaned_data.get("value") or "").lower() for row in formset.forms}
    for i, row in enumerate(formset.forms):
        label = row.cleaned_data.get("label", "").strip()
        if label:
            value = row.cleaned_data.get("value") or short_key(label, taken=taken - {""}, fallback=f"choice_{i + 1}")
            taken.add(value.lower())
            choice = {"value": value.lower(), "label": row.localised("label")}
            choice.update(
                counted=not row.cleaned_data.get("not_counted"), population=row.cleaned_data.get("population")
            )
            rows.append((i, choice))
    return rows


class ConcernForm(Localised, CrispyForm):
    texts = ("label",)
    label = forms.CharField(max_length=200, help_text="Like “Patient care”.")
    key = forms.SlugField(
        label="Short name",
        max_length=80,
        required=False,
        help_text="Used in downloads. Made from the label if left empty.",
    )
    raised = forms.ChoiceField(label="Question: did they raise a concern? (yes/no)")
    outcome = forms.ChoiceField(label="Question: what happened? (single choice)")
    resolved_values = forms.MultipleChoiceField(
        label="Outcomes that count as resolved", widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, questions: list[dict], outcome: str | None = None, taken=(), offered=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.taken = set(taken)
        self.fields["raised"].choices = [
            (q["key"], languages.default_text(q["text"])) for q in questions if q["kind"] == "yes_no"
        ]
        self.outcomes = {q["key"]: q for q in questions if q["kind"] == "single_choice"}
        self.fields["outcome"].choices = [(k, languages.default_text(q["text"])) for k, q in self.outcomes.items()]
        # Only the answers of the chosen outcome question can count as resolved.
        chosen = self.outcomes.get(outcome) or next(iter(self.outcomes.values()), None)
        self.fields["resolved_values"].choices = [
            (c["value"], languages.default_text(c["label"])) for c in (chosen["choices"] if chosen else [])
        ]
        self.add_language_fields(offered)

    def clean_key(self):
        return (self.cleaned_data.get("key") or "").lower()

    def outcome_choices(self) -> dict[str, list[tuple[str, str]]]:
        """Each outcome question's answers, for the page's script to offer when it is chosen."""
        return {
            k: [(c["value"], languages.default_text(c["label"])) for c in q["choices"]]
            for k, q in self.outcomes.items()
        }

    def as_definition(self) -> dict:
        data = self.cleaned_data
        return {
            "key": data["key"] or short_key(data["label"], taken=self.taken, fallback="concern", sep="-"),
            "label": self.localised("label"),
            "raised": data["raised"],
            "outcome": data["outcome"],
            "resolved_values": data["resolved_values"],
        }


class ScheduleForm(CrispyForm):
    opens_at = forms.DateTimeField(
        label="Open at", required=False, widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    closes_at = forms.DateTimeField(
        label="Close at", required=False, widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )


class InviteForm(CrispyForm):
    email = forms.EmailField(label="E-mail address")
    role = forms.ChoiceField(choices=Member.Role.choices)


class TokenForm(CrispyForm):
    token = forms.CharField(
        label="Six-digit code from your authenticator app",
        max_length=8,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )
