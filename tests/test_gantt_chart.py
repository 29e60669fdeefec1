"""The Gantt chart for a briefing book (`planner gantt`): labels that never overprint each
other or leave the page, a legend whose every swatch is a mark the page draws, relief
drawn unlike dialogue and assumed events, the critical chain and violations marked, time
in force drawn (and said in the timeline and in Mermaid), the package summary of a large
roadmap, the baseline, the paper, Mermaid files and SVG tooltips.

Text extents are matplotlib's own (the Agg renderer's window extents of every text the
figure draws), compared pairwise.
"""

from __future__ import annotations

import itertools
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from planner.api import document, load_roadmap, load_scenario
from planner.api.results import DocumentResult
from planner.render.chart import ChartOptions
from planner.render.gantt import FONT, INK, PAPERS, RED, gantt_bytes, gantt_figure
from planner.render.inforce import force_lines, in_force
from planner.render.mermaid import gantt_mermaid, mermaid_gantt
from planner.render.results import chart_output
from planner.scenario import Scenario
from planner.whatif.chain import critical_chain
from planner.whatif.slack import slack
from tests.helpers import Maker, cli, rule, step

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "brief-roadmap.yaml"
BROKEN = ROOT / "examples" / "everything-at-week-0.yaml"
CAESAR = ROOT / "examples" / "caesar-waiver"
SVG = "{http://www.w3.org/2000/svg}"


# ---- scenarios ------------------------------------------------------------------------------


def forceful(make: Maker) -> Scenario:
    """In weeks:

    by-pledge   BY commitment, start 0, 2 weeks + 1 verified: done 3
    us-licence  US relief, after by-pledge: start 3, done 4; lasts 10: in force [4, 14)
    us-renewal  renews us-licence, no duration: start 12 = done 12: force runs on to 22
    us-snapback reimposes us-licence, 2 weeks: start 18, done 20: the force ends in 20
    us-waiver   US relief, no duration, lasts 5: start 0, in force [0, 5), then lapses
    us-talks    US dialogue, 0 to 6
    ceasefire   an event, 2 to 4 (assumed, not a commitment)
    """
    steps = [
        step("by-pledge", 2, actor="BY", kind="commitment", verify=1, value=5),
        step("us-licence", 1, value=4, lasts=10, after=["by-pledge"], title="License trade"),
        step("us-renewal", 0, renews="us-licence", title="Renew the trade licence"),
        step("us-snapback", 2, reimposes="us-licence", title="Snap the licence back"),
        step("us-waiver", 0, lasts=5, value=1, title="Waive the visa ban"),
        step("us-talks", 6, kind="dialogue", title="Talk about talks"),
        step("ceasefire", 2, actor="world", kind="event", title="A ceasefire holds"),
    ]
    actors = {"US": "United States", "BY": "Belarus", "world": "Events"}
    return make(steps, [], actors=actors)


FORCE_STARTS = {"by-pledge": 0, "us-licence": 3, "us-renewal": 12, "us-snapback": 18,
                "us-waiver": 0, "us-talks": 0, "ceasefire": 2}  # fmt: skip


def gates_at_once(make: Maker) -> Scenario:
    """Two gates that open together in week 3 (both wait for `a`, done 3), and a third
    that opens in week 9, the roadmap's last week (when `c` is done): their labels must
    stack, and the last one stay on the page."""
    steps = [
        step("a", 3, actor="BY", kind="commitment"),
        step("b", 6, value=1),
        step("c", 2, actor="BY", kind="commitment"),
        step("d", 0),
    ]
    rules = [
        rule("gate", "first-very-long-gate-name-for-the-security-cluster", when=["a"], opens=["b"]),
        rule(
            "gate", "second-very-long-gate-name-for-the-economic-cluster", when=["a"], opens=["b"]
        ),
        rule("gate", "the-last-gate-of-the-whole-deal-opens-at-the-end", when=["c"], opens=["d"]),
    ]
    return make(steps, rules)


GATE_STARTS = {"a": 0, "b": 3, "c": 7, "d": 9}


def many_packages(
    make: Maker, packages: int = 30, each: int = 7
) -> tuple[Scenario, dict[str, int]]:
    """`packages` packages of `each` one-week steps, one after another inside a package."""
    steps, starts = [], {}
    for p in range(packages):
        for i in range(each):
            sid = f"p{p}-s{i}"
            kind = "relief" if i == each - 1 else "commitment"
            steps.append(step(sid, 1, actor="US" if kind == "relief" else "BY", kind=kind,
                              package=f"package-{p}"))  # fmt: skip
            starts[sid] = p + i
    return make(steps), starts


