"""Demo data of the Ninh Thuận area: merchants (some agent-assisted), products without fake photos, orders."""

import json
from datetime import UTC, datetime, timedelta
from importlib import resources
from typing import Any

import asyncpg

from i18n import SUPPORTED_LOCALES, TIME_ZONE
from marketplace.accounts import repository as accounts_repository
from marketplace.accounts import service as accounts
from marketplace.agents import service as agents
from marketplace.agents.models import AssistedMerchantCreate
from marketplace.carts import service as carts
from marketplace.catalog import service as catalog
from marketplace.catalog.models import Product, ProductCreate, VariantIn
from marketplace.checkout.models import CheckoutForm
from marketplace.checkout.service import place_checkout, quote_cart
from marketplace.demo import repository
from marketplace.demo.feedback import seed_demo_feedback
from marketplace.demo.payments import pay_demo_order
from marketplace.merchants import repository as merchants_repository
from marketplace.merchants import service as merchants
from marketplace.merchants.models import (
    Merchant,
    MerchantDetails,
    MerchantLocation,
    MerchantReview,
    MerchantStart,
    Ocop,
)
from marketplace.orders import repository as orders_repository
from marketplace.orders import service as orders
from marketplace.payments import service as payments
from marketplace.payments.settings import load_payment_settings
from marketplace.platform.access import SystemActor
from marketplace.platform.divisions import DEFAULT_PROVINCE_CODE, commune_choices
from marketplace.province import service as province
from marketplace.province.models import OfficialGrant
from marketplace.reviews import service as reviews
from marketplace.reviews.models import ReplyCreate, ReviewCreate
from marketplace.traceability import service as traceability
from marketplace.traceability.models import BatchChange

DEMO_ADMIN_EMAIL = "market-admin@demo.test"

__all__ = ["seed_marketplace_demo", "record_demo_cash", "DEMO_PASSWORD", "load_demo_data", "translation_gaps"]

DEMO_PASSWORD = "ninh-thuan-demo"
MARKER_SLUG = "hop-tac-xa-nho-thai-an"


def load_demo_data() -> dict[str, Any]:
    """The packaged demo data (a copy of the shared Ninh Thuận product list plus demo merchants), with each
    row's text in the other locales merged in as `names_other`, `description_other` and `story_other`."""
    files = resources.files("marketplace.demo")
    data = json.loads(files.joinpath("data/demo_marketplace.json").read_text(encoding="utf-8"))
    more = json.loads(files.joinpath("data/demo_marketplace_locales.json").read_text(encoding="utf-8"))
    for product in data["products"]:
        _merge_locales(product, more["products"].get(product["id"], {}))
    for merchant in data["merchants"]:
        _merge_locales(merchant, more["merchants"].get(merchant["slug_hint"], {}))
        for experience in merchant.get("experiences", []):
            _merge_locales(experience, more["experiences"].get(experience["id"], {}))
    _merge_locales(data["pending_merchant"], more["pending_merchant"])
    return data


def _merge_locales(item: dict[str, Any], more: dict[str, Any]) -> None:
    item["names_other"] = {**item.get("names_other", {}), **more.get("name", {})}
    item["description_other"] = more.get("description", {})
    item["story_other"] = more.get("story", {})


def _text(item: dict[str, Any], field: str) -> dict[str, str]:
    """A row's text in every locale it has: vi and en from the row, the others from the locales file."""
    other = item.get("names_other" if field == "name" else f"{field}_other", {})
    return {**{loc: item[f"{field}_{loc}"] for loc in ("vi", "en") if item.get(f"{field}_{loc}")}, **other}


def translation_gaps() -> list[tuple[str, str, str]]:
    """(row, field, locale) for every piece of demo text missing in a locale; empty when all is translated."""
    data = load_demo_data()
    rows: list[tuple[str, dict[str, Any], tuple[str, ...]]] = [
        (f"product:{p['id']}", p, ("name", "description")) for p in data["products"]
    ]
    for merchant in data["merchants"]:
        rows.append((f"merchant:{merchant['slug_hint']}", merchant, ("name", "story")))
        rows += [(f"experience:{e['id']}", e, ("name", "description")) for e in merchant.get("experiences", [])]
    rows.append(("merchant:pending", data["pending_merchant"], ("name", "story")))
    return [
        (key, field, locale)
        for key, item, fields in rows
        for field in fields
        for locale in SUPPORTED_LOCALES
        if not _text(item, field).get(locale)
    ]


