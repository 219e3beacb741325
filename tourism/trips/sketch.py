"""A small sketch of a day plan: the stops projected from latitude and longitude onto an SVG canvas.

The projection is equirectangular around the stops' middle latitude (longitudes shrunk by its cosine), which
is exact enough for a day's trip within one province; north is up and east is right in every language, so
the drawing is never mirrored for right-to-left pages (only its text follows the page's direction).
"""

import math

import msgspec

from tourism.trips.models import TripPlan

__all__ = ["SketchPoint", "SketchLine", "Sketch", "sketch_plan"]

# About half the size of a distance label ("12.5 km" at 11px) on the canvas, to keep it clear of its line.
LABEL_HALF_WIDTH = 24
LABEL_HALF_HEIGHT = 8


class SketchPoint(msgspec.Struct, frozen=True, kw_only=True):
    """A stop (numbered in visiting order) or the start point (number 0) on the canvas."""

    number: int
    x: float
    y: float
    document_id: str = ""


class SketchLine(msgspec.Struct, frozen=True, kw_only=True):
    """A leg between two points, with where its distance label goes (its middle)."""

    x1: float
    y1: float
    x2: float
    y2: float
    label_x: float
    label_y: float
    distance_m: float


class Sketch(msgspec.Struct, frozen=True, kw_only=True):
    """What the template draws: the canvas size, the points and the legs."""

    width: int
    height: int
    points: list[SketchPoint]
    lines: list[SketchLine]


def _fit(
    coordinates: list[tuple[float, float]], width: int, height: int, margin: int
) -> list[tuple[float, float]]:
    """Canvas positions for (lat, lng) pairs, scaled to fit the canvas with the same scale on both axes."""
    middle_lat = math.radians(sum(lat for lat, _ in coordinates) / len(coordinates))
    flat = [(lng * math.cos(middle_lat), -lat) for lat, lng in coordinates]
    min_x, max_x = min(x for x, _ in flat), max(x for x, _ in flat)
    min_y, max_y = min(y for _, y in flat), max(y for _, y in flat)
    span_x, span_y = max_x - min_x, max_y - min_y
    inner_w, inner_h = width - 2 * margin, height - 2 * margin
    scale = min(inner_w / span_x if span_x else math.inf, inner_h / span_y if span_y else math.inf)
    if math.isinf(scale):  # one place only (or every stop at the same point): draw it in the middle
        scale = 0.0
    # Centre the drawing: the unused space on the narrower axis is shared on both sides.
    offset_x = margin + (inner_w - span_x * scale) / 2
    offset_y = margin + (inner_h - span_y * scale) / 2
    return [(round(offset_x + (x - min_x) * scale, 1), round(offset_y + (y - min_y) * scale, 1)) for x, y in flat]


def sketch_plan(
    plan: TripPlan, origin: tuple[float, float] | None = None, *, width: int = 320, height: int = 240, margin: int = 28
) -> Sketch | None:
    """The sketch of a plan, from `origin` (a typed start point) when given; None for a plan without stops."""
    if not plan.stops:
        return None
    coordinates = ([origin] if origin else []) + [(item.stop.lat, item.stop.lng) for item in plan.stops]
    positions = _fit(coordinates, width, height, margin)
    points = [SketchPoint(number=0, x=positions[0][0], y=positions[0][1])] if origin else []
    stop_positions = positions[1:] if origin else positions
    points += [
        SketchPoint(number=number, x=x, y=y, document_id=item.stop.document_id)
        for number, (item, (x, y)) in enumerate(zip(plan.stops, stop_positions, strict=True), start=1)
    ]
    legs = zip(points[:-1], points[1:], plan.stops[1:] if not origin else plan.stops, strict=True)
    lines = [_line(start, end, item.distance_m, width, height) for start, end, item in legs]
    return Sketch(width=width, height=height, points=points, lines=lines)


def _line(start: SketchPoint, end: SketchPoint, distance: float, width: int, height: int) -> SketchLine:
    """A leg with its label beside its middle, off the line: centred text (so it reads the same in both
    directions) moved along the perpendicular, further sideways than up, as a label is wider than tall."""
    dx, dy = end.x - start.x, end.y - start.y
    length = math.hypot(dx, dy) or 1.0
    across_x, across_y = -dy / length, dx / length
    shift = abs(across_x) * LABEL_HALF_WIDTH + abs(across_y) * LABEL_HALF_HEIGHT
    label_x = min(max((start.x + end.x) / 2 + across_x * shift, LABEL_HALF_WIDTH), width - LABEL_HALF_WIDTH)
    label_y = min(max((start.y + end.y) / 2 + across_y * shift, LABEL_HALF_HEIGHT * 2), height - LABEL_HALF_HEIGHT)
    return SketchLine(x1=start.x, y1=start.y, x2=end.x, y2=end.y, label_x=round(label_x, 1),
                      label_y=round(label_y, 1), distance_m=distance)
