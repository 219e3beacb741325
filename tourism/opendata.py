"""What the open data of attractions and events share: page URLs in exports, and CSV text."""

import csv
import io
from collections.abc import Iterable
from typing import Any

__all__ = ["page_url", "csv_text"]


def page_url(base_url: str, locale: str, path: str) -> str:
    """The public page at `path` (after the locale prefix) in `locale`."""
    return f"{base_url.rstrip('/')}/{locale}{path}"


def csv_text(header: list[str], rows: Iterable[list[Any]]) -> str:
    """A CSV document (RFC 4180 line ends) with a header row."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()
