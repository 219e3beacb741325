"""Account rules: sign-up, sign-in with a rate limit, sessions and API tokens."""

import asyncio
import hashlib
import secrets
from datetime import UTC, datetime, timedelta

import asyncpg
import msgspec
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from marketplace.accounts import repository
from marketplace.accounts.models import ROLES, ApiToken, ApiTokenCreated, SignUp, User
from marketplace.platform.errors import Conflict, NotFound, TooManyRequests, Unauthorized, Unprocessable
from marketplace.platform.principal import Principal

__all__ = [
    "LoginLimits",
    "SESSION_LIFETIME",
    "hash_password",
    "sign_up",
    "get_user",
    "create_user",
    "grant_role",
    "authenticate",
    "start_session",
    "end_session",
    "principal_for_session",
    "principal_for_token",
    "create_api_token",
    "revoke_api_token",
    "list_api_tokens",
]

SESSION_LIFETIME = timedelta(days=14)
TOKEN_PREFIX = "mkt_"
_hasher = PasswordHasher()
# Verifying against this when the account does not exist keeps response times alike for both cases.
_DUMMY_HASH = _hasher.hash("not-a-real-password-for-timing")


class LoginLimits(msgspec.Struct, frozen=True):
    """Failed sign-ins allowed per window, per IP address and per account."""

    per_ip: int = 20
    per_account: int = 5
    window: timedelta = timedelta(minutes=15)


def hash_password(password: str) -> str:
    """An argon2id hash."""
    return _hasher.hash(password)


def _digest(token: str) -> bytes:
    # Tokens are 256-bit random values, so a fast hash is enough to make a stolen table useless.
    return hashlib.sha256(token.encode()).digest()


def _user(row: asyncpg.Record) -> User:
    return User(id=row["id"], email=row["email"], display_name=row["display_name"], roles=list(row["roles"]),
                locale=row["locale"], created_at=row["created_at"])


async def get_user(connection: asyncpg.Connection, user_id: int) -> User:
    """A user account; NotFound if there is none."""
    row = await repository.get_user(connection, user_id)
    if row is None:
        raise NotFound("No such user.", code="user_not_found")
    return _user(row)


async def create_user(connection: asyncpg.Connection, *, email: str, password: str | None, roles: list[str],
                      display_name: str = "", locale: str = "vi", phone: str | None = None) -> User:
    """A new account with these roles; Conflict if the e-mail is taken."""
    unknown = set(roles) - set(ROLES)
    if unknown:
        raise Unprocessable(f"Unknown role: {', '.join(sorted(unknown))}", code="unknown_role")
    if password is not None and len(password) < 10:
        raise Unprocessable("The password must be at least 10 characters long.", code="weak_password")
    if await repository.get_user_by_email(connection, email):
        raise Conflict("An account with this e-mail already exists.", code="email_taken")
    password_hash = hash_password(password) if password is not None else None
    try:
        row = await repository.insert_user(connection, email=email.strip(), display_name=display_name.strip(),
                                           password_hash=password_hash, roles=roles, locale=locale, phone=phone)
    except asyncpg.UniqueViolationError:
        raise Conflict("An account with this e-mail already exists.", code="email_taken") from None
    return _user(row)


async def grant_role(connection: asyncpg.Connection, user_id: int, role: str) -> None:
    """Add a role to a user once."""
    await repository.add_role(connection, user_id, role)


async def sign_up(connection: asyncpg.Connection, data: SignUp) -> User:
    """A self-service customer account."""
    return await create_user(connection, email=data.email, password=data.password, roles=["customer"],
                             display_name=data.display_name, locale=data.language)


