"""Orders to pay, built through the marketplace's own services (users go straight into the accounts table)."""

import itertools
from datetime import UTC, datetime

import asyncpg

from marketplace.carts import service as carts
from marketplace.catalog import service as catalog
from marketplace.catalog.models import ProductCreate, VariantIn
from marketplace.checkout.models import CheckoutForm, PlacedCheckout
from marketplace.checkout.service import place_checkout, quote_cart
from marketplace.merchants import service as merchants
from marketplace.merchants.models import MerchantDetails, MerchantLocation, MerchantReview, MerchantStart
from marketplace.platform.access import SystemActor

_sequence = itertools.count(1)
COMMUNE = 22738  # Phường Đô Vinh, Khánh Hòa (former Phan Rang - Tháp Chàm)
PROVINCE = 56


async def make_user(conn: asyncpg.Connection, *roles: str) -> SystemActor:
    """A user with these roles (customer by default), as an actor."""
    number = next(_sequence)
    chosen = list(roles or ("customer",))
    user_id = await conn.fetchval(
        "INSERT INTO users (email, display_name, roles) VALUES ($1, $2, $3) RETURNING id",
        f"pay{number}-{datetime.now(UTC).timestamp()}@example.test", f"Payer {number}", chosen)
    return SystemActor(user_id, frozenset(chosen))


async def make_merchant(conn: asyncpg.Connection, name: str = "HTX Nho Thái An") -> tuple[SystemActor, int]:
    """An approved merchant that delivers, and its owner."""
    owner = await make_user(conn, "merchant")
    merchant = await merchants.start_onboarding(conn, owner, MerchantStart(name=name, phone="0912345678"))
    await merchants.save_location(conn, owner, merchant.id, MerchantLocation(commune_code=COMMUNE,
                                                                              address="12 Thống Nhất"))
    await merchants.save_details(conn, owner, merchant.id, MerchantDetails(story={"vi": "Vườn nho"},
                                                                            delivery_fee=20_000))
    admin = await make_user(conn, "admin")
    await merchants.review_merchant(conn, admin, merchant.id, MerchantReview(True))
    return owner, merchant.id


async def make_variant(conn: asyncpg.Connection, owner: SystemActor, merchant_id: int, *, price: int = 50_000,
                       stock: int = 10) -> int:
    """A published product with one variant; returns the variant id."""
    product = await catalog.create_product(conn, owner, merchant_id, ProductCreate(
        name={"vi": "Nho đỏ", "en": "Red grapes"}, category_slug="fresh-fruit", unit="kg",
        variants=[VariantIn(label={"vi": "1 kg"}, price=price, stock=stock)], publish=True))
    return product.variants[0].id


async def buy(conn: asyncpg.Connection, buyer: SystemActor, variants: list[tuple[int, int]], *,
              payment_method: str) -> PlacedCheckout:
    """Put (variant id, quantity) pairs in the buyer's cart and check out with pickup."""
    cart_id, _ = await carts.get_or_create_cart(conn, user_id=buyer.user_id, token=None)
    for variant_id, quantity in variants:
        await carts.add_item(conn, cart_id, variant_id, quantity)
    quote = await quote_cart(conn, cart_id)
    form = CheckoutForm(contact_name="Nguyễn Văn A", contact_phone="0901234567", contact_email="a@example.test",
                        province_code=PROVINCE, commune_code=COMMUNE, address_line="5 Lê Duẩn",
                        payment_method=payment_method,  # type: ignore[arg-type]
                        quote_signature=quote.signature)
    return await place_checkout(conn, buyer, cart_id, form, payment_methods={"cod", "vietqr", "stripe"})


async def stock_of(conn: asyncpg.Connection, variant_id: int) -> int:
    """A variant's stock now."""
    return await conn.fetchval("SELECT stock FROM product_variants WHERE id = $1", variant_id)


async def order_status(conn: asyncpg.Connection, order_id: int) -> str:
    """An order's status now."""
    return await conn.fetchval("SELECT status FROM orders WHERE id = $1", order_id)


async def order_transitions(conn: asyncpg.Connection, order_id: int) -> list[str]:
    """The statuses an order went through, in order."""
    rows = await conn.fetch("SELECT to_status FROM order_events WHERE order_id = $1 ORDER BY id", order_id)
    return [row["to_status"] for row in rows]