def linked_packages(make: Maker) -> tuple[Scenario, dict[str, int]]:
    """30 packages of 7 one-week steps, each after the one before; a package's first
    step after the previous package's first. So package p's step i starts in week p + i,
    as early as it can: the critical chain runs p0-s0, p1-s0, ..., p29-s0, then p29-s1 to
    p29-s6 (done in week 36, the last). Each package's relief (s6, US) is earned by its
    first step (reciprocity). `late-gate` holds p5-s6 (week 11) until p20-s6 is done
    (week 27): violated, by p5-s6 and p20-s6 only."""
    steps, starts, rules = [], {}, []
    for p in range(30):
        for i in range(7):
            sid = f"p{p}-s{i}"
            after = [f"p{p}-s{i - 1}"] if i else ([f"p{p - 1}-s0"] if p else [])
            kind = "relief" if i == 6 else "commitment"
            steps.append(step(sid, 1, actor="US" if kind == "relief" else "BY", kind=kind,
                              package=f"package-{p}", after=after))  # fmt: skip
            starts[sid] = p + i
        rules.append(rule("reciprocity", f"deal-{p}", give=[f"p{p}-s6"], get=[f"p{p}-s0"]))
    rules.append(rule("gate", "late-gate", when=["p20-s6"], opens=["p5-s6"]))
    return make(steps, rules), starts


def outline_of(scenario: Scenario, starts: dict[str, int]) -> Any:
    return document(scenario, starts).outline


# ---- text extents -----------------------------------------------------------------------------


def text_boxes(fig: Any) -> list[tuple[str, Any, float]]:
    """Every text the figure draws: (text, window extent, font size)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.text import Text

    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    renderer = canvas.get_renderer()
    out = []
    for t in fig.findobj(Text):
        if not t.get_visible() or not t.get_text().strip():
            continue
        out.append((t.get_text(), t.get_window_extent(renderer), t.get_fontsize()))
    return out


def assert_labels_apart(fig: Any) -> int:
    """No two texts overlap (by more than half a pixel), each is inside the page, and
    none is smaller than 8 pt. Returns how many texts were compared."""
    boxes = text_boxes(fig)
    width, height = fig.bbox.width, fig.bbox.height
    for text, box, size in boxes:
        assert size >= FONT, (text, size)
        assert box.x0 >= 0 and box.y0 >= 0, (text, box)
        assert box.x1 <= width and box.y1 <= height, (text, box, width, height)
    eps = 0.5
    for (t1, a, _), (t2, b, _) in itertools.combinations(boxes, 2):
        apart = a.x1 <= b.x0 + eps or b.x1 <= a.x0 + eps or a.y1 <= b.y0 + eps or b.y1 <= a.y0 + eps
        assert apart, f"{t1!r} {a} overlaps {t2!r} {b}"
    return len(boxes)


def test_labels_never_overlap_nor_leave_the_page(make: Maker) -> None:
    """On the default roadmap (A3: 74 lanes), the broken roadmap (every name red, the
    milestones of week 0 and week 12 stacked), gates opening the same day with the last
    one at the right edge, time in force, a summary of 210 steps, a baseline with every
    link drawn, and the default forced onto A4 (a summary): every text apart, on the page,
    8 pt or more."""
    s = load_scenario()
    example = document(s, EXAMPLE).outline
    broken = document(s, BROKEN).outline
    many, starts = many_packages(make)
    cases = [
        (example, ChartOptions()),
        (broken, ChartOptions()),
        (outline_of(gates_at_once(make), GATE_STARTS), ChartOptions()),
        (outline_of(forceful(make), FORCE_STARTS), ChartOptions(links=frozenset({"counter", "after", "gate"}))),
        (outline_of(many, starts), ChartOptions()),
        (example, ChartOptions(links=frozenset({"counter", "after", "gate"}),
                               baseline=load_roadmap(BROKEN, s).starts, baseline_name="x.yaml")),
        (example, ChartOptions(paper="a4")),
    ]  # fmt: skip
    for o, options in cases:
        assert assert_labels_apart(gantt_figure(o, options)) > 20


def svg_text_boxes(
    svg: bytes,
) -> tuple[list[tuple[str, tuple[float, float, float, float]]], tuple[float, float]]:
    """Every <text> of an SVG file as drawn: (text, (left, top, right, bottom) in points,
    y down), from its x, y (the baseline), anchor, size and weight, measured with the
    font's own metrics (matplotlib's TextToPath, not the chart's layout code); and the
    page's width and height."""
    from matplotlib.font_manager import FontProperties
    from matplotlib.textpath import TextToPath

    measure = TextToPath()
    root = ET.fromstring(svg)
    page = (float(root.get("width", "0").removesuffix("pt")),
            float(root.get("height", "0").removesuffix("pt")))  # fmt: skip
    out = []
    for t in root.iter(f"{SVG}text"):
        text = "".join(t.itertext())
        if not text.strip():
            continue
        style = dict(
            (k.strip(), v.strip())
            for k, v in (p.split(":", 1) for p in t.get("style", "").split(";") if ":" in p)
        )
        size = float(style["font-size"].removesuffix("px"))
        assert size >= FONT, (text, size)
        prop = FontProperties(
            family="DejaVu Sans", size=size, weight=style.get("font-weight", "normal")
        )
        w, h, d = measure.get_text_width_height_descent(text, prop, ismath=False)
        x, y = float(t.get("x", "0")), float(t.get("y", "0"))
        anchor = style.get("text-anchor", "start")
        left = x - (w / 2 if anchor == "middle" else w if anchor == "end" else 0)
        out.append((text, (left, y - (h - d), left + w, y + d)))
    return out, page


