"""Account-life rules: links valid once and for a while, 6-digit phone codes with few tries, rate limits.

Every function takes `now` so tests can move the clock; links and codes are random and only their hashes are
kept. A failed code check must count even though the request fails, so `check_code` commits on its own
connection (like the sign-in failures).
"""

import hashlib
import hmac
import re
import secrets
from datetime import UTC, datetime, timedelta
from typing import Literal

import asyncpg

from marketplace.accounts.life import repository as repo
from marketplace.accounts.service import hash_password_off_loop
from marketplace.notifications.outbox import enqueue
from marketplace.platform.errors import AppError, BadRequest, TooManyRequests, Unprocessable
from marketplace.platform.ratelimit import RateLimit, enforce

__all__ = ["EMAIL_LINK_LIFETIME", "RESET_LINK_LIFETIME", "CODE_LIFETIME", "CODE_ATTEMPTS", "normalise_phone",
           "send_email_verification", "verify_email", "request_password_reset", "reset_password", "send_code",
           "check_code", "open_phone_account", "PHONE_CODES_PER_NUMBER", "PHONE_CODES_PER_CLIENT", "RESETS_PER_CLIENT"]

EMAIL_LINK_LIFETIME = timedelta(hours=24)
RESET_LINK_LIFETIME = timedelta(minutes=30)
CODE_LIFETIME = timedelta(minutes=5)
CODE_ATTEMPTS = 5
PHONE_CODES_PER_NUMBER = RateLimit("phone-code-number", 3, 900)
PHONE_CODES_PER_CLIENT = RateLimit("phone-code-client", 10, 900)
RESETS_PER_CLIENT = RateLimit("password-reset-client", 10, 900)
RESETS_PER_ACCOUNT = RateLimit("password-reset-account", 3, 900)
Purpose = Literal["verify_phone", "sign_in"]


def _now(now: datetime | None) -> datetime:
    return now or datetime.now(UTC)


def _digest(secret: str) -> bytes:
    return hashlib.sha256(secret.encode()).digest()


def normalise_phone(typed: str) -> str:
    """A Vietnamese mobile number as +84...; other international numbers kept with their +."""
    digits = re.sub(r"[^\d+]", "", typed.strip())
    if digits.startswith("00"):
        digits = "+" + digits[2:]
    if digits.startswith("0"):
        digits = "+84" + digits[1:]
    elif not digits.startswith("+"):
        digits = "+" + digits
    if not re.fullmatch(r"\+\d{8,15}", digits):
        raise Unprocessable("Enter a valid phone number.", code="invalid_phone", details={"field": "phone"})
    return digits


async def send_email_verification(conn: asyncpg.Connection, user_id: int, email: str,
                                  now: datetime | None = None) -> None:
    """Mail a link that confirms this address belongs to the account."""
    token = secrets.token_urlsafe(32)
    await repo.insert_link(conn, user_id, "verify_email", _digest(token), email, _now(now) + EMAIL_LINK_LIFETIME)
    await enqueue(conn, "verify_email", user_id=user_id, email=email,
                  data={"secret": {"path": f"/account/verify-email?token={token}"}})


async def verify_email(conn: asyncpg.Connection, token: str, now: datetime | None = None) -> int:
    """Use a verification link once; the account's id."""
    link = await _use_link(conn, token, "verify_email", _now(now))
    await repo.mark_email_verified(conn, link["user_id"], link["email"], _now(now))
    return link["user_id"]


async def _use_link(conn: asyncpg.Connection, token: str, purpose: str, now: datetime) -> asyncpg.Record:
    link = await repo.get_link_for_update(conn, _digest(token), purpose)
    if link is None or link["used_at"] is not None:
        raise BadRequest("This link was already used or is not valid.", code="link_used")
    if link["expires_at"] <= now:
        raise BadRequest("This link has expired. Ask for a new one.", code="link_expired")
    await repo.use_link(conn, link["id"], now)
    return link


async def request_password_reset(conn: asyncpg.Connection, email: str, client: str | None,
                                 now: datetime | None = None) -> None:
    """Mail a reset link if an active account has this address; the same answer either way."""
    await enforce(conn, RESETS_PER_CLIENT, client, now)
    await enforce(conn, RESETS_PER_ACCOUNT, email.strip().lower(), now)
    user = await repo.user_by_email(conn, email.strip())
    if user is None or not user["is_active"]:
        return
    token = secrets.token_urlsafe(32)
    await repo.insert_link(conn, user["id"], "reset_password", _digest(token), user["email"],
                           _now(now) + RESET_LINK_LIFETIME)
    await enqueue(conn, "password_reset", user_id=user["id"], email=user["email"],
                  data={"secret": {"path": f"/account/reset-password?token={token}"}})


