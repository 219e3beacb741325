"""Account SQL: users, sessions, API tokens, login failures."""

from datetime import datetime, timedelta
from typing import Any

import asyncpg

GET_USER_BY_EMAIL = """
SELECT id, email, display_name, password_hash, roles, locale, is_active, created_at
FROM users WHERE lower(email) = lower($1)
"""
GET_USER = """
SELECT id, email, display_name, password_hash, roles, locale, is_active, created_at FROM users WHERE id = $1
"""
INSERT_USER = """
INSERT INTO users (email, display_name, password_hash, roles, locale, phone)
VALUES ($1, $2, $3, $4, $5, $6)
RETURNING id, email, display_name, password_hash, roles, locale, is_active, created_at
"""
UPDATE_PASSWORD_HASH = "UPDATE users SET password_hash = $2 WHERE id = $1"
UPDATE_ROLES = "UPDATE users SET roles = $2 WHERE id = $1 RETURNING id"
ADD_ROLE = "UPDATE users SET roles = array_append(roles, $2) WHERE id = $1 AND NOT ($2 = ANY (roles))"
REMOVE_ROLE = "UPDATE users SET roles = array_remove(roles, $2) WHERE id = $1"

INSERT_SESSION = """
INSERT INTO sessions (token_hash, user_id, data, expires_at) VALUES ($1, $2, $3, $4)
"""
GET_SESSION_PRINCIPAL = """
SELECT s.user_id, s.expires_at, s.data, u.email, u.display_name, u.roles, u.is_active
FROM sessions s JOIN users u ON u.id = s.user_id
WHERE s.token_hash = $1 AND s.expires_at > now()
"""
EXTEND_SESSION = "UPDATE sessions SET expires_at = $2 WHERE token_hash = $1"
DELETE_SESSION = "DELETE FROM sessions WHERE token_hash = $1"
DELETE_EXPIRED_SESSIONS = "DELETE FROM sessions WHERE expires_at < now()"

INSERT_TOKEN = """
INSERT INTO api_tokens (name, token_hash, prefix, roles, created_by) VALUES ($1, $2, $3, $4, $5)
RETURNING id, name, prefix, roles, created_at, last_used_at, revoked_at
"""
GET_TOKEN_BY_HASH = """
SELECT t.id, t.roles, t.name, t.last_used_at, t.created_by
FROM api_tokens t WHERE t.token_hash = $1 AND t.revoked_at IS NULL
"""
TOUCH_TOKEN = "UPDATE api_tokens SET last_used_at = now() WHERE id = $1"
LIST_TOKENS = """
SELECT id, name, prefix, roles, created_at, last_used_at, revoked_at FROM api_tokens ORDER BY id DESC
"""
REVOKE_TOKEN = """
UPDATE api_tokens SET revoked_at = coalesce(revoked_at, now()) WHERE id = $1
RETURNING id, name, prefix, roles, created_at, last_used_at, revoked_at
"""

# One sign-in attempt per account at a time (released at the end of the transaction).
LOCK_LOGIN_ATTEMPTS = "SELECT pg_advisory_xact_lock(hashtext('login:' || $1))"
# clock_timestamp(): the failure happened now, not when its transaction began waiting for the pair lock.
INSERT_LOGIN_FAILURE = "INSERT INTO login_failures (ip, account, failed_at) VALUES ($1, $2, clock_timestamp())"
# Failures of one account from one client address (NULL: a client whose address is unknown).
PAIR_FAILURES = """
SELECT count(*) AS failures, max(failed_at) AS last_failure FROM login_failures
WHERE account = $1 AND ip IS NOT DISTINCT FROM $2::inet AND failed_at > now() - $3::interval
"""
CLIENT_FAILURES = """
SELECT count(*) AS failures, min(failed_at) AS oldest FROM login_failures
WHERE ip = $1::inet AND failed_at > now() - $2::interval
"""
CLEAR_PAIR_FAILURES = "DELETE FROM login_failures WHERE account = $1 AND ip IS NOT DISTINCT FROM $2::inet"
DELETE_OLD_FAILURES = "DELETE FROM login_failures WHERE failed_at < now() - interval '1 day'"


async def get_user_by_email(connection: asyncpg.Connection, email: str) -> asyncpg.Record | None:
    return await connection.fetchrow(GET_USER_BY_EMAIL, email)