@pytest.mark.parametrize("case", ["example", "broken", "gates", "summary", "a4"])
def test_svg_text_boxes_never_overlap_nor_leave_the_page(make: Maker, case: str) -> None:
    """The same as above, read from the SVG file itself: no two texts' boxes overlap (by
    more than 0.3 pt), every one inside the page, none under 8 pt."""
    s = load_scenario()
    options = ChartOptions()
    if case == "example":
        o = document(s, EXAMPLE).outline
    elif case == "broken":
        o = document(s, BROKEN).outline
    elif case == "gates":
        o = outline_of(gates_at_once(make), GATE_STARTS)
    elif case == "summary":
        o = outline_of(*linked_packages(make))
    else:
        o, options = document(s, EXAMPLE).outline, ChartOptions(paper="a4")
    boxes, (width, height) = svg_text_boxes(gantt_bytes(o, "svg", options))
    assert len(boxes) > 30
    for text, (x0, y0, x1, y1) in boxes:
        assert x0 >= 0 and y0 >= 0 and x1 <= width and y1 <= height, (text, x0, y0, x1, y1)
    eps = 0.3
    for (t1, a), (t2, b) in itertools.combinations(boxes, 2):
        apart = a[2] <= b[0] + eps or b[2] <= a[0] + eps or a[3] <= b[1] + eps or b[3] <= a[1] + eps
        assert apart, f"{t1!r} {a} overlaps {t2!r} {b}"


def test_stacked_milestones_and_the_last_label_on_the_page(make: Maker) -> None:
    """The two gates that open in week 3 are labelled in two sub-lanes (one above the
    other, same x); the last gate's label, at the chart's right end, is drawn to the left
    of its mark."""
    fig = gantt_figure(outline_of(gates_at_once(make), GATE_STARTS))
    boxes = {t: box for t, box, _ in text_boxes(fig)}
    first = boxes["First very long gate name for the security cluster opens"]
    second = boxes["Second very long gate name for the economic cluster opens"]
    assert first.x0 == pytest.approx(second.x0) and first.y0 != second.y0
    last = boxes["The last gate of the whole deal opens at the end opens"]
    (mark,) = [
        a
        for a in fig.axes[0].lines
        if a.get_gid() == "milestone:gate:the-last-gate-of-the-whole-deal-opens-at-the-end"
    ]
    x = fig.axes[0].transData.transform((mark.get_xdata()[0], 0))[0]
    assert last.x1 < x  # to the left of its diamond


# ---- the legend -------------------------------------------------------------------------------


def colours(artist: Any) -> set[str]:
    """The opaque colours an artist paints (faces, edges, lines, markers), white aside."""
    from matplotlib.colors import to_hex, to_rgba_array

    found: set[str] = set()
    for name in ("get_facecolor", "get_edgecolor", "get_color", "get_markerfacecolor",
                 "get_markeredgecolor"):  # fmt: skip
        getter = getattr(artist, name, None)
        if getter is None:
            continue
        try:
            value = getter()
            rgba = to_rgba_array(value)
        except (ValueError, TypeError):
            continue
        for c in rgba:
            if c[3] > 0:
                found.add(to_hex(c, keep_alpha=False))
    return found - {"#ffffff"}


