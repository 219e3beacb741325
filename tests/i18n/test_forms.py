"""Forms typed by people in any locale decode into Structs, and every bad field gets a translated message."""

from datetime import datetime
from typing import Annotated, Literal

import msgspec
import pytest
from litestar.datastructures import FormMultiDict

import i18n
from i18n.forms import FIELD_MESSAGES, FORM_ERROR, FormInvalid, decode_form, error_lines, form_values


class ListingForm(msgspec.Struct, frozen=True):
    name: Annotated[str, msgspec.Meta(min_length=1, max_length=20)]
    price: Annotated[int, msgspec.Meta(ge=0)]
    kind: Literal["product", "experience"] = "product"
    weight_kg: float | None = None
    title: dict[str, str] = {}
    story: i18n.LocalizedText = {}
    tags: list[int] = []
    starts_at: datetime | None = None
    published: bool = False
    locale: str = "vi"


def test_values_typed_the_vietnamese_way_decode() -> None:
    form = FormMultiDict([
        ("name", "  Nho đỏ "), ("price", "120.000"), ("kind", "experience"), ("weight_kg", "0,5"),
        ("title_vi", "Nho đỏ Ninh Thuận"), ("title_en", "  "), ("title_fr", "Raisin rouge"),
        ("story_vi", "Vườn nho gia đình"), ("story_ar", "كرم عنب عائلي"),
        ("tags", "1"), ("tags", "2"), ("starts_at", "2026-12-06T09:30"), ("published", "on"),
    ])
    data = decode_form(form, ListingForm, locale="en")
    assert data.name == "Nho đỏ" and data.price == 120_000 and data.kind == "experience"
    assert data.weight_kg == 0.5
    assert data.title == {"vi": "Nho đỏ Ninh Thuận", "fr": "Raisin rouge"}
    # LocalizedText carries its schema description as metadata; it is read the same way.
    assert data.story == {"vi": "Vườn nho gia đình", "ar": "كرم عنب عائلي"}
    assert data.tags == [1, 2]
    assert data.starts_at == datetime(2026, 12, 6, 9, 30, tzinfo=i18n.TIME_ZONE)
    assert data.published is True and data.locale == "en"


@pytest.mark.parametrize(
    ("typed", "number"),
    [
        ("120000", 120_000), ("120.000", 120_000), ("120,000", 120_000), ("1.234.567", 1_234_567),
        ("120 000", 120_000), ("120\u00a0000", 120_000), ("120\u202f000", 120_000),
        ("١٢٠٠٠٠", 120_000), ("١٢٠٬٠٠٠", 120_000), ("１２０", 120),
    ],
)
def test_whole_numbers_typed_in_every_locale(typed: str, number: int) -> None:
    assert decode_form({"name": "Tỏi", "price": typed}, ListingForm).price == number


@pytest.mark.parametrize("typed", ["1e3", "1.5", "12.00", "1,2", "12 00", "0x10", "1_000"])
def test_what_is_not_a_whole_number_is_refused(typed: str) -> None:
    with pytest.raises(FormInvalid) as caught:
        decode_form({"name": "Tỏi", "price": typed}, ListingForm)
    assert caught.value.fields == {"price": "Enter a whole number."}


def test_a_number_past_what_the_database_holds_is_too_large() -> None:
    with pytest.raises(FormInvalid) as caught:
        decode_form({"name": "Tỏi", "price": "9" * 20}, ListingForm)
    assert caught.value.fields == {"price": "This number is too large."}


def test_decimals_typed_in_arabic_read_as_numbers() -> None:
    assert decode_form({"name": "Tỏi", "price": "1", "weight_kg": "٠٫٥"}, ListingForm).weight_kg == 0.5


def test_blank_optional_fields_take_their_defaults() -> None:
    data = decode_form({"name": "Tỏi", "price": "15000", "weight_kg": "", "starts_at": ""}, ListingForm)
    assert data.weight_kg is None and data.starts_at is None and data.published is False and data.tags == []


def test_every_bad_field_is_named_with_a_message() -> None:
    form = FormMultiDict([("name", ""), ("price", "abc"), ("kind", "boat"), ("tags", "x")])
    with pytest.raises(FormInvalid) as caught:
        decode_form(form, ListingForm)
    error = caught.value
    assert error.status_code == 422 and error.code == "invalid_form" and error.message == FORM_ERROR
    assert error.fields == {
        "name": "This field is required.",
        "price": "Enter a whole number.",
        "kind": "Choose one of the options.",
        "tags": "Enter a whole number.",
    }
    assert error.details["field"] == "name"
    assert ("Enter a whole number.", "price") in error_lines(error)


@pytest.mark.parametrize(
    ("form", "field", "message"),
    [
        ({"name": "x" * 21, "price": "1"}, "name", "This is too long."),
        ({"name": "Tỏi", "price": "-5"}, "price", "This number is too small."),
        ({"name": "Tỏi", "price": "1", "weight_kg": "nặng"}, "weight_kg", "Enter a number."),
        ({"name": "Tỏi", "price": "1", "starts_at": "tomorrow"}, "starts_at", "Enter a date and time."),
        ({"name": "Tỏi", "price": "1.5"}, "price", "Enter a whole number."),
    ],
)
def test_field_messages(form: dict[str, str], field: str, message: str) -> None:
    with pytest.raises(FormInvalid) as caught:
        decode_form(form, ListingForm)
    assert caught.value.fields == {field: message}


def test_a_struct_rule_across_fields_is_reported_too() -> None:
    class Window(msgspec.Struct):
        opens: int
        closes: int

        def __post_init__(self) -> None:
            if self.closes <= self.opens:
                raise ValueError("closes must be after opens")

    with pytest.raises(FormInvalid) as caught:
        decode_form({"opens": "10", "closes": "9"}, Window)
    assert list(caught.value.fields.values()) == ["This value is not valid."]


def test_values_typed_are_kept_to_fill_the_form_again() -> None:
    assert form_values({"name": "Nho", "price": "12 000"}) == {"name": "Nho", "price": "12 000"}


@pytest.mark.parametrize("locale", [code for code in i18n.SUPPORTED_LOCALES if code != "en"])
def test_every_field_message_is_translated(locale: str) -> None:
    for message in (FORM_ERROR, *FIELD_MESSAGES):
        assert i18n.gettext(message, locale) != message, (locale, message)