def _commune_code(name: str) -> int:
    # Resolved by name against the installed vietnam-provinces release (codes differ between releases).
    for code, commune in commune_choices(DEFAULT_PROVINCE_CODE):
        if commune == name:
            return code
    raise LookupError(f"commune {name!r} not found in province {DEFAULT_PROVINCE_CODE}")


async def _officials(conn: asyncpg.Connection, admin: SystemActor) -> None:
    """A provincial officer and Ninh Phước's commune officer, who read the indicators."""
    await _user(conn, "official.province@demo.test", "Sở Công Thương", ["customer"])
    await _user(conn, "official.ninhphuoc@demo.test", "UBND xã Ninh Phước", ["customer"])
    await province.grant_official(conn, admin, OfficialGrant("official.province@demo.test"))
    await province.grant_official(conn, admin, OfficialGrant("official.ninhphuoc@demo.test",
                                                             _commune_code("Xã Ninh Phước")))


async def _user(conn: asyncpg.Connection, email: str, name: str, roles: list[str]) -> SystemActor:
    user = await accounts.create_user(conn, email=email, password=DEMO_PASSWORD, roles=roles, display_name=name)
    return SystemActor(user.id, frozenset(roles))


def _price(product: dict[str, Any]) -> int:
    low, high = product["price_vnd_min"], product["price_vnd_max"]
    return max(1000, round((low + (high - low) * 0.4) / 1000) * 1000)


# A size's unit as each locale writes it (the symbol where the locale uses the symbol).
SIZE_UNITS: dict[str, dict[str, str]] = {
    "kg": {"vi": "kg", "en": "kg", "zh": "公斤", "ko": "kg", "ja": "kg", "ru": "кг", "fr": "kg", "ar": "كغ"},
    "g": {"vi": "g", "en": "g", "zh": "克", "ko": "g", "ja": "g", "ru": "г", "fr": "g", "ar": "غ"},
    "ml": {"vi": "ml", "en": "ml", "zh": "毫升", "ko": "ml", "ja": "ml", "ru": "мл", "fr": "ml", "ar": "مل"},
}


def size_label(size: str) -> dict[str, str]:
    """"500 g" in every locale: {"vi": "500 g", "zh": "500 克", "ru": "500 г", ...}."""
    amount, unit = size.split()
    return {locale: f"{amount} {word}" for locale, word in SIZE_UNITS[unit].items()}


def _variants(product: dict[str, Any]) -> list[VariantIn]:
    price = _price(product)
    if product["unit"] == "kg":
        return [
            VariantIn(label=size_label("1 kg"), price=price, stock=40),
            VariantIn(label=size_label("500 g"), price=round(price * 0.55 / 1000) * 1000, stock=40),
        ]
    size = product.get("size")
    label = size_label(size) if size else {}
    return [VariantIn(label=label, price=price, stock=25)]


async def _merchant(
    conn: asyncpg.Connection, spec: dict[str, Any], owner: SystemActor | None, agent: SystemActor | None
) -> tuple[SystemActor, Merchant]:
    commune = _commune_code(spec["commune"])
    ocop = Ocop(**spec["ocop"]) if spec.get("ocop") else None
    story = _text(spec, "story")
    if agent is not None:
        merchant = await agents.register_assisted_merchant(
            conn,
            agent,
            AssistedMerchantCreate(
                producer_name=spec["name_vi"],
                producer_phone=spec["phone"],
                shop_name=spec["name_vi"],
                kind=spec["kind"],
                commune_code=commune,
                address=spec["address"],
                consent_given_by=spec["name_vi"],
                consent_method="in_person_signature",
                consent_at=datetime.now(UTC) - timedelta(days=30),
                consent_note="Phiếu đồng ý tham gia sàn (demo)",
                delivery_fee=spec["delivery_fee"],
            ),
        )
        actor = agent
    else:
        assert owner is not None
        merchant = await merchants.start_onboarding(
            conn, owner, MerchantStart(name=spec["name_vi"], kind=spec["kind"], phone=spec["phone"])
        )
        actor = owner
    await merchants.save_location(
        conn,
        actor,
        merchant.id,
        MerchantLocation(commune_code=commune, address=spec["address"], lat=spec["lat"], lng=spec["lng"]),
    )
    await merchants.save_details(
        conn,
        actor,
        merchant.id,
        MerchantDetails(story=story, offers_pickup=True, delivery_fee=spec["delivery_fee"], ocop=ocop),
    )
    await repository.update_merchant_name(conn, merchant.id, _text(spec, "name"))
    return actor, merchant