def drawn_and_swatches(fig: Any) -> tuple[set[str], list[tuple[str, set[str]]], list[str]]:
    """The colours the chart draws (axes and page, legend aside), each legend swatch's
    colours with its text, and every legend text."""
    from matplotlib.text import Text

    chart_artists = [a for a in fig.axes[0].get_children()] + [
        a for a in fig.artists if not str(a.get_gid()).startswith("legend")
    ]
    drawn = set().union(*(colours(a) for a in chart_artists))
    swatches = [a for a in fig.artists if a.get_gid() == "legend-swatch"]
    lines: dict[str, list[str]] = {}  # an entry wrapped over lines is one text per line
    for t in fig.findobj(Text):
        if str(t.get_gid()).startswith("legend:"):
            lines.setdefault(str(t.get_gid()), []).append(t.get_text())
    return drawn, [(str(a), colours(a)) for a in swatches], [" ".join(v) for v in lines.values()]


@pytest.mark.parametrize("case", ["example", "broken", "force", "summary"])
def test_every_swatch_is_a_colour_the_chart_draws(make: Maker, case: str) -> None:
    """Each legend swatch paints only colours that some mark of the chart paints (the old
    grey 'verification' swatch matched no bar), and each actor whose steps are drawn has
    its entry."""
    s = load_scenario()
    if case == "example":
        o = document(s, EXAMPLE).outline
    elif case == "broken":
        o = document(s, BROKEN).outline
    elif case == "force":
        o = outline_of(forceful(make), FORCE_STARTS)
    else:
        many, starts = many_packages(make, 40)
        o = outline_of(many, starts)
    fig = gantt_figure(o)
    drawn, swatches, texts = drawn_and_swatches(fig)
    assert swatches
    for name, painted in swatches:
        assert painted <= drawn, (name, painted - drawn)
    from planner.render.gantt import actor_colours

    palette = actor_colours(o)
    bars = [a for a in fig.axes[0].get_children() if str(a.get_gid()).startswith("step:")]
    on_bars = set().union(*(colours(a) for a in bars)) if bars else set()
    for actor, name in o.scenario.actors.items():
        if palette[actor] in on_bars:
            assert f"{actor}: {name}" in texts, actor


def test_the_legend_names_only_what_is_drawn(make: Maker) -> None:
    """The force scenario draws verification, time in force, a renewal, a lapse and a
    snapback, and every kind of act: each has its entry. The tiny gate scenario has none
    of those: no entry for them."""
    fig = gantt_figure(outline_of(forceful(make), FORCE_STARTS))
    _, _, texts = drawn_and_swatches(fig)
    for entry in ("verification, until done", "in force", "renewed", "lapses",
                  "reimposed (snapback)", "relief: what is given up", "commitment or other act",
                  "dialogue or talks", "assumed event or optional step (no commitment)"):  # fmt: skip
        assert entry in texts, entry
    fig = gantt_figure(outline_of(gates_at_once(make), GATE_STARTS))
    _, _, texts = drawn_and_swatches(fig)
    for entry in ("verification, until done", "in force", "renewed", "lapses",
                  "dialogue or talks", "in a violation (names in red)"):  # fmt: skip
        assert entry not in texts, entry
    assert "gate opens" in texts and "milestone" in texts


# ---- what each mark means -----------------------------------------------------------------------


def artists(fig: Any, gid: str) -> list[Any]:
    return [a for a in fig.axes[0].get_children() if a.get_gid() == gid]


def test_relief_dialogue_and_events_are_drawn_differently(make: Maker) -> None:
    """Same actor (US), three kinds: the licence is solid with a dark edge, the talks
    hatched on white, the ceasefire (an event) pale with a dashed edge."""
    fig = gantt_figure(outline_of(forceful(make), FORCE_STARTS))
    (relief,) = artists(fig, "step:us-licence")
    (talks,) = artists(fig, "step:us-talks")
    (event,) = artists(fig, "step:ceasefire")
    from matplotlib.colors import to_hex

    assert to_hex(relief.get_edgecolor()) == INK and not relief.get_hatch()
    assert talks.get_hatch() == "////" and to_hex(talks.get_facecolor()) == "#ffffff"
    assert event.get_linestyle() != "solid" and to_hex(event.get_facecolor()) != to_hex(
        relief.get_facecolor()
    )


