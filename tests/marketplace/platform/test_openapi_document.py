"""The OpenAPI document documents the one error shape and the refusals each operation can answer.

Each test here pins a lie the schemathesis run (test_api_conformance.py) found in the generated document.
"""

import re
from typing import Any

import asyncpg
from litestar.testing import AsyncTestClient

from marketplace.accounts.service import create_api_token

ERROR_REF = {"$ref": "#/components/schemas/Error"}


async def _document(client: AsyncTestClient[Any]) -> dict[str, Any]:
    response = await client.get("/schema/openapi.json")
    assert response.status_code == 200
    return response.json()


def _error_statuses(operation: dict[str, Any]) -> set[int]:
    return {int(status) for status, response in operation["responses"].items()
            if response.get("content", {}).get("application/json", {}).get("schema") == ERROR_REF}


async def test_the_error_shape_is_a_component_and_every_refusal_uses_it(client: AsyncTestClient[Any]) -> None:
    document = await _document(client)
    error = document["components"]["schemas"]["Error"]
    assert error["required"] == ["error"]
    assert error["properties"]["error"]["required"] == ["code", "message", "details"]
    for path, item in document["paths"].items():
        for method, operation in item.items():
            refusals = {int(status) for status in operation["responses"] if status.startswith("4")}
            assert refusals <= _error_statuses(operation), (method, path)
            # Litestar's own 400 shape ({"status_code", "detail"}) is not what the API sends.
            assert 400 in refusals, (method, path)


async def test_refusals_follow_the_route_declarations(client: AsyncTestClient[Any]) -> None:
    paths = (await _document(client))["paths"]
    public_list = _error_statuses(paths["/api/v1/categories"]["get"])
    assert public_list == {400, 401}  # 401: an unknown Bearer token is refused on every route
    admin_only = _error_statuses(paths["/api/v1/admin/tokens"]["get"])
    assert {401, 403} <= admin_only
    by_id = _error_statuses(paths["/api/v1/manage/products/{product_id}"]["patch"])
    assert {401, 403, 404, 413, 422} <= by_id
    sign_up = _error_statuses(paths["/api/v1/auth/sign-up"]["post"])
    assert {403, 429} <= sign_up  # CSRF without a token; the anonymous write limit
    upload = paths["/api/v1/manage/products/{product_id}/images"]["post"]
    assert {413, 415, 503} <= _error_statuses(upload)
    assert 409 not in public_list


async def test_undocumented_statuses_found_by_schemathesis_are_documented(client: AsyncTestClient[Any]) -> None:
    paths = (await _document(client))["paths"]
    assert 404 in _error_statuses(paths["/api/v1/products"]["get"])  # an unknown category
    assert 404 in _error_statuses(paths["/api/v1/cart/items"]["post"])  # an unknown variant
    assert 422 in _error_statuses(paths["/api/v1/nearby"]["get"])  # an unknown kind
    assert 403 in _error_statuses(paths["/api/v1/trips"]["post"])  # CSRF for a cookie client
    # Webhooks are signed, not CSRF-protected.
    assert 403 not in _error_statuses(paths["/api/v1/payments/stripe/webhook"]["post"])


async def test_zero_bounds_are_kept(client: AsyncTestClient[Any]) -> None:
    """Litestar dropped `ge=0`, so a negative stock looked schema-valid and was refused with 400."""
    variant = (await _document(client))["components"]["schemas"]["VariantUpdate"]
    assert variant["properties"]["stock"]["minimum"] == 0
    assert variant["properties"]["price"]["minimum"] == 0
    assert variant["additionalProperties"] is False


async def test_list_items_keep_their_constraints(client: AsyncTestClient[Any]) -> None:
    """Litestar dropped `min_length=1` on certificate numbers, so an empty one looked valid (and got a 400)."""
    batch = (await _document(client))["components"]["schemas"]["BatchChange"]
    assert batch["properties"]["certificates"]["items"]["minLength"] == 1
    assert batch["properties"]["certificates"]["items"]["maxLength"] == 60


async def test_unknown_fields_are_documented_as_refused(client: AsyncTestClient[Any]) -> None:
    document = await _document(client)
    assert document["components"]["schemas"]["SignIn"]["additionalProperties"] is False
    refused = await client.post("/api/v1/auth/sign-in", json={"email": "a@b.vn", "password": "x" * 12, "t": 1})
    assert refused.status_code == 400
    assert refused.json()["error"]["code"] == "validation_failed"


async def test_integer_ids_are_documented_as_64_bit(client: AsyncTestClient[Any], pool: asyncpg.Pool) -> None:
    """An id past 64 bits was schema-valid but refused by the database (400): the range is documented."""
    operation = (await _document(client))["paths"]["/api/v1/reviews/{review_id}/reply"]["post"]
    review_id = next(p for p in operation["parameters"] if p["name"] == "review_id")
    assert review_id["schema"]["maximum"] == 2**63 - 1
    async with pool.acquire() as connection:
        token = (await create_api_token(connection, name="merchant", roles=["merchant"], created_by=None)).token
    too_big = await client.post("/api/v1/reviews/36893488147419103233/reply", json={"reply": "Cảm ơn"},
                                headers={"Authorization": f"Bearer {token}"})
    assert too_big.status_code == 400
    assert too_big.json()["error"]["code"] == "invalid_value"


async def test_the_email_pattern_means_the_same_to_the_document_and_the_app(client: AsyncTestClient[Any]) -> None:
    """Python's \\s matches \\x1e, a JSON Schema validator's does not: an e-mail ending in it was schema-valid."""
    pattern = (await _document(client))["components"]["schemas"]["SignUp"]["properties"]["email"]["pattern"]
    for email in ("khach@example.vn\x1e", "khach@exa\x85mple.vn", "kh\ufeffach@example.vn"):
        assert re.search(pattern, email) is None
    assert re.search(pattern, "khách@ví-dụ.vn") is not None


async def test_no_content_has_no_body_and_uploads_name_their_file(client: AsyncTestClient[Any]) -> None:
    paths = (await _document(client))["paths"]
    assert "content" not in paths["/api/v1/auth/sign-out"]["post"]["responses"]["204"]
    body = paths["/api/v1/manage/merchants/{merchant_id}/logo"]["post"]["requestBody"]
    assert body["content"]["multipart/form-data"]["schema"]["required"] == ["file"]
    # A route that reads its form itself had no body documented at all.
    body = paths["/api/v1/feedback/{token}/photo"]["post"]["requestBody"]
    assert body["content"]["multipart/form-data"]["schema"]["required"] == ["file"]


async def test_search_numbers_are_documented_as_numbers(client: AsyncTestClient[Any]) -> None:
    """`price_min` is text (an empty form field means no filter) but must hold digits: the pattern says so."""
    operation = (await _document(client))["paths"]["/api/v1/search"]["get"]
    price_min = next(p for p in operation["parameters"] if p["name"] == "price_min")
    pattern = price_min["schema"].get("pattern") or price_min["schema"]["oneOf"][0]["pattern"]
    assert re.search(pattern, "120000") and re.search(pattern, "") and not re.search(pattern, "\x02")
    refused = await client.get("/api/v1/search", params={"price_min": "nhiều"})
    assert refused.status_code == 400
    assert "error" in refused.json()
