"""Administrative units from vietnam-provinces (two-level units in force since 1 July 2025)."""

from functools import lru_cache

import vietnam_provinces
from vietnam_provinces import Province, ProvinceCode, Ward, WardCode

from marketplace.platform.errors import Unprocessable

__all__ = [
    "DIVISIONS_VERSION",
    "DEFAULT_PROVINCE_CODE",
    "province_choices",
    "commune_choices",
    "commune_name",
    "province_name",
    "check_commune",
]

DIVISIONS_VERSION: str = vietnam_provinces.__version__
# Khánh Hòa, which the former Ninh Thuận province joined in 2025.
DEFAULT_PROVINCE_CODE = 56


@lru_cache(maxsize=1)
def province_choices() -> list[tuple[int, str]]:
    """Every province as (code, name), sorted by name."""
    return sorted(((int(p.code), p.name) for p in Province.iter_all()), key=lambda item: item[1])


@lru_cache(maxsize=64)
def commune_choices(province_code: int) -> list[tuple[int, str]]:
    """The communes and wards of a province as (code, name), sorted by name."""
    try:
        code = ProvinceCode(province_code)
    except ValueError:
        return []
    return sorted(((int(w.code), w.name) for w in Ward.iter_by_province(code)), key=lambda item: item[1])


def commune_name(code: int | None) -> str:
    """The commune's name, or '' for an unknown code."""
    if code is None:
        return ""
    try:
        return Ward.from_code(WardCode(code)).name
    except ValueError:
        return ""


def province_name(code: int | None) -> str:
    """The province's name, or '' for an unknown code."""
    if code is None:
        return ""
    try:
        return Province.from_code(ProvinceCode(code)).name
    except ValueError:
        return ""


def check_commune(commune_code: int, province_code: int | None = None) -> int:
    """The commune's province code; 422 when the commune is unknown or not in the given province."""
    try:
        ward = Ward.from_code(WardCode(commune_code))
    except ValueError:
        raise Unprocessable(
            "Unknown commune.", code="unknown_commune", details={"commune_code": commune_code}
        ) from None
    if province_code is not None and int(ward.province_code) != province_code:
        raise Unprocessable(
            "The commune is not in that province.",
            code="commune_not_in_province",
            details={"commune_code": commune_code, "province_code": province_code},
        )
    return int(ward.province_code)