async def seed_marketplace_demo(conn: asyncpg.Connection) -> dict[str, Any]:
    """Create the demo once (a second run changes nothing); returns what was created.

    No photos: the demo cannot take real ones, and a generated picture would pass for a photo of the
    product. Cards show their category's illustration, marked as one (marketplace/platform/illustrations.py).
    """
    if await merchants_repository.get_merchant_by_slug(conn, MARKER_SLUG) is not None:
        return {"skipped": "the marketplace demo is already there"}
    data = load_demo_data()
    admin = await _user(conn, DEMO_ADMIN_EMAIL, "Quản trị sàn", ["customer", "admin"])
    agent_for = await _commune_agents(conn)
    catalog_by_id = {p["id"]: p for p in data["products"]}
    products: list[tuple[SystemActor, Product]] = []
    for number, spec in enumerate(data["merchants"], start=1):
        agent = agent_for[spec["commune"]] if spec["assisted"] else None
        owner = (
            None
            if agent
            else await _user(conn, f"merchant{number}@demo.test", spec["name_vi"], ["customer", "merchant"])
        )
        actor, merchant = await _merchant(conn, spec, owner, agent)
        # The admin approves every producer: the agent who registered one may not approve it too.
        await merchants.review_merchant(conn, admin, merchant.id, MerchantReview(True, "Demo"))
        listings = [_product_create(catalog_by_id[product_id]) for product_id in spec["products"]]
        listings += [_experience_create(experience) for experience in spec.get("experiences", [])]
        for listing in listings:
            product = await catalog.create_product(conn, actor, merchant.id, listing)
            products.append((actor, product))
    await _pending_merchant(conn, data["pending_merchant"])
    order_count = await _demo_orders(conn, products)
    await _demo_batch(conn, products)
    await _officials(conn, admin)
    feedback = await seed_demo_feedback(conn, _commune_code("Xã Ninh Phước"), MARKER_SLUG)
    return {
        "merchants": len(data["merchants"]),
        "pending_merchants": 1,
        "products": len(products),
        "orders": order_count,
        "feedback": feedback,
        "password": DEMO_PASSWORD,
        "accounts": [
            DEMO_ADMIN_EMAIL,
            "agent.ninhphuoc@demo.test",
            "agent.ninhhai@demo.test",
            "official.province@demo.test",
            "official.ninhphuoc@demo.test",
            "merchant1@demo.test",
            "buyer1@demo.test",
        ],
    }


async def _commune_agents(conn: asyncpg.Connection) -> dict[str, SystemActor]:
    """The two communes' digital-team agents, each assigned to their commune."""
    agent_for = {
        "Xã Ninh Phước": await _user(
            conn, "agent.ninhphuoc@demo.test", "Tổ công nghệ số Ninh Phước", ["customer", "community_agent"]
        ),
        "Xã Ninh Hải": await _user(
            conn, "agent.ninhhai@demo.test", "Tổ công nghệ số Ninh Hải", ["customer", "community_agent"]
        ),
    }
    for commune, agent in agent_for.items():
        assert agent.user_id is not None
        await agents.assign_agent_commune(conn, agent.user_id, _commune_code(commune))
    return agent_for


def _product_create(item: dict[str, Any]) -> ProductCreate:
    return ProductCreate(
        name=_text(item, "name"),
        category_slug=item["category"],
        unit=item["unit"],
        description=_text(item, "description"),
        variants=_variants(item),
        publish=True,
    )


def _experience_create(experience: dict[str, Any]) -> ProductCreate:
    # Tours start at 08:00 in the province, from three days on, every third day for two weeks.
    start = (datetime.now(TIME_ZONE) + timedelta(days=3)).replace(hour=8, minute=0, second=0, microsecond=0)
    slots = [
        VariantIn(
            label={},
            price=experience["price"],
            stock=experience["seats"],
            starts_at=start + timedelta(days=day),
            ends_at=start + timedelta(days=day, hours=experience["hours"]),
        )
        for day in range(0, 14, 3)
    ]
    return ProductCreate(
        name=_text(experience, "name"),
        category_slug=experience["category"],
        unit="person",
        description=_text(experience, "description"),
        variants=slots,
        publish=True,
    )


async def _pending_merchant(conn: asyncpg.Connection, pending: dict[str, Any]) -> None:
    """A merchant that waits in the approval queue."""
    owner = await _user(conn, "pending.merchant@demo.test", pending["name_vi"], ["customer", "merchant"])
    waiting = await merchants.start_onboarding(
        conn, owner, MerchantStart(name=pending["name_vi"], kind=pending["kind"], phone=pending["phone"])
    )
    await merchants.save_location(
        conn,
        owner,
        waiting.id,
        MerchantLocation(commune_code=_commune_code(pending["commune"]), address=pending["address"]),
    )
    await merchants.save_details(
        conn,
        owner,
        waiting.id,
        MerchantDetails(story=_text(pending, "story"), delivery_fee=20000),
    )
    await repository.update_merchant_name(conn, waiting.id, _text(pending, "name"))


