"""The guard matrix (each role against each guard) and the one JSON error shape."""

from typing import Any

import asyncpg
import pytest
from litestar import Router, get, post
from litestar.params import JSONBody
from litestar.testing import AsyncTestClient

from marketplace.accounts.middleware import PrincipalMiddleware
from marketplace.accounts.models import ROLES
from marketplace.platform.access import check_route_access
from marketplace.platform.guards import guard_every_route
from tests.helpers import make_user, sign_in

# Each probe declares its audience the way every route does; the app's one guard enforces it.
PROTECTED: dict[str, dict[str, Any]] = {
    "authenticated": {"signed_in": True},
    "customer": {"roles": ("customer",)},
    "merchant": {"roles": ("merchant",)},
    "community_agent": {"roles": ("community_agent",)},
    "editor": {"roles": ("editor",)},
    "admin": {"roles": ("admin",)},
}


def _probe(name: str, audience: dict[str, Any]) -> Any:
    @get(f"/{name}", opt=audience, name=f"probe-{name}")
    async def probe() -> dict[str, str]:
        return {"ok": name}

    return probe


def expected(role: str | None, guard_name: str) -> int:
    if role is None:
        return 401
    if guard_name == "authenticated" or role == "admin" or role == guard_name:
        return 200
    return 403


@pytest.fixture
def guarded_app(app: Any) -> Any:
    # The app's router resolves the principal and carries check_route_access; a router registered beside it
    # gets the same middleware and guard (the next test checks that every real route has that guard).
    app.register(Router(path="/api/v1/probe", route_handlers=[_probe(n, g) for n, g in PROTECTED.items()],
                        middleware=[PrincipalMiddleware], guards=[check_route_access]))
    return app


def test_every_route_passes_through_the_access_guard(app: Any) -> None:
    for route in app.routes:
        for handler in getattr(route, "route_handlers", []):
            if route.path.startswith("/schema"):
                continue
            guards = [getattr(guard, "func", guard) for guard in handler.resolve_guards()]
            assert {check_route_access, guard_every_route} & set(guards), (route.path, handler)


@pytest.mark.parametrize("role", [None, *ROLES])
async def test_guard_matrix(guarded_app: Any, pool: asyncpg.Pool, role: str | None) -> None:
    async with AsyncTestClient(app=guarded_app) as client:
        if role is not None:
            await make_user(pool, f"{role}@example.vn", [role])
            await sign_in(client, f"{role}@example.vn")
        for guard_name in PROTECTED:
            response = await client.get(f"/api/v1/probe/{guard_name}")
            assert response.status_code == expected(role, guard_name), (role, guard_name, response.text)
            if response.status_code != 200:
                error = response.json()["error"]
                assert set(error) == {"code", "message", "details"}
        # The real admin routes agree with the probes.
        real = await client.get("/api/v1/admin/tokens")
        assert real.status_code == expected(role, "admin")


async def test_guard_matrix_with_api_tokens(guarded_app: Any, pool: asyncpg.Pool) -> None:
    from marketplace.accounts import service

    async with pool.acquire() as connection:
        tokens = {role: (await service.create_api_token(connection, name=role, roles=[role], created_by=None)).token
                  for role in ROLES}
    async with AsyncTestClient(app=guarded_app) as client:
        for role, token in tokens.items():
            for guard_name in PROTECTED:
                response = await client.get(f"/api/v1/probe/{guard_name}", headers={"authorization": f"Bearer {token}"})
                assert response.status_code == expected(role, guard_name), (role, guard_name)


@post("/api/v1/probe/things", name="probe-things")
async def create_thing(data: JSONBody[dict[str, int]]) -> dict[str, int]:
    from marketplace.platform.errors import Unprocessable

    if data.get("n", 0) < 0:
        raise Unprocessable("n must not be negative", code="negative", details={"field": "n"})
    return data


@get("/api/v1/probe/crash", name="probe-crash")
async def crash() -> None:
    raise RuntimeError("secret internals: password=hunter2")


async def test_error_shapes(app: Any) -> None:
    app.register(create_thing)
    app.register(crash)
    async with AsyncTestClient(app=app) as client:
        cases = {
            400: await client.post("/api/v1/probe/things", content=b"{not json", headers={"content-type":
                                                                                          "application/json"}),
            401: await client.get("/api/v1/auth/me"),
            403: await client.post("/vi/account/sign-out", data={}),  # form post without CSRF token
            404: await client.get("/api/v1/no/such/thing"),
            422: await client.post("/api/v1/probe/things", json={"n": -1}),
        }
        for status, response in cases.items():
            assert response.status_code == status, (status, response.text)
            if status == 403:
                continue  # an HTML form post gets the HTML error page
            body = response.json()
            assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "details"}, body
        assert cases[422].json()["error"] == {"code": "negative", "message": "n must not be negative",
                                              "details": {"field": "n"}}
        assert cases[404].json()["error"]["code"] == "not_found"
        assert cases[400].json()["error"]["code"] in ("bad_request", "validation_failed")
        crashed = await client.get("/api/v1/probe/crash")
        assert crashed.status_code == 500
        assert crashed.json()["error"]["code"] == "internal_error"
        assert "hunter2" not in crashed.text and "Traceback" not in crashed.text
        page_404 = await client.get("/vi/khong-co-trang-nay")
        assert page_404.status_code == 404 and "<html" in page_404.text and "Traceback" not in page_404.text
        unknown_locale = await client.get("/xx/")
        assert unknown_locale.status_code == 404


async def test_security_headers(client: AsyncTestClient[Any]) -> None:
    response = await client.get("/vi/")
    csp = response.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "'unsafe-inline'" not in csp
    assert "frame-ancestors 'self'" in csp
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "strict-origin-when-cross-origin"
    api = await client.get("/api/v1/auth/me")
    assert api.headers["x-content-type-options"] == "nosniff"


async def test_frame_ancestors_configurable(settings: Any) -> None:
    from marketplace.app import create_app

    values = {f: getattr(settings, f) for f in settings.__struct_fields__}
    portal = type(settings)(**{**values, "frame_ancestors": "'self' https://portal.khanhhoa.gov.vn"})
    async with AsyncTestClient(app=create_app(portal)) as client:
        csp = (await client.get("/vi/")).headers["content-security-policy"]
        assert "frame-ancestors 'self' https://portal.khanhhoa.gov.vn" in csp


async def test_public_pages_write_nothing(client: AsyncTestClient[Any], pool: asyncpg.Pool) -> None:
    for path in ("/vi/", "/en/", "/ar/account/sign-in"):
        assert (await client.get(path)).status_code == 200
    assert await pool.fetchval("SELECT count(*) FROM sessions") == 0


async def test_pages_revalidate_with_etag(client: AsyncTestClient[Any]) -> None:
    first = await client.get("/en/")
    etag = first.headers["etag"]
    assert "private" in first.headers["cache-control"]
    second = await client.get("/en/", headers={"if-none-match": etag})
    assert second.status_code == 304 and second.content == b""
    other = await client.get("/vi/", headers={"if-none-match": etag})
    assert other.status_code == 200


async def test_litestars_options_answer_stays_public_on_guarded_controllers(client: Any) -> None:
    # A controller's declared audience reaches the OPTIONS handler Litestar adds; that answer lists methods only.
    response = await client.options("/api/v1/admin/tokens")
    assert response.status_code == 204 and "POST" in response.headers["allow"]
    assert (await client.post("/api/v1/admin/tokens", json={"name": "x"})).status_code == 401
