"""Account-life SQL: single-use links, phone codes, verified addresses, ending sessions."""

from datetime import datetime

import asyncpg

INSERT_LINK = """
INSERT INTO account_links (user_id, purpose, token_hash, email, expires_at) VALUES ($1, $2, $3, $4, $5)
"""
# Locked, so two clicks on the same link cannot both use it.
GET_LINK_FOR_UPDATE = """
SELECT id, user_id, purpose, email, expires_at, used_at FROM account_links
WHERE token_hash = $1 AND purpose = $2 FOR UPDATE
"""
USE_LINK = "UPDATE account_links SET used_at = $2 WHERE id = $1"
# A new password retires every other reset link of the account.
RETIRE_LINKS = "UPDATE account_links SET used_at = $3 WHERE user_id = $1 AND purpose = $2 AND used_at IS NULL"
USER_BY_EMAIL = "SELECT id, email, locale, is_active FROM users WHERE lower(email) = lower($1)"
MARK_EMAIL_VERIFIED = "UPDATE users SET email_verified_at = $3 WHERE id = $1 AND lower(email) = lower($2)"
SET_PASSWORD = "UPDATE users SET password_hash = $2 WHERE id = $1"
END_SESSIONS = "DELETE FROM sessions WHERE user_id = $1"

INSERT_CODE = """
INSERT INTO phone_codes (phone, purpose, user_id, code_hash, expires_at) VALUES ($1, $2, $3, $4, $5) RETURNING id
"""
LATEST_CODE_FOR_UPDATE = """
SELECT id, user_id, code_hash, attempts, expires_at, used_at FROM phone_codes
WHERE phone = $1 AND purpose = $2 ORDER BY id DESC LIMIT 1 FOR UPDATE
"""
COUNT_ATTEMPT = "UPDATE phone_codes SET attempts = attempts + 1 WHERE id = $1"
USE_CODE = "UPDATE phone_codes SET used_at = $2 WHERE id = $1"
# The account a phone signs in to: a verified number first, else an account opened with this phone only.
USER_BY_PHONE = """
SELECT id, locale, is_active FROM users
WHERE phone = $1 AND (phone_verified_at IS NOT NULL OR email IS NULL)
ORDER BY phone_verified_at NULLS LAST, id LIMIT 1
"""
SET_VERIFIED_PHONE = "UPDATE users SET phone = $2, phone_verified_at = $3 WHERE id = $1"
RELEASE_PHONE = """
UPDATE users SET phone_verified_at = NULL WHERE phone = $1 AND id <> $2 AND phone_verified_at IS NOT NULL
"""
SET_CODE_HASH = "UPDATE phone_codes SET code_hash = $2 WHERE id = $1"
USER_LOCALE = "SELECT locale FROM users WHERE id = $1"
INSERT_PHONE_ACCOUNT = """
INSERT INTO users (email, display_name, phone, roles, locale) VALUES (NULL, $1, $2, ARRAY['customer'], $3)
RETURNING id
"""
ACCOUNT_STATE = "SELECT email, email_verified_at, phone, phone_verified_at FROM users WHERE id = $1"


async def insert_link(conn: asyncpg.Connection, user_id: int, purpose: str, token_hash: bytes, email: str | None,
                      expires_at: datetime) -> None:
    await conn.execute(INSERT_LINK, user_id, purpose, token_hash, email, expires_at)


async def get_link_for_update(conn: asyncpg.Connection, token_hash: bytes, purpose: str) -> asyncpg.Record | None:
    return await conn.fetchrow(GET_LINK_FOR_UPDATE, token_hash, purpose)


async def use_link(conn: asyncpg.Connection, link_id: int, at: datetime) -> None:
    await conn.execute(USE_LINK, link_id, at)


async def retire_links(conn: asyncpg.Connection, user_id: int, purpose: str, at: datetime) -> None:
    await conn.execute(RETIRE_LINKS, user_id, purpose, at)


async def user_by_email(conn: asyncpg.Connection, email: str) -> asyncpg.Record | None:
    return await conn.fetchrow(USER_BY_EMAIL, email)


async def mark_email_verified(conn: asyncpg.Connection, user_id: int, email: str, at: datetime) -> None:
    await conn.execute(MARK_EMAIL_VERIFIED, user_id, email, at)


async def set_password(conn: asyncpg.Connection, user_id: int, password_hash: str) -> None:
    await conn.execute(SET_PASSWORD, user_id, password_hash)


async def end_sessions(conn: asyncpg.Connection, user_id: int) -> None:
    await conn.execute(END_SESSIONS, user_id)


async def insert_code(conn: asyncpg.Connection, phone: str, purpose: str, user_id: int | None, code_hash: bytes,
                      expires_at: datetime) -> int:
    return await conn.fetchval(INSERT_CODE, phone, purpose, user_id, code_hash, expires_at)


async def latest_code_for_update(conn: asyncpg.Connection, phone: str, purpose: str) -> asyncpg.Record | None:
    return await conn.fetchrow(LATEST_CODE_FOR_UPDATE, phone, purpose)


async def count_attempt(conn: asyncpg.Connection, code_id: int) -> None:
    await conn.execute(COUNT_ATTEMPT, code_id)


async def use_code(conn: asyncpg.Connection, code_id: int, at: datetime) -> None:
    await conn.execute(USE_CODE, code_id, at)


async def user_by_phone(conn: asyncpg.Connection, phone: str) -> asyncpg.Record | None:
    return await conn.fetchrow(USER_BY_PHONE, phone)


async def set_verified_phone(conn: asyncpg.Connection, user_id: int, phone: str, at: datetime) -> None:
    # The number now belongs to this account: another account that had verified it loses that.
    await conn.execute(RELEASE_PHONE, phone, user_id)
    await conn.execute(SET_VERIFIED_PHONE, user_id, phone, at)


async def account_state(conn: asyncpg.Connection, user_id: int) -> asyncpg.Record | None:
    return await conn.fetchrow(ACCOUNT_STATE, user_id)


async def set_code_hash(conn: asyncpg.Connection, code_id: int, code_hash: bytes) -> None:
    await conn.execute(SET_CODE_HASH, code_id, code_hash)


async def user_locale(conn: asyncpg.Connection, user_id: int) -> str | None:
    return await conn.fetchval(USER_LOCALE, user_id)


async def insert_phone_account(conn: asyncpg.Connection, display_name: str, phone: str, locale: str) -> int:
    return await conn.fetchval(INSERT_PHONE_ACCOUNT, display_name, phone, locale)