def test_time_in_force_is_drawn_on_the_step_lane(make: Maker) -> None:
    """us-licence: in force [4, 20), renewed when us-renewal is done (week 12, a tick on
    the licence's own lane, no lane of its own), reimposed in week 20 by us-snapback;
    us-waiver lapses in week 5."""
    o = outline_of(forceful(make), FORCE_STARTS)
    f = in_force(o.scenario, FORCE_STARTS)
    assert f["us-licence"].spans == ((4, 20),)
    assert f["us-licence"].renewals == (("us-renewal", 12),)
    assert f["us-licence"].reimposed == (20, "us-snapback")
    assert f["us-waiver"].spans == ((0, 5),) and f["us-waiver"].lapses == (5,)
    fig = gantt_figure(o)
    (bar,) = artists(fig, "step:us-licence")
    y = bar.get_y() + bar.get_height() / 2
    (band,) = artists(fig, "force:us-licence")
    assert (band.get_x(), band.get_x() + band.get_width()) == (4, 20)
    (tick,) = artists(fig, "step:us-renewal")
    assert list(tick.get_xdata()) == [12, 12] and sum(tick.get_ydata()) / 2 == pytest.approx(y)
    (cross,) = artists(fig, "reimposed:us-licence")
    assert list(cross.get_xdata()) == [20]
    (ring,) = artists(fig, "lapse:us-waiver")
    assert list(ring.get_xdata()) == [5]
    labels = [t.get_text() for t in fig.axes[0].texts]
    assert "Renew the trade licence" not in labels  # folded into the licence's lane


def test_time_in_force_in_words_and_in_mermaid(make: Maker) -> None:
    """`force_lines` says each chain's force in a line; Mermaid has the force as a `done`
    task, the renewal, the lapse and the snapback as milestones."""
    o = outline_of(forceful(make), FORCE_STARTS)
    names = {"us-licence": "License trade", "us-snapback": "Snap the licence back",
             "us-waiver": "Waive the visa ban"}  # fmt: skip
    assert force_lines(o.scenario, FORCE_STARTS, names) == [
        "Waive the visa ban: in force until week 5, then lapses",
        "License trade: in force until week 20: reimposed by Snap the licence back; "
        "renewed in week 12",
    ]
    lines = mermaid_gantt(o).splitlines()
    assert "    License trade in force :done, 2001-01-29, 2001-05-21" in lines
    assert "    License trade renewed :milestone, 2001-03-26, 0d" in lines
    assert (
        "    License trade reimposed by Snap the licence back :milestone, 2001-05-21, 0d" in lines
    )
    assert "    Waive the visa ban lapses :milestone, 2001-02-05, 0d" in lines


def test_the_critical_chain_is_the_slacks(make: Maker) -> None:
    """`document` takes the critical chain from slack (the lazy `critical_chain` equals
    `slack(...).chain`); the chart draws a black line through those steps and names them
    in bold, and no other."""
    s = load_scenario()
    for path in (EXAMPLE, BROKEN):
        starts = load_roadmap(path, s).starts
        assert critical_chain(s, starts).steps == slack(s, starts).chain
    o = document(s, EXAMPLE).outline
    assert o.chain == slack(s, load_roadmap(EXAMPLE, s).starts).chain
    assert o.chain and len(o.chain) > 2
    fig = gantt_figure(o)
    (line,) = artists(fig, "critical-chain")
    bold = {t.get_text() for t in fig.axes[0].texts if t.get_fontweight() == "bold"
            and str(t.get_gid()).startswith("lane-label")}  # fmt: skip
    from planner.render.chart import chart

    drawn = chart(o)
    ids = [x for x, _ in o.chain]
    chain_names = {drawn.bars[x].name for x in ids}
    packages = {lane.label for lane in drawn.lanes if lane.kind == "package"}
    assert bold - packages - {"Milestones"} == chain_names
    assert min(line.get_xdata()) == drawn.bars[ids[0]].start
    assert max(line.get_xdata()) == drawn.bars[ids[-1]].done


