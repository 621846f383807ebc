"""Markdown for report narratives, rendered and then sanitised with nh3."""

import markdown as md
import nh3

ALLOWED_TAGS = {"p", "br", "strong", "em", "ul", "ol", "li", "h2", "h3", "h4", "blockquote", "a", "code", "hr"}


def render(text: str) -> str:
    html = md.markdown(text or "", extensions=["sane_lists"], output_format="html")
    # Headings inside a report start below its own h1/h2.
    html = html.replace("<h1>", "<h2>").replace("</h1>", "</h2>")
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes={"a": {"href"}},
        url_schemes={"https", "mailto", "tel"},
        link_rel="noopener noreferrer nofollow",
    )
