"""Bar charts drawn on the server as SVG: no JavaScript, printable, and each page puts a table beside each.

The SVG is decorative for screen readers (`aria-hidden`): the table next to it carries the same numbers.
Colours come from classes in province.css, since the pages' CSP forbids inline styles.
"""

from collections.abc import Callable, Sequence

from markupsafe import Markup, escape

__all__ = ["horizontal_bars", "vertical_bars"]

BAR = 18
GAP = 6
LABEL_WIDTH = 130
WIDTH = 360


def _scale(values: Sequence[float], room: float) -> Callable[[float], float]:
    top = max((value for value in values if value), default=0)
    return (lambda value: room * value / top) if top else (lambda value: 0.0)


def _short(text: str, limit: int = 20) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def horizontal_bars(items: Sequence[tuple[str, float]], shown: Callable[[float], str] = str) -> Markup:
    """One bar per (label, value), longest on the largest value; labels cut short (the table has them whole)."""
    height = len(items) * (BAR + GAP) + GAP
    scale = _scale([value for _, value in items], WIDTH - LABEL_WIDTH - 70)
    parts = [f'<svg class="chart" viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}" '
             'aria-hidden="true" focusable="false" xmlns="http://www.w3.org/2000/svg">']
    for index, (label, value) in enumerate(items):
        y = GAP + index * (BAR + GAP)
        length = scale(value or 0)
        parts.append(
            f'<text class="chart-label" x="0" y="{y + BAR - 5}">{escape(_short(label))}</text>'
            f'<rect class="chart-bar chart-bar-{index % 4}" x="{LABEL_WIDTH}" y="{y}" width="{length:.1f}" '
            f'height="{BAR}"></rect>'
            f'<text class="chart-value" x="{LABEL_WIDTH + length + 4:.1f}" y="{y + BAR - 5}">'
            f'{escape(shown(value or 0))}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def vertical_bars(items: Sequence[tuple[str, float]], shown: Callable[[float], str] = str) -> Markup:
    """One column per (label, value), as months over time."""
    height, base = 170, 140
    column = (WIDTH - GAP) / max(len(items), 1)
    scale = _scale([value for _, value in items], base - 20)
    parts = [f'<svg class="chart" viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}" '
             'aria-hidden="true" focusable="false" xmlns="http://www.w3.org/2000/svg">',
             f'<line class="chart-axis" x1="0" y1="{base}" x2="{WIDTH}" y2="{base}"></line>']
    for index, (label, value) in enumerate(items):
        x = GAP + index * column
        length = scale(value or 0)
        middle = x + (column - GAP) / 2
        parts.append(
            f'<rect class="chart-bar chart-bar-0" x="{x:.1f}" y="{base - length:.1f}" width="{column - GAP:.1f}" '
            f'height="{length:.1f}"></rect>'
            f'<text class="chart-value" x="{middle:.1f}" y="{base - length - 4:.1f}" text-anchor="middle">'
            f'{escape(shown(value or 0))}</text>'
            f'<text class="chart-label" x="{middle:.1f}" y="{base + 16}" text-anchor="middle">{escape(label)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))
