"""Locale negotiation (URL, cookie, Accept-Language), RTL, catalogs, Babel formatting, LocalizedText."""

from datetime import UTC, datetime
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

import i18n
from i18n.negotiation import match_tag


@pytest.mark.parametrize(
    ("path", "cookie", "accept", "expected"),
    [
        ("fr", "en", "ja", "fr"),
        (None, "ko", "ja", "ko"),
        (None, "xx", "ja-JP,ja;q=0.9", "ja"),
        (None, None, "de-DE,de;q=0.9,ru;q=0.8", "ru"),
        (None, None, "zh-TW", "zh"),
        (None, None, "zh-Hant-HK;q=0.5, en;q=0.4", "zh"),
        (None, None, "en;q=0, ar;q=0.1", "ar"),
        (None, None, "*", "vi"),
        (None, None, None, "vi"),
        (None, None, "garbage;;;q=abc", "vi"),
    ],
)
def test_negotiation_order(path: str | None, cookie: str | None, accept: str | None, expected: str) -> None:
    assert i18n.negotiate_locale(path, cookie, accept) == expected


def test_accept_language_quality_order() -> None:
    assert i18n.parse_accept_language("fr;q=0.5, en-GB, ru;q=0.9") == ["en-GB", "ru", "fr"]
    assert match_tag("pt-BR") is None


async def test_root_redirects_by_cookie_then_header(client: AsyncTestClient[Any]) -> None:
    first = await client.get("/", headers={"accept-language": "ko-KR,ko;q=0.9"}, follow_redirects=False)
    assert first.status_code == 302 and first.headers["location"] == "/ko/"
    await client.get("/fr/")  # visiting a locale remembers it
    assert client.cookies.get("locale") == "fr"
    second = await client.get("/", headers={"accept-language": "ko"}, follow_redirects=False)
    assert second.headers["location"] == "/fr/"


async def test_default_locale_setting(settings: Any) -> None:
    from marketplace.app import create_app

    values = {f: getattr(settings, f) for f in settings.__struct_fields__}
    english = type(settings)(**{**values, "default_locale": "en"})
    async with AsyncTestClient(app=create_app(english)) as client:
        response = await client.get("/", follow_redirects=False)
        assert response.headers["location"] == "/en/"


@pytest.mark.parametrize("locale", i18n.SUPPORTED_LOCALES)
async def test_every_locale_serves_translated_pages(client: AsyncTestClient[Any], locale: str) -> None:
    for path in ("/", "/account/sign-in", "/account/sign-up"):
        response = await client.get(f"/{locale}{path}")
        assert response.status_code == 200, (locale, path)
        expected_dir = "rtl" if locale == "ar" else "ltr"
        assert f'<html lang="{locale}" dir="{expected_dir}">' in response.text
        assert f'hreflang="{locale}"' in response.text
    sign_in_title = i18n.gettext("Sign in", locale)
    if locale != "en":
        assert sign_in_title != "Sign in", f"'Sign in' is not translated into {locale}"
    assert sign_in_title in (await client.get(f"/{locale}/account/sign-in")).text


def test_catalogs_are_complete_for_platform_pages() -> None:
    from babel.messages.pofile import read_po

    for locale in (code for code in i18n.SUPPORTED_LOCALES if code != "en"):  # English is the source
        path = i18n.catalogs.LOCALES_DIR / locale / "LC_MESSAGES" / "messages.po"
        with path.open("rb") as handle:
            catalog = read_po(handle, locale=locale)
        for message in ("Sign in", "Sign up", "Sign out", "Search", "Featured attractions", "Create an account",
                        "Page not found", "E-mail", "Password"):
            entry = catalog.get(message)
            assert entry is not None and entry.string, f"{message!r} missing in {locale}"


def test_money_numbers_dates_distances() -> None:
    assert i18n.format_money(150000, "VND", "vi") == "150.000\xa0₫"
    assert i18n.format_money(150000, "VND", "en") == "₫150,000"
    assert i18n.format_money(1999, "USD", "en") == "$19.99"
    assert i18n.format_number(1234567, "fr").replace("\u202f", " ") == "1 234 567"
    moment = datetime(2026, 3, 5, 14, 30, tzinfo=UTC)  # 21:30 in Ho Chi Minh City
    assert "21:30" in i18n.format_datetime(moment, "vi")
    assert "9:30" in i18n.format_datetime(moment, "en")
    assert i18n.format_date(datetime(2026, 3, 5, 20, 0, tzinfo=UTC), "en") == "Mar 6, 2026"
    assert i18n.format_distance(850, "en") == "850 m"
    assert i18n.format_distance(1500, "vi") == "1,5 km"
    assert i18n.format_distance(23_400, "en") == "23 km"


def test_localized_text_fallback_chain() -> None:
    text = {"vi": "Nho Ninh Thuận", "en": "Ninh Thuan grapes"}
    assert i18n.localize(text, "vi") == "Nho Ninh Thuận"
    assert i18n.localize(text, "ja") == "Ninh Thuan grapes"
    assert i18n.localize({"vi": "Tỏi Phan Rang"}, "fr") == "Tỏi Phan Rang"
    assert i18n.localize_with_locale({"vi": "Tỏi"}, "ar") == ("Tỏi", "vi")
    assert i18n.localize({"ko": "마늘"}, "en") == "마늘"
    assert i18n.localize(None, "en") == ""
    assert i18n.is_rtl("ar") and i18n.text_direction("vi") == "ltr"


def test_every_catalog_translates_every_message() -> None:
    from babel.messages.pofile import read_po

    for locale in (code for code in i18n.SUPPORTED_LOCALES if code != "en"):
        path = i18n.catalogs.LOCALES_DIR / locale / "LC_MESSAGES" / "messages.po"
        with path.open("rb") as handle:
            catalog = read_po(handle, locale=locale)
        missing = [m.id for m in catalog if m.id and not (m.string if isinstance(m.string, str) else all(m.string))]
        assert missing == [], f"{locale} lacks translations: {missing[:5]}"


async def test_error_messages_are_translated_on_error_pages(client: AsyncTestClient[Any]) -> None:
    for locale in ("vi", "ar"):
        expected = i18n.gettext("No such product.", locale)
        assert expected != "No such product."
        response = await client.get(f"/{locale}/products/khong-co-san-pham-nay")
        assert response.status_code == 404
        assert expected in response.text
