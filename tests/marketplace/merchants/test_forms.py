"""The onboarding and approval forms, as a phone sends them, decode into the services' Structs."""

from datetime import date

import pytest

from i18n.forms import FormInvalid, decode_form
from marketplace.merchants.models import MerchantDetailsForm, MerchantReviewForm, Ocop


def test_details_form_keeps_the_story_in_other_languages_and_reads_the_check_boxes() -> None:
    form = {"story": " Vườn nho ", "offers_pickup": "1", "delivery_fee": "30.000", "ocop_stars": "4",
            "ocop_certificate_no": "OCOP-17", "ocop_year": "2024", "ocop_expires_on": "2027-01-31"}
    details = decode_form(form, MerchantDetailsForm).details({"en": "Grapes", "vi": "cũ"}, "vi")
    assert details.story == {"en": "Grapes", "vi": "Vườn nho"}
    assert details.offers_pickup and details.delivery_fee is None  # "I deliver" was not ticked
    assert details.ocop == Ocop(stars=4, certificate_no="OCOP-17", year=2024, expires_on=date(2027, 1, 31))
    delivering = decode_form({**form, "delivers": "1"}, MerchantDetailsForm).details({}, "vi")
    assert delivering.delivery_fee == 30_000 and delivering.story == {"vi": "Vườn nho"}


def test_details_form_names_what_an_ocop_certificate_is_missing() -> None:
    with pytest.raises(FormInvalid) as error:
        decode_form({"ocop_stars": "5"}, MerchantDetailsForm).details({}, "vi")
    assert set(error.value.fields) == {"ocop_certificate_no", "ocop_year"}
    with pytest.raises(FormInvalid) as error:
        decode_form({"ocop_stars": "6", "delivery_fee": "lots"}, MerchantDetailsForm)
    assert set(error.value.fields) == {"ocop_stars", "delivery_fee"}
    assert decode_form({}, MerchantDetailsForm).details({}, "en").ocop is None


def test_review_form_is_a_decision_with_a_note() -> None:
    assert decode_form({"decision": "approve", "note": ""}, MerchantReviewForm).review().approve
    rejected = decode_form({"decision": "reject", "note": "Thiếu địa chỉ"}, MerchantReviewForm).review()
    assert (rejected.approve, rejected.note) == (False, "Thiếu địa chỉ")
    with pytest.raises(FormInvalid):
        decode_form({"decision": "maybe"}, MerchantReviewForm)
