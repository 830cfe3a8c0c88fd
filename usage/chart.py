"""A bar chart as plain geometry, for an SVG the server renders (no script, no inline style)."""

import math
from dataclasses import dataclass

WIDTH, HEIGHT = 720, 260
LEFT, RIGHT, TOP, BOTTOM = 64, 12, 16, 46


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str
    sublabel: str
    value: int
    current: bool

    @property
    def center(self) -> float:
        return self.x + self.width / 2


@dataclass(frozen=True)
class Tick:
    y: float
    value: int

    @property
    def label(self) -> str:
        return compact(self.value)


def compact(value: int) -> str:
    """1500 -> 1.5k, 2000000 -> 2M: axis labels that fit."""
    for size, suffix in ((1_000_000_000, "G"), (1_000_000, "M"), (1_000, "k")):
        if value >= size:
            return f"{value / size:.1f}".rstrip("0").rstrip(".") + suffix
    return str(value)


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    left: int
    right_edge: int
    baseline: float
    bars: list[Bar]
    ticks: list[Tick]
    limit_y: float | None
    limit: int


def nice_step(value: float) -> int:
    """The smallest round step (1, 1.5, 2, 2.5, 3, 4, 5, 6 or 8 times a power of ten) at least `value`."""
    if value <= 1:
        return 1
    magnitude = 1
    while magnitude * 10 < value:
        magnitude *= 10
    for step in (1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10):
        if step * magnitude >= value:
            return math.ceil(step * magnitude)
    return 10 * magnitude


def bar_chart(points: list[tuple[str, str, int, bool]], *, limit: int = 0) -> Chart:
    """`points` are (label, sublabel, value, highlighted). The limit line shows when usage nears it."""
    top = max((value for *_rest, value, _current in points), default=0)
    show_limit = limit > 0 and top >= limit / 2
    step = nice_step(max(top, limit if show_limit else 0, 4) / 4)
    scale_top = step * 4
    plot_height = HEIGHT - TOP - BOTTOM
    baseline = TOP + plot_height
    slot = (WIDTH - LEFT - RIGHT) / max(len(points), 1)
    bars = []
    for index, (label, sublabel, value, current) in enumerate(points):
        # A month with any use shows at least a sliver.
        height = max(plot_height * value / scale_top, 2 if value else 0)
        bars.append(
            Bar(
                x=round(LEFT + index * slot + slot * 0.18, 1),
                y=round(baseline - height, 1),
                width=round(slot * 0.64, 1),
                height=round(height, 1),
                label=label,
                sublabel=sublabel,
                value=value,
                current=current,
            )
        )
    ticks = [Tick(y=round(baseline - plot_height * i / 4, 1), value=step * i) for i in range(5)]
    limit_y = round(baseline - plot_height * limit / scale_top, 1) if show_limit else None
    return Chart(WIDTH, HEIGHT, LEFT, WIDTH - RIGHT, baseline, bars, ticks, limit_y, limit)
