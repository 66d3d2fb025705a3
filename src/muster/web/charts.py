"""Charts drawn on the server as SVG: no script, no chart library, every chart paired with a
table of the same figures (WCAG 1.1.1) and described in its title and description."""

from __future__ import annotations

from dataclasses import dataclass

from muster.registers.reports import TARGETS

WIDTH, HEIGHT = 720, 300
LEFT, RIGHT, TOP, BOTTOM = 56, 96, 16, 40


@dataclass(frozen=True)
class Line:
    y: float
    label: str
    css: str


@dataclass(frozen=True)
class Tick:
    at: float
    label: str


@dataclass(frozen=True)
class TrendChart:
    width: int
    height: int
    points: str
    """The polyline's points, "x,y x,y ..."."""
    dots: list[tuple[float, float]]
    targets: list[Line]
    y_ticks: list[Tick]
    x_ticks: list[Tick]
    plot_left: int
    plot_right: int
    plot_bottom: int
    description: str


def trend_chart(points, *, value=lambda p: p.year_pct) -> TrendChart | None:
    """Year-to-date attendance per week against the 90% and 95% lines (reports.TARGETS)."""
    values = [(p.week_ending, value(p)) for p in points if value(p) is not None]
    if not values:
        return None
    floor = min(min(v for _, v in values), 80.0)
    floor = max(0.0, (floor // 10) * 10)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def y(v: float) -> float:
        return round(TOP + plot_h * (100 - v) / (100 - floor), 1)

    def x(i: int) -> float:
        return round(LEFT + (plot_w * i / (len(values) - 1) if len(values) > 1 else plot_w / 2), 1)

    dots = [(x(i), y(v)) for i, (_, v) in enumerate(values)]
    step = 10 if 100 - floor > 30 else 5
    y_ticks = [Tick(y(v), f"{v:g}%") for v in range(int(floor), 101, step)]
    x_ticks, month = [], None
    for i, (day, _) in enumerate(values):
        if day.month != month:
            month = day.month
            x_ticks.append(Tick(x(i), day.strftime("%b")))
    targets = [
        Line(y(float(t * 100)), f"{name}% target", f"target-{name}") for name, t in TARGETS.items()
    ]
    last_day, last = values[-1]
    lowest = min(values, key=lambda item: item[1])
    description = (
        f"Attendance so far this year, week by week, from {values[0][0]:%d %B %Y} to "
        f"{last_day:%d %B %Y}: {last:g}% at the latest week, lowest {lowest[1]:g}% in the week "
        f"ending {lowest[0]:%d %B %Y}. Dashed lines mark 90% and 95%."
    )
    return TrendChart(
        WIDTH, HEIGHT, " ".join(f"{a},{b}" for a, b in dots), dots, targets, y_ticks, x_ticks,
        LEFT, WIDTH - RIGHT, HEIGHT - BOTTOM, description,
    )
