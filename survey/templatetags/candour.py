import datetime

from django import template
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

from survey.definitions import languages
from survey.figures import documents, stats, words
from survey.models import Question

register = template.Library()


@register.simple_tag
def figure(value):
    """A figure as text: '38.0% (380 of 1000; 95% CI 35.0–41.1)', or 'suppressed'."""
    if not value or value.get("suppressed"):
        if value and value.get("reason"):
            text = words.stored(value["reason"])
            return format_html('<span class="text-body-secondary">{}: {}</span>', gettext("suppressed"), text)
        return format_html('<span class="text-body-secondary">{}</span>', gettext("suppressed"))
    low, high = value["ci95"]
    corrected = ""
    if value.get("ci95_fpc"):
        low_fpc, high_fpc = (stats.number(v) for v in value["ci95_fpc"])
        corrected = gettext("; allowing for the known population, %(low)s–%(high)s") % {
            "low": low_fpc,
            "high": high_fpc,
        }
    detail = gettext("(%(count)s of %(n)s; 95%% CI %(low)s–%(high)s%(corrected)s)") % {
        "count": value["count"],
        "n": value["n"],
        "low": stats.number(low),
        "high": stats.number(high),
        "corrected": corrected,
    }
    return format_html(
        "<strong>{}%</strong> <span class='text-body-secondary small'>{}</span>", stats.number(value["pct"]), detail
    )


@register.simple_tag
def bar(value, label=""):
    """A horizontal bar with its interval drawn as a line; text beside it, so colour is never the only signal."""
    if not value or value.get("suppressed"):
        return mark_safe('<div class="bar bar-empty" aria-hidden="true"></div>')  # noqa: S308 - constant
    low, high = value["ci95"]
    return format_html(
        '<svg class="bar" viewBox="0 0 100 10" preserveAspectRatio="none" role="img" aria-label="{} {}%">'
        '<rect x="0" y="1" width="100" height="8" class="bar-bg"/>'
        '<rect x="0" y="1" width="{}" height="8" class="bar-fg"/>'
        '<line x1="{}" x2="{}" y1="5" y2="5" class="bar-ci"/></svg>',
        label,
        value["pct"],
        value["pct"],
        low,
        high,
    )


@register.simple_tag
def margin_of_error(document):
    """The report's plain sentence on chance, from its own figures (documents.margin_of_error)."""
    return documents.margin_of_error(document or {})


@register.simple_tag
def summary_of(questions, key):
    """The summary of question ``key`` among ``questions`` (None when not shown)."""
    return next((q for q in questions or [] if q.get("key") == key), None)


@register.filter
def lookup(mapping, key):
    """mapping[key], or the key itself when missing."""
    return mapping.get(key, key) if mapping else key


@register.filter
def pvalue(p):
    """A p-value printed so it never contradicts the verdict beside it (stats.p_text)."""
    return stats.p_text(p)


@register.filter
def points(value):
    """A rounded figure, one decimal place, never "-0.0" (stats.number)."""
    return stats.number(value)


@register.filter
def week_of(day):
    """A date shown no finer than its week (DESIGN rule 1: no output shows time finer than the week)."""
    if not day:
        return ""
    monday = day - datetime.timedelta(days=day.weekday())
    return f"the week of {monday.day} {monday:%B %Y}"


@register.filter
def listify(value):
    return [value]


@register.filter
def kind_label(kind: str) -> str:
    """A question kind in words: 'single_choice' -> 'Single choice'."""
    return Question.Kind(kind).label


@register.filter
def plain(value) -> str:
    """A definition text in the default language (it may be language -> text)."""
    return languages.default_text(value)


@register.simple_tag
def headline(concern):
    """A concern's plain headline from its shown figures (figures/words.py)."""
    return words.headline(concern)


@register.filter
def measure_words(measure: str) -> str:
    """'raised' -> 'Raised a concern' (figures/words.py)."""
    return words.measure_words(measure)


@register.filter
def day(value) -> str:
    """An ISO date (as snapshots and the ledger keep them) in words: 1 March 2027."""
    if not value:
        return ""
    try:
        parsed = datetime.date.fromisoformat(str(value)[:10])
    except ValueError:
        return str(value)
    return date_format(parsed, "j F Y")


@register.filter
def stored(text, labels=None) -> str:
    """A sentence a snapshot keeps in English (a note, a reason), in the page's language (figures/words.py)."""
    return words.stored(text, labels)


@register.filter
def test_words(test: str) -> str:
    """'z' -> 'z test', in the page's language (figures/words.py)."""
    return words.test_words(test)
