"""Communes and wards of Khánh Hòa (which took in Ninh Thuận in 2025) from vietnam-provinces."""

from functools import cache

import vietnam_provinces
from vietnam_provinces import ProvinceCode, Ward

__all__ = ["PROVINCE_CODE", "DATASET_VERSION", "communes", "commune_name", "commune_code_by_name"]

PROVINCE_CODE = 56
DATASET_VERSION: str = vietnam_provinces.__data_version__
"""Stored beside every commune code: codes differ between releases of the dataset."""


@cache
def communes() -> tuple[tuple[int, str], ...]:
    """(code, name) of every ward and commune of the province, sorted by name."""
    wards = Ward.iter_by_province(ProvinceCode(PROVINCE_CODE))
    return tuple(sorted(((int(ward.code), ward.name) for ward in wards), key=lambda item: item[1]))


def commune_name(code: int | None) -> str | None:
    """The name of a ward or commune of the province, or None when the code is not one of them."""
    if code is None:
        return None
    return dict(communes()).get(code)


def commune_code_by_name(name: str) -> int | None:
    """The code of a ward or commune named exactly so (e.g. "Phường Đô Vinh") in the installed dataset."""
    wanted = name.strip().casefold()
    for code, candidate in communes():
        if candidate.casefold() == wanted:
            return code
    return None
