"""Languages of the respondent interface and of survey texts (every helper for localised texts).

A definition names languages by their code ("en", "cy"); a text is either a
plain string in the default language or an object of language -> text.
English is the default and is activated as Django's "en-gb" (British
spelling and dates); every other language is activated under its own code.
"""

from django.conf import settings
from django.utils import translation

DEFAULT = "en"
NAMES = {"en": "English", "cy": "Cymraeg"}


def django_language(language: str) -> str:
    return settings.LANGUAGE_CODE if language == DEFAULT else language


def from_django(code: str) -> str:
    """The definition's code for an active Django language ("en-gb" -> "en")."""
    base = code.split("-")[0].lower()
    return base if base in NAMES else DEFAULT


def activate(request, language: str) -> None:
    """Switch this request to ``language`` (LocaleMiddleware resets it for the next)."""
    translation.activate(django_language(language))
    request.LANGUAGE_CODE = translation.get_language()


def text(value: str, translations: dict, language: str, name: str) -> str:
    """A stored text in ``language``, falling back to the default language's."""
    if language == DEFAULT:
        return value
    return (translations or {}).get(language, {}).get(name) or value


def of_survey(survey) -> list[str]:
    """The languages a survey can be answered in: the default, then those its definition gives texts in."""
    return [DEFAULT, *sorted(lang for lang in survey.translations if lang in NAMES and lang != DEFAULT)]


# --- Texts as a definition document writes them: a string, or language -> text.


def as_definition_text(value: str, translations: dict, name: str) -> str | dict[str, str]:
    """A stored text and its translations as a definition writes it: the plain
    string when there is no other language, else {"en": ..., "cy": ...}."""
    others = {lang: texts[name] for lang, texts in sorted((translations or {}).items()) if texts.get(name)}
    return {DEFAULT: value, **others} if others else value


def default_text(value) -> str:
    """A definition text in the default language."""
    return value.get(DEFAULT, "") if isinstance(value, dict) else (value or "")


def reworded(old, new):
    """``new`` over ``old``, keeping the languages ``new`` does not give.

    ``new`` is the default-language text, or language -> text for the
    languages a form offered (an emptied one is removed); a translation the
    form did not offer stays as it was.
    """
    merged = dict(old) if isinstance(old, dict) else {DEFAULT: old or ""}
    merged.update(new if isinstance(new, dict) else {DEFAULT: new})
    merged = {lang: text for lang, text in merged.items() if lang == DEFAULT or (text or "").strip()}
    return merged if len(merged) > 1 else merged[DEFAULT]
