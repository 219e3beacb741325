"""VietQR: the EMVCo merchant-presented payload as NAPAS uses it, its CRC, a parser and an SVG QR code."""

import re

import segno

__all__ = ["BANK_NAMES", "NAPAS_GUID", "SERVICE_TO_ACCOUNT", "VietQRError", "build_payload", "crc16_ccitt_false",
           "parse_tlv", "qr_svg"]

NAPAS_GUID = "A000000727"
SERVICE_TO_ACCOUNT = "QRIBFTTA"
CURRENCY_VND = "704"
COUNTRY_VN = "VN"
# EMVCo caps the purpose of transaction (tag 62, sub-field 08) at 25 characters.
MAX_PURPOSE_LENGTH = 25
MAX_AMOUNT_LENGTH = 13

# NAPAS bank identification numbers of the banks most used in the province (shown as names on pages).
BANK_NAMES: dict[str, str] = {
    "970436": "Vietcombank",
    "970418": "BIDV",
    "970415": "VietinBank",
    "970405": "Agribank",
    "970407": "Techcombank",
    "970422": "MB Bank",
    "970416": "ACB",
    "970432": "VPBank",
    "970423": "TPBank",
    "970403": "Sacombank",
    "970437": "HDBank",
    "970441": "VIB",
    "970443": "SHB",
    "970448": "OCB",
    "970426": "MSB",
}


class VietQRError(ValueError):
    """The bank, account, amount or purpose cannot be put into a VietQR payload."""

    status_code = 422
    code = "vietqr_invalid"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
        self.details = None


def crc16_ccitt_false(data: bytes) -> int:
    """CRC-16/CCITT-FALSE: polynomial 0x1021, initial value 0xFFFF, no reflection, no final xor."""
    crc = 0xFFFF
    for byte in data:
        crc ^= byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else (crc << 1)
            crc &= 0xFFFF
    return crc


def _tlv(tag: str, value: str) -> str:
    if len(value) > 99:
        raise VietQRError(f"field {tag} is longer than 99 characters")
    return f"{tag}{len(value):02d}{value}"


def _check(bank_bin: str, account: str, amount: int | None, purpose: str | None) -> None:
    if not re.fullmatch(r"\d{6}", bank_bin):
        raise VietQRError("the bank BIN must be 6 digits")
    if not re.fullmatch(r"[0-9A-Za-z]{1,19}", account):
        raise VietQRError("the account number must be 1 to 19 letters or digits")
    if amount is not None and (amount <= 0 or len(str(amount)) > MAX_AMOUNT_LENGTH):
        raise VietQRError("the amount must be a positive whole number of dong")
    # Banks read the purpose as plain ASCII; anything else is mangled or refused by some apps.
    if purpose is not None and not re.fullmatch(rf"[0-9A-Za-z .\-]{{1,{MAX_PURPOSE_LENGTH}}}", purpose):
        raise VietQRError(f"the purpose must be 1 to {MAX_PURPOSE_LENGTH} ASCII letters, digits, "
                          "spaces, dots or hyphens")


def build_payload(bank_bin: str, account: str, amount: int | None = None, purpose: str | None = None) -> str:
    """The VietQR string for a transfer to `account` at `bank_bin`; one-time (tag 01 = 12) with an amount."""
    _check(bank_bin, account, amount, purpose)
    beneficiary = _tlv("00", bank_bin) + _tlv("01", account)
    merchant_account = _tlv("00", NAPAS_GUID) + _tlv("01", beneficiary) + _tlv("02", SERVICE_TO_ACCOUNT)
    parts = [
        _tlv("00", "01"),
        _tlv("01", "12" if amount is not None else "11"),
        _tlv("38", merchant_account),
        _tlv("53", CURRENCY_VND),
    ]
    if amount is not None:
        parts.append(_tlv("54", str(amount)))
    parts.append(_tlv("58", COUNTRY_VN))
    if purpose is not None:
        parts.append(_tlv("62", _tlv("08", purpose)))
    body = "".join(parts) + "6304"
    return body + f"{crc16_ccitt_false(body.encode('ascii')):04X}"


def parse_tlv(data: str) -> list[tuple[str, str]]:
    """Split an EMVCo tag-length-value string into (tag, value) pairs, in order."""
    fields: list[tuple[str, str]] = []
    position = 0
    while position < len(data):
        if position + 4 > len(data):
            raise VietQRError("truncated field header")
        tag, length = data[position:position + 2], data[position + 2:position + 4]
        if not length.isdigit():
            raise VietQRError(f"field {tag} has no numeric length")
        end = position + 4 + int(length)
        if end > len(data):
            raise VietQRError(f"field {tag} runs past the end")
        fields.append((tag, data[position + 4:end]))
        position = end
    return fields


def qr_svg(payload: str, *, scale: int = 5) -> str:
    """An inline, scalable SVG QR code (viewBox, no styles or scripts, so the page's CSP allows it)."""
    code = segno.make(payload, error="m", micro=False)
    return code.svg_inline(scale=scale, border=4, dark="#000", light="#fff", omitsize=True)
