"""The customer's frustration per message as a PNG, attached to the Zendesk ticket.

Drawn with Pillow at twice the size and reduced (anti-aliasing), with Pillow's
bundled font, so the bytes are the same on every machine for the same points.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import UTC

from PIL import Image, ImageDraw, ImageFont

from core.context.svg import BAND_COLOURS, colour
from core.context.trajectory import BANDS, TrajectoryPoint, band

WIDTH, HEIGHT = 720, 260
_SCALE = 2


def _rgb(hex_colour: str) -> tuple[int, int, int]:
    value = hex_colour.lstrip("#")
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


def _tint(hex_colour: str, amount: float) -> tuple[int, int, int]:
    """``hex_colour`` mixed into white (``amount`` of the colour)."""
    r, g, b = _rgb(hex_colour)
    return tuple(round(255 - (255 - c) * amount) for c in (r, g, b))  # type: ignore[return-value]


def trajectory_png(
    points: Sequence[TrajectoryPoint], width: int = WIDTH, height: int = HEIGHT
) -> bytes:
    """PNG bytes: one dot per customer message, 0 (calm) to 1 (furious), bands shaded."""
    s = _SCALE
    img = Image.new("RGB", (width * s, height * s), "white")
    draw = ImageDraw.Draw(img)
    font = ImageFont.load_default(size=12 * s)
    title_font = ImageFont.load_default(size=14 * s)
    left, right, top, bottom = 52 * s, 20 * s, 40 * s, 34 * s
    plot_w, plot_h = width * s - left - right, height * s - top - bottom

    def y(score: float) -> float:
        return top + (1 - score) * plot_h

    title = "Customer frustration per message"
    if points:
        last = points[-1].score
        title += f", now {last:.2f} ({band(last)})"  # ASCII: the bundled font has no dashes
    draw.text((left, 12 * s), title, fill=(31, 41, 55), font=title_font)
    lower = 0.0
    for upper, name in BANDS:
        upper = min(upper, 1.0)
        draw.rectangle(
            (left, y(upper), left + plot_w, y(lower)), fill=_tint(BAND_COLOURS[name], 0.10)
        )
        lower = upper
    for tick in (0.0, 0.25, 0.5, 0.75, 1.0):
        draw.line((left, y(tick), left + plot_w, y(tick)), fill=(209, 213, 219), width=s)
        draw.text(
            (left - 8 * s, y(tick)), f"{tick:.2f}", fill=(107, 114, 128), font=font, anchor="rm"
        )
    draw.text((left + 6 * s, top + 4 * s), "furious", fill=(156, 163, 175), font=font)
    draw.text((left + 6 * s, y(0) - 4 * s), "calm", fill=(156, 163, 175), font=font, anchor="lb")
    if not points:
        draw.text(
            (left + plot_w / 2, top + plot_h / 2),
            "No sentiment scores",
            fill=(107, 114, 128),
            font=title_font,
            anchor="mm",
        )
    else:
        step = plot_w / max(len(points) - 1, 1)
        xs = [left + (i * step if len(points) > 1 else plot_w / 2) for i in range(len(points))]
        coords = [(x, y(p.score)) for x, p in zip(xs, points, strict=True)]
        if len(coords) > 1:
            draw.line(coords, fill=(55, 65, 81), width=3 * s, joint="curve")
        radius = 6 * s
        for (x, cy), p in zip(coords, points, strict=True):
            draw.ellipse(
                (x - radius, cy - radius, x + radius, cy + radius),
                fill=_rgb(colour(p.score)),
                outline="white",
                width=2 * s,
            )
        every = max(1, len(points) // 8)
        for i, (x, p) in enumerate(zip(xs, points, strict=True)):
            if i % every == 0 or i == len(points) - 1:
                draw.text(
                    (x, height * s - 10 * s),
                    f"{p.at.astimezone(UTC):%H:%M}",
                    fill=(107, 114, 128),
                    font=font,
                    anchor="ms",
                )
    # A box filter over each 2x2 block is the anti-aliasing; a quarter of a Lanczos
    # resize's cost, and PNG's default compression without the exhaustive ``optimize``
    # search (three times slower, for a larger file here): this runs on every handoff.
    out = img.reduce(s)
    buffer = io.BytesIO()
    out.save(buffer, format="PNG")
    return buffer.getvalue()