def test_violations_are_red_on_the_bars_they_involve(make: Maker) -> None:
    """us-relief starts in week 2, before the gate opens (by-pledge done in week 4): the
    gate's and the reciprocity's violations involve us-relief (and by-pledge); their bars
    have red edges and red names; us-pledge, in no violation, neither."""
    from tests.test_timeline_outputs import tiny

    s = tiny(make.root)
    starts = {"by-pledge": 0, "us-pledge": 0, "by-terms": 1, "us-relief": 2}
    o = document(s, starts).outline
    involved = {x for v in o.report.violations for x in v.steps}
    assert "us-relief" in involved and "us-pledge" not in involved
    fig = gantt_figure(o)
    from matplotlib.colors import to_hex

    for sid in ("by-pledge", "us-pledge", "by-terms", "us-relief"):
        (bar,) = artists(fig, f"step:{sid}")
        red = to_hex(bar.get_edgecolor()) == RED.lower()
        assert red == (sid in involved), sid
    reds = {t.get_text() for t in fig.axes[0].texts if t.get_color() == RED}
    assert "us-relief" in reds and "us-pledge" not in reds


def test_a_large_roadmap_is_one_lane_per_package_unless_detail(make: Maker) -> None:
    """30 packages of 7 steps (240 lanes in detail) do not fit an A3 page at 8 pt: one
    lane per package, each with its relief, on A4 (30 lanes fit it); `--detail` draws
    every step on a page taller than A3."""
    many, starts = many_packages(make)
    o = outline_of(many, starts)
    svg = gantt_bytes(o, "svg").decode()
    assert len(re.findall(r'<g id="package:package-\d+"', svg)) == 30
    assert '<g id="step:' not in svg
    fig = gantt_figure(o)
    _, _, texts = drawn_and_swatches(fig)  # (the note wraps over lines)
    assert any(t.startswith("210 steps in 30 packages: one lane per package") for t in texts)
    assert (fig.get_figwidth() * 72, fig.get_figheight() * 72) == pytest.approx(PAPERS["a4"])
    tall = gantt_figure(o, ChartOptions(detail=True))
    assert tall.get_figheight() * 72 > PAPERS["a3"][1]
    detail = gantt_bytes(o, "svg", ChartOptions(detail=True)).decode()
    assert len(re.findall(r'<g id="step:', detail)) == 210


def test_the_paper(make: Maker) -> None:
    """A few lanes: A4 landscape. The default roadmap's 74 lanes need A3; forced onto A4,
    it is one lane per package there."""
    fig = gantt_figure(outline_of(forceful(make), FORCE_STARTS))
    assert (fig.get_figwidth() * 72, fig.get_figheight() * 72) == pytest.approx(PAPERS["a4"])
    o = document(load_scenario(), EXAMPLE).outline
    fig = gantt_figure(o)
    assert (fig.get_figwidth() * 72, fig.get_figheight() * 72) == pytest.approx(PAPERS["a3"])
    small = gantt_bytes(o, "svg", ChartOptions(paper="a4")).decode()
    assert '<g id="step:' not in small and 'width="841.89pt"' in small


def test_the_polish_and_lithuanian_rows_read_differently() -> None:
    """Their titles differ only past 50 characters: the short names tell them apart
    (the default names them "Polish crossings roadmap" and "Lithuanian crossings
    roadmap")."""
    o = document(load_scenario(), EXAMPLE).outline
    fig = gantt_figure(o)
    labels = [t.get_text() for t in fig.axes[0].texts]
    border = [t for t in labels if t.endswith("crossings roadmap")]
    assert len(border) == 2 and border[0] != border[1]


# ---- the baseline --------------------------------------------------------------------------------


def test_the_baseline_is_drawn_under_each_bar(make: Maker) -> None:
    """The baseline has us-licence in week 5 (done 6): a grey line from 5 to 6 under the
    licence's bar, whose own bar is from 3."""
    o = outline_of(forceful(make), FORCE_STARTS)
    base = dict(FORCE_STARTS, **{"us-licence": 5})
    fig = gantt_figure(o, ChartOptions(baseline=base, baseline_name="agreed.yaml"))
    (line,) = artists(fig, "baseline:us-licence")
    (bar,) = artists(fig, "step:us-licence")
    assert (line.get_x(), line.get_x() + line.get_width()) == (5, 6)
    assert line.get_y() > bar.get_y() + bar.get_height()  # under it
    assert line.get_zorder() < bar.get_zorder()


