"""Geometry for the server-rendered SVG charts: plain numbers for the templates to draw.

Charts are drawn on the server so that pages work without JavaScript and offline.
"""

from __future__ import annotations

from collections.abc import Sequence


def bar_chart(values: Sequence[float], *, width: int = 720, height: int = 200,
              gap: float = 0.2) -> dict:
    """Bars for ``values`` scaled to the tallest one (negative values draw as zero).

    Returns:
        ``{"width", "height", "bars": [{"x", "y", "w", "h", "index"}]}``, in SVG user units.
    """
    n = len(values)
    if n == 0:
        return {"width": width, "height": height, "bars": []}
    peak = max(max(values), 0) or 1.0
    slot = width / n
    bar_w = slot * (1 - gap)
    bars = []
    for i, value in enumerate(values):
        h = max(value, 0) / peak * (height - 10)
        bars.append({"x": round(i * slot + slot * gap / 2, 2), "y": round(height - h, 2),
                     "w": round(bar_w, 2), "h": round(h, 2), "index": i})
    return {"width": width, "height": height, "bars": bars}


def pareto_chart(curve: Sequence[tuple[float, float]], *, width: int = 720, height: int = 220,
                 threshold: float = 0.8) -> dict:
    """The cumulative value curve over accounts sorted by value, as an SVG polyline.

    Args:
        curve: (share of accounts, cumulative share of value) points, both 0..1, in order.
        threshold: the Pareto line (0.8 = 80%).

    Returns:
        ``{"width", "height", "points" (a polyline string), "threshold_y", "core_x"}``
        where ``core_x`` is where the curve first reaches the threshold.
    """
    if not curve:
        return {"width": width, "height": height, "points": "", "threshold_y": 0, "core_x": 0}
    points = [f"0,{height}"]
    core_x = float(width)
    for x_share, y_share in curve:
        x = x_share * width
        points.append(f"{x:.1f},{height - y_share * height:.1f}")
        if y_share >= threshold and core_x == width:
            core_x = x
    return {"width": width, "height": height, "points": " ".join(points),
            "threshold_y": round(height - threshold * height, 1), "core_x": round(core_x, 1)}
