"""QR label sheets of a batch: an A4 page of 21 labels (3 x 7, 70 x 42.3 mm), as SVG and as PDF.

Each label carries the QR code of the batch's short link, the product, the producer, the batch code and its
date, and the OCOP stars. The PDF is drawn with fpdf2 and the system's Noto Sans (Vietnamese needs a font with
its diacritics) in the posters' child process: fpdf2 is pure Python and would hold this process's GIL.
"""

import hashlib
import math
from pathlib import Path
from typing import TYPE_CHECKING
from xml.sax.saxutils import escape

import msgspec

from tourism.attractions.poster_cache import render_in_poster_process
from tourism.attractions.posters import FONT_CANDIDATES, qr_modules
from tourism.errors import Unavailable

if TYPE_CHECKING:
    from fpdf import FPDF

__all__ = ["LabelSheet", "label_sheet_svg", "label_sheet_pdf", "render_label_pdf", "label_version"]

PAGE_W, PAGE_H = 210.0, 297.0
COLUMNS, ROWS = 3, 7
LABEL_W, LABEL_H = PAGE_W / COLUMNS, PAGE_H / ROWS
QR = 24.0
MARGIN = 3.5
TEXT_X = MARGIN + QR + 2.5
TEXT_W = LABEL_W - TEXT_X - 2.0


class LabelSheet(msgspec.Struct, frozen=True, kw_only=True):
    """What every label of the sheet prints (plain text, already in the producer's language)."""

    product: str
    producer: str
    batch_line: str
    date_line: str
    stars: int | None
    url: str


def label_version(sheet: LabelSheet, kind: str) -> str:
    """A digest of what the sheet prints: the ETag of its download."""
    return hashlib.sha256(msgspec.json.encode([kind, sheet])).hexdigest()[:32]


def _lines(sheet: LabelSheet) -> list[tuple[str, float, bool]]:
    """(text, font size in mm, bold) of a label's text, top to bottom; long names are cut to fit."""
    lines = [(line, 2.9, True) for line in _wrap(sheet.product, 24, 2)]
    lines += [(_fit(text, 34), 2.3, False) for text in (sheet.producer, sheet.batch_line, sheet.date_line)]
    if sheet.stars:
        lines.append(("OCOP", 3.0, True))
    return lines


def _star(cx: float, cy: float, radius: float) -> list[tuple[float, float]]:
    """A five-pointed star's corners (drawn, not typed: Noto Sans has no ★ glyph for the PDF)."""
    corners = []
    for index in range(10):
        angle = math.pi / 2 + index * math.pi / 5
        r = radius if index % 2 == 0 else radius * 0.45
        corners.append((cx + r * math.cos(angle), cy - r * math.sin(angle)))
    return corners


def _stars_at(sheet: LabelSheet, y: float) -> list[list[tuple[float, float]]]:
    """The OCOP stars beside the word OCOP on the last text line (baseline y)."""
    return [_star(TEXT_X + 10.8 + index * 3.4, y - 1.0, 1.4) for index in range(sheet.stars or 0)]


def _wrap(text: str, width: int, most: int) -> list[str]:
    """At most `most` lines of about `width` characters, broken between words; the last one cut to fit."""
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    kept = lines[:most]
    if len(lines) > most:
        kept[-1] += " " + " ".join(lines[most:])
    return [_fit(line, width) for line in kept]


