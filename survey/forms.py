"""Forms: validate and describe layout, no side effects."""

from crispy_forms.helper import FormHelper
from django import forms
from django.utils.translation import gettext_lazy as _

from survey.models import Question
from survey.responding import FREE_TEXT_MAX, QuestionSpec


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


class CodeBatchForm(CrispyForm):
    count = forms.IntegerField(
        label="How many codes?",
        min_value=1,
        max_value=5000,
        help_text="One per person you will invite. The codes are shown once, on the next page only.",
    )


class ReportSettingsForm(CrispyForm):
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

    def __init__(self, *args, concerns, breakdowns, questions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["concerns"].choices = concerns
        self.fields["breakdowns"].choices = breakdowns
        self.fields["questions"].choices = questions


class ConcernActionForm(CrispyForm):
    commitment = forms.CharField(
        label="What we will do", required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=5000
    )
    help = forms.CharField(
        label="Who can help, and how to reach them",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
    )


class ActionUpdateForm(CrispyForm):
    concern = forms.ChoiceField(label="Concern topic")
    text = forms.CharField(label="You said, we did", widget=forms.Textarea(attrs={"rows": 3}), max_length=5000)

    def __init__(self, *args, concerns, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["concern"].choices = concerns


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
