"""Feedback is routed by commune to its officials (and to editors for attractions), handled within scope, and
followed by its reporter through the private link."""

import asyncpg
import pytest

from marketplace.feedback import service
from marketplace.feedback.models import FeedbackCreate
from marketplace.platform.access import SystemActor
from marketplace.platform.errors import Conflict, Forbidden, NotFound, Unprocessable
from marketplace.province import service as province
from marketplace.province.models import OfficialGrant
from tests.marketplace.factories import COMMUNE, make_merchant, make_user

OTHER_COMMUNE = 22870  # Xã Ninh Phước
ADMIN = SystemActor(None, frozenset({"admin"}))


async def make_attraction(conn: asyncpg.Connection, slug: str = "thap-po-klong-garai",
                          commune: int = COMMUNE) -> int:
    return await conn.fetchval(
        """INSERT INTO tourism.attractions (slug, name, category, commune_code, lat, lng, status)
           VALUES ($1, '{"vi": "Tháp Pô Klông Garai", "en": "Po Klong Garai Towers"}', 'heritage', $2, 11.6, 108.9,
                   'published') RETURNING id""", slug, commune)


async def make_official(conn: asyncpg.Connection, commune: int | None) -> SystemActor:
    user = await make_user(conn, "customer")
    email = await conn.fetchval("SELECT email FROM users WHERE id = $1", user.user_id)
    await province.grant_official(conn, ADMIN, OfficialGrant(email, commune))
    return SystemActor(user.user_id, frozenset({"customer", "official"}))


async def notified(conn: asyncpg.Connection, kind: str) -> list[int | None]:
    rows = await conn.fetch("SELECT user_id FROM notifications WHERE kind = $1 ORDER BY user_id", kind)
    return [row["user_id"] for row in rows]


def report(**fields: object) -> FeedbackCreate:
    return FeedbackCreate(**{"category": "cleanliness", "body": "Nhiều rác quanh tháp.", **fields})  # type: ignore[arg-type]


@pytest.fixture
async def people(conn: asyncpg.Connection) -> dict[str, SystemActor]:
    return {
        "mine": await make_official(conn, COMMUNE),
        "other": await make_official(conn, OTHER_COMMUNE),
        "province": await make_official(conn, None),
        "editor": await make_user(conn, "editor"),
        "customer": await make_user(conn),
    }


async def test_a_report_about_an_attraction_goes_to_its_communes_officials_and_to_editors(
        conn: asyncpg.Connection, people: dict[str, SystemActor]) -> None:
    await make_attraction(conn)
    receipt = await service.create_feedback(conn, None, report(attraction="thap-po-klong-garai"))
    assert receipt.status == "received" and receipt.path == f"/feedback/{receipt.token}"
    [row] = await conn.fetch("SELECT id, commune_code, token_hash FROM feedback")
    assert row["commune_code"] == COMMUNE and row["token_hash"] == service.hash_token(receipt.token)
    assert await notified(conn, "feedback_received") == [people["mine"].user_id]

    for who in ("mine", "province", "editor"):
        [seen] = await service.list_inbox(conn, people[who])
        assert seen.id == row["id"] and seen.subject == {"vi": "Tháp Pô Klông Garai", "en": "Po Klong Garai Towers"}
    # An official of another commune can neither see nor change it; someone with neither role is refused outright.
    assert await service.list_inbox(conn, people["other"]) == []
    for attempt in (service.get_feedback(conn, people["other"], row["id"]),
                    service.assign_feedback(conn, people["other"], row["id"]),
                    service.resolve_feedback(conn, people["other"], row["id"], "Đã xử lý")):
        with pytest.raises(NotFound):
            await attempt
    with pytest.raises(Forbidden):
        await service.list_inbox(conn, people["customer"])
    with pytest.raises(Forbidden):
        await service.list_inbox(conn, None)
    assert (await conn.fetchval("SELECT status FROM feedback")) == "received"


