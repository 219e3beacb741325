"""Shop and product names cannot hide characters (issue 10, point 13): NFC, no control, zero-width or bidi marks."""

import asyncpg
import pytest

from i18n.text import InvisibleCharacters, clean_display_name
from marketplace.catalog import service as catalog
from marketplace.catalog.models import ProductCreate, VariantIn
from marketplace.merchants import service as merchants
from marketplace.merchants.models import MerchantStart
from marketplace.platform.errors import Unprocessable
from tests.marketplace.factories import make_merchant, make_user


@pytest.mark.parametrize("hidden", ["\u200b", "\u200d", "\u202e", "\u2066", "\u200f", "\ufeff", "\x07"])
def test_invisible_and_control_characters_are_refused(hidden: str) -> None:
    with pytest.raises(InvisibleCharacters):
        clean_display_name(f"HTX Nho{hidden} Thái An")


def test_names_are_nfc() -> None:
    decomposed = "Thu\u0309y"  # "Thủy" written with a combining hook above
    assert clean_display_name(f"  {decomposed} ") == "Thủy"


async def test_shop_and_product_names_with_hidden_characters_are_refused_per_field(conn: asyncpg.Connection) -> None:
    owner = await make_user(conn, "merchant")
    with pytest.raises(Unprocessable) as refused:
        await merchants.start_onboarding(conn, owner, MerchantStart(name="Nho\u202e Thái An", phone="0912345678"))
    assert refused.value.code == "invalid_characters" and refused.value.details == {"field": "name"}
    owner, merchant = await make_merchant(conn)
    with pytest.raises(Unprocessable) as refused:
        await catalog.create_product(conn, owner, merchant.id, ProductCreate(
            name={"vi": "Nho\u200b đỏ"}, category_slug="fresh-fruit", variants=[VariantIn(price=1)]))
    assert refused.value.details == {"field": "name"}