async def get_user(connection: asyncpg.Connection, user_id: int) -> asyncpg.Record | None:
    return await connection.fetchrow(GET_USER, user_id)


async def insert_user(connection: asyncpg.Connection, *, email: str, display_name: str, password_hash: str | None,
                      roles: list[str], locale: str, phone: str | None = None) -> asyncpg.Record:
    return await connection.fetchrow(INSERT_USER, email, display_name, password_hash, roles, locale, phone)


async def update_password_hash(connection: asyncpg.Connection, user_id: int, password_hash: str) -> None:
    await connection.execute(UPDATE_PASSWORD_HASH, user_id, password_hash)


async def update_roles(connection: asyncpg.Connection, user_id: int, roles: list[str]) -> bool:
    return await connection.fetchval(UPDATE_ROLES, user_id, roles) is not None


async def add_role(connection: asyncpg.Connection, user_id: int, role: str) -> None:
    await connection.execute(ADD_ROLE, user_id, role)


async def remove_role(connection: asyncpg.Connection, user_id: int, role: str) -> None:
    await connection.execute(REMOVE_ROLE, user_id, role)


async def insert_session(connection: asyncpg.Connection, token_hash: bytes, user_id: int,
                         data: dict[str, Any], expires_at: datetime) -> None:
    await connection.execute(INSERT_SESSION, token_hash, user_id, data, expires_at)


async def get_session_principal(connection: asyncpg.Connection, token_hash: bytes) -> asyncpg.Record | None:
    return await connection.fetchrow(GET_SESSION_PRINCIPAL, token_hash)


async def extend_session(connection: asyncpg.Connection, token_hash: bytes, expires_at: datetime) -> None:
    await connection.execute(EXTEND_SESSION, token_hash, expires_at)


async def delete_session(connection: asyncpg.Connection, token_hash: bytes) -> None:
    await connection.execute(DELETE_SESSION, token_hash)


async def delete_expired_sessions(connection: asyncpg.Connection) -> None:
    await connection.execute(DELETE_EXPIRED_SESSIONS)


async def insert_token(connection: asyncpg.Connection, *, name: str, token_hash: bytes, prefix: str,
                       roles: list[str], created_by: int | None) -> asyncpg.Record:
    return await connection.fetchrow(INSERT_TOKEN, name, token_hash, prefix, roles, created_by)


async def get_token_by_hash(connection: asyncpg.Connection, token_hash: bytes) -> asyncpg.Record | None:
    return await connection.fetchrow(GET_TOKEN_BY_HASH, token_hash)


async def touch_token(connection: asyncpg.Connection, token_id: int) -> None:
    await connection.execute(TOUCH_TOKEN, token_id)


async def list_tokens(connection: asyncpg.Connection) -> list[asyncpg.Record]:
    return await connection.fetch(LIST_TOKENS)


async def revoke_token(connection: asyncpg.Connection, token_id: int) -> asyncpg.Record | None:
    return await connection.fetchrow(REVOKE_TOKEN, token_id)


async def lock_login_attempts(connection: asyncpg.Connection, account: str) -> None:
    await connection.execute(LOCK_LOGIN_ATTEMPTS, account)


async def insert_login_failure(connection: asyncpg.Connection, ip: str | None, account: str) -> None:
    await connection.execute(INSERT_LOGIN_FAILURE, ip, account)


async def pair_login_failures(connection: asyncpg.Connection, *, account: str, ip: str | None,
                              window: timedelta) -> tuple[int, datetime | None]:
    row = await connection.fetchrow(PAIR_FAILURES, account, ip, window)
    return row["failures"], row["last_failure"]


async def client_login_failures(connection: asyncpg.Connection, *, ip: str,
                                window: timedelta) -> tuple[int, datetime | None]:
    row = await connection.fetchrow(CLIENT_FAILURES, ip, window)
    return row["failures"], row["oldest"]


async def clear_pair_failures(connection: asyncpg.Connection, account: str, ip: str | None) -> None:
    await connection.execute(CLEAR_PAIR_FAILURES, account, ip)


async def delete_old_login_failures(connection: asyncpg.Connection) -> None:
    await connection.execute(DELETE_OLD_FAILURES)
