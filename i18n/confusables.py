"""A confusable skeleton of a name (after Unicode TR39 section 4), to spot one shop passing for another.

Two names with the same skeleton look alike to a buyer: "Ninh Thuận Gаrlic" with a Cyrillic а and
"Ninh Thuận Garlic". TR39's full table (confusables.txt, ~6,000 lines) is not shipped by the standard
library, and the PyPI packages that carry it are unmaintained or only detect mixed scripts, so this is
the part of it that matters for names typed in this province's eight languages: Cyrillic and Greek
letters drawn like Latin ones, compatibility forms (fullwidth, mathematical letters: NFKD folds them),
and the digit/letter pairs (0/o, 1/l/I) TR39 also maps.

Vietnamese diacritics are KEPT: "Bà Ba", "Bá Ba" and "Ba Bà" are different, legitimate names, and the
tone marks are what tells them apart; stripping them would flag half the shops of a commune. Case is
folded (a capital letter does not make another shop) and runs of white space count as one.
"""

import re
import unicodedata

__all__ = ["confusable_skeleton"]

# Look-alike -> the Latin letter it is drawn like (lower case: the text is case-folded first).
_LOOK_ALIKES = {
    # Cyrillic
    "а": "a", "в": "b", "е": "e", "ё": "e", "з": "3", "і": "i", "ї": "i", "ј": "j", "к": "k", "м": "m",
    "н": "h", "о": "o", "р": "p", "с": "c", "т": "t", "у": "y", "х": "x", "ѕ": "s", "ԁ": "d", "һ": "h",
    "ԛ": "q", "ԝ": "w", "ɡ": "g", "ү": "y", "ӏ": "l", "ь": "b",
    # Greek
    "α": "a", "β": "b", "ε": "e", "η": "n", "ι": "i", "κ": "k", "ν": "v", "ο": "o", "ρ": "p", "τ": "t",
    "υ": "u", "χ": "x", "ω": "w", "γ": "y", "μ": "u",
    # Latin letters and digits TR39 also treats as one shape
    "ı": "i", "ł": "l", "0": "o", "1": "l", "|": "l", "ſ": "s", "ℓ": "l",
}
# Drawn alike as a pair (TR39 maps "rn" to "m"); applied after the single letters.
_PAIRS = (("rn", "m"), ("vv", "w"))
_SPACES = re.compile(r"\s+")


def confusable_skeleton(text: str) -> str:
    """The name as a buyer sees its shape: compatibility forms folded, look-alikes mapped, marks kept."""
    # Decompose so that a look-alike carrying a mark (Cyrillic ё, ї) maps on its base letter and the
    # Vietnamese marks stay as combining characters beside it.
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    mapped = "".join(_LOOK_ALIKES.get(char, char) for char in decomposed)
    for pair, single in _PAIRS:
        mapped = mapped.replace(pair, single)
    return _SPACES.sub(" ", unicodedata.normalize("NFC", mapped)).strip()
