"""gettext catalogs compiled from the .po files under i18n/locales."""

from functools import cache
from pathlib import Path

from babel.support import NullTranslations, Translations

__all__ = ["LOCALES_DIR", "DOMAIN", "translations_for", "gettext", "ngettext"]

LOCALES_DIR = Path(__file__).parent / "locales"
DOMAIN = "messages"


@cache
def translations_for(locale: str) -> NullTranslations:
    """The compiled catalog for `locale`, or null translations when none is compiled."""
    return Translations.load(str(LOCALES_DIR), [locale], DOMAIN)


def gettext(message: str, locale: str) -> str:
    """`message` translated into `locale`."""
    return translations_for(locale).gettext(message)


def ngettext(singular: str, plural: str, count: int, locale: str) -> str:
    """The plural form of a message for `count` in `locale`."""
    return translations_for(locale).ngettext(singular, plural, count)
