"""LocalizedText: a {locale: text} map with a fallback chain (requested, en, vi)."""

import unicodedata
from collections.abc import Collection, Mapping
from typing import Annotated

import msgspec

from i18n.locales import SUPPORTED_LOCALES

__all__ = ["LocalizedText", "localize", "localize_with_locale", "clean_localized", "missing_locales",
           "translation_gaps", "clean_display_name", "clean_display_names", "InvisibleCharacters"]

LocalizedText = Annotated[
    dict[str, str],
    msgspec.Meta(
        description="Text by locale code (vi, en, zh, ko, ja, ru, fr, ar); missing locales fall back "
        "to English, then Vietnamese.",
        examples=[{"vi": "Nho Ninh Thuận", "en": "Ninh Thuan grapes"}],
    ),
]

FALLBACK_CHAIN: tuple[str, ...] = ("en", "vi")


def localize_with_locale(text: dict[str, str] | None, locale: str) -> tuple[str, str]:
    """The best text for `locale` and the locale it is actually in (for the lang attribute)."""
    if not text:
        return "", locale
    for candidate in (locale, *FALLBACK_CHAIN):
        value = text.get(candidate)
        if value:
            return value, candidate
    # Any text at all beats an empty label: a merchant may have written only one language.
    for candidate, value in text.items():
        if value:
            return value, candidate
    return "", locale


def localize(text: dict[str, str] | None, locale: str) -> str:
    """The best text for `locale` following the fallback chain requested -> en -> vi."""
    return localize_with_locale(text, locale)[0]


def clean_localized(text: dict[str, str] | None, *, max_length: int = 10_000) -> dict[str, str]:
    """Drop unknown locales and blank values, strip whitespace; raise ValueError on over-long text."""
    cleaned: dict[str, str] = {}
    for locale, value in (text or {}).items():
        if locale not in SUPPORTED_LOCALES or not isinstance(value, str):
            continue
        value = value.strip()
        if not value:
            continue
        if len(value) > max_length:
            raise ValueError(f"text in {locale} is longer than {max_length} characters")
        cleaned[locale] = value
    return cleaned


def missing_locales(text: Mapping[str, str] | None) -> list[str]:
    """The supported locales `text` has no words in, in the supported order (all of them when it is empty)."""
    return [locale for locale in SUPPORTED_LOCALES if not str((text or {}).get(locale) or "").strip()]


def translation_gaps(
    texts: Mapping[str, Mapping[str, str] | None], required: Collection[str]
) -> dict[str, list[str]]:
    """Field -> the locales it is missing in, for the fields that lack one; an optional field that is empty
    in every locale is not a gap (a listing need not have tips), a required one is."""
    gaps: dict[str, list[str]] = {}
    for field, text in texts.items():
        if not text and field not in required:
            continue
        missing = missing_locales(text)
        if missing:
            gaps[field] = missing
    return gaps


class InvisibleCharacters(ValueError):
    """A public display name holds control, zero-width or bidirectional formatting characters."""


def clean_display_name(value: str) -> str:
    """A shop or product name as shown to the public: NFC-normalised and stripped; InvisibleCharacters when it
    holds control characters (Cc) or format characters (Cf: zero-width spaces and joiners, bidirectional
    overrides and isolates, the BOM), which let one name pass for another or reorder what follows it."""
    text = unicodedata.normalize("NFC", value).strip()
    if any(unicodedata.category(char) in ("Cc", "Cf") for char in text):
        raise InvisibleCharacters("The name contains invisible or control characters; type it again without them.")
    return text


def clean_display_names(text: Mapping[str, str]) -> dict[str, str]:
    """`clean_display_name` for every language of a localized name."""
    return {locale: clean_display_name(value) for locale, value in text.items()}
