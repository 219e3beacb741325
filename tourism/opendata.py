"""What the open data of attractions and events share: page URLs in exports, and CSV text.

`csv_text` is the one CSV writer of every package (marketplace statements use it too), so every export
neutralises spreadsheet formulas the same way.
"""

import csv
import io
from collections.abc import Iterable
from typing import Any

__all__ = ["page_url", "csv_text", "csv_cell"]

# A spreadsheet runs a text cell starting with one of these as a formula (=HYPERLINK(...), +cmd|...,
# @SUM(...)); tab and carriage return are skipped by some before they look at the next character.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def page_url(base_url: str, locale: str, path: str) -> str:
    """The public page at `path` (after the locale prefix) in `locale`."""
    return f"{base_url.rstrip('/')}/{locale}{path}"


def csv_text(header: list[str], rows: Iterable[list[Any]]) -> str:
    """A CSV document (RFC 4180 line ends) with a header row; every text cell passes through `csv_cell`."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([csv_cell(cell) for cell in header])
    writer.writerows([csv_cell(cell) for cell in row] for row in rows)
    return buffer.getvalue()


def csv_cell(value: Any) -> Any:
    """A cell as written: text that a spreadsheet would run as a formula gets a leading apostrophe (shown as
    text, the value intact after it). Numbers are ours, not input, and stay numbers (a negative amount is no
    formula)."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value
