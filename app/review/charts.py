"""Review mode's pictures as SVG: the salary band position and the analytics charts.

Each chart carries its own white card and dark ink, so it reads the same in the light and the dark theme, and
declares its natural size (the element showing it never stretches it past that, only shrinks it to fit).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from html import escape

INK, MUTED, CARD, BORDER = "#1a1a1a", "#555555", "#ffffff", "#d0d7de"
BAND_FILL, BAND_EDGE = "#dbe7f5", "#4a6f9c"
CURRENT, REQUESTED = "#1b5e20", "#b71c1c"
BAR, BAR_LIGHT = "#2f5d8a", "#9fbbd9"
FONT = "font-family='DejaVu Sans, Arial, sans-serif'"


@dataclass(frozen=True)
class Svg:
    text: str
    width: int
    height: int


@dataclass(frozen=True)
class BandPoints:
    minimum: Decimal
    midpoint: Decimal
    maximum: Decimal
    current: Decimal
    requested: Decimal | None = None


@dataclass(frozen=True)
class Bar:
    value: float
    text: str  # written after the bar ("2.5 h", "40 %")
    light: bool = False  # the second bar of a pair (p95 beside p50)


@dataclass(frozen=True)
class BarRow:
    label: str
    bars: tuple[Bar, ...]


def _card(width: int, height: int, title: str, body: list[str]) -> Svg:
    head = [
        f"<svg xmlns='http://www.w3.org/2000/svg' width='{width}' height='{height}' viewBox='0 0 {width} {height}' "
        f"role='img' {FONT}>",
        f"<title>{escape(title)}</title>",
        f"<rect x='0.5' y='0.5' width='{width - 1}' height='{height - 1}' rx='8' fill='{CARD}' stroke='{BORDER}'/>",
        f"<text x='16' y='26' font-size='15' font-weight='bold' fill='{INK}'>{escape(title)}</text>",
    ]
    return Svg("".join([*head, *body, "</svg>"]), width, height)


def _text(x: float, y: float, text: str, *, colour: str = INK, size: int = 13, anchor: str = "middle") -> str:
    return (
        f"<text x='{x:.1f}' y='{y:.1f}' font-size='{size}' text-anchor='{anchor}' fill='{colour}'>{escape(text)}</text>"
    )


def band_chart(points: BandPoints, money: Callable[[Decimal], str], width: int = 640) -> Svg:
    """The band from minimum to maximum with its midpoint, and where the current and requested base sit."""
    values = [points.minimum, points.maximum, points.current] + ([points.requested] if points.requested else [])
    low, high = min(values), max(values)
    margin = (high - low) * Decimal("0.06") or Decimal(1)
    low, high, left, right = low - margin, high + margin, 24, width - 24
    height, bar_y = (190 if points.requested else 160), 78

    def x(value: Decimal) -> float:
        return left + float((value - low) / (high - low)) * (right - left)

    def anchored(value: Decimal) -> tuple[float, str]:
        at = x(value)
        return at, "start" if at < left + 70 else "end" if at > right - 70 else "middle"

    body = [
        f"<rect x='{x(points.minimum):.1f}' y='{bar_y}' width='{x(points.maximum) - x(points.minimum):.1f}' "
        f"height='20' rx='4' fill='{BAND_FILL}' stroke='{BAND_EDGE}'/>",
        f"<line x1='{x(points.midpoint):.1f}' y1='{bar_y - 6}' x2='{x(points.midpoint):.1f}' y2='{bar_y + 26}' "
        f"stroke='{BAND_EDGE}' stroke-width='2' stroke-dasharray='4,3'/>",
    ]
    for value, label, y in (
        (points.minimum, "Min", bar_y - 10),
        (points.maximum, "Max", bar_y - 10),
        (points.midpoint, "Midpoint", bar_y - 26),
    ):
        at, anchor = anchored(value)
        body.append(_text(at, y, f"{label} {money(value)}", colour=MUTED, size=12, anchor=anchor))
    markers = [(points.current, "Current", CURRENT, bar_y + 52)]
    if points.requested is not None:
        markers.append((points.requested, "Requested", REQUESTED, bar_y + 80))
    for value, label, colour, y in markers:
        at, anchor = anchored(value)
        body.append(
            f"<line x1='{at:.1f}' y1='{bar_y - 4}' x2='{at:.1f}' y2='{y - 14}' stroke='{colour}' stroke-width='3'/>"
        )
        body.append(_text(at, y, f"{label} {money(value)}", colour=colour, anchor=anchor))
    return _card(width, height, "Salary band position", body)


def bar_chart(
    title: str,
    rows: Sequence[BarRow],
    legend: Sequence[tuple[str, bool]] = (),
    *,
    full_scale: float | None = None,
    width: int = 640,
) -> Svg:
    """Horizontal bars, one group per row, scaled to `full_scale` (100 for percentages) or else to the largest
    value; an empty chart says there is no data."""
    label_width, text_width, bar_height = 220, 90, 16
    group = bar_height * max((len(r.bars) for r in rows), default=1) + 14
    top = 44 + (22 if legend else 0)
    height = top + max(len(rows), 1) * group + 12
    body: list[str] = []
    for n, (name, light) in enumerate(legend):
        body += [
            f"<rect x='{16 + n * 150}' y='38' width='14' height='14' fill='{BAR_LIGHT if light else BAR}'/>",
            _text(36 + n * 150, 50, name, colour=MUTED, size=12, anchor="start"),
        ]
    largest = full_scale or max((b.value for r in rows for b in r.bars), default=0.0)
    if not rows or largest <= 0:
        body.append(_text(16, top + 16, "No data yet.", colour=MUTED, anchor="start"))
        return _card(width, max(height, top + 30), title, body)
    span = width - label_width - text_width - 24
    for index, row in enumerate(rows):
        y = top + index * group
        body.append(_text(16, y + bar_height - 3, row.label, size=12, anchor="start"))
        for n, bar in enumerate(row.bars):
            length = max(bar.value / largest * span, 2.0)
            bar_top = y + n * bar_height
            body.append(
                f"<rect x='{label_width}' y='{bar_top}' width='{length:.1f}' height='{bar_height - 3}' "
                f"fill='{BAR_LIGHT if bar.light else BAR}'/>"
            )
            body.append(_text(label_width + length + 6, bar_top + bar_height - 4, bar.text, size=12, anchor="start"))
    return _card(width, height, title, body)
