"""Hostile request bodies and references to rows that do not exist are the client's error (4xx), never a 500."""

from typing import Any

import asyncpg
from litestar.testing import AsyncTestClient

from tests.helpers import make_user, sign_in


def _is_error_shape(response: Any) -> bool:
    body = response.json()
    return set(body) == {"error"} and {"code", "message"} <= set(body["error"])


async def test_deeply_nested_json_is_400(client: AsyncTestClient[Any], pool: asyncpg.Pool) -> None:
    body = b"[" * 100_000 + b"]" * 100_000
    response = await client.post("/api/v1/auth/sign-in", content=body,
                                 headers={"content-type": "application/json"})
    assert response.status_code == 400, response.text
    assert _is_error_shape(response)


async def test_invalid_utf8_body_is_400(client: AsyncTestClient[Any], pool: asyncpg.Pool) -> None:
    response = await client.post("/api/v1/auth/sign-in", content=b'{"email": "\xff\xfe", "password": "x"}',
                                 headers={"content-type": "application/json"})
    assert response.status_code == 400, response.text
    assert _is_error_shape(response)


async def test_payout_to_a_missing_merchant_is_404(client: AsyncTestClient[Any], pool: asyncpg.Pool) -> None:
    await make_user(pool, "payout-admin@example.vn", ["admin"])
    await sign_in(client, "payout-admin@example.vn")
    response = await client.post("/api/v1/payments/payouts", json={"merchant_id": 0, "amount": 1000})
    assert response.status_code == 404, response.text
    assert _is_error_shape(response)


def test_constraint_violations_reaching_the_handler_are_4xx() -> None:
    # The safety net under the services' own checks: a reference or duplicate that slips past them is the
    # client's error, never a 500.
    from marketplace.platform.errors import describe

    assert describe(asyncpg.ForeignKeyViolationError("fk"))[:2] == (422, "unknown_reference")
    assert describe(asyncpg.UniqueViolationError("dup"))[:2] == (409, "already_exists")
