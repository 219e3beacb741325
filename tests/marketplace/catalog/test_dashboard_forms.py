"""The dashboard's product forms decode into the catalog's Structs, as merchants type prices and dates."""

from datetime import datetime

import pytest

from i18n import TIME_ZONE
from i18n.forms import FormInvalid, decode_form
from marketplace.catalog.models import (
    Product,
    ProductForm,
    ProductStatusForm,
    ProductTextForm,
    VariantForm,
    VariantIn,
    VariantUpdateForm,
)


def test_product_form_becomes_a_product_with_its_first_option() -> None:
    form = {"name_vi": "Nho đỏ", "name_en": "", "category_slug": "fresh-fruit", "unit": "kg",
            "variant_label_vi": "1 kg", "price": "120.000", "stock": "", "publish": "1"}
    product = decode_form(form, ProductForm).product()
    assert product.name == {"vi": "Nho đỏ"} and product.unit == "kg" and product.publish
    assert product.variants == [VariantIn(label={"vi": "1 kg"}, price=120_000, stock=0)]


def test_slot_times_are_read_in_the_provinces_time_zone() -> None:
    variant = decode_form({"price": "300000", "stock": "6", "starts_at": "2026-12-01T08:30"}, VariantForm).variant()
    assert variant.starts_at == datetime(2026, 12, 1, 8, 30, tzinfo=TIME_ZONE)


def test_bad_numbers_and_choices_are_refused_by_field() -> None:
    with pytest.raises(FormInvalid) as error:
        decode_form({"price": "", "stock": "-1"}, VariantUpdateForm)
    assert set(error.value.fields) == {"price", "stock"}
    with pytest.raises(FormInvalid):
        decode_form({"action": "sell"}, ProductStatusForm)
    with pytest.raises(FormInvalid) as error:
        decode_form({"price": "1", "unit": "tonne"}, ProductForm)
    assert set(error.value.fields) == {"unit"}


def test_text_form_keeps_the_languages_it_does_not_show() -> None:
    created = datetime(2026, 1, 1, tzinfo=TIME_ZONE)
    product = Product(id=1, merchant_id=1, merchant_slug="m", merchant_name={"vi": "M"}, slug="muoi", kind="goods",
                      category_slug="salt", name={"vi": "Muối", "en": "Salt", "ja": "塩"}, description={"fr": "Sel"},
                      unit="kg", status="draft", rating_avg=None, rating_count=0,
                      created_at=created, updated_at=created)
    update = decode_form({"name_vi": "Muối hạt", "name_en": "", "description_vi": "Cà Ná"}, ProductTextForm)
    changed = update.update(product, ("vi", "en"))
    assert changed.name == {"ja": "塩", "vi": "Muối hạt"}
    assert changed.description == {"fr": "Sel", "vi": "Cà Ná"}
