"""Carts: anonymous carts by cookie token, merged into the user's cart at sign-in."""

import asyncpg
import pytest

from marketplace.carts import service as carts
from marketplace.platform.errors import NotFound, Unprocessable
from tests.marketplace.factories import make_merchant, make_product, make_user


async def test_visitor_cart_follows_the_user_at_sign_in(conn: asyncpg.Connection) -> None:
    owner, merchant = await make_merchant(conn)
    garlic = await make_product(conn, owner, merchant, name="Tỏi", stock=50)
    shallot = await make_product(conn, owner, merchant, name="Hành", stock=50)
    buyer = await make_user(conn)
    visitor_cart, token = await carts.get_or_create_cart(conn, user_id=None, token=None)
    assert token is not None
    assert await carts.find_cart_id(conn, user_id=None, token=token) == visitor_cart
    await carts.add_item(conn, visitor_cart, garlic.variants[0].id, 3)
    await carts.add_item(conn, visitor_cart, shallot.variants[0].id, 1)
    # The user already had a cart from another device with one of the same items.
    user_cart, _ = await carts.get_or_create_cart(conn, user_id=buyer.user_id, token=None)
    await carts.add_item(conn, user_cart, garlic.variants[0].id, 1)
    assert buyer.user_id is not None
    assert await carts.merge_into_user(conn, token, buyer.user_id) == user_cart
    lines = {line.product_id: line.quantity for line in await carts.cart_lines(conn, user_cart)}
    assert lines == {garlic.id: 3, shallot.id: 1}
    assert await carts.find_cart_id(conn, user_id=None, token=token) is None
    # A forged or unknown token changes nothing.
    assert await carts.merge_into_user(conn, "x" * 500, buyer.user_id) == user_cart


async def test_visitor_cart_becomes_the_users_when_they_had_none(conn: asyncpg.Connection) -> None:
    owner, merchant = await make_merchant(conn)
    product = await make_product(conn, owner, merchant)
    buyer = await make_user(conn)
    visitor_cart, token = await carts.get_or_create_cart(conn, user_id=None, token=None)
    await carts.add_item(conn, visitor_cart, product.variants[0].id, 2)
    assert buyer.user_id is not None
    assert await carts.merge_into_user(conn, token, buyer.user_id) == visitor_cart
    assert await carts.find_cart_id(conn, user_id=buyer.user_id, token=None) == visitor_cart


async def test_cart_refuses_what_cannot_be_bought(conn: asyncpg.Connection) -> None:
    owner, merchant = await make_merchant(conn)
    draft = await make_product(conn, owner, merchant, publish=False)
    scarce = await make_product(conn, owner, merchant, name="Ít", stock=2)
    pending_owner, pending = await make_merchant(conn, name="Chưa duyệt", approve=False)
    of_pending_merchant = await make_product(conn, pending_owner, pending)
    cart_id, _ = await carts.get_or_create_cart(conn, user_id=None, token=None)
    with pytest.raises(NotFound):  # nothing of a pending merchant is for sale
        await carts.add_item(conn, cart_id, of_pending_merchant.variants[0].id, 1)
    with pytest.raises(NotFound):
        await carts.add_item(conn, cart_id, draft.variants[0].id, 1)
    with pytest.raises(Unprocessable):
        await carts.add_item(conn, cart_id, scarce.variants[0].id, 3)
    with pytest.raises(NotFound):
        await carts.update_quantity(conn, cart_id, scarce.variants[0].id, 1)
