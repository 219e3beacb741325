"""Every message renders in Vietnamese and in another language (subject, plain text, HTML, SMS), notices carry a
one-click unsubscribe that stops them and only them, tickets carry a QR code and an .ics."""

from datetime import UTC, datetime

import pytest

from marketplace.notifications.kinds import KINDS
from marketplace.notifications.outbox import enqueue
from marketplace.notifications.worker import deliver_due
from tests.marketplace.factories import make_user as make_actor
from tests.marketplace.notifications.mailserver import body_text
from tests.marketplace.notifications.test_outbox import mail, renderer, states

ORDER = {"id": 42, "checkout_id": 7, "status": "confirmed", "total": 150000, "currency": "VND",
         "payment_method": "cod", "delivery_method": "delivery", "merchant_name": {"vi": "HTX Nho An Hòa"},
         "merchant_phone": "0912", "merchant_address": "1 Thống Nhất", "contact_name": "Chị Lan",
         "contact_phone": "0901", "address": "5 Lê Duẩn",
         "items": [{"name": {"vi": "Nho đỏ", "en": "Red grapes"}, "label": {"vi": "1 kg"}, "quantity": 3,
                    "line_total": 150000, "starts_at": None}]}
SAMPLE = {
    "order": ORDER, "amount": 150000, "currency": "VND", "checkout_id": 7, "bank": "970436", "account_no": "0123",
    "account_name": "HTX NHO", "reference": "MKT123", "shop_name": {"vi": "HTX Nho An Hòa"}, "note": "Thiếu ảnh",
    "merchant_id": 3, "last4": "8877", "secret": {"code": "482913", "path": "/account/reset-password?token=abc"},
    "tickets": [{"code": "ACDEF-GHJKL", "guests": 2, "title": {"vi": "Tour vườn nho", "en": "Vineyard tour"},
                 "starts_at": "2026-12-07T08:00:00+07:00"}],
    "feedback_id": 12, "category": "cleanliness", "reply": "Bãi biển đã được dọn sạch sáng nay.",
}


def notification(kind: str, locale: str) -> dict:
    return {"id": 1, "user_id": 9, "kind": kind, "locale": locale, "data": SAMPLE,
            "transactional": KINDS[kind].transactional}


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_each_message_is_written_in_vietnamese_and_in_french(kind: str) -> None:
    writer = renderer()
    vi_mail = writer.render(notification(kind, "vi"), "email", "a@example.test", 1)
    fr_mail = writer.render(notification(kind, "fr"), "email", "a@example.test", 1)
    vi_sms = writer.render(notification(kind, "vi"), "sms", "+84900000000", 2)
    en_mail = writer.render(notification(kind, "en"), "email", "a@example.test", 1)
    for message in (vi_mail, fr_mail):
        assert message.subject and message.text and message.html and "{{" not in message.text
    # Translated: neither language shows the English subject.
    assert vi_mail.subject != en_mail.subject and fr_mail.subject != en_mail.subject
    assert 'lang="vi"' in (vi_mail.html or "") and 0 < len(vi_sms.text) <= 320
    assert "&#" not in vi_mail.subject + vi_sms.text and "&amp;" not in vi_mail.text
    assert bool(vi_mail.headers.get("List-Unsubscribe")) == (not KINDS[kind].transactional)


def test_a_ticket_carries_its_qr_code_and_a_calendar_event() -> None:
    message = renderer().render(notification("booking_ticket", "en"), "email", "a@example.test", 1)
    files = {a.filename: a for a in message.attachments}
    assert files["ticket-ACDEF-GHJKL.png"].data.startswith(b"\x89PNG")
    ics = files["booking.ics"].data.decode()
    assert "SUMMARY:Vineyard tour" in ics and "DTSTART" in ics and "ACDEF-GHJKL" in message.text


async def test_one_click_unsubscribe_stops_notices_and_only_notices(pool, client, smtp_server) -> None:
    async with pool.acquire() as conn, conn.transaction():
        actor = await make_actor(conn)
        await enqueue(conn, "order_shipped", user_id=actor.user_id, data={"order": ORDER})
    await deliver_due(pool, mail(smtp_server.url), renderer())
    [notice] = smtp_server.box.messages
    assert notice["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    url = notice["List-Unsubscribe"].strip("<>")
    assert url in body_text(notice)
    # What a mail client does for one click (RFC 8058): a POST without cookies or CSRF token.
    path = url.removeprefix("http://127.0.0.1:8000")
    assert (await client.post(path.replace("t=", "t=0"), data={"List-Unsubscribe": "One-Click"})).status_code == 404
    response = await client.post(path, data={"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    async with pool.acquire() as conn, conn.transaction():
        assert await enqueue(conn, "order_delivered", user_id=actor.user_id, data={"order": ORDER}) is not None
        await enqueue(conn, "order_refunded", user_id=actor.user_id, data={"order": ORDER})
    await deliver_due(pool, mail(smtp_server.url), renderer(), now=lambda: datetime.now(UTC))
    subjects = [m["Subject"] for m in smtp_server.box.messages]
    assert subjects == [notice["Subject"], "Đơn hàng #42 đã được hoàn tiền"]
    assert await states(pool) == {"sent": 2}
