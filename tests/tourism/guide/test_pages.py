"""The visitor's attraction pages: the weak-signal budget, content in its own language, upcoming closures."""

import gzip


async def test_attraction_page_fits_the_weak_signal_budget(client, demo) -> None:
    html = (await client.get("/vi/attractions/po-klong-garai")).content
    css = (await client.get("/static/tourism.css")).content
    assert len(gzip.compress(html)) + len(gzip.compress(css)) < 14 * 1024 - 3 * 1024  # leave room for site.css


async def test_fallback_content_carries_its_own_language(client, demo) -> None:
    from tourism.attractions import service
    from tourism.attractions.models import AttractionUpdate

    html = (await client.get("/ar/attractions/po-klong-garai")).text
    assert '<h1 lang="ar" dir="rtl">أبراج بو كلونغ غاراي التشامية (Tháp Pô Klông Garai)</h1>' in html
    english = {"vi": "Cụm tháp Chăm.", "en": "A Cham tower group."}
    async with demo.acquire() as connection, connection.transaction():
        await service.update_attraction(
            connection, "hoa-lai", AttractionUpdate(summary=english, description=english, tips=english)
        )
    # No Arabic text: the English is shown, marked as English and left to right, so its full stop stays put.
    arabic = (await client.get("/ar/attractions/hoa-lai")).text
    assert '<p class="t-lead" lang="en" dir="ltr">A group of three Cham brick towers' not in arabic
    assert '<p class="t-lead" lang="en" dir="ltr">A Cham tower group.</p>' in arabic
    assert '<dd lang="en" dir="ltr">A Cham tower group.</dd>' in arabic
    listing = (await client.get("/ar/attractions")).text
    assert '<p lang="en" dir="ltr">A Cham tower group.</p>' in listing
    # On a left-to-right page only the language differs.
    japanese = (await client.get("/ja/attractions/hoa-lai")).text
    assert '<p class="t-lead" lang="en" dir="ltr">A Cham tower group.</p>' in japanese


async def test_page_lists_upcoming_closures_only(client, demo) -> None:
    from datetime import datetime, timedelta

    from i18n import TIME_ZONE
    from tourism.attractions import service
    from tourism.attractions.models import AttractionUpdate
    from tourism.hours import parse_hours_text

    today = datetime.now(TIME_ZONE).date()
    past, soon = today - timedelta(days=40), today + timedelta(days=10)
    hours = parse_hours_text(
        f"mon-sun 07:00-17:00\nclosed {past}..{past + timedelta(days=2)} Old works\n"
        f"closed {soon}..{soon + timedelta(days=3)} Roof repairs"
    )
    async with demo.acquire() as connection, connection.transaction():
        await service.update_attraction(connection, "hoa-lai", AttractionUpdate(opening_hours=hours))
    html = (await client.get("/en/attractions/hoa-lai")).text
    assert "Roof repairs" in html and "Old works" not in html