def _fit(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def label_sheet_svg(sheet: LabelSheet) -> str:
    """The sheet as an A4 SVG (millimetre units): one symbol drawn once, used 21 times."""
    size, runs = qr_modules(sheet.url)
    module = QR / size
    path = "".join(f"M{x * module:.3f} {y * module:.3f}h{length * module:.3f}v{module:.3f}h-{length * module:.3f}z"
                   for y, x, length in runs)
    text = []
    y = MARGIN + 3.0
    for line, font_size, bold in _lines(sheet):
        weight = ' font-weight="700"' if bold else ""
        text.append(f'<text x="{TEXT_X}" y="{y:.2f}" font-size="{font_size}"{weight}>{escape(line)}</text>')
        baseline, y = y, y + font_size * 1.45
    for star in _stars_at(sheet, baseline):
        points = " ".join(f"{x:.2f},{y:.2f}" for x, y in star)
        text.append(f'<polygon points="{points}" fill="#c0872a"/>')
    text.append(f'<text x="{MARGIN}" y="{LABEL_H - 2.2:.2f}" font-size="2.1" fill="#0b5e6b">{escape(sheet.url)}</text>')
    parts = [
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="210mm" '
        'height="297mm" viewBox="0 0 210 297">',
        f"<title>{escape(sheet.product)} · {escape(sheet.batch_line)}</title>",
        '<rect width="210" height="297" fill="#ffffff"/>',
        '<defs><g id="label" font-family="Noto Sans, DejaVu Sans, sans-serif" fill="#102a2e">',
        f'<rect width="{LABEL_W:.3f}" height="{LABEL_H:.3f}" fill="none" stroke="#cccccc" stroke-width="0.2"/>',
        f'<path transform="translate({MARGIN} {MARGIN})" d="{path}" fill="#000000"/>',
        *text,
        "</g></defs>",
    ]
    parts += [f'<use xlink:href="#label" href="#label" x="{column * LABEL_W:.3f}" y="{row * LABEL_H:.3f}"/>'
              for row in range(ROWS) for column in range(COLUMNS)]
    parts.append("</svg>")
    return "\n".join(parts)


def label_sheet_pdf(sheet: LabelSheet) -> bytes:
    """The same sheet as an A4 PDF (needs Noto Sans or DejaVu Sans on the server)."""
    from fpdf import FPDF

    font = next((path for path in FONT_CANDIDATES["latin"] if Path(path).is_file()), None)
    if font is None:
        raise Unavailable("PDF labels need the Noto Sans or DejaVu Sans font on the server", code="label_fonts_missing")
    pdf = FPDF(orientation="portrait", unit="mm", format="A4")
    pdf.set_creator("Ninh Thuan Marketplace")
    pdf.set_title(f"{sheet.product} · {sheet.batch_line}")
    pdf.set_auto_page_break(False)
    pdf.set_margins(0, 0, 0)
    pdf.add_page()
    pdf.add_font("latin", fname=font)
    pdf.set_text_shaping(True)
    size, runs = qr_modules(sheet.url)
    module = QR / size
    for row in range(ROWS):
        for column in range(COLUMNS):
            _pdf_label(pdf, sheet, column * LABEL_W, row * LABEL_H, module, runs)
    return bytes(pdf.output())


def _pdf_label(pdf: "FPDF", sheet: LabelSheet, left: float, top: float, module: float,
               runs: list[tuple[int, int, int]]) -> None:
    pdf.set_draw_color(204, 204, 204)
    pdf.set_line_width(0.2)
    pdf.rect(left, top, LABEL_W, LABEL_H)
    pdf.set_fill_color(0, 0, 0)
    for y, x, length in runs:
        pdf.rect(left + MARGIN + x * module, top + MARGIN + y * module, length * module, module, style="F")
    pdf.set_text_color(16, 42, 46)
    y = top + MARGIN + 3.0
    for line, font_size, _bold in _lines(sheet):
        pdf.set_font("latin", size=font_size / 0.3528)
        pdf.set_xy(left + TEXT_X, y - font_size)
        pdf.cell(w=TEXT_W, h=font_size * 1.2, text=line)
        baseline, y = y, y + font_size * 1.45
    pdf.set_fill_color(192, 135, 42)
    for star in _stars_at(sheet, baseline - top):
        pdf.polygon([(left + x, top + y) for x, y in star], style="F")
    pdf.set_font("latin", size=2.1 / 0.3528)
    pdf.set_text_color(11, 94, 107)
    pdf.set_xy(left + MARGIN, top + LABEL_H - 4.4)
    pdf.cell(w=LABEL_W - 2 * MARGIN, h=3, text=sheet.url)


async def render_label_pdf(sheet: LabelSheet) -> bytes:
    """The PDF sheet, rendered in the posters' child process (one render at a time, off the event loop)."""
    return await render_in_poster_process(label_sheet_pdf, sheet)
