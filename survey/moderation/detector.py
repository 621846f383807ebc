"""Spot what in a comment might identify someone, for the moderator to check.

Offline and deterministic: Google's libphonenumber (the ``phonenumbers``
package) finds UK phone numbers; patterns find e-mail addresses, NHS numbers
(checksum or the usual 3-3-4 grouping), postcodes, dates, wards, units,
teams and other named places; a list of common first names and titles finds
people; and the survey's own list of local names (wards, teams, sites) is
matched as given. The moderator decides: this only highlights.
"""

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import phonenumbers

DATA = Path(__file__).parent
MONTHS = (
    "january|february|march|april|may|june|july|august|september|october|november|december|"
    "jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec"
)
ORDINAL = r"\d{1,2}(?:st|nd|rd|th)?"
PLACE_NOUNS = (
    "Ward|Unit|Hospital|House|Centre|Center|Clinic|Team|Surgery|Practice|Trust|Lodge|Court|Wing|"
    "Suite|Site|Campus|Hub|Service|General|Infirmary"
)
TITLES = (
    r"dr|doctor|mr|mrs|ms|miss|mx|sister|nurse|matron|prof|professor|sr|charge nurse|"
    r"reverend|rev|father|aunty|auntie|uncle"
)
# Words after a title that are not a name ("the nurse on shift", "Matron is").
NOT_NAMES = {
    "i",
    "i've",
    "i'd",
    "i'm",
    "on",
    "for",
    "is",
    "was",
    "with",
    "and",
    "the",
    "a",
    "an",
    "to",
    "at",
    "in",
    "who",
    "said",
    "told",
    "had",
    "has",
    "did",
    "does",
    "of",
    "or",
    "but",
    "that",
    "this",
    "from",
    "about",
    "as",
    "it",
    "we",
    "they",
    "he",
    "she",
    "you",
    "be",
    "been",
    "were",
    "are",
    "not",
    "so",
    "if",
    "when",
    "then",
    "there",
}
# Capitalised words after "at", "in", "from"... that are not place names.
NOT_PLACE_WORDS = {
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
    "christmas",
    "easter",
    "nhs",
    "hr",
    "cqc",
    "gp",
    "a&e",
    "ae",
    "i",
    "the",
    "my",
    "our",
    "their",
    "a",
    "an",
    "this",
    "that",
    "work",
    "home",
    "band",
    "english",
    "covid",
    "mental",
    "health",
    "team",
    "trust",
    "board",
    "supervision",
}
NAME_FOLLOWERS = {"said", "says", "told", "was", "is", "has", "had", "asked", "shouted", "and", "who", "from", "did"}
AMBIGUOUS_NAMES = {"will", "hope", "rose", "mark", "grace", "joy", "may", "dawn", "faith", "kay", "lee", "jo"}
NOT_PLACES = {"the", "a", "an", "our", "my", "this", "that", "their", "his", "her", "every", "each", "no", "any"}
TOWNS = (
    "london|leeds|manchester|birmingham|liverpool|bristol|sheffield|newcastle|nottingham|leicester|"
    "coventry|bradford|cardiff|swansea|glasgow|edinburgh|belfast|aberdeen|dundee|york|hull|derby|"
    "plymouth|southampton|portsmouth|brighton|reading|oxford|cambridge|norwich|exeter|bath|preston|"
    "bolton|wigan|salford|stockport|oldham|rochdale|blackburn|blackpool|sunderland|durham|middlesbrough|"
    "wakefield|huddersfield|halifax|doncaster|rotherham|barnsley|lincoln|ipswich|luton|milton keynes|"
    "northampton|peterborough|stoke|wolverhampton|walsall|dudley|telford|shrewsbury|gloucester|"
    "cheltenham|swindon|bournemouth|poole|truro|carlisle|lancaster|chester|wrexham|newport|inverness"
)


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    kind: str

    @property
    def placeholder(self) -> str:
        return {
            "PERSON": "[name]",
            "EMAIL": "[email]",
            "PHONE": "[phone]",
            "NHS_NUMBER": "[NHS number]",
            "POSTCODE": "[postcode]",
            "DATE": "[date]",
            "PLACE": "[place]",
        }[self.kind]


@cache
def _first_names() -> frozenset[str]:
    lines = (DATA / "first_names.txt").read_text().splitlines()
    return frozenset(line.strip() for line in lines if line.strip() and not line.startswith("#"))


