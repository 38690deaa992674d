"""Inline SVG charts for the results page and the PDF report.

Plain functions from data to an SVG string: no I/O, no templates, no JavaScript. The same markup is
embedded in the HTML page and rendered by WeasyPrint, so it sticks to the SVG subset WeasyPrint
draws (no CSS, filters, gradients, ``<foreignObject>`` or external references).

Labels may come from user input, so every text goes through ``_esc``. Coordinates are rounded to one
decimal place, which keeps the output byte-for-byte stable for the same input.

Text cannot be measured here, so widths are estimated from the advance widths of Source Sans 3
(the font the page and the report embed), and labels are wrapped to two lines or shrunk to fit.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from html import escape

LEVEL_COLOURS = {
    "low": "#2e7d32",
    "medium": "#f9a825",
    "high": "#ef6c00",
    "critical": "#c62828",
}
UNKNOWN_LEVEL_COLOUR = "#757575"
FONT_FAMILY = "'Source Sans 3', sans-serif"

_TEXT = "#212121"
_MUTED = "#5f6b73"
_GRID = "#cfd8dc"
_TRACK = "#eef1f3"
_SERIES = "#0b5c7a"  # the logo's blue: the current assessment
_COMPARE = "#455a64"


@dataclass(frozen=True)
class ChartAxis:
    """One risk dimension as a chart shows it: a label, a score 0–100 and its risk level."""

    label: str
    score: int
    level: str

    def __post_init__(self) -> None:
        _check_score(self.score, "score")


def _check_score(value: object, name: str) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 100:
        raise ValueError(f"{name} must be an int from 0 to 100, got {value!r}")


def level_colour(level: str) -> str:
    return LEVEL_COLOURS.get(level, UNKNOWN_LEVEL_COLOUR)


# --- text --------------------------------------------------------------------------------------

# Advance widths (1/1000 em) of Source Sans 3 Regular for U+0020..U+007E, then _EXTRA_CHARS.
_ASCII_WIDTHS = (
    200, 289, 426, 497, 497, 824, 609, 249, 303, 303, 418, 497, 249, 311, 249, 350,
    497, 497, 497, 497, 497, 497, 497, 497, 497, 497, 249, 249, 497, 497, 497, 425,
    847, 543, 588, 571, 615, 527, 494, 617, 652, 263, 479, 579, 486, 727, 647, 664,
    566, 664, 569, 534, 536, 645, 515, 786, 513, 476, 539, 303, 350, 303, 497, 500,
    542, 504, 553, 456, 555, 496, 292, 504, 544, 246, 247, 495, 255, 829, 547, 542,
    555, 555, 347, 419, 338, 544, 467, 719, 446, 467, 425, 303, 241, 303, 497,
)  # fmt: skip
_EXTRA_CHARS = "äöüÄÖÜß€–—„“”‘’…·°§"
_EXTRA_WIDTHS = (
    504, 542, 544, 543, 664, 645, 576, 497, 480, 800, 426, 426, 426, 249, 249, 948, 249, 331, 497,
)  # fmt: skip
_CHAR_WIDTHS = {chr(32 + i): w for i, w in enumerate(_ASCII_WIDTHS)} | dict(
    zip(_EXTRA_CHARS, _EXTRA_WIDTHS, strict=True)
)
_UNKNOWN_CHAR_WIDTH = 600  # generous, as such characters come from a fallback font
_WEIGHT_FACTOR = {400: 1.0, 600: 1.04, 700: 1.08}
_ASCENT = 0.74  # of the font size, baseline to the top of capitals and ascenders
_DESCENT = 0.24
_LINE_HEIGHT = 1.15
_SHY = "\u00ad"


def _clean(text: str) -> str:
    """One line of printable text: XML-illegal characters dropped, whitespace collapsed."""
    text = "".join(
        ch
        for ch in str(text)
        if ch in "\t\n\r" or (" " <= ch < "\ud800") or ("\ue000" <= ch <= "\ufffd") or ch > "\uffff"
    )
    return " ".join(text.split())


def _esc(text: str) -> str:
    return escape(_clean(text), quote=True)


def text_width(text: str, font_size: float, weight: int = 400) -> float:
    """Estimated rendered width of ``text`` in Source Sans 3, in the units of ``font_size``."""
    units = sum(_CHAR_WIDTHS.get(ch, _UNKNOWN_CHAR_WIDTH) for ch in text if ch != _SHY)
    return units / 1000 * font_size * _WEIGHT_FACTOR.get(weight, 1.08)


def _two_line_splits(text: str) -> list[tuple[str, str]]:
    """Every way to break ``text`` into two lines: at spaces, after hyphens and slashes, and at
    soft hyphens (which then show as a hyphen)."""
    splits = []
    for i, ch in enumerate(text):
        if ch == " ":
            head, tail = text[:i], text[i + 1 :]
        elif ch in "-/" and 0 < i < len(text) - 1:
            head, tail = text[: i + 1], text[i + 1 :]
        elif ch == _SHY:
            head, tail = text[:i] + "-", text[i + 1 :]
        else:
            continue
        head, tail = head.replace(_SHY, "").strip(), tail.replace(_SHY, "").strip()
        if head and tail:
            splits.append((head, tail))
    return splits


def _lines_width(lines: Sequence[str], font_size: float, weight: int) -> float:
    return max(text_width(line, font_size, weight) for line in lines)


def _wrap(text: str, max_width: float, font_size: float, weight: int) -> list[str] | None:
    """One line if it fits, else the most balanced two lines that fit, else None."""
    if text_width(text, font_size, weight) <= max_width:
        return [text.replace(_SHY, "")]
    best: list[str] | None = None
    best_width = max_width
    for head, tail in _two_line_splits(text):
        width = _lines_width((head, tail), font_size, weight)
        if width <= best_width:
            best, best_width = [head, tail], width
    return best


def _cut_to_width(text: str, max_width: float, font_size: float, weight: int, end: str) -> str:
    while text and text_width(text + end, font_size, weight) > max_width:
        text = text[:-1]
    return text.rstrip() + end


def fit_text(
    text: str,
    max_width: float,
    font_size: float,
    *,
    min_font_size: float | None = None,
    weight: int = 400,
) -> tuple[list[str], float]:
    """Lines and font size so that ``text`` fits into ``max_width`` on at most two lines.

    Tries, in order: the given size on one or two lines; sizes shrinking in steps of 0.5 down to
    ``min_font_size`` (default 80 %); a hyphenated break inside a long word; cutting off with "…".
    The same few labels (dimension titles) are fitted on every results page and report: the
    answer is kept per arguments (a pure function; it cost about 40 % of a results page's chart).
    """
    lines, size = _fit_text(text, max_width, font_size, min_font_size, weight)
    return list(lines), size


@lru_cache(maxsize=1024)
def _fit_text(
    text: str, max_width: float, font_size: float, min_font_size: float | None, weight: int
) -> tuple[tuple[str, ...], float]:
    text = _clean(text)
    if not text:
        return ("",), font_size
    floor = min_font_size if min_font_size is not None else round(font_size * 0.8 * 2) / 2
    size = font_size
    while size >= floor - 1e-9:
        lines = _wrap(text, max_width, size, weight)
        if lines is not None:
            return tuple(lines), size
        size -= 0.5
    size = floor
    # A word too long even at the smallest size (German compounds): break inside it.
    head = _cut_to_width(text, max_width, size, weight, "-")
    if len(head) > 2 and " " not in head:
        tail = text[len(head) - 1 :].lstrip()
        if text_width(tail, size, weight) > max_width:
            tail = _cut_to_width(tail, max_width, size, weight, "…")
        return (head, tail), size
    lines = _wrap(_cut_to_width(text, max_width * 2, size, weight, "…"), max_width, size, weight)
    if lines is None:
        lines = [_cut_to_width(text, max_width, size, weight, "…")]
    return tuple(lines), size


# --- SVG helpers -------------------------------------------------------------------------------


def _n(value: float) -> str:
    """A coordinate rounded to one decimal, without a trailing ".0" or a negative zero."""
    rounded = round(value, 1)
    if rounded == int(rounded):
        return str(int(rounded))
    return f"{rounded:.1f}"


def _points(points: Sequence[tuple[float, float]]) -> str:
    return " ".join(f"{_n(x)},{_n(y)}" for x, y in points)


def _tint(colour: str, strength: float) -> str:
    """``colour`` mixed with white; used instead of opacity so overlapping fills stay exact."""
    channels = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    mixed = (round(255 - (255 - c) * strength) for c in channels)
    return "#" + "".join(f"{c:02x}" for c in mixed)


def _svg(width: float, height: float, kind: str, accessible_name: str, body: list[str]) -> str:
    name = _esc(accessible_name)
    return "\n".join(
        [
            f'<svg xmlns="http://www.w3.org/2000/svg" class="chart chart-{kind}" '
            f'viewBox="0 0 {_n(width)} {_n(height)}" width="{_n(width)}" height="{_n(height)}" '
            f'role="img" aria-label="{name}" font-family="{FONT_FAMILY}">',
            f"<title>{name}</title>",
            *body,
            "</svg>",
        ]
    )


def _text_block(
    lines: Sequence[str],
    x: float,
    first_baseline: float,
    font_size: float,
    *,
    anchor: str = "start",
    weight: int = 400,
    fill: str = _TEXT,
) -> str:
    attrs = f'font-size="{_n(font_size)}" text-anchor="{anchor}" fill="{fill}"'
    if weight != 400:
        attrs += f' font-weight="{weight}"'
    spans = []
    for i, line in enumerate(lines):
        y = first_baseline + i * font_size * _LINE_HEIGHT
        spans.append(f'<text x="{_n(x)}" y="{_n(y)}" {attrs}>{_esc(line)}</text>')
    return "".join(spans)


def _block_height(line_count: int, font_size: float) -> float:
    return (line_count - 1) * font_size * _LINE_HEIGHT + (_ASCENT + _DESCENT) * font_size


def _halo_text(text: str, x: float, y: float, font_size: float, fill: str) -> str:
    """Bold text with a white outline drawn underneath, readable over lines and fills."""
    common = (
        f'x="{_n(x)}" y="{_n(y)}" font-size="{_n(font_size)}" font-weight="700" '
        f'text-anchor="middle"'
    )
    return (
        f'<text {common} fill="#ffffff" stroke="#ffffff" stroke-width="3" '
        f'stroke-linejoin="round">{_esc(text)}</text>'
        f'<text {common} fill="{fill}">{_esc(text)}</text>'
    )


def _describe(title: str, items: Sequence[tuple[str, int]]) -> str:
    data = "; ".join(f"{_clean(label)}: {score}/100" for label, score in items)
    title = _clean(title)
    return f"{title}. {data}" if title else data


def _font_size(preferred: float, smallest: float, largest: float) -> float:
    """Text keeps a readable size whatever the chart's size, in steps of 0.5."""
    return round(min(largest, max(smallest, preferred)) * 2) / 2


# --- radar -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _PlacedLabel:
    lines: list[str]
    font_size: float
    x: float
    top: float  # relative to the centre
    anchor: str


def _place_radar_labels(
    axes: Sequence[ChartAxis], size: float, radius: float, font_size: float, gap: float
) -> tuple[list[_PlacedLabel], bool]:
    """Labels outside the outer ring for ``radius``, all at one font size; also whether that is
    the full size."""
    margin = size * 0.02
    half = size / 2
    slots = []
    for i in range(len(axes)):
        ux, uy = _unit(i, len(axes))
        px, py = (radius + gap) * ux, (radius + gap) * uy
        if abs(ux) < 0.3:
            anchor, available = "middle", size - 2 * margin
        elif ux > 0:
            anchor, available = "start", half - margin - px
        else:
            anchor, available = "end", half - margin + px
        slots.append((px, py, uy, anchor, max(available, font_size * 3)))
    shared = min(
        fit_text(axis.label, slot[4], font_size, weight=600)[1]
        for axis, slot in zip(axes, slots, strict=True)
    )
    placed = []
    for axis, (px, py, uy, anchor, available) in zip(axes, slots, strict=True):
        lines, fs = fit_text(axis.label, available, shared, min_font_size=shared, weight=600)
        height = _block_height(len(lines), fs)
        if uy < -0.5:
            top = py - height
        elif uy > 0.5:
            top = py
        else:
            top = py - height / 2
        placed.append(_PlacedLabel(lines, fs, px, top, anchor))
    return placed, shared == font_size


def _unit(index: int, count: int) -> tuple[float, float]:
    angle = -math.pi / 2 + 2 * math.pi * index / count
    return math.cos(angle), math.sin(angle)


def radar_svg(
    axes: list[ChartAxis],
    *,
    size: int = 360,
    compare: list[int] | None = None,
    title: str = "",
    current_label: str = "",
    compare_label: str = "",
) -> str:
    """Radar chart of risk scores (0 in the centre, 100 on the outer ring).

    ``compare`` draws a dashed polygon of earlier scores in the same axis order; with
    ``compare_label`` (and ``current_label``) a legend names both. ``size`` is the width; the
    height follows from the labels. ``title`` is the accessible name (not drawn).
    """
    if len(axes) < 3:
        raise ValueError("a radar chart needs at least three axes")
    if compare is not None:
        if len(compare) != len(axes):
            raise ValueError("compare needs one score per axis")
        for value in compare:
            _check_score(value, "compare score")

    font_size = _font_size(size / 30, 11, 13)
    gap = font_size * 0.8
    margin = size * 0.02
    # The largest radius at which every label fits at full size, within sensible bounds.
    radius = size * 0.34
    while True:
        labels, all_fit = _place_radar_labels(axes, size, radius, font_size, gap)
        if all_fit or radius <= size * 0.24:
            break
        radius -= size * 0.01

    top = min(-radius, *(label.top for label in labels)) - margin
    bottom = max(
        radius,
        *(label.top + _block_height(len(label.lines), label.font_size) for label in labels),
    )
    legend = bool(compare is not None and compare_label)
    height = bottom - top + margin + (font_size * 2 if legend else 0)
    cx, cy = size / 2, -top

    def at(index: int, value: float) -> tuple[float, float]:
        ux, uy = _unit(index, len(axes))
        return cx + radius * value / 100 * ux, cy + radius * value / 100 * uy

    count = len(axes)
    body = []
    # Rings, outermost first, each band tinted with the colour of its risk zone.
    for ring, level in ((100, "critical"), (75, "high"), (50, "medium"), (25, "low")):
        ring_points = _points([at(i, ring) for i in range(count)])
        body.append(
            f'<polygon points="{ring_points}" fill="{_tint(LEVEL_COLOURS[level], 0.1)}" '
            f'stroke="{_GRID}" stroke-width="0.8"/>'
        )
    for i in range(count):
        x, y = at(i, 100)
        body.append(
            f'<line x1="{_n(cx)}" y1="{_n(cy)}" x2="{_n(x)}" y2="{_n(y)}" '
            f'stroke="{_GRID}" stroke-width="0.8"/>'
        )
    # Ring values between the first two axes, where no score number sits.
    mid_angle = -math.pi / 2 + math.pi / count
    inset = math.cos(math.pi / count)
    for ring in (25, 50, 75, 100):
        distance = radius * ring / 100 * inset
        body.append(
            f'<text x="{_n(cx + distance * math.cos(mid_angle))}" '
            f'y="{_n(cy + distance * math.sin(mid_angle) + font_size * 0.25)}" '
            f'font-size="{_n(font_size * 0.7)}" text-anchor="middle" fill="#90a4ae">{ring}</text>'
        )

    if compare is not None:
        body.append(
            f'<polygon points="{_points([at(i, v) for i, v in enumerate(compare)])}" '
            f'fill="none" stroke="{_COMPARE}" stroke-width="1.5" stroke-dasharray="5 4" '
            f'stroke-linejoin="round"/>'
        )
    current = [at(i, axis.score) for i, axis in enumerate(axes)]
    body.append(
        f'<polygon points="{_points(current)}" fill="{_SERIES}" fill-opacity="0.16" '
        f'stroke="{_SERIES}" stroke-width="2" stroke-linejoin="round"/>'
    )
    number_size = font_size * 0.95
    for i, (axis, (x, y)) in enumerate(zip(axes, current, strict=True)):
        body.append(
            f'<circle cx="{_n(x)}" cy="{_n(y)}" r="{_n(font_size * 0.32)}" '
            f'fill="{level_colour(axis.level)}" stroke="#ffffff" stroke-width="1"/>'
        )
        # Outside the point, or inside it near the outer ring where the label is.
        ux, uy = _unit(i, count)
        offset = font_size * (1.0 if axis.score <= 80 else -1.1)
        nx, ny = x + offset * ux, y + offset * uy + number_size * 0.35
        body.append(_halo_text(str(axis.score), nx, ny, number_size, _TEXT))

    for label in labels:
        body.append(
            _text_block(
                label.lines,
                cx + label.x,
                cy + label.top + _ASCENT * label.font_size,
                label.font_size,
                anchor=label.anchor,
                weight=600,
            )
        )

    if legend:
        y = height - margin - font_size * 0.6
        items = [(current_label, f'stroke="{_SERIES}" stroke-width="2"')] if current_label else []
        items.append(
            (compare_label, f'stroke="{_COMPARE}" stroke-width="1.5" stroke-dasharray="5 4"')
        )
        widths = [font_size * 2.2 + text_width(_clean(t), font_size * 0.9) for t, _ in items]
        x = (size - sum(widths) - font_size * (len(items) - 1)) / 2
        for (text, stroke), width in zip(items, widths, strict=True):
            body.append(
                f'<line x1="{_n(x)}" y1="{_n(y)}" x2="{_n(x + font_size * 1.6)}" y2="{_n(y)}" '
                f"{stroke}/>"
            )
            body.append(
                _text_block(
                    [text], x + font_size * 2.2, y + font_size * 0.3, font_size * 0.9, fill=_MUTED
                )
            )
            x += width + font_size

    name = _describe(title, [(axis.label, axis.score) for axis in axes])
    return _svg(size, height, "radar", name, body)


# --- bars --------------------------------------------------------------------------------------


def bars_svg(bars: list[ChartAxis], *, width: int = 520, title: str = "") -> str:
    """Horizontal bars 0–100, coloured by risk level: label left, value right."""
    if not bars:
        raise ValueError("a bar chart needs at least one bar")
    font_size = _font_size(width / 40, 11, 13.5)
    margin = width * 0.01
    label_space = width * 0.36
    value_space = text_width("100", font_size, 700) + font_size * 0.6
    # One font size for all labels, the smallest any of them needs.
    shared = min(fit_text(bar.label, label_space, font_size)[1] for bar in bars)
    fitted = [fit_text(bar.label, label_space, shared, min_font_size=shared) for bar in bars]
    label_width = max(_lines_width(lines, fs, 400) for lines, fs in fitted)
    bar_x = margin + label_width + font_size * 0.9
    bar_width = width - margin - value_space - font_size * 0.6 - bar_x
    thickness = font_size * 1.05
    base_row = font_size * 2.3

    rows = []
    y = margin
    for lines, fs in fitted:
        row = max(base_row, _block_height(len(lines), fs) + font_size * 0.8)
        rows.append((y, row))
        y += row
    chart_bottom = y
    height = chart_bottom + font_size * 1.4 + margin

    body = []
    for top, row in rows:
        body.append(
            f'<rect x="{_n(bar_x)}" y="{_n(top + (row - thickness) / 2)}" '
            f'width="{_n(bar_width)}" height="{_n(thickness)}" rx="2" fill="{_TRACK}"/>'
        )
    for tick in (25, 50, 75):
        x = bar_x + bar_width * tick / 100
        body.append(
            f'<line x1="{_n(x)}" y1="{_n(margin)}" x2="{_n(x)}" y2="{_n(chart_bottom)}" '
            f'stroke="#dde3e6" stroke-width="0.8"/>'
        )
    for tick in (0, 25, 50, 75, 100):
        x = bar_x + bar_width * tick / 100
        body.append(
            f'<text x="{_n(x)}" y="{_n(chart_bottom + font_size * 1.05)}" '
            f'font-size="{_n(font_size * 0.75)}" text-anchor="middle" fill="#90a4ae">{tick}</text>'
        )
    for (top, row), bar, (lines, fs) in zip(rows, bars, fitted, strict=True):
        middle = top + row / 2
        bar_length = bar_width * bar.score / 100
        body.append(
            f'<rect class="bar bar-{_esc(bar.level)}" data-score="{bar.score}" '
            f'x="{_n(bar_x)}" y="{_n(middle - thickness / 2)}" width="{_n(bar_length)}" '
            f'height="{_n(thickness)}" rx="2" fill="{level_colour(bar.level)}"/>'
        )
        first = middle - _block_height(len(lines), fs) / 2 + _ASCENT * fs
        body.append(_text_block(lines, margin, first, fs))
        body.append(
            _text_block(
                [str(bar.score)],
                width - margin,
                middle + font_size * 0.36,
                font_size,
                anchor="end",
                weight=700,
            )
        )
    name = _describe(title, [(bar.label, bar.score) for bar in bars])
    return _svg(width, height, "bars", name, body)


# --- gauge -------------------------------------------------------------------------------------


def gauge_svg(value: int, level: str, label: str, *, size: int = 160) -> str:
    """Half-circle gauge for the readiness score (higher is better), coloured by ``level``."""
    _check_score(value, "value")
    margin = size * 0.03
    stroke = size * 0.11
    radius = (size - 2 * margin - stroke) / 2
    cx, cy = size / 2, margin + stroke / 2 + radius
    small = _font_size(size * 0.075, 9, 13)

    def point(fraction: float) -> tuple[float, float]:
        angle = math.pi * (1 - fraction)
        return cx + radius * math.cos(angle), cy - radius * math.sin(angle)

    def arc(fraction: float, colour: str) -> str:
        (x0, y0), (x1, y1) = point(0), point(fraction)
        return (
            f'<path d="M {_n(x0)} {_n(y0)} A {_n(radius)} {_n(radius)} 0 0 1 {_n(x1)} {_n(y1)}" '
            f'fill="none" stroke="{colour}" stroke-width="{_n(stroke)}"/>'
        )

    body = [arc(1, _TRACK)]
    if value:
        body.append(arc(value / 100, level_colour(level)))
    body.append(
        _text_block([str(value)], cx, cy - radius * 0.08, size * 0.24, anchor="middle", weight=700)
    )
    ends_y = cy + small * 1.25
    body.append(_text_block(["0"], cx - radius, ends_y, small, anchor="middle", fill=_MUTED))
    body.append(_text_block(["100"], cx + radius, ends_y, small, anchor="middle", fill=_MUTED))
    label_size = _font_size(size * 0.09, 11, 16)
    lines, fs = fit_text(label, size - 2 * margin, label_size, weight=600)
    label_top = ends_y + small * 0.6
    body.append(_text_block(lines, cx, label_top + _ASCENT * fs, fs, anchor="middle", weight=600))
    height = label_top + _block_height(len(lines), fs) + margin
    return _svg(size, height, "gauge", f"{_clean(label)}: {value}/100", body)
