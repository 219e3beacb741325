"""Account types: the principal behind a request, users, and API tokens."""

from datetime import datetime
from typing import Annotated, Literal

import msgspec

__all__ = [
    "ROLES",
    "Role",
    "User",
    "SignUp",
    "SignIn",
    "SignInForm",
    "TokenForm",
    "ApiTokenCreate",
    "ApiTokenCreated",
    "ApiToken",
]

Role = Literal["customer", "merchant", "community_agent", "editor", "admin", "official"]
ROLES: tuple[str, ...] = ("customer", "merchant", "community_agent", "editor", "admin", "official")

# No white space: \s spelled out, because Python's \s (\x1c-\x1f, \x85) and a JSON Schema validator's (\ufeff)
# differ, and the OpenAPI document must accept exactly what the app does.
_NOT_AT_OR_SPACE = r"[^@\s\x1c-\x1f\x85\ufeff]"
Email = Annotated[str, msgspec.Meta(min_length=3, max_length=254,
                                    pattern=f"^{_NOT_AT_OR_SPACE}+@{_NOT_AT_OR_SPACE}+\\.{_NOT_AT_OR_SPACE}+$")]
Password = Annotated[str, msgspec.Meta(min_length=10, max_length=200)]


class User(msgspec.Struct, frozen=True, kw_only=True):
    """A user account as the API shows it."""

    id: int
    email: str
    display_name: str
    roles: list[str]
    locale: str
    created_at: datetime


class SignUp(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """A new customer account."""

    email: Email
    password: Password
    display_name: Annotated[str, msgspec.Meta(max_length=120)] = ""
    # Not "locale": Litestar would take a validation error in a field named like a dependency for its own fault.
    language: Annotated[str, msgspec.Meta(pattern="^(vi|en|zh|ko|ja|ru|fr|ar)$")] = "vi"


class SignIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """Credentials for signing in."""

    email: Annotated[str, msgspec.Meta(min_length=1, max_length=254)]
    password: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]


class SignInForm(msgspec.Struct, frozen=True, kw_only=True):
    """The sign-in page's form: blank credentials are simply wrong ones; `next` is where to go afterwards."""

    email: Annotated[str, msgspec.Meta(max_length=254)] = ""
    password: Annotated[str, msgspec.Meta(max_length=200)] = ""
    next: str = ""


class TokenForm(msgspec.Struct, frozen=True, kw_only=True):
    """The admin's form for a new API token (the service names what is missing)."""

    name: Annotated[str, msgspec.Meta(max_length=100)] = ""
    roles: list[str] = msgspec.field(default_factory=list)


class ApiTokenCreate(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """A token for a portal client, limited to these roles."""

    name: Annotated[str, msgspec.Meta(min_length=1, max_length=100)]
    roles: Annotated[list[Role], msgspec.Meta(min_length=1)]


class ApiToken(msgspec.Struct, frozen=True, kw_only=True):
    """A token as listed: never the secret."""

    id: int
    name: str
    prefix: str
    roles: list[str]
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class ApiTokenCreated(msgspec.Struct, frozen=True, kw_only=True):
    """The one time the secret is shown."""

    token: str
    info: ApiToken
