"""Small inline SVG charts, drawn here: a bar chart and a line chart.

Hand-written rather than a plotting library: two chart kinds of a few dozen lines need
no dependency, render on the server with no internet, embed in a mailed HTML file as
they are, and are readable by screen readers (a title and a table beside each chart).
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

__all__ = ["bars", "line"]

_BAR_H, _GAP, _LABEL_W, _WIDTH = 18, 6, 190, 560
_COLOURS = ("#2f6f9f", "#c8553d", "#6a994e", "#8e7dbe")


def bars(title: str, rows: Sequence[tuple[str, Sequence[int]]], legend: Sequence[str]) -> str:
    """Horizontal stacked bars: one row per label, one segment per series."""
    if not rows:
        return ""
    top = max(sum(values) for _, values in rows) or 1
    scale = (_WIDTH - _LABEL_W - 50) / top
    height = len(rows) * (_BAR_H + _GAP) + 30
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" class="chart" '
        f'viewBox="0 0 {_WIDTH} {height}" width="{_WIDTH}" height="{height}">',
        f"<title>{escape(title)}</title>",
    ]
    for i, (label, values) in enumerate(rows):
        y = i * (_BAR_H + _GAP)
        parts.append(
            f'<text x="{_LABEL_W - 6}" y="{y + 13}" text-anchor="end" '
            f'font-size="12">{escape(label[:32])}</text>'
        )
        x = float(_LABEL_W)
        for j, value in enumerate(values):
            w = value * scale
            if w:
                parts.append(
                    f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="{_BAR_H}" '
                    f'fill="{_COLOURS[j % len(_COLOURS)]}"><title>{escape(legend[j])}: '
                    f"{value}</title></rect>"
                )
            x += w
        parts.append(f'<text x="{x + 4:.1f}" y="{y + 13}" font-size="12">{sum(values)}</text>')
    y = len(rows) * (_BAR_H + _GAP) + 8
    for j, name in enumerate(legend if len(legend) > 1 else ()):
        x = _LABEL_W + j * 120
        parts.append(
            f'<rect x="{x}" y="{y}" width="10" height="10" fill="{_COLOURS[j % len(_COLOURS)]}"/>'
            f'<text x="{x + 14}" y="{y + 9}" font-size="11">{escape(name)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def line(title: str, points: Sequence[tuple[str, float]], unit: str = "%") -> str:
    """A line over labelled points (e.g. the fallback rate per week, in percent)."""
    if not points:
        return ""
    width, height, left, bottom = _WIDTH, 200, 40, 30
    top = max(1.0, *(v for _, v in points))
    step = (width - left - 20) / max(len(points) - 1, 1)

    def xy(i: int, v: float) -> tuple[float, float]:
        return left + i * step, height - bottom - v / top * (height - bottom - 20)

    coords = [xy(i, v) for i, (_, v) in enumerate(points)]
    path = " ".join(f"{x:.1f},{y:.1f}" for x, y in coords)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" class="chart" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}">',
        f"<title>{escape(title)}</title>",
        f'<line x1="{left}" y1="{height - bottom}" x2="{width - 10}" y2="{height - bottom}" '
        f'stroke="#999"/>',
        f'<text x="4" y="24" font-size="11">{top:.0f}{escape(unit)}</text>',
        f'<polyline points="{path}" fill="none" stroke="{_COLOURS[1]}" stroke-width="2"/>',
    ]
    for (label, value), (x, y) in zip(points, coords, strict=True):
        parts.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{_COLOURS[1]}">'
            f"<title>{escape(label)}: {value:.1f}{escape(unit)}</title></circle>"
            f'<text x="{x:.1f}" y="{height - 10}" text-anchor="middle" '
            f'font-size="10">{escape(label)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)