def _nhs_checksum_ok(digits: str) -> bool:
    total = sum(int(d) * w for d, w in zip(digits[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    check = 0 if check == 11 else check
    return check != 10 and check == int(digits[9])


PATTERNS: list[tuple[str, re.Pattern]] = [
    ("EMAIL", re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")),
    ("POSTCODE", re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]?\s?\d[A-Z]{2}\b", re.I)),
    ("DATE", re.compile(r"\b\d{1,2}[/.]\d{1,2}[/.]\d{2,4}\b|\b\d{4}-\d{2}-\d{2}\b")),
    ("DATE", re.compile(rf"\b{ORDINAL}(?:\s+of)?\s+(?:{MONTHS})\b(?:,?\s+\d{{4}})?", re.I)),
    ("DATE", re.compile(rf"\b(?:{MONTHS})\s+{ORDINAL}\b(?:,?\s+\d{{4}})?", re.I)),
    ("DATE", re.compile(r"\b(?:the\s+)?\d{1,2}(?:st|nd|rd|th)\b", re.I)),
    ("PLACE", re.compile(r"\b(?:ward|unit|bay|room|floor|block)\s+\d+[a-z]?\b", re.I)),
    ("PLACE", re.compile(rf"\b(?:[A-Z][a-z][\w'’-]*\s+){{1,3}}(?:{PLACE_NOUNS}|{PLACE_NOUNS.upper()})\b")),
    ("PLACE", re.compile(rf"\b(?:[A-Z][A-Z'’-]+\s+){{1,3}}(?:{PLACE_NOUNS.upper()})\b")),
    ("PLACE", re.compile(rf"\b(?:{TOWNS})\b", re.I)),
    ("PERSON", re.compile(rf"\b(?i:{TITLES})\.?\s+[A-Za-z][\w'’-]+(?:\s+[A-Z][\w'’-]+)?")),
    ("PLACE", re.compile(r"(?<=\b(?:at|in) )[A-Z][a-z]+(?:\s+[A-Z][a-z]+)?(?:'s)?\b")),
    ("PLACE", re.compile(r"(?<=\bfrom )[A-Z][a-z]+(?:\s+[A-Z][a-z]+)?\b")),
]


def _names(text: str) -> list[Span]:
    """First names from the list, with a following capitalised surname if any."""
    spans = []
    words = list(re.finditer(r"[A-Za-z][A-Za-z'’-]*", text))
    for i, word in enumerate(words):
        first = word.group(0)
        if first.lower().rstrip("'’s") not in _first_names() and first.lower() not in _first_names():
            continue
        capitalised = first[0].isupper()
        before = text[: word.start()].rstrip()
        sentence_start = not before or before[-1] in ".!?\n"
        nxt = words[i + 1] if i + 1 < len(words) else None
        adjacent = nxt is not None and text[word.end() : nxt.start()] in (" ", "  ")
        surname = (
            adjacent
            and re.fullmatch(r"[A-Z][a-z]*(?:['’][A-Z]?[a-z]+)*(?:-[A-Z][a-z]+)?", nxt.group(0)) is not None
            and nxt.group(0).lower() not in _first_names()
            and nxt.group(0).lower() not in NOT_NAMES
        )
        if first.lower() in AMBIGUOUS_NAMES and (not capitalised or sentence_start) and not surname:
            following = nxt.group(0).lower() if nxt else ""
            if not (capitalised and following in NAME_FOLLOWERS):
                continue
        if not capitalised and not surname and first.lower() in AMBIGUOUS_NAMES:
            continue
        spans.append(Span(word.start(), nxt.end() if surname else word.end(), "PERSON"))
    return spans


def detect(text: str, terms: list[str] = ()) -> list[Span]:
    """Spans of ``text`` that may identify someone, sorted, without overlaps."""
    found: list[Span] = []
    for term in terms:
        if term.strip():
            for match in re.finditer(rf"\b{re.escape(term.strip())}\b", text, re.I):
                found.append(Span(match.start(), match.end(), "PLACE"))
    for kind, pattern in PATTERNS:
        for match in pattern.finditer(text):
            start, end = match.span()
            words = match.group(0).split()
            if kind == "PERSON" and len(words) > 1 and words[1].lower().strip(".,") in NOT_NAMES:
                continue
            if kind == "PLACE" and words[0].lower().strip("'s") in NOT_PLACE_WORDS | set(MONTHS.split("|")):
                if pattern.pattern.startswith("(?<="):
                    continue
            if kind == "PLACE" and match.group(0).split()[0].lower() in NOT_PLACES:
                # "the Crisis Team": keep the name, not the article; "the ward": nothing.
                words = match.group(0).split()
                if len(words) <= 2:
                    continue
                start = match.start() + match.group(0).index(words[1])
            found.append(Span(start, end, kind))
    for match in re.finditer(r"\b\d{3}[ -]?\d{3}[ -]?\d{4}\b", text):
        digits = re.sub(r"\D", "", match.group(0))
        if _nhs_checksum_ok(digits) or " " in match.group(0):
            found.append(Span(match.start(), match.end(), "NHS_NUMBER"))
    for match in phonenumbers.PhoneNumberMatcher(text, "GB", leniency=phonenumbers.Leniency.POSSIBLE):
        if len(re.sub(r"\D", "", match.raw_string)) >= 10:  # not a year or a count
            found.append(Span(match.start, match.end, "PHONE"))
    found.extend(_names(text))
    return _merge(found)


PRIORITY = {"EMAIL": 0, "NHS_NUMBER": 1, "PHONE": 2, "POSTCODE": 3, "DATE": 4, "PERSON": 5, "PLACE": 6}


def _merge(spans: list[Span]) -> list[Span]:
    """Keep the longest of overlapping spans (ties by kind priority)."""
    ordered = sorted(spans, key=lambda s: (-(s.end - s.start), PRIORITY[s.kind], s.start))
    kept: list[Span] = []
    for span in ordered:
        if all(span.end <= k.start or span.start >= k.end for k in kept):
            kept.append(span)
    return sorted(kept, key=lambda s: s.start)


def suggest_redaction(text: str, spans: list[Span]) -> str:
    out, last = [], 0
    for span in spans:
        out.append(text[last : span.start])
        out.append(span.placeholder)
        last = span.end
    out.append(text[last:])
    return "".join(out)
