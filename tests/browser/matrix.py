"""The staff and report pages' browser matrix: 390 and 1280 px, English and
Welsh. `make test` runs each item in one variant (the one named where it is
marked); `make browser-matrix` (CANDOUR_BROWSER_MATRIX=1) runs all four.

Each variant runs axe on every page and checks that nothing scrolls
sideways and no control is under 24 x 24 px. In Welsh, the reader's browser
asks for Welsh (Accept-Language: cy): a public page is then in Welsh, its
interface strings and ``<html lang="cy">``; a staff page stays in English
(docs/accessibility.md: staff pages are English only, so a Welsh browser
never gets a Welsh frame around English content), with the survey's Welsh
texts marked ``lang="cy"`` where it shows them."""

import os

import pytest

from tests.browser.a11y import assert_accessible, layout_problems

MATRIX = os.environ.get("CANDOUR_BROWSER_MATRIX") == "1"
ALL = [(width, lang) for width in (390, 1280) for lang in ("en", "cy")]


def variants(width: int, lang: str = "en"):
    """Every width and language under the matrix; else the one given."""
    chosen = ALL if MATRIX else [(width, lang)]
    return pytest.mark.parametrize(("width", "lang"), [pytest.param(w, ln, id=f"{w}px-{ln}") for w, ln in chosen])


def language_of(request) -> str:
    """The variant's language, for fixtures ("en" outside the matrix's parameters)."""
    callspec = getattr(request.node, "callspec", None)
    return callspec.params.get("lang", "en") if callspec else "en"


def check(page, *, public: bool = False, lang: str = "en") -> None:
    """axe, no sideways scrolling, and the page in the language it should be in."""
    page.wait_for_load_state()
    assert_accessible(page)
    assert not layout_problems(page), layout_problems(page)
    html_lang = page.locator("html").get_attribute("lang")
    if public and lang == "cy":
        assert html_lang == "cy", f"{page.url} is not in Welsh"
    else:
        assert html_lang == "en-gb", f"{page.url} should be in English, not {html_lang}"
