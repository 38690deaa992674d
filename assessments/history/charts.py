"""A sparkline per dimension: how one risk score moved across a client's assessments.

Built on the helpers of ``assessments/results/charts.py`` (same escaping, rounding, font and
colours), so the page and a later PDF draw it alike.
"""

from collections.abc import Sequence

from ..results.charts import _SERIES, _check_score, _describe, _esc, _n, _points, _svg, level_colour


def sparkline_svg(
    scores: Sequence[int],
    *,
    label: str,
    level: str,
    width: int = 180,
    height: int = 40,
) -> str:
    """Scores 0–100 left (oldest) to right (this assessment); the last point in its level's
    colour with its value."""
    if not scores:
        raise ValueError("a sparkline needs at least one score")
    for score in scores:
        _check_score(score, "score")
    value_space = 28
    margin = 4
    plot_width = width - value_space - 2 * margin
    plot_height = height - 2 * margin
    step = plot_width / (len(scores) - 1) if len(scores) > 1 else 0
    points = [
        (margin + i * step, margin + plot_height * (1 - score / 100))
        for i, score in enumerate(scores)
    ]
    body = [
        f'<line x1="{margin}" y1="{_n(margin + plot_height / 2)}" x2="{_n(margin + plot_width)}" '
        f'y2="{_n(margin + plot_height / 2)}" stroke="#dde3e6" stroke-width="0.8"/>',
    ]
    if len(points) > 1:
        body.append(
            f'<polyline points="{_points(points)}" fill="none" stroke="{_SERIES}" '
            f'stroke-width="1.8" stroke-linejoin="round"/>'
        )
    for x, y in points[:-1]:
        body.append(f'<circle cx="{_n(x)}" cy="{_n(y)}" r="2" fill="{_SERIES}"/>')
    last_x, last_y = points[-1]
    body.append(
        f'<circle class="last level-{_esc(level)}" cx="{_n(last_x)}" cy="{_n(last_y)}" r="3.5" '
        f'fill="{level_colour(level)}"/>'
    )
    body.append(
        f'<text x="{_n(width - margin)}" y="{_n(height / 2 + 4)}" font-size="12" '
        f'font-weight="700" text-anchor="end" fill="#212121">{scores[-1]}</text>'
    )
    name = _describe(label, [(str(i + 1), s) for i, s in enumerate(scores)])
    return _svg(width, height, "trend", name, body)
