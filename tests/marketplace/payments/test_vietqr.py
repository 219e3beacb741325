"""VietQR payloads checked field by field, with the CRC computed independently by binascii."""

import binascii

import pytest

from marketplace.payments.providers.vietqr import VietQRError, build_payload, crc16_ccitt_false, parse_tlv, qr_svg

CASES = [
    # bank BIN (Vietcombank, BIDV, Techcombank, MB, Agribank), account, amount, purpose
    ("970436", "0011001234567", 150000, "NTM000042"),
    ("970418", "21510001234567", 1, "NTM000001"),
    ("970407", "19036512345012", 2500000, "DH 12 nho"),
    ("970422", "0912345678", None, None),
    ("970405", "ABC123", 9999999999999, "A" * 25),
    ("970436", "1", 75000, None),
    ("970418", "9" * 19, None, "Thanh toan-don.1"),
]


def independent_crc(text: str) -> str:
    """CRC-16/CCITT-FALSE via binascii.crc_hqx (polynomial 0x1021, initial 0xFFFF), not our implementation."""
    return f"{binascii.crc_hqx(text.encode('ascii'), 0xFFFF):04X}"


@pytest.mark.parametrize(("bank_bin", "account", "amount", "purpose"), CASES)
def test_payload_fields(bank_bin: str, account: str, amount: int | None, purpose: str | None) -> None:
    payload = build_payload(bank_bin, account, amount, purpose)
    fields = parse_tlv(payload)
    tags = [tag for tag, _ in fields]
    values = dict(fields)
    expected_tags = ["00", "01", "38", "53"] + (["54"] if amount is not None else []) + ["58"]
    expected_tags += (["62"] if purpose is not None else []) + ["63"]
    assert tags == expected_tags
    assert values["00"] == "01"
    assert values["01"] == ("12" if amount is not None else "11")
    merchant = dict(parse_tlv(values["38"]))
    assert list(merchant) == ["00", "01", "02"]
    assert merchant["00"] == "A000000727"
    assert parse_tlv(merchant["01"]) == [("00", bank_bin), ("01", account)]
    assert merchant["02"] == "QRIBFTTA"
    assert values["53"] == "704"
    assert values.get("54") == (str(amount) if amount is not None else None)
    assert values["58"] == "VN"
    if purpose is not None:
        assert parse_tlv(values["62"]) == [("08", purpose)]
    # The CRC covers everything before it, including its own tag and length "6304".
    assert payload[-8:-4] == "6304"
    assert values["63"] == independent_crc(payload[:-4])


def test_known_payload_bytes() -> None:
    payload = build_payload("970436", "0011001234567", 150000, "NTM000042")
    body = ("000201" "010212"
            "3857" "0010A000000727" "0127" "0006970436" "01130011001234567" "0208QRIBFTTA"
            "5303704" "5406150000" "5802VN" "62130809NTM000042" "6304")
    assert payload == body + independent_crc(body)


def test_own_crc_matches_the_reference_check_value() -> None:
    # The catalogue check value of CRC-16/CCITT-FALSE for "123456789" is 0x29B1.
    assert crc16_ccitt_false(b"123456789") == 0x29B1
    for text in ("", "6304", "00020101021138"):
        assert crc16_ccitt_false(text.encode()) == binascii.crc_hqx(text.encode(), 0xFFFF)


@pytest.mark.parametrize(("bank_bin", "account", "amount", "purpose"), [
    ("97043", "123", None, None),
    ("97043A", "123", None, None),
    ("970436", "", None, None),
    ("970436", "12345678901234567890", None, None),
    ("970436", "12-34", None, None),
    ("970436", "123", 0, None),
    ("970436", "123", -5, None),
    ("970436", "123", 10 ** 13, None),
    ("970436", "123", 1000, "Đơn hàng"),
    ("970436", "123", 1000, "A" * 26),
    ("970436", "123", 1000, ""),
])
def test_invalid_inputs_are_refused(bank_bin: str, account: str, amount: int | None, purpose: str | None) -> None:
    with pytest.raises(VietQRError):
        build_payload(bank_bin, account, amount, purpose)


def test_qr_svg_has_no_script_or_style() -> None:
    svg = qr_svg(build_payload("970436", "0011001234567", 150000, "NTM000042"))
    assert svg.startswith("<svg") and "<path" in svg
    assert "<script" not in svg and "style=" not in svg
