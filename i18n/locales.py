"""The eight supported locales and their writing direction."""

from zoneinfo import ZoneInfo

SUPPORTED_LOCALES: tuple[str, ...] = ("vi", "en", "zh", "ko", "ja", "ru", "fr", "ar")
DEFAULT_LOCALE = "vi"
TIME_ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
# The cookie that remembers a visitor's language: set by the pages, read by negotiation and short links.
LOCALE_COOKIE = "locale"

# Each locale's own name for itself, for the locale switcher.
LOCALE_NAMES: dict[str, str] = {
    "vi": "Tiếng Việt",
    "en": "English",
    "zh": "中文",
    "ko": "한국어",
    "ja": "日本語",
    "ru": "Русский",
    "fr": "Français",
    "ar": "العربية",
}

_RTL = frozenset({"ar"})


def is_rtl(locale: str) -> bool:
    """True for locales written right to left."""
    return locale in _RTL


def text_direction(locale: str) -> str:
    """The value for the HTML dir attribute."""
    return "rtl" if is_rtl(locale) else "ltr"
