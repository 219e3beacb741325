"""Account life: e-mail verification, password reset (once, 30 minutes, ends other sessions), phone codes for
verification and sign-in (wrong, expired, too many tries, rate-limited)."""

from datetime import UTC, datetime, timedelta

import asyncpg
import pytest

from marketplace.accounts.life import service as life
from marketplace.platform.errors import AppError
from tests.helpers import csrf_token, make_user, sign_in

PHONE = "+84912000111"


async def _secret(pool: asyncpg.Pool, kind: str) -> dict:
    async with pool.acquire() as conn:
        data = await conn.fetchval("SELECT data FROM notifications WHERE kind = $1 ORDER BY id DESC LIMIT 1", kind)
    return data["secret"]


async def _reset_link(pool: asyncpg.Pool, email: str, now: datetime | None = None) -> str:
    async with pool.acquire() as conn, conn.transaction():
        await life.request_password_reset(conn, email, "203.0.113.9", now)
    return (await _secret(pool, "password_reset"))["path"].split("token=")[1]


async def test_a_reset_link_works_once_and_ends_every_other_session(pool, client) -> None:
    await make_user(pool, "farmer@example.test", ["customer"])
    await sign_in(client, "farmer@example.test")  # the "other device": its session must end
    other_device = dict(client.cookies)
    assert (await client.get("/vi/account")).status_code == 200
    client.cookies.clear()
    token = await _reset_link(pool, "farmer@example.test")
    form = await client.get(f"/vi/account/reset-password?token={token}")
    assert form.status_code == 200 and form.headers["cache-control"] == "private, no-store"
    fields = {"token": token, "password": "a brand new password", "_csrf_token": await csrf_token(client)}
    done = await client.post("/vi/account/reset-password", data=fields, follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"].endswith("/vi/account/sign-in?reset=1")
    async with pool.acquire() as conn:
        assert await conn.fetchval("SELECT count(*) FROM sessions") == 0
    # The other device is signed out; the old password no longer works, the new one does.
    client.cookies.update(other_device)
    assert (await client.get("/vi/account", follow_redirects=False)).status_code in (302, 303, 401)
    old = await client.post(
        "/api/v1/auth/sign-in", json={"email": "farmer@example.test", "password": "correct horse battery"}
    )
    assert old.status_code == 401
    await sign_in(client, "farmer@example.test", "a brand new password")
    fields["_csrf_token"] = await csrf_token(client)
    again = await client.post(
        "/vi/account/reset-password", data={**fields, "password": "yet another one!"}, follow_redirects=False
    )
    assert again.status_code == 400 and "đã được sử dụng" in again.text


async def test_a_reset_link_expires_after_30_minutes(pool) -> None:
    await make_user(pool, "late@example.test", ["customer"])
    start = datetime.now(UTC)
    token = await _reset_link(pool, "late@example.test", start)
    async with pool.acquire() as conn:
        with pytest.raises(AppError) as refused:
            await life.reset_password(conn, token, "too late password", now=start + timedelta(minutes=31))
        assert refused.value.code == "link_expired"
        await life.reset_password(conn, token, "just in time pw", now=start + timedelta(minutes=29))


async def test_an_unknown_address_gets_the_same_answer_and_no_mail(pool, client) -> None:
    fields = {"email": "nobody@example.test", "_csrf_token": await csrf_token(client, "/vi/account/forgot-password")}
    response = await client.post("/en/account/forgot-password", data=fields)
    assert response.status_code == 200 and "If an account has this address" in response.text
    async with pool.acquire() as conn:
        assert await conn.fetchval("SELECT count(*) FROM notifications") == 0


async def test_sign_up_mails_a_verification_link_that_confirms_the_address(pool, client) -> None:
    fields = {
        "email": "new@example.test",
        "password": "long enough pw",
        "display_name": "Lan",
        "_csrf_token": await csrf_token(client, "/vi/account/sign-up"),
    }
    assert (await client.post("/vi/account/sign-up", data=fields, follow_redirects=False)).status_code == 303
    path = (await _secret(pool, "verify_email"))["path"]
    async with pool.acquire() as conn:
        assert await conn.fetchval("SELECT recipient FROM notification_deliveries") == "new@example.test"
    page = await client.get(f"/vi{path}")
    assert page.status_code == 200 and 'id="account-message"' in page.text
    async with pool.acquire() as conn:
        assert await conn.fetchval(
            "SELECT email_verified_at IS NOT NULL FROM users WHERE email = $1", "new@example.test"
        )
    assert (await client.get(f"/vi{path}")).status_code == 400


async def _phone_user(pool: asyncpg.Pool) -> int:
    user_id = await make_user(pool, "phone@example.test", ["customer"])
    async with pool.acquire() as conn:
        await conn.execute("UPDATE users SET phone = $2, phone_verified_at = now() WHERE id = $1", user_id, PHONE)
    return user_id


async def _send(pool: asyncpg.Pool, now: datetime | None = None, client: str = "198.51.100.7") -> str:
    async with pool.acquire() as conn, conn.transaction():
        await life.send_code(conn, PHONE, "sign_in", client, now=now)
    return (await _secret(pool, "sign_in_code"))["code"]


async def test_phone_sign_in_refuses_a_wrong_code_then_accepts_the_right_one(pool, client) -> None:
    user_id = await _phone_user(pool)
    await client.post(
        "/vi/account/sign-in/phone", data={"phone": "0912 000 111", "_csrf_token": await csrf_token(client)}
    )
    code = (await _secret(pool, "sign_in_code"))["code"]
    wrong = "000000" if code != "000000" else "111111"
    token = await csrf_token(client, "/vi/account/sign-in/phone")
    refused = await client.post(
        "/vi/account/sign-in/phone/code",
        data={"phone": PHONE, "code": wrong, "_csrf_token": token},
        follow_redirects=False,
    )
    assert refused.status_code == 400
    signed = await client.post(
        "/vi/account/sign-in/phone/code",
        data={"phone": PHONE, "code": code, "_csrf_token": token},
        follow_redirects=False,
    )
    assert signed.status_code == 303
    account = await client.get("/vi/account")
    assert account.status_code == 200 and "phone@example.test" in account.text and user_id
    # A code is used once.
    with pytest.raises(AppError):
        await life.check_code(pool, PHONE, "sign_in", code)


async def test_phone_codes_expire_after_5_minutes(pool) -> None:
    await _phone_user(pool)
    start = datetime.now(UTC)
    code = await _send(pool, start)
    with pytest.raises(AppError) as refused:
        await life.check_code(pool, PHONE, "sign_in", code, now=start + timedelta(minutes=5, seconds=1))
    assert refused.value.code == "code_expired"


async def test_after_5_wrong_codes_even_the_right_one_is_refused(pool) -> None:
    await _phone_user(pool)
    code = await _send(pool)
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(life.CODE_ATTEMPTS):
        with pytest.raises(AppError) as refused:
            await life.check_code(pool, PHONE, "sign_in", wrong)
        assert refused.value.code == "code_wrong"
    with pytest.raises(AppError) as refused:
        await life.check_code(pool, PHONE, "sign_in", code)
    assert refused.value.code == "code_attempts_exceeded" and refused.value.status_code == 429


async def test_codes_are_rate_limited_per_number_and_per_client(pool) -> None:
    await _phone_user(pool)
    for number in range(life.PHONE_CODES_PER_NUMBER.hits):
        await _send(pool, client=f"198.51.100.{number}")
    with pytest.raises(AppError) as refused:
        await _send(pool, client="198.51.100.99")
    assert refused.value.status_code == 429
    async with pool.acquire() as conn:
        for number in range(life.PHONE_CODES_PER_CLIENT.hits):
            await life.send_code(conn, f"+8491200{number:04d}", "sign_in", "192.0.2.1")
        with pytest.raises(AppError):
            await life.send_code(conn, "+84912009999", "sign_in", "192.0.2.1")


async def test_a_signed_in_person_verifies_a_phone_with_a_code(pool, client) -> None:
    user_id = await make_user(pool, "verify@example.test", ["customer"])
    await sign_in(client, "verify@example.test")
    token = await csrf_token(client, "/vi/account/phone")
    sent = await client.post("/vi/account/phone", data={"phone": "0987 654 321", "_csrf_token": token})
    assert sent.status_code == 200
    code = (await _secret(pool, "verify_phone"))["code"]
    done = await client.post(
        "/vi/account/phone/code",
        data={"phone": "+84987654321", "code": code, "_csrf_token": token},
        follow_redirects=False,
    )
    assert done.status_code == 303
    async with pool.acquire() as conn:
        row = await conn.fetchrow("SELECT phone, phone_verified_at FROM users WHERE id = $1", user_id)
    assert row["phone"] == "+84987654321" and row["phone_verified_at"] is not None


async def test_an_agent_registers_a_producer_by_phone_who_then_signs_in_with_a_code(pool, client) -> None:
    from marketplace.agents import service as agents
    from tests.marketplace.agents.test_assisted_onboarding import assisted_form
    from tests.marketplace.factories import make_agent

    async with pool.acquire() as conn, conn.transaction():
        agent = await make_agent(conn)
        await agents.register_assisted_merchant(conn, agent, assisted_form(producer_phone="0912 345 600"))
        producer = await conn.fetchrow("SELECT id, email, password_hash FROM users WHERE phone = '+84912345600'")
    assert producer is not None and producer["email"] is None and producer["password_hash"] is None
    token = await csrf_token(client, "/vi/account/sign-in/phone")
    await client.post("/vi/account/sign-in/phone", data={"phone": "0912345600", "_csrf_token": token})
    code = (await _secret(pool, "sign_in_code"))["code"]
    signed = await client.post("/vi/account/sign-in/phone/code", data={"phone": "+84912345600", "code": code,
                                                                       "_csrf_token": token}, follow_redirects=False)
    assert signed.status_code == 303
    assert (await client.get("/vi/account")).status_code == 200
    async with pool.acquire() as conn:
        assert await conn.fetchval("SELECT phone_verified_at IS NOT NULL FROM users WHERE id = $1", producer["id"])