async def authenticate(pool: asyncpg.Pool, email: str, password: str, ip: str | None,
                       limits: LoginLimits = LoginLimits()) -> User:
    """The user for these credentials, or Unauthorized; TooManyRequests past the failure limits.

    Failures are written in their own transaction so that they count even though the request fails.
    """
    account = email.strip().lower()
    window = limits.window
    async with pool.acquire(timeout=10) as connection:
        async with connection.transaction():
            # One attempt per account at a time, so concurrent guesses cannot slip past the count.
            await repository.lock_login_attempts(connection, account)
            by_ip, by_account = await repository.count_login_failures(connection, ip=ip, account=account,
                                                                      window=window)
            if by_ip >= limits.per_ip or by_account >= limits.per_account:
                oldest = await repository.oldest_login_failure(connection, ip=ip, account=account, window=window)
                retry = max(int(((oldest or datetime.now(UTC)) + window - datetime.now(UTC)).total_seconds()) + 1, 1)
                raise TooManyRequests("Too many failed sign-ins. Try again later.", code="login_rate_limited",
                                      details={"retry_after_seconds": retry}, headers={"Retry-After": str(retry)})
            row = await repository.get_user_by_email(connection, account)
            usable = row is not None and row["is_active"] and row["password_hash"]
            stored_hash = row["password_hash"] if usable else _DUMMY_HASH
            try:
                # argon2 is deliberately slow; keep the event loop free while it runs.
                await asyncio.to_thread(_hasher.verify, stored_hash, password)
                verified = bool(usable)
            except (VerifyMismatchError, VerificationError, InvalidHashError):
                verified = False
            if not verified or row is None:
                # Recorded in this committed transaction, so the failure counts although the request fails.
                await repository.insert_login_failure(connection, ip, account)
            else:
                await repository.clear_account_failures(connection, account)
                if _hasher.check_needs_rehash(stored_hash):
                    await repository.update_password_hash(connection, row["id"], hash_password(password))
    if not verified or row is None:
        raise Unauthorized("The e-mail or password is wrong.", code="invalid_credentials")
    return _user(row)


async def start_session(connection: asyncpg.Connection, user_id: int) -> str:
    """A new session for the user; returns the cookie value (only its hash is stored)."""
    token = secrets.token_urlsafe(32)
    await repository.insert_session(connection, _digest(token), user_id, {}, datetime.now(UTC) + SESSION_LIFETIME)
    return token


async def end_session(connection: asyncpg.Connection, token: str) -> None:
    """Forget the session behind this cookie value."""
    await repository.delete_session(connection, _digest(token))


async def principal_for_session(connection: asyncpg.Connection, token: str) -> Principal | None:
    """The user behind a session cookie; extends the session when half its life has passed."""
    digest = _digest(token)
    row = await repository.get_session_principal(connection, digest)
    if row is None or not row["is_active"]:
        return None
    now = datetime.now(UTC)
    # Writing on every request would make every page a write; extend only past half-life.
    if row["expires_at"] - now < SESSION_LIFETIME / 2:
        await repository.extend_session(connection, digest, now + SESSION_LIFETIME)
    return Principal(user_id=row["user_id"], roles=frozenset(row["roles"]), display_name=row["display_name"],
                     email=row["email"], via="session")


async def principal_for_token(connection: asyncpg.Connection, token: str) -> Principal | None:
    """The API client behind a bearer token, or None if unknown or revoked."""
    if not token.startswith(TOKEN_PREFIX):
        return None
    row = await repository.get_token_by_hash(connection, _digest(token))
    if row is None:
        return None
    last_used = row["last_used_at"]
    if last_used is None or datetime.now(UTC) - last_used > timedelta(minutes=1):
        await repository.touch_token(connection, row["id"])
    return Principal(user_id=None, roles=frozenset(row["roles"]), display_name=row["name"], via="token",
                     token_id=row["id"])


def _token_info(row: asyncpg.Record) -> ApiToken:
    return ApiToken(id=row["id"], name=row["name"], prefix=row["prefix"], roles=list(row["roles"]),
                    created_at=row["created_at"], last_used_at=row["last_used_at"], revoked_at=row["revoked_at"])


async def create_api_token(connection: asyncpg.Connection, *, name: str, roles: list[str],
                           created_by: int | None) -> ApiTokenCreated:
    """A new token; the secret is in the result and nowhere else."""
    if not name.strip():
        raise Unprocessable("Give the token a name.", code="name_required", details={"field": "name"})
    unknown = set(roles) - set(ROLES)
    if unknown or not roles:
        raise Unprocessable("Give one or more known roles.", code="unknown_role", details={"field": "roles"})
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = await repository.insert_token(connection, name=name.strip(), token_hash=_digest(token),
                                        prefix=token[: len(TOKEN_PREFIX) + 6], roles=sorted(set(roles)),
                                        created_by=created_by)
    return ApiTokenCreated(token=token, info=_token_info(row))


async def revoke_api_token(connection: asyncpg.Connection, token_id: int) -> ApiToken:
    """Revoke a token at once; revoking twice keeps the first time."""
    row = await repository.revoke_token(connection, token_id)
    if row is None:
        raise NotFound("No such API token.", code="token_not_found")
    return _token_info(row)


async def list_api_tokens(connection: asyncpg.Connection) -> list[ApiToken]:
    """Every token, newest first, without secrets."""
    return [_token_info(row) for row in await repository.list_tokens(connection)]
