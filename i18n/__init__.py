"""Locales, negotiation, Babel formatting, gettext catalogs and LocalizedText."""

from i18n.catalogs import gettext, ngettext, translations_for
from i18n.formatting import (
    format_date,
    format_datetime,
    format_distance,
    format_money,
    format_number,
    format_time,
)
from i18n.locales import (
    DEFAULT_LOCALE,
    LOCALE_COOKIE,
    LOCALE_NAMES,
    SUPPORTED_LOCALES,
    TIME_ZONE,
    is_rtl,
    text_direction,
)
from i18n.negotiation import negotiate_locale, parse_accept_language, split_locale_path
from i18n.text import LocalizedText, localize, localize_with_locale, missing_locales, translation_gaps

__all__ = [
    "DEFAULT_LOCALE",
    "LOCALE_COOKIE",
    "LOCALE_NAMES",
    "SUPPORTED_LOCALES",
    "TIME_ZONE",
    "LocalizedText",
    "format_date",
    "format_datetime",
    "format_distance",
    "format_money",
    "format_number",
    "format_time",
    "gettext",
    "is_rtl",
    "localize",
    "localize_with_locale",
    "missing_locales",
    "translation_gaps",
    "negotiate_locale",
    "ngettext",
    "parse_accept_language",
    "split_locale_path",
    "text_direction",
    "translations_for",
]
