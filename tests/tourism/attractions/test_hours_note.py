"""The attraction page says how sure its hours are once (it said "not confirmed" three times), and shows every
time in the locale's own format (it mixed "5:00 PM" with "17:00")."""

import re

import asyncpg
from litestar.testing import AsyncTestClient

from tourism.attractions import service
from tourism.attractions.models import AttractionCreate
from tourism.hours import parse_hours_text


def _visible(html: str) -> str:
    """The page's text without JSON-LD (whose opening hours are machine-readable on purpose) or tags."""
    html = re.sub(r"<script.*?</script>", "", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)


def _hours_section(html: str) -> str:
    return html.split('id="h-hours"', 1)[1].split("</section>", 1)[0]


async def test_unconfirmed_hours_are_noted_once(demo: asyncpg.Pool, client: AsyncTestClient) -> None:
    html = (await client.get("/en/attractions/po-klong-garai")).text
    text = _visible(html).lower()
    # The demo's editors wrote a note saying the hours are indicative; it is the one note.
    assert text.count("not yet confirmed") + text.count("not been confirmed") == 1, text
    assert "Indicative hours" in html.split('id="hours-note"', 1)[1].split("</p>", 1)[0]


async def test_unknown_hours_are_said_once(demo: asyncpg.Pool, client: AsyncTestClient) -> None:
    html = (await client.get("/en/attractions/po-inu-nugar-huu-duc")).text
    text = _visible(html)
    assert text.count("not known yet") + text.count("not yet known") == 1, text
    assert 'id="open-status"' not in html
    assert "Times are Vietnam time" not in html  # no times to qualify


async def test_confirmed_hours_without_a_note_need_no_warning(pool: asyncpg.Pool, client: AsyncTestClient) -> None:
    async with pool.acquire() as connection, connection.transaction():
        await service.create_attraction(connection, AttractionCreate(
            slug="t-museum", name={"en": "Test museum"}, category="museum", lat=11.6, lng=108.9,
            opening_hours=parse_hours_text("mon-sun 07:00-17:00", verified=True), status="published"))
    html = (await client.get("/en/attractions/t-museum")).text
    note = html.split('id="hours-note"', 1)[1].split("</p>", 1)[0]
    assert "confirmed" not in note and "Vietnam time" in note


async def test_every_time_on_the_page_is_in_the_locales_format(demo: asyncpg.Pool, client: AsyncTestClient) -> None:
    english = _visible((await client.get("/en/attractions/po-klong-garai")).text)
    assert "7:00\u202fAM" in english and "5:00\u202fPM" in english
    assert not re.search(r"\b\d\d:\d\d\b(?!\u202f)", english.replace("&#8239;", "\u202f")), "a 24-hour time in en"
    vietnamese = _visible((await client.get("/vi/attractions/po-klong-garai")).text)
    assert "07:00" in vietnamese and "17:00" in vietnamese and "AM" not in vietnamese and "PM" not in vietnamese
    arabic = _hours_section((await client.get("/ar/attractions/po-klong-garai")).text)
    assert "7:00 ص" in arabic and "5:00 م" in arabic
