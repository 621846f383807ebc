"""Markdown for report narratives, rendered and then sanitised with nh3."""

import re

import markdown as md
import nh3

HEADINGS = {"h2", "h3", "h4", "h5", "h6"}
ALLOWED_TAGS = {"p", "br", "strong", "em", "ul", "ol", "li", "blockquote", "a", "code", "hr"} | HEADINGS

# Headings inside a report start below its own h1: toc's baselevel makes "#"
# an h2, "##" an h3 and so on. toc also gives every heading an id, which nh3
# drops (only a's href is allowed), and an empty marker leaves "[TOC]" as text.
_EXTENSIONS = ["sane_lists", "toc"]
_CONFIGS = {"toc": {"baselevel": 2, "marker": ""}}


# Bare addresses become links (Markdown's <...> autolinks); addresses
# already inside a link's text, target or angle brackets are left alone.
_EMAIL = re.compile(r"(?<![\w.+\-<\[:/@])([\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+)(?![\w\->\]])")
_URL = re.compile(r"(?<![<(\[\w])(https?://[^\s<>()\[\]]+[^\s<>()\[\].,;:!?'\"])")


def _autolinked(text: str) -> str:
    return _EMAIL.sub(r"<mailto:\1>", _URL.sub(r"<\1>", text))


def render(text: str) -> str:
    html = md.markdown(
        _autolinked(text or ""), extensions=_EXTENSIONS, extension_configs=_CONFIGS, output_format="html"
    )
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes={"a": {"href"}},
        url_schemes={"https", "mailto", "tel"},
        link_rel="noopener noreferrer nofollow",
    )
