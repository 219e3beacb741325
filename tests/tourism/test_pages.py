"""Every tourism page renders in every locale, with the language and direction of the locale."""

import pytest

from i18n import SUPPORTED_LOCALES

PAGES = ["/attractions", "/attractions/po-klong-garai", "/events", "/events/kate", "/trip", "/nearby?lat=11.6&lng=109"]


@pytest.mark.parametrize("locale", SUPPORTED_LOCALES)
async def test_every_page_renders_in_every_locale(client, demo, locale: str) -> None:
    for path in PAGES:
        response = await client.get(f"/{locale}{path}")
        assert response.status_code == 200, (locale, path, response.text[:500])
        assert f'<html lang="{locale}" dir="{"rtl" if locale == "ar" else "ltr"}">' in response.text
        assert "tourism.css" in response.text