# Each demo order ends in one state; the path is walked through the one transition function.
ORDER_PATHS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("vietqr", ()),
    ("cod", ()),
    ("cod", ("shipped",)),
    ("cod", ("shipped", "delivered")),
    ("cod", ("shipped", "delivered", "completed")),
    ("cod", ("shipped", "delivered", "completed")),
    ("cod", ("cancelled",)),
    ("vietqr", ("confirmed", "refunded")),
)


async def _demo_batch(conn: asyncpg.Connection, products: list[tuple[SystemActor, Product]]) -> None:
    """One harvest batch of the first OCOP goods, so that its labels and trace page can be shown."""
    actor, product = next((actor, product) for actor, product in products
                          if product.kind == "goods" and product.merchant_ocop_stars)
    harvested = datetime.now(TIME_ZONE).date() - timedelta(days=10)
    await traceability.record_batch(conn, actor, product.id, BatchChange(
        batch_code=f"DEMO-{harvested:%Y%m%d}", date_kind="harvest", produced_on=harvested, quantity=250,
        certificates=["VietGAP 04-2024/NT"], inputs_note="Phân chuồng ủ hoai, tưới nhỏ giọt; không dùng thuốc "
                                                        "trừ sâu trong 30 ngày trước thu hoạch."))


async def _demo_orders(conn: asyncpg.Connection, products: list[tuple[SystemActor, Product]]) -> int:
    buyers = [
        await _user(conn, f"buyer{n}@demo.test", name, ["customer"])
        for n, name in enumerate(("Nguyễn Minh Anh", "Emma Laurent", "Kim Ji-woo"), start=1)
    ]
    goods = [(actor, product) for actor, product in products if product.kind == "goods"]
    count = 0
    for index, (method, path) in enumerate(ORDER_PATHS):
        buyer = buyers[index % len(buyers)]
        actor, product = goods[(index * 5) % len(goods)]
        cart_id, _ = await carts.get_or_create_cart(conn, user_id=buyer.user_id, token=None)
        await carts.add_item(conn, cart_id, product.variants[0].id, 1 + index % 2)
        quote = await quote_cart(conn, cart_id)
        placed = await place_checkout(
            conn,
            buyer,
            cart_id,
            CheckoutForm(
                contact_name="Demo " + str(index + 1),
                contact_phone="0901234567",
                province_code=DEFAULT_PROVINCE_CODE,
                commune_code=_commune_code("Phường Phan Rang"),
                address_line="1 Đường 16 Tháng 4",
                payment_method=method,
                quote_signature=quote.signature,
            ),  # type: ignore[arg-type]
            payment_methods={"cod", "vietqr"},
        )
        order_id = placed.order_ids[0]
        for status in path:
            by = buyer if status in ("completed", "cancelled") else actor
            await orders.transition(
                conn, order_id, status, None if status in ("confirmed", "refunded") else by.user_id, "demo"
            )
        if path and path[-1] == "completed":
            review = await reviews.create_review(
                conn,
                buyer,
                ReviewCreate(
                    order_id=order_id,
                    product_id=product.id,
                    rating=4 + index % 2,
                    body="Hàng tươi, đóng gói cẩn thận." if index % 2 else "Great taste, fast delivery.",
                ),
            )
            await reviews.reply_to_review(conn, actor, review.id, ReplyCreate("Cảm ơn quý khách! / Thank you!"))
        count += 1
    return count


async def record_demo_cash(conn: asyncpg.Connection) -> int:
    """Record the cash of delivered demo orders through the real payment rules, so the ledger has entries."""
    admin = await accounts_repository.get_user_by_email(conn, DEMO_ADMIN_EMAIL)
    if admin is None:
        return 0
    actor = SystemActor(user_id=admin["id"], roles=frozenset({"admin"}))
    payment_settings = load_payment_settings()
    handed_over = [order for status in ("delivered", "completed")
                   for order in await orders_repository.list_orders(conn, status=status, limit=1000)]
    paid = 0
    for order in sorted(handed_over, key=lambda order: order.id):
        if order.payment_method != "cod" or await payments.payments_for_order(conn, order.id):
            continue  # only cash is recorded, and seeding twice changes nothing
        if await pay_demo_order(conn, actor, order.id, payment_settings) is not None:
            paid += 1
    return paid
