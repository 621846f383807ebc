"""Figures in plain words, for people who do not read percentages daily.

Pure functions of the figures a page shows (already suppressed and
rounded): a headline is never worked out from anything hidden.
"""

import re

from django.utils.translation import gettext, gettext_noop

# Halves, thirds, quarters, fifths, tenths and twentieths first: the easiest to picture.
DENOMINATORS = (2, 3, 4, 5, 10, 20, *(b for b in range(6, 20) if b != 10))

MEASURE_WORDS = {"raised": "Raised a concern", "resolved": "Concern resolved"}


def in_100(pct: float) -> int:
    """38.6 -> 39: "39 in 100"."""
    return int(pct + 0.5)


def about_one_in(pct: float) -> tuple[str, int, int]:
    """The simplest "a in b" (b up to 20) within a little of ``pct``:
    25.3 -> ("about", 1, 4); 6.0 -> ("about", 1, 15). Beyond 1 in 20 either
    way: ("fewer than", 1, 20) or ("more than", 19, 20); exact ends stay exact."""
    if pct <= 0:
        return ("", 0, 1)
    if pct >= 100:
        return ("", 1, 1)
    tolerance = min(2.5, pct * 0.1, (100 - pct) * 0.1)
    for b in DENOMINATORS:
        a = int(pct * b / 100 + 0.5)
        if 0 < a < b and abs(100 * a / b - pct) <= tolerance:
            return ("exactly" if 100 * a / b == pct else "about", a, b)
    return ("fewer than", 1, 20) if pct < 50 else ("more than", 19, 20)


def _topic(label: str) -> str:
    """ "Patient care" -> "patient care"; "IAPT access" stays as it is."""
    if len(label) > 1 and label[0].isupper() and label[1].islower():
        return label[0].lower() + label[1:]
    return label


def _share(pct: float) -> str:
    qualifier, a, b = about_one_in(pct)
    if b == 1:
        return gettext("all of them") if a else gettext("none of them")
    words = {
        "about": gettext("about %(a)s in %(b)s of them"),
        "exactly": gettext("%(a)s in %(b)s of them"),
        "fewer than": gettext("fewer than %(a)s in %(b)s of them"),
        "more than": gettext("more than %(a)s in %(b)s of them"),
    }[qualifier]
    return words % {"a": a, "b": b}


def headline(concern: dict) -> str:
    """ "39 in 100 raised a concern about patient care; about 1 in 4 of them
    said it was resolved." from a concern's shown figures only."""
    raised, resolved = concern["raised"], concern["resolved"]
    topic = _topic(concern["label"])
    if raised.get("suppressed"):
        return gettext("%(topic)s: too few answers to show safely.") % {"topic": concern["label"]}
    text = gettext("%(count)s in 100 raised a concern about %(topic)s") % {
        "count": in_100(raised["pct"]),
        "topic": topic,
    }
    if resolved.get("suppressed"):
        return text + gettext("; how it went is not shown, to keep small groups safe.")
    return text + "; " + gettext("%(share)s said it was resolved.") % {"share": _share(resolved["pct"])}


def measure_words(measure: str) -> str:
    return gettext(MEASURE_WORDS.get(measure, measure))


# Sentences a snapshot keeps in English (notes, reasons, lines of what changed),
# matched whole and given in the page's language; anything else is left as it is.
_STORED = (
    (
        r"From the exact shares; the rounded figures differ by (?P<points>-?[\d.]+)\.",
        "From the exact shares; the rounded figures differ by %(points)s.",
    ),
    (
        r"The shares add to (?P<total>[\d.]+)%, not 100%, because each is rounded on its own\.",
        "The shares add to %(total)s%%, not 100%%, because each is rounded on its own.",
    ),
    (
        r"People could choose more than one answer, so the shares add to more than 100%\.",
        "People could choose more than one answer, so the shares add to more than 100%%.",
    ),
    (r"fewer than (?P<minimum>\d+) respondents: not tested", "fewer than %(minimum)s respondents: not tested"),
    (r"Respondents: (?P<before>\d+) → (?P<after>\d+)", "Respondents: %(before)s → %(after)s"),
    (
        r"(?P<label>.+), (?P<measure>raised|resolved): (?P<old_pct>[\d.]+)% of (?P<old_n>\d+) → "
        r"(?P<new_pct>[\d.]+)% of (?P<new_n>\d+)",
        "%(label)s, %(measure)s: %(old_pct)s%% of %(old_n)s → %(new_pct)s%% of %(new_n)s",
    ),
)
# Reasons and labels kept as they are, translated whole.
_KEPT = (
    gettext_noop("no respondents"),
    gettext_noop("fewer than k respondents"),
    gettext_noop("answers too uniform to show"),
    gettext_noop("hidden to protect another group"),
    gettext_noop("fewer than k respondents, or fewer than k who did not answer"),
    gettext_noop("more respondents than the population entered: check the workforce figure"),
    gettext_noop("the rest"),
)
CHANGED_MEASURES = {"raised": gettext_noop("raised"), "resolved": gettext_noop("resolved")}
TESTS = {
    "z": gettext_noop("z test"),
    "Fisher's exact": gettext_noop("Fisher's exact test"),
    "exact": gettext_noop("exact test"),
    "chi-square": gettext_noop("chi-square test"),
}


def stored(text: str, labels: dict | None = None) -> str:
    """A sentence a snapshot keeps in English, in the active language
    (``labels``: English concern label -> this language's, for lines of what changed)."""
    if not text:
        return text
    for pattern, message in _STORED:
        match = re.fullmatch(pattern, text)
        if match:
            values = match.groupdict()
            if "label" in values:
                values["label"] = (labels or {}).get(values["label"], values["label"])
                values["measure"] = gettext(CHANGED_MEASURES[values["measure"]])
            return gettext(message) % values
    return gettext(text) if text in _KEPT else text


def test_words(test: str) -> str:
    """'z' -> 'z test'; an empty test stays empty."""
    return gettext(TESTS[test]) if test in TESTS else test
