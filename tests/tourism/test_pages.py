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


async def test_opening_hours_use_the_locales_own_time_format(client, demo) -> None:
    # Issue 14: the table said "17:00" while the status line said "5:00 PM".
    import re

    english = (await client.get("/en/attractions/po-klong-garai")).text
    hours = english.split('id="h-hours"')[1].split("</section>")[0] if 'id="h-hours"' in english else english
    assert not re.search(r"\b\d\d:\d\d–", hours) and re.search(r"\d:\d\d\s?[AP]M–", hours)
    assert re.search(r"\b\d{1,2}:\d\d–\d{1,2}:\d\d", (await client.get("/vi/attractions/po-klong-garai")).text)
