"""The frustration trajectory as inline SVG, for the context page (Baton's own page, where
SVG is allowed; Zendesk notes get the sparkline and the PNG instead)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC
from html import escape

from core.context.trajectory import BANDS, TrajectoryPoint, band

#: Band colours, calm to furious (also used by the PNG chart and the page's chips).
BAND_COLOURS = {
    "positive": "#2e7d32",
    "neutral": "#6b7280",
    "negative": "#d97706",
    "frustrated": "#ea580c",
    "angry": "#dc2626",
}


def colour(score: float) -> str:
    return BAND_COLOURS[band(score)]


def trajectory_svg(points: Sequence[TrajectoryPoint], width: int = 640, height: int = 200) -> str:
    """A line over the customer's messages on a fixed 0..1 scale, bands shaded."""
    left, right, top, bottom = 44, 16, 14, 30
    plot_w, plot_h = width - left - right, height - top - bottom

    def y(score: float) -> float:
        return top + (1 - score) * plot_h

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="100%" role="img" aria-label="Customer frustration per message">',
        "<title>Customer frustration per message (0 calm, 1 furious)</title>",
    ]
    lower = 0.0
    for upper, name in BANDS:
        upper = min(upper, 1.0)
        parts.append(
            f'<rect x="{left}" y="{y(upper):.1f}" width="{plot_w}" '
            f'height="{y(lower) - y(upper):.1f}" fill="{BAND_COLOURS[name]}" opacity="0.07"/>'
        )
        lower = upper
    for tick in (0.0, 0.5, 1.0):
        parts.append(
            f'<line x1="{left}" x2="{left + plot_w}" y1="{y(tick):.1f}" y2="{y(tick):.1f}" '
            'stroke="#d1d5db" stroke-width="1"/>'
            f'<text x="{left - 8}" y="{y(tick) + 4:.1f}" text-anchor="end" '
            f'font-size="11" fill="#6b7280">{tick:.1f}</text>'
        )
    if not points:
        parts.append(
            f'<text x="{left + plot_w / 2}" y="{top + plot_h / 2}" text-anchor="middle" '
            'font-size="13" fill="#6b7280">No sentiment scores</text></svg>'
        )
        return "".join(parts)
    step = plot_w / max(len(points) - 1, 1)
    xs = [left + (i * step if len(points) > 1 else plot_w / 2) for i in range(len(points))]
    path = " ".join(
        f"{'M' if i == 0 else 'L'}{x:.1f},{y(p.score):.1f}"
        for i, (x, p) in enumerate(zip(xs, points, strict=True))
    )
    parts.append(f'<path d="{path}" fill="none" stroke="#374151" stroke-width="2"/>')
    for x, p in zip(xs, points, strict=True):
        label = escape(f"{p.at.astimezone(UTC):%H:%M} — {p.score:.2f} ({band(p.score)})")
        parts.append(
            f'<circle cx="{x:.1f}" cy="{y(p.score):.1f}" r="5" fill="{colour(p.score)}" '
            f'stroke="#fff" stroke-width="1.5"><title>{label}</title></circle>'
        )
    every = max(1, len(points) // 8)
    for i, (x, p) in enumerate(zip(xs, points, strict=True)):
        if i % every == 0 or i == len(points) - 1:
            parts.append(
                f'<text x="{x:.1f}" y="{height - 10}" text-anchor="middle" font-size="11" '
                f'fill="#6b7280">{p.at.astimezone(UTC):%H:%M}</text>'
            )
    parts.append("</svg>")
    return "".join(parts)
