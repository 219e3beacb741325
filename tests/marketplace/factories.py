"""Test data built through the real service functions (users without a password, so they never sign in)."""

import itertools
from datetime import UTC, datetime, timedelta

import asyncpg

from marketplace.accounts import service as accounts
from marketplace.agents import service as agents
from marketplace.catalog import service as catalog
from marketplace.catalog.models import Product, ProductCreate, VariantIn
from marketplace.checkout.models import CheckoutForm, DeliveryChoice, PlacedCheckout
from marketplace.checkout.service import place_checkout, quote_cart
from marketplace.merchants import service as merchants
from marketplace.merchants.models import Merchant, MerchantDetails, MerchantLocation, MerchantReview, MerchantStart
from marketplace.platform.access import SystemActor

_seq = itertools.count(1)
# Phường Đô Vinh, Khánh Hòa (former Phan Rang - Tháp Chàm).
COMMUNE = 22738
PROVINCE = 56


async def make_user(conn: asyncpg.Connection, *roles: str, name: str | None = None) -> SystemActor:
    """A user with these roles (customer by default), as an actor; no password, so it cannot sign in."""
    number = next(_seq)
    user = await accounts.create_user(conn, email=f"user{number}-{datetime.now(UTC).timestamp()}@example.test",
                                      password=None, roles=list(roles or ("customer",)),
                                      display_name=name or f"User {number}")
    return SystemActor(user.id, frozenset(user.roles))


async def make_admin(conn: asyncpg.Connection) -> SystemActor:
    return await make_user(conn, "admin")


async def make_agent(conn: asyncpg.Connection, commune: int = COMMUNE) -> SystemActor:
    """A community agent serving this commune."""
    agent = await make_user(conn, "community_agent", name="Cán bộ số")
    assert agent.user_id is not None
    await agents.assign_agent_commune(conn, agent.user_id, commune)
    return agent


async def make_merchant(conn: asyncpg.Connection, owner: SystemActor | None = None, *, name: str = "Hợp tác xã Nho",
                        approve: bool = True, delivery_fee: int | None = 20_000) -> tuple[SystemActor, Merchant]:
    """An onboarded merchant (approved by default) and its owner."""
    owner = owner or await make_user(conn, "merchant")
    merchant = await merchants.start_onboarding(conn, owner, MerchantStart(name=name, phone="0912345678"))
    await merchants.save_location(conn, owner, merchant.id, MerchantLocation(commune_code=COMMUNE,
                                                                              address="12 Thống Nhất"))
    merchant = await merchants.save_details(conn, owner, merchant.id, MerchantDetails(
        story={"vi": "Vườn nho gia đình"}, delivery_fee=delivery_fee))
    if approve:
        merchant = await merchants.review_merchant(conn, await make_admin(conn), merchant.id, MerchantReview(True))
    return owner, merchant


async def make_product(conn: asyncpg.Connection, owner: SystemActor, merchant: Merchant, *, name: str = "Nho đỏ",
                       price: int = 50_000, stock: int = 10, category: str = "fresh-fruit",
                       publish: bool = True) -> Product:
    """A product with one variant."""
    return await catalog.create_product(conn, owner, merchant.id, ProductCreate(
        name={"vi": name, "en": f"{name} (en)"}, category_slug=category, unit="kg",
        variants=[VariantIn(label={"vi": "1 kg"}, price=price, stock=stock)], publish=publish))


async def make_experience(conn: asyncpg.Connection, owner: SystemActor, merchant: Merchant, *, seats: int = 5,
                          price: int = 300_000) -> Product:
    """A tour with one slot tomorrow."""
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(days=1)
    return await catalog.create_product(conn, owner, merchant.id, ProductCreate(
        name={"vi": "Tour vườn nho", "en": "Vineyard tour"}, category_slug="tours", unit="person",
        variants=[VariantIn(price=price, stock=seats, starts_at=start, ends_at=start + timedelta(hours=3))],
        publish=True))


def checkout_form(signature: str, *, payment_method: str = "cod",
                  delivery: list[DeliveryChoice] | None = None) -> CheckoutForm:
    return CheckoutForm(contact_name="Nguyễn Văn A", contact_phone="0901234567", province_code=PROVINCE,
                        commune_code=COMMUNE, address_line="5 Lê Duẩn", payment_method=payment_method,  # type: ignore[arg-type]
                        delivery=delivery or [], quote_signature=signature)


async def buy(conn: asyncpg.Connection, buyer: SystemActor, variant_id: int, quantity: int = 1, *,
              payment_method: str = "cod") -> PlacedCheckout:
    """Put one variant in the buyer's cart and check out."""
    from marketplace.carts import service as carts

    cart_id, _ = await carts.get_or_create_cart(conn, user_id=buyer.user_id, token=None)
    await carts.add_item(conn, cart_id, variant_id, quantity)
    quote = await quote_cart(conn, cart_id)
    return await place_checkout(conn, buyer, cart_id, checkout_form(quote.signature, payment_method=payment_method),
                                payment_methods={"cod", "vietqr", "stripe"})
