"""gettext catalogs: the .po files under i18n/locales, compiled to .mo (or in memory when no .mo is current)."""

import io
from functools import cache
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

__all__ = ["LOCALES_DIR", "DOMAIN", "translations_for", "gettext", "ngettext"]

LOCALES_DIR = Path(__file__).parent / "locales"
DOMAIN = "messages"


@cache
def translations_for(locale: str) -> NullTranslations:
    """The catalog for `locale`: the compiled .mo if it is current, else the .po compiled in memory."""
    folder = LOCALES_DIR / locale / "LC_MESSAGES"
    po_file, mo_file = folder / f"{DOMAIN}.po", folder / f"{DOMAIN}.mo"
    if mo_file.exists() and (not po_file.exists() or mo_file.stat().st_mtime >= po_file.stat().st_mtime):
        with mo_file.open("rb") as handle:
            return Translations(handle, domain=DOMAIN)
    if not po_file.exists():
        return NullTranslations()
    # Installs without a compile step (a fresh clone, a wheel) still get their translations.
    with po_file.open("rb") as handle:
        catalog = read_po(handle, locale=locale, domain=DOMAIN)
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    return Translations(buffer, domain=DOMAIN)


def gettext(message: str, locale: str) -> str:
    """`message` translated into `locale` (the English source when there is no translation)."""
    return translations_for(locale).gettext(message)


def ngettext(singular: str, plural: str, count: int, locale: str) -> str:
    """The plural form of a message for `count` in `locale`."""
    return translations_for(locale).ngettext(singular, plural, count)
