import re
import xml.etree.ElementTree as ET

import pytest

from assessments.results.charts import (
    LEVEL_COLOURS,
    ChartAxis,
    bars_svg,
    fit_text,
    gauge_svg,
    radar_svg,
    text_width,
)

SVG = "{http://www.w3.org/2000/svg}"
AXES = [
    ChartAxis("Anbieterabhängigkeit", 78, "critical"),
    ChartAxis("Datenschutz (DSGVO)", 55, "high"),
    ChartAxis("EU AI Act", 34, "medium"),
    ChartAxis("Kontinuität & Kosten", 62, "high"),
    ChartAxis("Governance & Kompetenz", 18, "low"),
]
EVIL = "<script>alert(\"x\")</script> & 'Anbieter'"


def all_charts(axes=AXES, label="KI-Readiness"):
    return {
        "radar": radar_svg(axes, title="Risikoprofil", compare=[s.score for s in axes]),
        "bars": bars_svg(axes, title="Risiko je Dimension"),
        "gauge": gauge_svg(64, "medium", label),
    }


def parse(svg):
    return ET.fromstring(svg)  # noqa: S314 (our own output)


@pytest.mark.parametrize("kind", ["radar", "bars", "gauge"])
def test_chart_is_well_formed_svg_with_an_accessible_name(kind):
    root = parse(all_charts()[kind])

    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    assert re.fullmatch(r"0 0 [\d.]+ [\d.]+", root.get("viewBox"))
    assert "Source Sans 3" in root.get("font-family")
    title = root.find(f"{SVG}title")
    assert title is not None and title.text
    assert root.get("aria-label") == title.text


def test_accessible_name_carries_the_scores():
    root = parse(radar_svg(AXES, title="Risikoprofil"))

    assert root.get("aria-label").startswith("Risikoprofil. Anbieterabhängigkeit: 78/100;")
    assert parse(gauge_svg(64, "medium", "KI-Readiness")).get("aria-label") == (
        "KI-Readiness: 64/100"
    )


@pytest.mark.parametrize("kind", ["radar", "bars", "gauge"])
def test_user_supplied_labels_are_escaped(kind):
    axes = [ChartAxis(EVIL, 50, "medium"), *AXES[1:]]
    svg = all_charts(axes, label=EVIL)[kind]
    root = parse(svg)

    assert "<script" not in svg
    assert not any(element.tag.endswith("script") for element in root.iter())
    assert EVIL in root.get("aria-label")
    shown = " ".join(element.text or "" for element in root.iter(f"{SVG}text"))
    assert "<script>" in shown  # drawn as text, not markup


def test_control_characters_in_labels_do_not_break_the_xml():
    parse(bars_svg([ChartAxis("Daten\x00schutz\x1b\ufffe", 10, "low")]))


@pytest.mark.parametrize("kind", ["radar", "bars", "gauge"])
def test_output_is_deterministic_and_rounded_to_one_decimal(kind):
    first, second = all_charts()[kind], all_charts()[kind]

    assert first == second
    for element in parse(first).iter():
        for name, value in element.attrib.items():
            if "opacity" not in name:
                assert not re.search(r"\d\.\d\d", value), (name, value)


@pytest.mark.parametrize("kind", ["radar", "bars", "gauge"])
def test_charts_reference_nothing_external(kind):
    svg = all_charts()[kind]

    assert "href" not in svg
    assert "<image" not in svg
    assert "url(" not in svg


def bar_rects(svg):
    return [rect for rect in parse(svg).iter(f"{SVG}rect") if "bar" in rect.get("class", "")]


def test_bar_lengths_are_proportional_to_scores():
    scores = [0, 25, 50, 100, 73]
    bars = bar_rects(bars_svg([ChartAxis(f"D{s}", s, "low") for s in scores]))
    widths = {int(rect.get("data-score")): float(rect.get("width")) for rect in bars}

    assert widths[0] == 0
    full = widths[100]
    for score in scores:
        assert widths[score] == pytest.approx(full * score / 100, abs=0.1)


def test_bars_are_coloured_by_level():
    axes = [ChartAxis(level, 50, level) for level in LEVEL_COLOURS]
    fills = [rect.get("fill") for rect in bar_rects(bars_svg(axes))]

    assert fills == ["#2e7d32", "#f9a825", "#ef6c00", "#c62828"]


def test_bars_have_gridlines_at_quarters():
    root = parse(bars_svg(AXES))
    gridlines = {line.get("x1") for line in root.iter(f"{SVG}line")}

    assert len(gridlines) == 3


def text_extents(root):
    """Horizontal extent of every text element, estimated the way the charts lay them out."""
    for element in root.iter(f"{SVG}text"):
        size = float(element.get("font-size"))
        weight = int(element.get("font-weight", 400))
        width = text_width(element.text or "", size, weight)
        x = float(element.get("x"))
        anchor = element.get("text-anchor", "start")
        left = {"start": x, "middle": x - width / 2, "end": x - width}[anchor]
        yield left, left + width, float(element.get("y")), size, anchor


@pytest.mark.parametrize("size", [300, 360, 480])
def test_long_german_radar_labels_stay_inside_the_chart(size):
    root = parse(radar_svg(AXES, size=size, compare=[90, 10, 40, 80, 30]))
    _, _, width, height = map(float, root.get("viewBox").split())

    for left, right, baseline, font_size, _ in text_extents(root):
        assert left >= 0 and right <= width
        assert baseline - font_size >= 0 and baseline <= height


def test_long_bar_labels_are_wrapped_and_stay_left_of_the_bars():
    svg = bars_svg([ChartAxis("Datenschutz-Folgenabschätzung und Drittlandtransfer", 40, "high")])
    root = parse(svg)
    bar_left = float(bar_rects(svg)[0].get("x"))
    labels = [extent for extent in text_extents(root) if extent[4] == "start"]

    assert len(labels) == 2
    assert all(right < bar_left for _, right, _, _, _ in labels)


def test_compound_word_too_long_for_its_space_is_hyphenated():
    lines, size = fit_text("Datenschutzfolgenabschätzungspflicht", 110, 12)

    assert len(lines) == 2 and lines[0].endswith("-")
    assert all(text_width(line, size) <= 110 for line in lines)


def test_radar_draws_previous_scores_dashed():
    root = parse(radar_svg(AXES, compare=[80, 60, 40, 70, 20]))
    dashed = [p for p in root.iter(f"{SVG}polygon") if p.get("stroke-dasharray")]

    assert len(dashed) == 1
    assert len(dashed[0].get("points").split()) == 5


def test_radar_rejects_compare_of_other_length():
    with pytest.raises(ValueError, match="one score per axis"):
        radar_svg(AXES, compare=[10, 20])


@pytest.mark.parametrize("score", [-1, 101, 50.5, True])
def test_scores_outside_0_to_100_are_rejected(score):
    with pytest.raises(ValueError):
        ChartAxis("x", score, "low")


def test_gauge_arc_is_coloured_by_level_and_empty_at_zero():
    full = parse(gauge_svg(100, "low", "Readiness"))
    empty = parse(gauge_svg(0, "critical", "Readiness"))

    assert [p.get("stroke") for p in full.iter(f"{SVG}path")][1] == "#2e7d32"
    assert len(list(empty.iter(f"{SVG}path"))) == 1  # the track only
