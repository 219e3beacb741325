"""Folding, tokenising and highlighting text the same way for documents and queries."""

import html
import re
import unicodedata
from collections.abc import Iterable

__all__ = [
    "fold",
    "words",
    "document_terms",
    "query_tokens",
    "is_cjk",
    "one_edit_apart",
    "deletions",
    "highlight",
    "spellings",
    "typed_words",
    "MIN_TYPO_LENGTH",
    "MIN_VARIANT_LENGTH",
]

MIN_TYPO_LENGTH = 5
"""Words this long or longer are corrected when they contain one typo."""
MIN_VARIANT_LENGTH = MIN_TYPO_LENGTH - 1
"""A 5-letter query word with one inserted letter can mean a 4-letter word, so 4-letter words get variants."""

# Japanese voiced-sound marks are combining marks too, but removing them changes the kana (が -> か).
_KEEP_MARKS = frozenset({"\u3099", "\u309a"})
_LETTERS = re.compile(r"[^\W_]+")
_CJK_RUN = re.compile(
    r"([\u3040-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af\u1100-\u11ff]+)"
)
_FOLD_EXTRA = str.maketrans({"đ": "d", "ð": "d", "ø": "o", "ł": "l", "ß": "ss", "æ": "ae", "œ": "oe"})


def _fold_character(character: str) -> str:
    decomposed = unicodedata.normalize("NFKD", character.translate(_FOLD_EXTRA))
    return "".join(ch for ch in decomposed if ch in _KEEP_MARKS or unicodedata.category(ch) != "Mn")


class _FoldTable(dict[int, str]):
    """str.translate's table, filled on first sight of each character: folding runs in C afterwards.

    Folding a character at a time equals folding the whole text: NFKD decomposes each character on its
    own, and the marks it would reorder are removed (the kept kana marks are recomposed by the final NFC).
    It made indexing 100,000 listings spend most of its time in a Python loop over characters.
    """

    def __missing__(self, code: int) -> str:
        folded = self[code] = _fold_character(chr(code))
        return folded


_FOLD_TABLE = _FoldTable()


def fold(text: str) -> str:
    """Lower case without diacritics ("Đồi Cát" -> "doi cat"), matching the database's f_norm."""
    return unicodedata.normalize("NFC", text.lower().translate(_FOLD_TABLE))


def is_cjk(token: str) -> bool:
    """True when the token is a run of Chinese, Japanese or Korean characters."""
    return bool(_CJK_RUN.fullmatch(token))


def _pieces(folded: str) -> list[str]:
    """Letter runs, with CJK runs split from any Latin letters glued to them."""
    pieces: list[str] = []
    for run in _LETTERS.findall(folded):
        pieces.extend(part for part in _CJK_RUN.split(run) if part)
    return pieces


def words(text: str) -> list[str]:
    """The folded non-CJK words of a text, in order (the vocabulary's words)."""
    return [piece for piece in _pieces(fold(text)) if not is_cjk(piece)]


def _cjk_grams(run: str) -> list[str]:
    """Unigrams and bigrams: a CJK run has no spaces, so 葡萄酒 is indexed as 葡 萄 酒 葡萄 萄酒."""
    return list(run) + [run[i : i + 2] for i in range(len(run) - 1)]


def document_terms(text: str) -> list[str]:
    """Distinct lexemes to index for a text."""
    terms: dict[str, None] = {}
    for piece in _pieces(fold(text)):
        for term in _cjk_grams(piece) if is_cjk(piece) else (piece,):
            terms[term] = None
    return list(terms)


def query_tokens(text: str) -> list[str]:
    """The query's tokens; a CJK run becomes its bigrams (or itself when one character long)."""
    tokens: list[str] = []
    for piece in _pieces(fold(text)):
        if is_cjk(piece) and len(piece) > 1:
            tokens.extend(piece[i : i + 2] for i in range(len(piece) - 1))
        else:
            tokens.append(piece)
    return tokens


def _typed_pieces(text: str) -> list[str]:
    lowered = unicodedata.normalize("NFC", text).lower()
    runs = _LETTERS.findall(lowered)
    if _CJK_RUN.search(lowered) is None:  # most texts: no CJK run to cut out of the words
        return runs
    return [piece for run in runs for piece in _CJK_RUN.split(run) if piece and not is_cjk(piece)]


def typed_words(text: str) -> set[str]:
    """The words of a text as typed (tone marks kept, NFC), lower-cased; CJK runs are left out.

    Stored per listing at indexing time and compared with the query's `spellings`: a listing containing the
    query's own spelling ("nho", grape) ranks above one that only has a folded match ("nhỏ", small)."""
    return set(_typed_pieces(text))


def spellings(text: str) -> list[str]:
    """The query's distinct words as typed, lower-cased, in the order typed (see `typed_words`)."""
    return list(dict.fromkeys(_typed_pieces(text)))


def deletions(word: str) -> set[str]:
    """The word without each one of its letters."""
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


def one_edit_apart(a: str, b: str) -> bool:
    """True when a and b differ by one insertion, deletion, substitution or swap of neighbours."""
    if a == b:
        return False
    la, lb = len(a), len(b)
    if abs(la - lb) > 1:
        return False
    if la == lb:
        diff = [i for i in range(la) if a[i] != b[i]]
        if len(diff) == 1:
            return True
        return len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]]
    if la > lb:
        a, b = b, a
    # b is one letter longer: removing one of its letters must give a.
    return a in deletions(b)


def highlight(text: str, terms: Iterable[str], prefixes: Iterable[str] = (), max_length: int = 240) -> str:
    """HTML-escaped text with matching words in <mark>; long text is cut around the first match."""
    term_set = set(terms)
    prefix_tuple = tuple(p for p in prefixes if p)
    spans: list[tuple[int, int]] = []
    for match in _LETTERS.finditer(text):
        for start, end in _match_spans(match.group(), match.start(), term_set, prefix_tuple):
            spans.append((start, end))
    start, end = 0, len(text)
    if len(text) > max_length:
        first = spans[0][0] if spans else 0
        start = max(0, first - max_length // 3)
        end = min(len(text), start + max_length)
    out: list[str] = ["…" if start > 0 else ""]
    cursor = start
    for span_start, span_end in spans:
        if span_start < cursor or span_end > end:
            continue
        out.append(html.escape(text[cursor:span_start]))
        out.append("<mark>" + html.escape(text[span_start:span_end]) + "</mark>")
        cursor = span_end
    out.append(html.escape(text[cursor:end]))
    out.append("…" if end < len(text) else "")
    return "".join(out)


def _match_spans(
    word: str, offset: int, terms: set[str], prefixes: tuple[str, ...]
) -> list[tuple[int, int]]:
    """Where a word of the original text matches: whole Latin words, or the matching CJK characters."""
    folded = fold(word)
    if len(folded) == len(word) and _CJK_RUN.search(folded):
        spans: list[tuple[int, int]] = []
        for i in range(len(word)):
            for size in (2, 1):
                if folded[i : i + size] in terms and len(folded[i : i + size]) == size:
                    spans.append((offset + i, offset + i + size))
                    break
        return _merge(spans)
    if folded in terms or (prefixes and folded.startswith(prefixes)):
        return [(offset, offset + len(word))]
    return []


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged
