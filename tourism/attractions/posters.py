"""Printable A4 posters for attractions: the name in several languages and a QR code to the page.

SVG text is shaped by whatever renders it (browsers shape Arabic and CJK correctly). The PDF is drawn
with fpdf2 and the system's Noto fonts, shaped by HarfBuzz (uharfbuzz); without those fonts the PDF
cannot be made and `poster_pdf` raises Unavailable rather than print boxes.
"""

from collections.abc import Iterator
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

import segno

from i18n import SUPPORTED_LOCALES, is_rtl
from tourism.attractions.models import Attraction
from tourism.errors import Unavailable

__all__ = ["POSTER_LOCALES", "poster_names", "poster_svg", "poster_pdf", "qr_modules", "FONT_CANDIDATES"]

# Vietnamese first (the site's language), then the visitors' languages most often seen in the province.
POSTER_LOCALES: tuple[str, ...] = ("vi", "en", "zh", "ko", "ar", "ru", "fr", "ja")
MAX_POSTER_NAMES = 6
PAGE_W, PAGE_H = 210.0, 297.0  # A4 in millimetres
QR_SIZE = 105.0
QR_TOP = 125.0
BAND_TEXT = "Ninh Thuận · Khánh Hòa"
CALL_TO_ACTION = {
    "vi": "Quét mã để xem giờ mở cửa, bản đồ và sản phẩm địa phương gần đây",
    "en": "Scan for opening hours, the map and local products nearby",
}
FONT_CANDIDATES: dict[str, tuple[str, ...]] = {
    "latin": ("/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf", "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
    "arabic": (
        "/usr/share/fonts/truetype/noto/NotoSansArabic-Regular.ttf",
        "/usr/share/fonts/truetype/noto/NotoNaskhArabic-Regular.ttf",
    ),
    "cjk": ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",),
}
# Index of each language's face inside the Noto CJK collection (JP, KR, SC, TC, HK order).
CJK_FACE = {"ja": 0, "ko": 1, "zh": 2}


def _without_vietnamese(name: str, vietnamese: str) -> str:
    # Names in other scripts carry the Vietnamese name in brackets for signs and maps; the poster prints
    # the Vietnamese name once, on top.
    for bracketed in (f" ({vietnamese})", f"（{vietnamese}）"):
        if vietnamese and name.endswith(bracketed) and len(name) > len(bracketed):
            return name[: -len(bracketed)].strip()
    return name


def poster_names(attraction: Attraction) -> list[tuple[str, str]]:
    """(locale, name) pairs to print, distinct names only, Vietnamese and English first."""
    seen: set[str] = set()
    names: list[tuple[str, str]] = []
    vietnamese = attraction.name.get("vi", "").strip()
    for locale in (*POSTER_LOCALES, *SUPPORTED_LOCALES):
        name = _without_vietnamese(attraction.name.get(locale, "").strip(), vietnamese)
        if name and name not in seen:
            seen.add(name)
            names.append((locale, name))
    return names[:MAX_POSTER_NAMES]


def qr_modules(url: str) -> tuple[int, list[tuple[int, int, int]]]:
    """The QR symbol's size in modules and its dark runs as (row, first column, length)."""
    matrix = [list(row) for row in segno.make(url, error="m").matrix_iter(scale=1, border=0)]
    runs: list[tuple[int, int, int]] = []
    for y, row in enumerate(matrix):
        x = 0
        while x < len(row):
            if row[x]:
                start = x
                while x < len(row) and row[x]:
                    x += 1
                runs.append((y, start, x - start))
            else:
                x += 1
    return len(matrix), runs


def _font_size(name: str, largest: float, width: float = 180.0) -> float:
    # CJK and Hangul glyphs are about one em wide, Latin about half: size the line to fit the width.
    ems = sum(1.0 if ord(ch) > 0x2E80 else 0.55 for ch in name)
    return round(min(largest, width / max(ems, 1.0)), 2)


def _name_lines(attraction: Attraction) -> Iterator[tuple[str, str, float, float]]:
    """(locale, name, font size in mm, baseline y) for each printed name."""
    y = 24.0
    for index, (locale, name) in enumerate(poster_names(attraction)):
        size = _font_size(name, 15.0 if index == 0 else 7.0)
        # The main name gets a little air below it before the translations.
        y += size * 1.25 + (4.0 if index == 1 else 0.0)
        yield locale, name, size, y


def poster_svg(attraction: Attraction, url: str) -> str:
    """An A4 SVG poster (millimetre units) for printing and signs."""
    size, runs = qr_modules(url)
    module = QR_SIZE / size
    qr_x, qr_y = (PAGE_W - QR_SIZE) / 2, QR_TOP
    path = "".join(
        f"M{qr_x + x * module:.3f} {qr_y + y * module:.3f}h{length * module:.3f}v{module:.3f}h-{length * module:.3f}z"
        for y, x, length in runs
    )
    parts = [
        '<svg xmlns="http://www.w3.org/2000/svg" width="210mm" height="297mm" viewBox="0 0 210 297">',
        f"<title>{escape(attraction.name.get('vi') or next(iter(attraction.name.values()), ''))}</title>",
        '<rect width="210" height="297" fill="#ffffff"/>',
        '<rect width="210" height="18" fill="#0b5e6b"/>',
        '<text x="105" y="11.5" font-size="6" text-anchor="middle" fill="#ffffff" '
        f'font-family="Noto Sans, DejaVu Sans, sans-serif">{escape(BAND_TEXT)}</text>',
        '<g font-family="Noto Sans, Noto Sans CJK SC, Noto Sans Arabic, DejaVu Sans, sans-serif" '
        'text-anchor="middle" fill="#102a2e">',
    ]
    first_locale = poster_names(attraction)[0][0] if attraction.name else ""
    for locale, name, font_size, y in _name_lines(attraction):
        direction = ' direction="rtl"' if is_rtl(locale) else ""
        weight = ' font-weight="700"' if locale == first_locale else ""
        parts.append(
            f'<text x="105" y="{y:.2f}" font-size="{font_size}" xml:lang={quoteattr(locale)}'
            f"{direction}{weight}>{escape(name)}</text>"
        )
    parts.append("</g>")
    quiet = module * 4
    parts.append(
        f'<rect x="{qr_x - quiet:.3f}" y="{qr_y - quiet:.3f}" width="{QR_SIZE + 2 * quiet:.3f}" '
        f'height="{QR_SIZE + 2 * quiet:.3f}" fill="#ffffff"/>'
    )
    parts.append(f'<path d="{path}" fill="#000000"/>')
    parts.append('<g font-family="Noto Sans, DejaVu Sans, sans-serif" text-anchor="middle" fill="#102a2e">')
    parts.append(f'<text x="105" y="262" font-size="5">{escape(CALL_TO_ACTION["vi"])}</text>')
    parts.append(f'<text x="105" y="270" font-size="5">{escape(CALL_TO_ACTION["en"])}</text>')
    parts.append(f'<text x="105" y="282" font-size="4" fill="#0b5e6b">{escape(url)}</text>')
    parts.append("</g></svg>")
    return "\n".join(parts)


def _first_existing(paths: tuple[str, ...]) -> str | None:
    return next((path for path in paths if Path(path).is_file()), None)


def poster_pdf(attraction: Attraction, url: str) -> bytes:
    """The same poster as an A4 PDF; names in scripts without an installed font are left out."""
    from fpdf import FPDF

    latin = _first_existing(FONT_CANDIDATES["latin"])
    if latin is None:
        raise Unavailable(
            "PDF posters need the Noto Sans or DejaVu Sans font on the server", code="poster_fonts_missing"
        )
    arabic = _first_existing(FONT_CANDIDATES["arabic"])
    cjk = _first_existing(FONT_CANDIDATES["cjk"])
    pdf = FPDF(orientation="portrait", unit="mm", format="A4")
    pdf.set_creator("Ninh Thuan Marketplace")
    pdf.set_title(attraction.name.get("vi") or attraction.slug)
    pdf.set_auto_page_break(False)
    pdf.add_page()
    pdf.add_font("latin", fname=latin)
    fonts = {"latin": "latin"}
    if arabic:
        pdf.add_font("arabic", fname=arabic)
        fonts["ar"] = "arabic"
    if cjk:
        for locale, index in CJK_FACE.items():
            pdf.add_font(f"cjk-{locale}", fname=cjk, collection_font_number=index)
            fonts[locale] = f"cjk-{locale}"
    pdf.set_text_shaping(True)
    pdf.set_fill_color(11, 94, 107)
    pdf.rect(0, 0, PAGE_W, 18, style="F")
    pdf.set_text_color(255, 255, 255)
    pdf.set_font("latin", size=6 / 0.3528)
    pdf.set_xy(10, 5)
    pdf.cell(w=PAGE_W - 20, h=8, text=BAND_TEXT, align="C")
    pdf.set_text_color(16, 42, 46)
    for locale, name, font_size, y in _name_lines(attraction):
        family = fonts.get(locale, "latin") if locale in ("ar", "ja", "ko", "zh") else "latin"
        if locale in ("ar", "ja", "ko", "zh") and locale not in fonts:
            continue  # no font for this script here: leave the line out rather than print boxes
        pdf.set_font(family, size=font_size / 0.3528)  # millimetres to points
        pdf.set_xy(15, y - font_size)
        pdf.cell(w=PAGE_W - 30, h=font_size * 1.2, text=name, align="C")
    size, runs = qr_modules(url)
    module = QR_SIZE / size
    qr_x, qr_y = (PAGE_W - QR_SIZE) / 2, QR_TOP
    pdf.set_fill_color(0, 0, 0)
    for y, x, length in runs:
        pdf.rect(qr_x + x * module, qr_y + y * module, length * module, module, style="F")
    pdf.set_font("latin", size=5 / 0.3528)
    for text, line_y in ((CALL_TO_ACTION["vi"], 258.0), (CALL_TO_ACTION["en"], 266.0)):
        pdf.set_xy(10, line_y)
        pdf.cell(w=PAGE_W - 20, h=6, text=text, align="C")
    pdf.set_font("latin", size=4 / 0.3528)
    pdf.set_text_color(11, 94, 107)
    pdf.set_xy(10, 278)
    pdf.cell(w=PAGE_W - 20, h=6, text=url, align="C")
    return bytes(pdf.output())