def test_gantt_baseline_on_the_command_line(tmp_path: Path) -> None:
    """`--baseline` reads a roadmap like ROADMAP: drawn (the SVG has the grey lines and
    names the file), a missing or bad one is one line and exit 2, and it is an input the
    output may not overwrite."""
    out = tmp_path / "c.svg"
    result = cli("gantt", str(EXAMPLE), "--baseline", str(BROKEN), "-o", str(out))
    assert result.returncode == 0, result.stderr
    svg = out.read_text()
    assert '<g id="baseline:' in svg and "baseline: everything-at-week-0.yaml" in svg
    missing = cli("gantt", str(EXAMPLE), "--baseline", str(tmp_path / "none.yaml"), "-o", str(out))
    assert missing.returncode == 2 and len(missing.stderr.strip().splitlines()) == 1
    assert "none.yaml" in missing.stderr and "Traceback" not in missing.stderr
    bad = tmp_path / "bad.yaml"
    bad.write_text("roadmap:\n  steps:\n    - {step: no-such-step, start: 0}\n")
    wrong = cli("gantt", str(EXAMPLE), "--baseline", str(bad), "-o", str(out))
    assert wrong.returncode == 2 and len(wrong.stderr.strip().splitlines()) == 1
    assert re.match(r".*bad\.yaml:\d+:\d+: .*no-such-step", wrong.stderr)
    base = tmp_path / "base.yaml"
    base.write_text(EXAMPLE.read_text())
    before = base.read_bytes()
    guarded = cli(
        "gantt", str(EXAMPLE), "--baseline", str(base), "-o", str(base), "--format", "png"
    )
    assert guarded.returncode == 2 and "is an input of this command" in guarded.stderr
    assert base.read_bytes() == before


# ---- files -----------------------------------------------------------------------------------------


def test_mermaid_files_are_plain_and_markdown_is_fenced(tmp_path: Path) -> None:
    """`-o x.mmd` is Mermaid as mermaid-cli reads it, no Markdown fence; `-o x.md` and
    stdout (to paste into Markdown, as before) are the same text in a ```mermaid fence."""
    mmd, md = tmp_path / "x.mmd", tmp_path / "x.md"
    assert cli("gantt", str(EXAMPLE), "-o", str(mmd)).returncode == 0
    assert cli("gantt", str(EXAMPLE), "-o", str(md)).returncode == 0
    plain = mmd.read_text()
    assert plain.startswith("gantt\n    title ") and "```" not in plain
    assert md.read_text() == f"```mermaid\n{plain.rstrip()}\n```\n"
    printed = cli("gantt", str(EXAMPLE), "--format", "mermaid")
    assert printed.stdout == md.read_text()
    s = load_scenario()
    result = DocumentResult(s, document(s, EXAMPLE).outline, "x")
    assert chart_output(result, "mermaid", fenced=False) == plain.rstrip()
    assert chart_output(result, "mermaid") == gantt_mermaid(result.outline)


def test_mermaid_names_steps_in_words(tmp_path: Path) -> None:
    """Tasks carry short names, the counter-step by its name, `crit` on the critical
    chain, milestones for the gate and the exchange."""
    s = load_scenario()
    o = document(s, EXAMPLE).outline
    text = mermaid_gantt(o)
    assert "by-nonaggression-pledge" not in text
    assert re.search(r"\n    Second SDN delistings \(US\) ← [^\n]+ :", text)
    assert ":crit, " in text
    assert "    Security gate opens :milestone, 2027-03-29, 0d" in text.splitlines()


def test_svg_tooltips_carry_the_full_title() -> None:
    """Each bar's group holds a <title>: the step's whole title (cut nowhere), its actor,
    id and times."""
    s = load_scenario()
    o = document(s, EXAMPLE).outline
    svg = gantt_bytes(o, "svg")
    root = ET.fromstring(svg)
    titles = {
        g.get("id"): g.find(f"{SVG}title")
        for g in root.iter(f"{SVG}g")
        if str(g.get("id", "")).startswith("step:")
    }
    assert len(titles) == len(o.rows) and all(t is not None for t in titles.values())
    whole = s.steps["pl-crossings-roadmap"].title
    assert len(whole) > 50
    tip = titles["step:pl-crossings-roadmap"]
    assert (
        tip is not None
        and tip.text is not None
        and tip.text.startswith(f"{whole} (PL, pl-crossings-roadmap)")
    )


# ---- large roadmaps ------------------------------------------------------------------------------