async def reset_password(conn: asyncpg.Connection, token: str, password: str, now: datetime | None = None) -> int:
    """Set a new password with a reset link (once, within 30 minutes) and end every session of the account."""
    if len(password) < 10:
        raise Unprocessable("The password must be at least 10 characters long.", code="weak_password",
                            details={"field": "password"})
    moment = _now(now)
    link = await _use_link(conn, token, "reset_password", moment)
    await repo.set_password(conn, link["user_id"], await hash_password_off_loop(password))
    await repo.retire_links(conn, link["user_id"], "reset_password", moment)
    await repo.end_sessions(conn, link["user_id"])
    # Whoever could read this mail can sign in: the address is verified too.
    await repo.mark_email_verified(conn, link["user_id"], link["email"], moment)
    return link["user_id"]


async def open_phone_account(conn: asyncpg.Connection, typed_phone: str, display_name: str,
                             locale: str = "vi") -> int | None:
    """An account with a phone number and no e-mail or password (a producer a community agent registers): its
    owner signs in with a code sent to the phone. The existing account of that number if there is one; None for
    a number that is not a phone number."""
    try:
        phone = normalise_phone(typed_phone)
    except AppError:
        return None
    existing = await repo.user_by_phone(conn, phone)
    if existing is not None:
        return existing["id"]
    return await repo.insert_phone_account(conn, display_name.strip()[:120], phone, locale)


async def send_code(conn: asyncpg.Connection, phone: str, purpose: Purpose, client: str | None, *,
                    user_id: int | None = None, now: datetime | None = None) -> None:
    """Text a 6-digit code to `phone` (verification for `user_id`, or sign-in to the account of that number).

    Rate-limited per number and per client. For sign-in, a number without an account gets no code, and the
    caller answers the same either way.
    """
    await enforce(conn, PHONE_CODES_PER_CLIENT, client, now)
    await enforce(conn, PHONE_CODES_PER_NUMBER, phone, now)
    if purpose == "sign_in":
        account = await repo.user_by_phone(conn, phone)
        if account is None or not account["is_active"]:
            return
        user_id = account["id"]
    code = f"{secrets.randbelow(10**6):06d}"
    code_id = await repo.insert_code(conn, phone, purpose, user_id, b"", _now(now) + CODE_LIFETIME)
    await repo.set_code_hash(conn, code_id, _code_hash(code_id, code))
    kind = "verify_phone" if purpose == "verify_phone" else "sign_in_code"
    # To this number only (not the account's other channels), in the account's language.
    locale = await repo.user_locale(conn, user_id) if user_id is not None else "vi"
    await enqueue(conn, kind, phone=phone, locale=locale or "vi", data={"secret": {"code": code}})


def _code_hash(code_id: int, code: str) -> bytes:
    # Bound to its row, so one code's hash says nothing about another's.
    return hashlib.sha256(f"{code_id}:{code}".encode()).digest()


async def check_code(pool: asyncpg.Pool, phone: str, purpose: Purpose, code: str, *, user_id: int | None = None,
                     now: datetime | None = None) -> int:
    """The account a right code stands for (and, for verification, the number is now verified).

    Wrong, expired, used and over-tried codes are refused; the try is counted in its own committed transaction.
    """
    moment = _now(now)
    async with pool.acquire() as conn, conn.transaction():
        row = await repo.latest_code_for_update(conn, phone, purpose)
        problem = _code_problem(row, code, moment, user_id)
        if row is not None and problem != "used":
            await repo.count_attempt(conn, row["id"])
        if problem is None and row is not None:
            await repo.use_code(conn, row["id"], moment)
            # Either way the person just proved they hold this number.
            await repo.set_verified_phone(conn, row["user_id"], phone, moment)
            return row["user_id"]
    if problem == "too_many":
        raise TooManyRequests("Too many wrong codes. Ask for a new one.", code="code_attempts_exceeded")
    if problem == "expired":
        raise BadRequest("This code has expired. Ask for a new one.", code="code_expired")
    raise BadRequest("The code is wrong.", code="code_wrong")


def _code_problem(row: asyncpg.Record | None, code: str, now: datetime, user_id: int | None) -> str | None:
    if row is None or row["used_at"] is not None:
        return "used" if row is not None else "wrong"
    if user_id is not None and row["user_id"] != user_id:
        return "wrong"
    if row["attempts"] >= CODE_ATTEMPTS:
        return "too_many"
    if row["expires_at"] <= now:
        return "expired"
    if not hmac.compare_digest(row["code_hash"], _code_hash(row["id"], code.strip())):
        return "wrong"
    return None
