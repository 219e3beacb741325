"""Who is acting: the principal of a request, and the duck type every service accepts as its actor."""

from typing import Literal, Protocol

import msgspec

__all__ = ["Principal", "Actor", "SystemActor"]


class Principal(msgspec.Struct, frozen=True, kw_only=True):
    """Who is making a request: a signed-in user or an API token."""

    user_id: int | None
    roles: frozenset[str]
    display_name: str = ""
    email: str | None = None
    via: Literal["session", "token"] = "session"
    token_id: int | None = None

    def has_role(self, role: str) -> bool:
        """Admins hold every role."""
        return role in self.roles or "admin" in self.roles


class Actor(Protocol):
    """The signed-in principal, duck-typed as the app provides it."""

    user_id: int | None

    def has_role(self, role: str) -> bool:
        """True for the role, or for any role when admin."""


class SystemActor(msgspec.Struct, frozen=True):
    """An actor for scripts and the demo seed: a user id with fixed roles."""

    user_id: int | None
    roles: frozenset[str] = frozenset()

    def has_role(self, role: str) -> bool:
        """True for the role, or for any role when admin."""
        return role in self.roles or "admin" in self.roles