def test_a_summary_keeps_counter_steps_gates_the_chain_and_violations(make: Maker) -> None:
    """The linked packages, one lane each: every package's relief bar, a counter-step mark
    in each lane (its first step's done time, week p + 1), the gate's line in week 27,
    the critical chain one line from lane 0 down to lane 29 ending at week 36, and red
    marks and red names on packages 5 and 20 only; the legend says all of it."""
    s, starts = linked_packages(make)
    o = outline_of(s, starts)
    assert o.chain is not None and len(o.chain) == 36
    ids = [step for step, _ in o.chain]
    assert ids[:2] == ["p0-s0", "p1-s0"] and ids[-1] == "p29-s6"
    fig = gantt_figure(o)
    assert (fig.get_figwidth() * 72, fig.get_figheight() * 72) == pytest.approx(PAPERS["a4"])
    assert not any(str(a.get_gid()).startswith("step:") for a in fig.axes[0].get_children())
    for p in range(30):
        assert len(artists(fig, f"package:package-{p}:relief")) == 1
        (marks,) = artists(fig, f"package:package-{p}:counters")
        assert list(marks.get_xdata()) == [p + 1]
    (chain,) = artists(fig, "critical-chain")
    assert (min(chain.get_ydata()), max(chain.get_ydata())) == (0, 29)
    assert max(chain.get_xdata()) == 36
    assert artists(fig, "gate:late-gate")
    bad = {str(a.get_gid()) for a in fig.axes[0].get_children()
           if str(a.get_gid()).endswith(":violations")}  # fmt: skip
    assert bad == {"package:package-5:violations", "package:package-20:violations"}
    reds = {t.get_text() for t in fig.axes[0].texts if t.get_color() == RED}
    assert reds == {"package-5", "package-20"}
    _, _, texts = drawn_and_swatches(fig)
    for entry in ("counter-step done", "critical chain", "gate opens",
                  "in a violation (names in red)", "packages: first start to last done"):  # fmt: skip
        assert entry in texts, entry
    assert assert_labels_apart(fig) > 30


def test_mermaid_summarises_above_150_steps(make: Maker) -> None:
    """210 steps: a section per package with one task (its 7 steps), `crit` where the
    chain passes (every package), the count of steps in violations; `detail` gives every
    step's task."""
    s, starts = linked_packages(make)
    o = outline_of(s, starts)
    lines = mermaid_gantt(o).splitlines()
    assert sum(1 for line in lines if line.startswith("    section package-")) == 30
    assert "    7 steps, ⚠ 1 in violations :crit, 2001-02-05, 2001-03-26" in lines
    assert "    7 steps :crit, 2001-01-01, 2001-02-19" in lines
    detail = mermaid_gantt(o, ChartOptions(detail=True))
    assert sum(1 for line in detail.splitlines() if " (BY) " in line or " (US) " in line) == 210


def test_the_report_of_a_large_roadmap_folds_each_package(make: Maker) -> None:
    """Above 150 steps the report lists the packages, each a closed <details> holding its
    steps' table (HTML and Markdown), and each phase only counts its steps; the default
    (71 steps) keeps its tables by phase and has no <details>."""
    from planner.render.document import report_html, report_markdown

    s, starts = linked_packages(make)
    o = outline_of(s, starts)
    page = report_html(o, "r.yaml")
    assert page.count("<details>") == 30
    assert '<summary><b>package-5</b> <span class="muted">— 7 steps, week 5' in page
    assert page.count('<table class="package">') == 30
    assert page.count('<tr><td class="when">') == 210
    md = report_markdown(o, "r.yaml")
    assert md.count("<details><summary>") == 30
    default = report_html(document(load_scenario(), EXAMPLE).outline, "x")
    assert "<details" not in default and '<table class="timeline">' in default


def test_the_title_gives_p50_and_p80_when_the_caller_has_them(make: Maker) -> None:
    """The chart never simulates: P50/P80 are said only when passed in."""
    o = outline_of(forceful(make), FORCE_STARTS)
    plain = [t.get_text() for t in gantt_figure(o).texts if t.get_gid() == "subtitle"]
    risky = gantt_figure(o, ChartOptions(finish=(24, 27)))
    (subtitle,) = [t.get_text() for t in risky.texts if t.get_gid() == "subtitle"]
    assert "P50" not in plain[0]
    assert "last done week 20, simulated P50 week 24, P80 week 27 · " in subtitle
