"""Account rules: sign-up, sign-in with a rate limit, sessions and API tokens."""

import hashlib
import secrets
from datetime import UTC, datetime, timedelta

import asyncpg
import msgspec
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from marketplace.accounts import repository
from marketplace.accounts.models import ROLES, ApiToken, ApiTokenCreated, SignUp, User
from marketplace.platform.cpu import run_cpu
from marketplace.platform.errors import Conflict, NotFound, TooManyRequests, Unauthorized, Unprocessable
from marketplace.platform.principal import Principal

__all__ = [
    "LoginLimits",
    "SESSION_LIFETIME",
    "hash_password",
    "hash_password_off_loop",
    "sign_up",
    "get_user",
    "create_user",
    "grant_role",
    "revoke_role",
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
    """How failed sign-ins slow down further attempts.

    A failure counts against the pair (account, client address): after `free_failures` failures of one
    pair, each further attempt of that pair waits `first_delay` doubled per failure, up to `max_delay`.
    Another client (the owner at home) is not slowed by an attacker's failures, so nobody can lock an
    account out by guessing. One address is also capped at `per_client` failures per `window` across all
    accounts, which bounds guessing spread over many accounts.
    """

    free_failures: int = 5
    first_delay: timedelta = timedelta(seconds=5)
    max_delay: timedelta = timedelta(minutes=15)
    per_client: int = 20
    window: timedelta = timedelta(minutes=15)
    pair_window: timedelta = timedelta(hours=1)

    def pair_delay(self, failures: int) -> timedelta:
        """How long after the last failure a pair with this many failures must wait."""
        if failures < self.free_failures:
            return timedelta(0)
        return min(self.first_delay * 2 ** (failures - self.free_failures), self.max_delay)


LOGIN_LIMITS = LoginLimits()
"""The limits sign-in applies unless told otherwise."""


def hash_password(password: str) -> str:
    """An argon2id hash (blocking: about 50 ms of CPU and 64 MiB; use `hash_password_off_loop` in a request)."""
    return _hasher.hash(password)


async def hash_password_off_loop(password: str) -> str:
    """`hash_password` in a worker thread, a bounded number at once, so sign-ups never stall the loop."""
    return await run_cpu("password_hash", hash_password, password)


def _verify(stored_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(stored_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


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
    password_hash = await hash_password_off_loop(password) if password is not None else None
    try:
        row = await repository.insert_user(connection, email=email.strip(), display_name=display_name.strip(),
                                           password_hash=password_hash, roles=roles, locale=locale, phone=phone)
    except asyncpg.UniqueViolationError:
        raise Conflict("An account with this e-mail already exists.", code="email_taken") from None
    return _user(row)


async def grant_role(connection: asyncpg.Connection, user_id: int, role: str) -> None:
    """Add a role to a user once."""
    await repository.add_role(connection, user_id, role)


async def revoke_role(connection: asyncpg.Connection, user_id: int, role: str) -> None:
    """Take a role away from a user (nothing when they do not hold it)."""
    await repository.remove_role(connection, user_id, role)


async def sign_up(connection: asyncpg.Connection, data: SignUp) -> User:
    """A self-service customer account."""
    return await create_user(connection, email=data.email, password=data.password, roles=["customer"],
                             display_name=data.display_name, locale=data.language)


async def _login_wait(connection: asyncpg.Connection, account: str, ip: str | None,
                      limits: LoginLimits) -> int:
    """Seconds this client must still wait before trying this account again; 0 when it may try now."""
    now = datetime.now(UTC)
    waits = [0.0]
    failures, last_failure = await repository.pair_login_failures(connection, account=account, ip=ip,
                                                                  window=limits.pair_window)
    if last_failure is not None:
        waits.append((last_failure + limits.pair_delay(failures) - now).total_seconds())
    if ip is not None:
        by_client, oldest = await repository.client_login_failures(connection, ip=ip, window=limits.window)
        if by_client >= limits.per_client and oldest is not None:
            waits.append((oldest + limits.window - now).total_seconds())
    longest = max(waits)
    return int(longest) + 1 if longest > 0 else 0


async def authenticate(pool: asyncpg.Pool, email: str, password: str, ip: str | None,
                       limits: LoginLimits | None = None) -> User:
    """The user for these credentials, or Unauthorized; TooManyRequests while this client must wait
    (`limits`: LOGIN_LIMITS unless given).

    Failures are written in their own transaction so that they count even though the request fails.
    """
    if limits is None:
        limits = LOGIN_LIMITS
    account = email.strip().lower()
    async with pool.acquire(timeout=10) as connection:
        async with connection.transaction():
            # One attempt per account and client at a time, so concurrent guesses cannot slip past the count.
            await repository.lock_login_attempts(connection, f"{account}|{ip or ''}")
            retry = await _login_wait(connection, account, ip, limits)
            if retry:
                raise TooManyRequests("Too many failed sign-ins. Try again later.", code="login_rate_limited",
                                      details={"retry_after_seconds": retry}, headers={"Retry-After": str(retry)})
            row = await repository.get_user_by_email(connection, account)
            usable = row is not None and row["is_active"] and row["password_hash"]
            stored_hash = row["password_hash"] if usable else _DUMMY_HASH
            # argon2 is deliberately slow; keep the event loop free while it runs.
            verified = await run_cpu("password_hash", _verify, stored_hash, password) and bool(usable)
            if not verified or row is None:
                # Recorded in this committed transaction, so the failure counts although the request fails.
                await repository.insert_login_failure(connection, ip, account)
            else:
                await repository.clear_pair_failures(connection, account, ip)
                if _hasher.check_needs_rehash(stored_hash):
                    await repository.update_password_hash(connection, row["id"],
                                                          await hash_password_off_loop(password))
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