async def test_a_report_about_a_shop_or_a_spot_goes_to_officials_only(
        conn: asyncpg.Connection, people: dict[str, SystemActor]) -> None:
    _, shop = await make_merchant(conn)
    about_shop = await service.create_feedback(conn, None, report(shop=shop.slug, category="overcharging"))
    spot = await service.create_feedback(conn, None, report(commune_code=OTHER_COMMUNE, place="Bãi tắm Cà Ná",
                                                            lat=11.35, lng=108.86))
    nowhere = await service.create_feedback(conn, None, report(place="Trên xe buýt"))
    mine = [f.category for f in await service.list_inbox(conn, people["mine"])]
    assert mine == ["overcharging"]
    assert [f.place for f in await service.list_inbox(conn, people["other"])] == ["Bãi tắm Cà Ná"]
    assert len(await service.list_inbox(conn, people["province"])) == 3
    assert await service.list_inbox(conn, people["editor"]) == []  # editors handle attractions only
    # The commune's officials are told; a report with no commune goes to the province's officers.
    assert sorted(await notified(conn, "feedback_received")) == sorted(
        [people["mine"].user_id, people["other"].user_id, people["province"].user_id])
    for receipt in (about_shop, spot, nowhere):
        assert (await service.track_feedback(conn, receipt.token)).status == "received"


async def test_received_assigned_resolved_and_the_reporter_reads_the_reply(
        conn: asyncpg.Connection, people: dict[str, SystemActor]) -> None:
    await make_attraction(conn)
    reporter = await make_user(conn)
    receipt = await service.create_feedback(conn, reporter, report(attraction="thap-po-klong-garai"))
    feedback_id = await conn.fetchval("SELECT id FROM feedback")
    taken = await service.assign_feedback(conn, people["mine"], feedback_id)
    assert taken.status == "assigned" and taken.assigned_to_name
    assert (await service.track_feedback(conn, receipt.token)).status == "assigned"
    with pytest.raises(Unprocessable):
        await service.resolve_feedback(conn, people["mine"], feedback_id, "   ")
    resolved = await service.resolve_feedback(conn, people["editor"], feedback_id, "Đã dọn sạch sáng nay.")
    assert resolved.status == "resolved" and resolved.resolved_at is not None
    with pytest.raises(Conflict):
        await service.resolve_feedback(conn, people["mine"], feedback_id, "Lần nữa")
    with pytest.raises(Conflict):
        await service.assign_feedback(conn, people["mine"], feedback_id)
    seen = await service.track_feedback(conn, receipt.token)
    assert (seen.status, seen.reply) == ("resolved", "Đã dọn sạch sáng nay.")
    # The signed-in reporter is told, once, in their account.
    assert await notified(conn, "feedback_resolved") == [reporter.user_id]
    # Both events are in the change log (read by webhooks), naming the report, not quoting anyone.
    events = await conn.fetch("SELECT event_type, data FROM change_events WHERE event_type LIKE 'feedback.%' "
                              "ORDER BY id")
    assert [(e["event_type"], e["data"]["id"], e["data"]["commune_code"]) for e in events] == [
        ("feedback.created", feedback_id, COMMUNE), ("feedback.resolved", feedback_id, COMMUNE)]
    assert "Đã dọn" not in str(events) and "rác" not in str(events)
    with pytest.raises(NotFound):
        await service.track_feedback(conn, receipt.token[:-1] + ("A" if receipt.token[-1] != "A" else "B"))


async def test_an_anonymous_reporter_who_left_an_address_is_written_to(
        conn: asyncpg.Connection, people: dict[str, SystemActor]) -> None:
    await service.create_feedback(conn, None, report(commune_code=COMMUNE, email="khach@example.test"))
    feedback_id = await conn.fetchval("SELECT id FROM feedback")
    await service.resolve_feedback(conn, people["mine"], feedback_id, "Cảm ơn bạn.")
    [address] = await conn.fetch(
        "SELECT d.recipient FROM notification_deliveries d JOIN notifications n ON n.id = d.notification_id "
        "WHERE n.kind = 'feedback_resolved'")
    assert address["recipient"] == "khach@example.test"


async def test_unknown_subjects_and_half_points_are_refused(conn: asyncpg.Connection) -> None:
    with pytest.raises(NotFound):
        await service.create_feedback(conn, None, report(attraction="khong-co"))
    with pytest.raises(NotFound):
        await service.create_feedback(conn, None, report(shop="khong-co"))
    with pytest.raises(Unprocessable):
        await service.create_feedback(conn, None, report(lat=11.5))
    with pytest.raises(Unprocessable):
        await service.create_feedback(conn, None, report(commune_code=1))
    assert await conn.fetchval("SELECT count(*) FROM feedback") == 0
