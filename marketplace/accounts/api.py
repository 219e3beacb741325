"""Account JSON API: sign-up, sign-in, sign-out, the current user, and API tokens for portals."""

from typing import Any

import asyncpg
from litestar import Controller, Request, Response, Router, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED, HTTP_204_NO_CONTENT

from marketplace.accounts import service
from marketplace.accounts.life import service as life
from marketplace.accounts.models import (
    ApiToken,
    ApiTokenCreate,
    ApiTokenCreated,
    SignIn,
    SignUp,
    User,
)
from marketplace.accounts.sessions import SESSION_COOKIE, session_cookie, signed_in, start_signed_in_session
from marketplace.platform.errors import Unauthorized
from marketplace.platform.middleware import client_ip
from marketplace.platform.principal import Principal
from marketplace.platform.settings import Settings

__all__ = ["AuthApi", "TokenApi", "router"]


class AuthApi(Controller):
    """Sign-up, sign-in and sign-out for API clients that use a session cookie."""

    path = "/auth"
    tags = ["accounts"]

    @post("/sign-up", status_code=HTTP_201_CREATED, opt={"anonymous_write": "sign_up"})
    async def sign_up(self, request: Request[Any, Any, Any], data: JSONBody[SignUp],
                      db: NamedDependency[asyncpg.Connection], settings: NamedDependency[Settings]) -> Response[User]:
        """Create a customer account and sign it in."""
        user = await service.sign_up(db, data)
        await life.send_email_verification(db, user.id, user.email)
        token = await service.start_session(db, user.id)
        await signed_in(request, db, user.id)
        return Response(user, status_code=HTTP_201_CREATED, cookies=[session_cookie(request, settings, token)])

    @post("/sign-in", status_code=HTTP_200_OK)
    async def sign_in(self, request: Request[Any, Any, Any], data: JSONBody[SignIn],
                      pool: NamedDependency[asyncpg.Pool], settings: NamedDependency[Settings]) -> Response[User]:
        """Check the credentials (rate limited per IP and account) and start a session."""
        user = await service.authenticate(pool, data.email, data.password, client_ip(request.scope))
        token = await start_signed_in_session(request, pool, user.id)
        return Response(user, cookies=[session_cookie(request, settings, token)])

    @post("/sign-out", status_code=HTTP_204_NO_CONTENT)
    async def sign_out(self, request: Request[Any, Any, Any], db: NamedDependency[asyncpg.Connection],
                       settings: NamedDependency[Settings]) -> Response[None]:
        """End the current session."""
        token = request.cookies.get(SESSION_COOKIE)
        if token:
            await service.end_session(db, token)
        return Response(None, status_code=HTTP_204_NO_CONTENT,
                        cookies=[session_cookie(request, settings, "", expire=True)])

    @get("/me")
    async def me(self, principal: NamedDependency[Principal | None]) -> Principal:
        """Who the request is made as."""
        if principal is None:
            raise Unauthorized("Sign in first.", code="not_signed_in")
        return principal


class TokenApi(Controller):
    """API tokens for portal clients (admins only)."""

    path = "/admin/tokens"
    tags = ["accounts"]
    opt = {"roles": ("admin",)}

    @post("/", status_code=HTTP_201_CREATED)
    async def create_token(self, data: JSONBody[ApiTokenCreate], db: NamedDependency[asyncpg.Connection],
                           principal: NamedDependency[Principal | None]) -> ApiTokenCreated:
        """Create a token; its secret is in this response only."""
        return await service.create_api_token(db, name=data.name, roles=list(data.roles),
                                              created_by=principal.user_id if principal else None)

    @get("/")
    async def list_tokens(self, db: NamedDependency[asyncpg.Connection]) -> list[ApiToken]:
        """Every token without its secret."""
        return await service.list_api_tokens(db)

    @post("/{token_id:int}/revoke", status_code=HTTP_200_OK)
    async def revoke_token(self, token_id: FromPath[int], db: NamedDependency[asyncpg.Connection]) -> ApiToken:
        """Revoke a token at once."""
        return await service.revoke_api_token(db, token_id)


router = Router(path="/", route_handlers=[AuthApi, TokenApi])
