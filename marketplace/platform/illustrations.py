"""Drawn illustrations, one per category, shown (and marked as illustrations) where a listing has no photo.

The demo cannot fetch photos, and a merchant may list a product before photographing it: a card then shows
its category's drawing instead of a blank box. The files are small hand-written SVGs under
`static/illustrations/`; their URL carries a hash of their content, so browsers keep them for a year and a
changed drawing gets a new URL.
"""

import functools
import hashlib
from pathlib import Path

__all__ = [
    "ATTRACTION_ILLUSTRATIONS",
    "PRODUCT_ILLUSTRATIONS",
    "KIND_ILLUSTRATIONS",
    "ILLUSTRATION_DIR",
    "illustration_name",
    "illustration_file",
    "illustration_url",
    "illustration_files",
]

ILLUSTRATION_DIR = Path(__file__).resolve().parents[1] / "static" / "illustrations"
URL_PREFIX = "/illustrations"

# tourism.attractions.models.CATEGORIES, and "festival" for events.
ATTRACTION_ILLUSTRATIONS: dict[str, str] = {
    "beach": "beach",
    "heritage": "cham-tower",
    "nature": "nature",
    "craft_village": "pottery",
    "vineyard": "grapes",
    "viewpoint": "viewpoint",
    "museum": "museum",
    "food": "dish",
    "landmark": "lighthouse",
    "scenic_route": "scenic-route",
    "religious": "temple",
    "market": "market",
    "festival": "festival",
}
# The catalog's category slugs (marketplace migrations); a sub-category falls back to its parent's drawing
# only through this table, so a new category without an entry shows its kind's drawing.
PRODUCT_ILLUSTRATIONS: dict[str, str] = {
    "produce": "basket",
    "fresh-fruit": "grapes",
    "vegetables": "garlic",
    "meat": "lamb",
    "seafood": "fish",
    "seafood-fresh": "fish",
    "seafood-dried": "dried-fish",
    "food": "dish",
    "processed-food": "jar",
    "condiments": "fish-sauce",
    "beverages": "wine",
    "street-food": "dish",
    "crafts": "pottery",
    "pottery": "pottery",
    "textiles": "brocade",
    "experiences": "tour",
    "tours": "tour",
    "classes": "workshop",
    "tickets": "ticket",
}
# What a listing of each search kind shows when its category has no drawing of its own.
KIND_ILLUSTRATIONS: dict[str, str] = {
    "attraction": "lighthouse",
    "event": "festival",
    "product": "basket",
    "experience": "tour",
    "merchant": "market",
}


def illustration_name(kind: str, category: str | None) -> str:
    """The drawing for a listing of this kind ("attraction", "event", "product", "experience", "merchant")."""
    table = ATTRACTION_ILLUSTRATIONS if kind in ("attraction", "event") else PRODUCT_ILLUSTRATIONS
    return table.get(category or "", KIND_ILLUSTRATIONS.get(kind, "basket"))


@functools.cache
def illustration_files() -> dict[str, tuple[str, bytes]]:
    """Each drawing's name -> (its fingerprinted file name, its bytes); read once per process."""
    files: dict[str, tuple[str, bytes]] = {}
    for path in sorted(ILLUSTRATION_DIR.glob("*.svg")):
        content = path.read_bytes()
        digest = hashlib.sha256(content).hexdigest()[:10]
        files[path.stem] = (f"{path.stem}.{digest}.svg", content)
    return files


@functools.cache
def _by_file_name() -> dict[str, bytes]:
    return dict(illustration_files().values())


def illustration_file(file_name: str) -> bytes | None:
    """The SVG served under a fingerprinted name; None for any other name (an old fingerprint included)."""
    return _by_file_name().get(file_name)


def illustration_url(kind: str, category: str | None, path_prefix: str = "") -> str:
    """The fingerprinted URL of the listing's drawing."""
    file_name, _ = illustration_files()[illustration_name(kind, category)]
    return f"{path_prefix}{URL_PREFIX}/{file_name}"
