"""The trajectory chart: a PNG for the ticket (Pillow), SVG for the page, a sparkline for the
note; all on a fixed 0..1 scale."""

from __future__ import annotations

import io
from datetime import timedelta

from PIL import Image

from core.context.svg import trajectory_svg
from core.context.trajectory import Direction, TrajectoryPoint, band, sparkline, trend
from render.charts import trajectory_png
from tests.context.helpers import T0


def points(*scores: float) -> list[TrajectoryPoint]:
    return [TrajectoryPoint(f"m{i}", T0 + timedelta(minutes=i), s) for i, s in enumerate(scores)]


class TestPng:
    def test_a_png_of_the_documented_size(self) -> None:
        data = trajectory_png(points(0.1, 0.4, 0.9))
        image = Image.open(io.BytesIO(data))
        assert image.format == "PNG"
        assert image.size == (720, 260)

    def test_the_same_points_give_the_same_bytes(self) -> None:
        assert trajectory_png(points(0.1, 0.9)) == trajectory_png(points(0.1, 0.9))

    def test_different_points_give_a_different_picture(self) -> None:
        assert trajectory_png(points(0.1, 0.9)) != trajectory_png(points(0.9, 0.1))

    def test_the_dots_carry_the_band_colours(self) -> None:
        image = Image.open(io.BytesIO(trajectory_png(points(0.05, 0.95)))).convert("RGB")
        colours = {c for _, c in image.getcolors(1 << 20) or []}
        near = lambda target: any(  # noqa: E731
            sum(abs(a - b) for a, b in zip(c, target, strict=True)) < 30 for c in colours
        )
        assert near((0x2E, 0x7D, 0x32))  # calm green
        assert near((0xDC, 0x26, 0x26))  # angry red

    def test_empty_points_still_render(self) -> None:
        assert trajectory_png([]).startswith(b"\x89PNG")

    def test_small_enough_to_attach(self) -> None:
        assert len(trajectory_png(points(*[i / 20 for i in range(20)]))) < 100_000


class TestSvgAndSparkline:
    def test_one_dot_per_message(self) -> None:
        svg = trajectory_svg(points(0.1, 0.5, 0.9))
        assert svg.startswith("<svg")
        assert svg.endswith("</svg>")
        assert svg.count("<circle") == 3
        assert "10:02 — 0.90 (angry)" in svg

    def test_no_points(self) -> None:
        assert "No sentiment scores" in trajectory_svg([])

    def test_sparkline_uses_a_fixed_scale(self) -> None:
        assert sparkline([0.0, 0.5, 1.0]) == "▁▅█"
        assert sparkline([0.2, 0.2]) == "▂▂"

    def test_trend_and_bands(self) -> None:
        assert trend(points(0.1, 0.3, 0.8)).direction is Direction.RISING
        assert trend(points(0.8, 0.2)).direction is Direction.FALLING
        assert trend(points(0.5, 0.55)).direction is Direction.STEADY
        assert trend(points(0.5)).direction is Direction.UNKNOWN
        assert [band(s) for s in (0.0, 0.2, 0.5, 0.7, 0.9, 1.0)] == [
            "positive",
            "neutral",
            "negative",
            "frustrated",
            "angry",
            "angry",
        ]
