"""LocalizedText: a {locale: text} map with a fallback chain (requested, en, vi)."""

from typing import Annotated

import msgspec

from i18n.locales import SUPPORTED_LOCALES

__all__ = ["LocalizedText", "localize", "localize_with_locale", "clean_localized"]

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
