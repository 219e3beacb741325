"""Choosing a locale: URL prefix, then cookie, then Accept-Language, then the default."""

from babel import Locale, UnknownLocaleError

from i18n.locales import DEFAULT_LOCALE, SUPPORTED_LOCALES

__all__ = ["negotiate_locale", "parse_accept_language", "match_tag", "split_locale_path"]

MAX_ACCEPT_LANGUAGE_ITEMS = 20


def parse_accept_language(header: str | None) -> list[str]:
    """Language tags from an Accept-Language header, best first (q=0 dropped)."""
    if not header:
        return []
    weighted: list[tuple[float, int, str]] = []
    for position, item in enumerate(header.split(",")[:MAX_ACCEPT_LANGUAGE_ITEMS]):
        tag, _, params = item.strip().partition(";")
        tag = tag.strip()
        if not tag or tag == "*":
            continue
        quality = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if quality > 0:
            weighted.append((-quality, position, tag))
    return [tag for _, _, tag in sorted(weighted)]


def match_tag(tag: str, supported: tuple[str, ...] = SUPPORTED_LOCALES) -> str | None:
    """The supported locale a language tag means (zh-TW and zh-Hans both mean zh), or None."""
    normalized = tag.replace("-", "_")
    language = normalized.split("_", 1)[0].lower()
    if language in supported:
        return language
    try:
        parsed = Locale.parse(normalized)
    except (UnknownLocaleError, ValueError, TypeError):
        return None
    return parsed.language if parsed.language in supported else None


def negotiate_locale(
    path_locale: str | None = None,
    cookie_locale: str | None = None,
    accept_language: str | None = None,
    default: str = DEFAULT_LOCALE,
) -> str:
    """The locale for a request: URL prefix, then the cookie, then Accept-Language, then `default`."""
    for candidate in (path_locale, cookie_locale):
        if candidate in SUPPORTED_LOCALES:
            return candidate  # type: ignore[return-value]
    for tag in parse_accept_language(accept_language):
        matched = match_tag(tag)
        if matched:
            return matched
    return default


def split_locale_path(path: str) -> tuple[str | None, str]:
    """A path's supported locale prefix and the rest: "/vi/shops" -> ("vi", "/shops"); "/api" -> (None, "/api")."""
    parts = path.split("/", 2)
    if len(parts) > 1 and parts[1] in SUPPORTED_LOCALES:
        return parts[1], "/" + (parts[2] if len(parts) > 2 else "")
    return None, path
