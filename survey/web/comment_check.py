"""The moderator's detector, as rules a respondent's browser can run on a comment.

The respondent sees a warning before sending (respond.js): the same patterns
the moderator's highlighter uses (survey/moderation/detector.py), written
for JavaScript, so both find the same spans. Two things stay behind:
the survey's own list of local names (it may hold staff names, and the page
is public), and libphonenumber, for which respond.js has a UK pattern that
finds the same numbers on the detector's test set
(tests/browser/test_comment_check.py compares the two).
"""

import re
from functools import cache

from survey.moderation import detector


def _javascript(source: str) -> str:
    """A Python pattern as a JavaScript one (flag ``u``): ``\\w`` is Unicode in
    Python, so it becomes letters, digits and the underscore."""
    out, in_class, i = [], False, 0
    while i < len(source):
        char = source[i]
        if char == "\\" and i + 1 < len(source):
            pair = source[i : i + 2]
            out.append(r"\p{L}\p{N}_" if pair == r"\w" and in_class else r"[\p{L}\p{N}_]" if pair == r"\w" else pair)
            i += 2
            continue
        if char == "[" and not in_class:
            in_class = True
        elif char == "]" and in_class:
            in_class = False
        out.append(char)
        i += 1
    return "".join(out)


@cache
def browser_rules() -> dict:
    """Everything respond.js needs to check a comment, and nothing from the survey itself."""
    return {
        "patterns": [
            {
                "kind": kind,
                "source": _javascript(pattern.pattern),
                "flags": "gu" + ("i" if pattern.flags & re.IGNORECASE else ""),
                "lookbehind": pattern.pattern.startswith("(?<="),
            }
            for kind, pattern in detector.PATTERNS
        ],
        "first_names": sorted(detector._first_names()),
        "not_names": sorted(detector.NOT_NAMES),
        "not_place_words": sorted(detector.NOT_PLACE_WORDS | set(detector.MONTHS.split("|"))),
        "not_places": sorted(detector.NOT_PLACES),
        "name_followers": sorted(detector.NAME_FOLLOWERS),
        "ambiguous_names": sorted(detector.AMBIGUOUS_NAMES),
        "priority": detector.PRIORITY,
    }
