"""The Gantt chart of a roadmap, drawn with matplotlib (imported here only: the commands
that draw pay for it, no other). Pure: an `Outline` in, the bytes of an SVG, PNG or PDF
file out, the same bytes for the same outline and options.

One landscape page (A4 or A3, README: gantt), every label at 8 pt or more, none over
another or off the page. What is drawn comes from `planner.render.chart`: a lane per
package (its name and a summary bar) and per step, or on a large roadmap a lane per
package only. Colour says who acts (`PALETTE`, one per actor); the fill says what kind of
act it is (solid: relief, with a dark edge, or another act; hatched: dialogue; pale with a
dashed edge: an assumed event or an optional step). The verification is a thin line after
the bar up to the done time; time in force a pale band after it up to its lapse (a ring),
renewals ticks on it, a snapback a cross. The critical chain is a black line through its
steps, with their names in bold; a step in a violation has a red edge and a red name. A
baseline roadmap is a grey line under each bar. In a summary a package's lane shows its
extent (paler grey), its relief bars, a triangle where each counter-step that earns them
is done, the chain's line through it and its violated steps outlined in red (its name in
red). The legend, on the right, shows only what the page draws, each swatch drawn as the
chart draws it.

Layout is computed in points from measured text (`_Fonts`), so that labels never touch:
rows are `PITCH` apart, the milestones' labels are stacked into as many sub-lanes as they
need, the axis ticks are spaced for their labels, and the legend breaks into columns when
it is taller than the page. Marks go on the axes with `add_artist`: the limits are set,
never computed (autoscaling to each of thousands of patches costs seconds).
"""

from __future__ import annotations

import html
import io
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from planner.render.chart import (
    DEFAULT_OPTIONS,
    Bar,
    Chart,
    ChartOptions,
    Lane,
    chart,
    gate_holds,
    num_detail_lanes,
    regroup,
)
from planner.render.outline import Outline

FORMATS = ("svg", "png", "pdf")
#: Landscape pages, in points (1/72 inch).
PAPERS = {"a4": (841.89, 595.28), "a3": (1190.55, 841.89)}
#: Every label's size, and the title's, in points.
FONT = 8.0
TITLE_FONT = 11.0
FAMILY = "DejaVu Sans"
#: A lane's height: an 8 pt label is 8.1 pt tall (ascent and descent), so two never touch.
PITCH = 9.6
MARGIN = 14.0
#: A text whose estimated width (`_Fonts.estimate`) is under this share of the room
#: fits it, unmeasured: estimates are off by a few per cent at most.
SURE = 0.85
#: Room between a label and what it must not touch, in points.
PAD = 3.0
#: The PNG's resolution: 200 dpi, lowered so that the image holds at most `PIXELS` (an A4
#: page at 200 dpi, an A3 page at 150); a page grown by `--detail` gets up to 100 dpi.
DPI = 200
PIXELS = 4_400_000
#: Colour-blind-safe qualitative colours (Okabe–Ito), then the darker of Paul Tol's that
#: no Okabe–Ito colour is close to (a scenario's ninth actor must not look like its first).
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442",
           "#000000", "#882255", "#332288", "#999933", "#117733", "#AA4499", "#661100")  # fmt: skip
INK = "#1a1a1a"
RED = "#C00000"
GREY = "#8c8c8c"
SUMMARY = "#4d4d4d"
#: A package's bar in a summary: paler, so that the critical chain's black line shows on it.
SUMMARY_PALE = "#b0b0b0"
BAND = ("#e6e6e6", "#f4f4f4")
#: Bar heights, in lanes.
BAR = 0.62
FORCE = 0.26
#: What the files say made them (no date: the same roadmap gives the same bytes).
CREATOR = "relief-planner"


def actor_colours(o: Outline) -> dict[str, str]:
    return {a: PALETTE[i % len(PALETTE)] for i, a in enumerate(o.scenario.actors)}


def _rc() -> Any:
    return {
        "svg.hashsalt": "relief-planner",  # ids in the SVG do not change from run to run
        "svg.fonttype": "none",  # text stays text: searchable, selectable, escaped
        "font.family": FAMILY,
        "font.size": FONT,
        "pdf.fonttype": 42,
        "path.simplify": False,
        "hatch.linewidth": 0.6,
        # Titles are the user's text: "$1bn ... $2bn" is money, not TeX math ("$...$"
        # would be typeset, and a backslash inside it is a parse error).
        "text.parse_math": False,
    }


# ---- text measured ------------------------------------------------------------------------


class _Fonts:
    """Widths of text as matplotlib draws it, in points."""

    def __init__(self) -> None:
        from matplotlib.backends.backend_agg import RendererAgg
        from matplotlib.font_manager import FontProperties

        self.renderer = RendererAgg(8, 8, DPI)  # type: ignore[no-untyped-call]
        self.props = {
            (bold, size): FontProperties(
                family=FAMILY, size=size, weight="bold" if bold else "normal"
            )
            for bold in (False, True)
            for size in (FONT, TITLE_FONT)
        }
        self.known: dict[tuple[str, bool, float], float] = {}

    def width(self, text: str, bold: bool = False, size: float = FONT) -> float:
        key = (text, bold, size)
        if key not in self.known:
            w, _, _ = self.renderer.get_text_width_height_descent(  # type: ignore[no-untyped-call]
                text, self.props[(bold, size)], ismath=False
            )
            self.known[key] = w * 72.0 / DPI
        return self.known[key]

    def estimate(self, text: str, bold: bool = False) -> float:
        """`text`'s width as the sum of its characters' (no kerning), at `FONT`: cheap
        (measuring a whole label costs milliseconds, and `--detail` has 10,000), and
        within a few per cent of `width`, which `SURE` allows for."""
        return sum(self.width(c, bold) for c in text)

    def widest(self, texts: list[tuple[str, bool]]) -> float:
        """The widest of `texts` (text, bold) at `FONT`: measured exactly for those whose
        estimate comes near the widest estimate only."""
        if not texts:
            return 0.0
        guesses = [self.estimate(t, b) for t, b in texts]
        near = SURE * max(guesses)
        return max(self.width(t, b) for (t, b), g in zip(texts, guesses, strict=True) if g >= near)

    def fit(self, text: str, room: float, bold: bool = False, size: float = FONT) -> str:
        """`text`, or cut in the middle with '…' to fit `room` points (the end is kept: a
        name told apart from another by the id at its end stays told apart)."""
        if size == FONT and self.estimate(text, bold) < SURE * room:
            return text
        if self.width(text, bold, size) <= room:
            return text
        lo, hi = 0, len(text)
        while lo < hi:  # the most characters kept that still fit
            mid = (lo + hi + 1) // 2
            if self.width(_middle(text, mid), bold, size) <= room:
                lo = mid
            else:
                hi = mid - 1
        return _middle(text, lo)

    def wrap(self, text: str, room: float, bold: bool = False) -> list[str]:
        """`text` in lines of at most `room` points (a word longer than that is cut)."""
        lines: list[str] = []
        line = ""
        for word in text.split():
            trial = f"{line} {word}" if line else word
            if self.width(trial, bold) <= room:
                line = trial
                continue
            if line:
                lines.append(line)
            line = word if self.width(word, bold) <= room else self.fit(word, room, bold)
        if line:
            lines.append(line)
        return lines or [""]


def _middle(text: str, keep: int) -> str:
    if keep >= len(text):
        return text
    head = text[: (keep + 1) // 2].rstrip()
    tail = text[len(text) - keep // 2 :].lstrip() if keep // 2 else ""
    return f"{head}…{tail}"


# ---- the page planned ------------------------------------------------------------------------


@dataclass
class _Entry:
    """One line of the legend: how to draw its swatch, and its words."""

    draw: Callable[[Any, float, float], None]
    text: str
    gid: str


@dataclass
class _Page:
    """Where everything goes, in points from the page's bottom left."""

    chart: Chart
    width: float
    height: float
    paper: str
    label_w: float
    panel_w: float
    panel_cols: int
    axes: tuple[float, float, float, float]  # left, bottom, width, height
    pitch: float
    sub_lanes: int
    #: The milestones' labels: (time, text, sub-lane, to the right of the mark)
    stacked: list[tuple[int, str, int, bool, str]] = field(default_factory=list)
    legend: list[tuple[str, list[_Entry]]] = field(default_factory=list)


def _plan(o: Outline, options: ChartOptions, fonts: _Fonts) -> _Page:
    """The page: its paper, detailed or summary lanes, and every block's place."""
    papers = ["a4", "a3"] if options.paper == "auto" else [options.paper]
    chosen: _Page | None = None
    wanted = num_detail_lanes(o)
    for paper in papers:
        last = options.detail and paper == papers[-1]
        if wanted > _room(PAPERS[paper][1]) and not last:
            continue  # (not even laid out: measuring 10,000 labels takes seconds)
        page = _layout(o, options, fonts, paper, chart(o, options, True))
        if len(page.chart.lanes) + page.sub_lanes <= _room(page.height) or (
            options.detail and paper == papers[-1]
        ):
            chosen = page
            break
    if chosen is None:  # too many lanes: a lane per package on the first paper that
        summary = chart(o, options, False)  # holds them, else runs of packages on the last
        for paper in papers:
            if len(summary.lanes) > _room(PAPERS[paper][1]):
                continue  # (not laid out: 1,000 packages' names take seconds to measure)
            page = _layout(o, options, fonts, paper, summary)
            if len(summary.lanes) + page.sub_lanes <= _room(page.height):
                chosen = page
                break
        if chosen is None:
            paper = papers[-1]
            grouped = regroup(summary, _room(PAPERS[paper][1]))
            guess = _layout(o, options, fonts, paper, grouped)
            fit = max(1, _room(guess.height) - guess.sub_lanes)
            chosen = _layout(o, options, fonts, paper, regroup(summary, fit))
    rows = len(chosen.chart.lanes) + chosen.sub_lanes
    if rows > _room(chosen.height):  # --detail: the page grows to hold every lane
        grown = _top_fixed() + _bottom() + rows * PITCH
        chosen = _layout(o, options, fonts, chosen.paper, chosen.chart, grown)
    return chosen


def _bottom() -> float:
    """Points from the page's bottom to the chart's: the axis' labels and the margin."""
    return MARGIN + 13


def _room(height: float) -> int:
    """How many lanes a page of this height holds."""
    return int((height - _top_fixed() - _bottom()) // PITCH)


def _top_fixed() -> float:
    """Points from the page's top to the chart's: margin, title, subtitle, the phases'
    band and the axis' labels."""
    return MARGIN + TITLE_FONT * 1.3 + PITCH + 2 + 12 + 12 + 2


def _layout(
    o: Outline,
    options: ChartOptions,
    fonts: _Fonts,
    paper: str,
    drawn: Chart,
    height: float | None = None,
) -> _Page:
    width, page_h = PAPERS[paper]
    height = page_h if height is None else height
    labels = [
        (lane.label, lane.kind != "step" or any(b.critical for b in lane.bars))
        for lane in drawn.lanes
    ]
    label_cap = 0.3 * width
    label_w = min(label_cap, fonts.widest(labels) if labels else 40.0)
    legend = _legend(drawn, o)
    entry_cap = 0.21 * width
    text_w = max(
        (fonts.width(e.text) for _, entries in legend for e in entries),
        default=60.0,
    )
    col_w = min(entry_cap, 18 + text_w)
    top = height - _top_fixed()
    cols = _legend_columns(legend, fonts, col_w, top - MARGIN)
    panel_w = cols * col_w + (cols - 1) * 8
    axes_left = MARGIN + label_w + 6
    axes_w = width - axes_left - _gutter(o, fonts) - panel_w - MARGIN
    stacked, sub_lanes = _stack_milestones(drawn, fonts, axes_w)
    rows = len(drawn.lanes) + sub_lanes
    room_h = top - _bottom()
    pitch = PITCH if rows * PITCH >= room_h else min(1.6 * PITCH, room_h / max(rows, 1))
    axes_h = rows * pitch
    axes = (axes_left, top - axes_h, axes_w, axes_h)
    page = _Page(drawn, width, height, paper, label_w, panel_w, cols, axes, pitch, sub_lanes,
                 stacked, legend)  # fmt: skip
    return page


def _gutter(o: Outline, fonts: _Fonts) -> float:
    """Room between the chart and the legend: half the widest axis label spills over."""
    widest = max(fonts.width("2027-12-31"), fonts.width(f"{o.scenario.unit} 10000"))
    return max(12.0, widest / 2 + 2 * PAD)


def _stack_milestones(
    drawn: Chart, fonts: _Fonts, axes_w: float
) -> tuple[list[tuple[int, str, int, bool, str]], int]:
    """Each milestone's label in the first sub-lane where it touches no other: to the
    right of its mark, or to its left where the right runs off the chart."""
    scale = axes_w / (drawn.last + 1)
    taken: list[list[tuple[float, float]]] = []
    out: list[tuple[int, str, int, bool, str]] = []
    for m in drawn.milestones:
        x = (m.at + 0.5) * scale
        label = m.label
        right = x + 5 + fonts.width(label) <= axes_w
        if not right and x - 5 - fonts.width(label) < 0:  # no room either side: cut
            right = axes_w - x >= x
            label = fonts.fit(label, (axes_w - x if right else x) - 5 - PAD)
        w = fonts.width(label)
        box = (x - 4, x + 5 + w + PAD) if right else (x - 5 - w - PAD, x + 4)
        for i, spans in enumerate(taken):
            if all(box[1] <= a or box[0] >= b for a, b in spans):
                spans.append(box)
                out.append((m.at, label, i, right, m.gid))
                break
        else:
            taken.append([box])
            out.append((m.at, label, len(taken) - 1, right, m.gid))
    return out, len(taken)


# ---- the legend -------------------------------------------------------------------------------


STYLE_WORDS = {
    "relief": "relief: what is given up",
    "act": "commitment or other act",
    "talks": "dialogue or talks",
    "assumed": "assumed event or optional step (no commitment)",
}


def _legend(drawn: Chart, o: Outline) -> list[tuple[str, list[_Entry]]]:
    """The legend's sections, each entry something the page draws (see `_Drawing`)."""
    colours = actor_colours(o)
    bars = list(drawn.bars.values())
    steps = o.scenario.steps
    shown = _shown_bars(drawn)
    parties = [
        _Entry(_swatch_like([b for b in shown if b.actor == a], colours, drawn.detail),
               f"{a}: {o.scenario.actors[a]}", f"legend:actor:{a}")
        for a in o.scenario.actors
        if any(b.actor == a for b in shown)
    ]  # fmt: skip
    kinds = [
        _Entry(_swatch_like([b for b in shown if b.style == style], colours, drawn.detail),
               STYLE_WORDS[style], f"legend:style:{style}")
        for style in ("relief", "act", "talks", "assumed")
        if any(b.style == style for b in shown)
    ]  # fmt: skip
    marks: list[_Entry] = []
    if drawn.detail:
        if any(lane.kind == "package" for lane in drawn.lanes):
            marks.append(_Entry(_swatch_summary, "package: first start to last done",
                                "legend:package"))  # fmt: skip
        zeros = [b for b in shown if b.end == b.start]
        if zeros:
            zero = min(zeros, key=lambda b: b.violated)
            marks.append(_Entry(_swatch_diamond(zero.style, colours.get(zero.actor, GREY),
                                                zero.violated),
                                "a step that takes no time", "legend:instant"))  # fmt: skip
        verified = next((b for b in shown if b.done > b.end), None)
        if verified is not None:
            marks.append(_Entry(_swatch_verify(colours.get(verified.actor, GREY)),
                                "verification, until done", "legend:verify"))  # fmt: skip
        banded = [lane for lane in drawn.lanes if lane.kind == "step" and _banded(lane)]
        if banded:
            colour = colours.get(banded[0].bars[0].actor, GREY)
            marks.append(_Entry(_swatch_force(colour), "in force", "legend:force"))
        if any(lane.renewals for lane in drawn.lanes):
            marks.append(_Entry(_swatch_tick(INK), "renewed", "legend:renewal"))
    if any(_lapses(drawn, lane) for lane in drawn.lanes):
        marks.append(_Entry(_swatch_lapse, "lapses", "legend:lapse"))
    if any(_reimposed(drawn, lane) for lane in drawn.lanes):
        marks.append(_Entry(_swatch_reimposed, "reimposed (snapback)", "legend:reimposed"))
    if not drawn.detail:
        if any(b.style == "relief" for b in bars):
            pass  # relief is a kind, above
        if _summary_counters(drawn, o):
            marks.append(_Entry(_swatch_counter, "counter-step done", "legend:counter-done"))
        marks.append(_Entry(_swatch_summary_pale, "packages: first start to last done",
                            "legend:package"))  # fmt: skip
    if drawn.chain and any(b.critical for b in bars):
        words = "critical chain (names in bold)" if drawn.detail else "critical chain"
        marks.append(_Entry(_swatch_chain, words, "legend:chain"))
    if any(b.violated for b in bars):
        marks.append(_Entry(_swatch_violation, "in a violation (names in red)",
                            "legend:violation"))  # fmt: skip
    if drawn.options.baseline is not None and any(
        lane.baseline is not None for lane in drawn.lanes
    ):
        name = drawn.options.baseline_name or "the baseline"
        marks.append(_Entry(_swatch_baseline, f"baseline: {name}", "legend:baseline"))
    if drawn.detail:
        links = drawn.options.links
        if "counter" in links and _counter_links(drawn, o):
            marks.append(_Entry(_swatch_arrow("counter"), "counter-step → what it earns",
                                "legend:link-counter"))  # fmt: skip
        if "after" in links and _after_links(drawn, o):
            marks.append(_Entry(_swatch_arrow("after"), "precondition → the step waiting",
                                "legend:link-after"))  # fmt: skip
        if "gate" in links and _gate_links(drawn, o):
            marks.append(_Entry(_swatch_arrow("gate"), "held by a gate until…",
                                "legend:link-gate"))  # fmt: skip
    if any(m.kind == "gate" for m in drawn.milestones):
        marks.append(_Entry(_swatch_vline("gate"), "gate opens", "legend:gate"))
    if any(p.start for p in o.phases if p.start is not None):
        marks.append(_Entry(_swatch_vline("phase"), "phase boundary", "legend:phase"))
    if drawn.milestones:
        marks.append(_Entry(_swatch_milestone, "milestone", "legend:milestone"))
    del steps
    phases = [
        _Entry(_no_swatch, f"{i}. {p.title}", f"legend:phase-name:{p.id}")
        for i, p in enumerate(o.phases, 1)
        if p.start is not None
    ]
    notes = [_Entry(_no_swatch, n, "legend:note") for n in _notes(drawn, o)]
    sections = [("Who acts", parties), ("What kind", kinds), ("Marks", marks),
                ("Phases", phases), ("Notes", notes)]  # fmt: skip
    return [(head, entries) for head, entries in sections if entries]


def _swatch_like(bars: list[Bar], colours: dict[str, str], detail: bool) -> Any:
    """A swatch drawn as one of `bars` is drawn on the page: a solid bar that takes time
    and is in no violation if there is one, else the first."""
    rank = {"act": 0, "relief": 1, "talks": 2, "assumed": 3}
    sample = min(bars, key=lambda b: (b.violated, b.end == b.start, rank[b.style]))
    colour = colours.get(sample.actor, GREY)
    if sample.end > sample.start or not detail:
        return _swatch_bar(sample.style, colour, False, sample.violated)
    return _swatch_diamond(sample.style, colour, sample.violated)


def _notes(drawn: Chart, o: Outline) -> list[str]:
    s = o.scenario
    out = []
    if s.start is not None:
        out.append(f"Dates: the first day of each {s.unit}.")
    if not drawn.detail:
        num_packages = len({s.steps[b].package for b in drawn.bars})
        grouped = any(lane.kind == "group" for lane in drawn.lanes)
        out.append(
            f"{len(drawn.bars)} steps in {num_packages} packages: one lane per package"
            + (" or run of packages" if grouped else "")
            + " (gantt --detail draws every step)."
        )
    if drawn.chain is None:
        out.append("Critical chain: not worked out for this roadmap.")
    elif not drawn.chain:
        out.append("Critical chain: none holds the end (the last steps could start earlier).")
    out += list(drawn.notes)
    return out


def _legend_blocks(
    legend: list[tuple[str, list[_Entry]]], fonts: _Fonts, col_w: float
) -> list[tuple[float, list[tuple[_Entry | None, str, list[str]]]]]:
    """The legend as blocks that stay together in a column: (height, items), each item
    (entry, or None for a section's heading; its heading; its lines). A section's heading
    goes with its first entry."""
    out: list[tuple[float, list[tuple[_Entry | None, str, list[str]]]]] = []
    for head, entries in legend:
        for n, e in enumerate(entries):
            lines = fonts.wrap(e.text, col_w - (18 if e.draw is not _no_swatch else 0))
            items: list[tuple[_Entry | None, str, list[str]]] = [(e, head, lines)]
            h = len(lines) * PITCH + 1
            if n == 0:
                items.insert(0, (None, head, [head]))
                h += PITCH + 2
            if n == len(entries) - 1:
                h += 4
            out.append((h, items))
    return out


def _legend_columns(
    legend: list[tuple[str, list[_Entry]]], fonts: _Fonts, col_w: float, available: float
) -> int:
    """How many columns the legend takes when a column is at most `available` tall."""
    cols, used = 1, 0.0
    for h, _ in _legend_blocks(legend, fonts, col_w):
        if used + h > available and used > 0:
            cols += 1
            used = 0.0
        used += h
    return cols


# ---- swatches: each drawn as the chart draws the mark ---------------------------------------


def _no_swatch(fig: Any, x: float, y: float) -> None:
    pass


def _pt(fig: Any) -> Any:
    from matplotlib.transforms import Affine2D

    return Affine2D().scale(1 / 72.0) + fig.dpi_scale_trans


def _rect(fig: Any, x: float, y: float, w: float, h: float, gid: str, **kw: Any) -> None:
    from matplotlib.patches import Rectangle

    fig.add_artist(Rectangle((x, y - h / 2), w, h, transform=_pt(fig), gid=gid, **kw))


def _bar_style(style: str, colour: str, critical: bool, violated: bool) -> dict[str, Any]:
    """A bar's face, edge and hatch by its style (see the module docstring)."""
    edge = RED if violated else None
    width = 1.6 if violated else None
    if style == "relief":
        return {"facecolor": colour, "edgecolor": edge or INK, "linewidth": width or 0.9}
    if style == "talks":
        return {"facecolor": "white", "edgecolor": edge or colour, "hatch": "////",
                "hatchcolor": colour, "linewidth": width or 0.8}  # fmt: skip
    if style == "assumed":
        return {"facecolor": _tint(colour, 0.2), "edgecolor": edge or colour,
                "linestyle": (0, (3, 2)), "linewidth": width or 0.9}  # fmt: skip
    return {"facecolor": colour, "edgecolor": edge or "none", "linewidth": width or 0}


def _swatch_bar(style: str, colour: str, critical: bool, violated: bool) -> Any:
    def draw(fig: Any, x: float, y: float) -> None:
        kw = _bar_style(style, colour, critical, violated)
        hatch = kw.pop("hatch", None)
        _rect(fig, x, y, 14, BAR * PITCH, "legend-swatch", hatch=hatch, **kw)

    return draw


def _swatch_summary(fig: Any, x: float, y: float) -> None:
    _rect(fig, x, y, 14, 0.26 * PITCH, "legend-swatch", facecolor=SUMMARY, edgecolor="none")


def _swatch_summary_pale(fig: Any, x: float, y: float) -> None:
    _rect(fig, x, y, 14, 0.26 * PITCH, "legend-swatch", facecolor=SUMMARY_PALE, edgecolor="none")


def _swatch_diamond(style: str, colour: str, violated: bool = False) -> Any:
    def draw(fig: Any, x: float, y: float) -> None:
        from matplotlib.lines import Line2D

        fig.add_artist(Line2D([x + 7], [y], transform=_pt(fig), gid="legend-swatch",
                              **_diamond_style(style, colour, violated)))  # fmt: skip

    return draw


def _swatch_verify(colour: str) -> Any:
    def draw(fig: Any, x: float, y: float) -> None:
        from matplotlib.lines import Line2D

        fig.add_artist(Line2D([x, x + 14], [y, y], transform=_pt(fig), color=colour,
                              gid="legend-swatch", **_VERIFY))  # fmt: skip

    return draw


def _swatch_force(colour: str) -> Any:
    def draw(fig: Any, x: float, y: float) -> None:
        _rect(fig, x, y, 14, FORCE * PITCH, "legend-swatch", **_force_style(colour))

    return draw


def _swatch_tick(colour: str) -> Any:
    def draw(fig: Any, x: float, y: float) -> None:
        from matplotlib.lines import Line2D

        h = 0.34 * PITCH
        fig.add_artist(Line2D([x + 7, x + 7], [y - h, y + h], transform=_pt(fig), color=colour,
                              linewidth=1.2, gid="legend-swatch"))  # fmt: skip

    return draw


def _swatch_lapse(fig: Any, x: float, y: float) -> None:
    from matplotlib.lines import Line2D

    fig.add_artist(Line2D([x + 7], [y], transform=_pt(fig), gid="legend-swatch", **_LAPSE))


def _swatch_reimposed(fig: Any, x: float, y: float) -> None:
    from matplotlib.lines import Line2D

    fig.add_artist(Line2D([x + 7], [y], transform=_pt(fig), gid="legend-swatch", **_REIMPOSED))


def _swatch_counter(fig: Any, x: float, y: float) -> None:
    from matplotlib.lines import Line2D

    fig.add_artist(Line2D([x + 7], [y], transform=_pt(fig), gid="legend-swatch", **_COUNTER))


def _swatch_chain(fig: Any, x: float, y: float) -> None:
    from matplotlib.lines import Line2D

    fig.add_artist(Line2D([x, x + 14], [y, y], transform=_pt(fig), gid="legend-swatch",
                          **_CHAIN))  # fmt: skip


def _swatch_violation(fig: Any, x: float, y: float) -> None:
    _rect(fig, x, y, 14, BAR * PITCH, "legend-swatch", facecolor="white", edgecolor=RED,
          linewidth=1.6)  # fmt: skip


def _swatch_baseline(fig: Any, x: float, y: float) -> None:
    _rect(fig, x, y, 14, 0.16 * PITCH, "legend-swatch", facecolor=GREY, edgecolor="none")


def _swatch_arrow(kind: str) -> Any:
    def draw(fig: Any, x: float, y: float) -> None:
        from matplotlib.patches import FancyArrowPatch

        fig.add_artist(FancyArrowPatch((x, y), (x + 14, y), transform=_pt(fig),
                                       gid="legend-swatch", **_ARROWS[kind]))  # fmt: skip

    return draw


def _swatch_vline(kind: str) -> Any:
    def draw(fig: Any, x: float, y: float) -> None:
        from matplotlib.lines import Line2D

        h = 0.45 * PITCH
        fig.add_artist(Line2D([x + 7, x + 7], [y - h, y + h], transform=_pt(fig),
                              gid="legend-swatch", **_VLINES[kind]))  # fmt: skip

    return draw


def _swatch_milestone(fig: Any, x: float, y: float) -> None:
    from matplotlib.lines import Line2D

    fig.add_artist(Line2D([x + 7], [y], transform=_pt(fig), gid="legend-swatch", **_MILESTONE))


#: A verification: a line from the end of the step to its done time, a bar at the end.
_VERIFY: dict[str, Any] = {"linewidth": 1.3, "marker": "|", "markersize": 5, "markevery": [1]}
_LAPSE: dict[str, Any] = {"marker": "o", "markersize": 4.5, "markerfacecolor": "white",
                          "markeredgecolor": INK, "markeredgewidth": 1.0, "linestyle": "none"}  # fmt: skip
_REIMPOSED: dict[str, Any] = {"marker": "X", "markersize": 6, "color": INK, "linestyle": "none",
                              "markeredgewidth": 0}  # fmt: skip
_COUNTER: dict[str, Any] = {"marker": "^", "markersize": 4, "color": INK, "linestyle": "none",
                            "markeredgewidth": 0}  # fmt: skip
_CHAIN: dict[str, Any] = {"color": INK, "linewidth": 1.3, "solid_joinstyle": "miter"}
_MILESTONE: dict[str, Any] = {"marker": "D", "markersize": 5, "color": INK, "linestyle": "none",
                              "markeredgewidth": 0}  # fmt: skip
_ARROWS: dict[str, dict[str, Any]] = {
    "counter": {"arrowstyle": "-|>", "mutation_scale": 6, "linewidth": 0.6, "color": "#555555"},
    "after": {"arrowstyle": "-|>", "mutation_scale": 5, "linewidth": 0.5, "color": "#999999",
              "linestyle": (0, (2, 1.5))},
    "gate": {"arrowstyle": "-", "linewidth": 0.8, "color": "#333333", "linestyle": (0, (1, 1.5))},
}  # fmt: skip
_VLINES: dict[str, dict[str, Any]] = {
    "gate": {"color": "#333333", "linewidth": 0.9},
    "phase": {"color": "#555555", "linewidth": 0.6, "linestyle": (0, (1, 2))},
}


def _diamond_style(style: str, colour: str, violated: bool) -> dict[str, Any]:
    edge = RED if violated else (INK if style == "relief" else colour)
    face = "white" if style in ("talks", "assumed") else colour
    return {"marker": "D", "markersize": 6, "markerfacecolor": face, "markeredgecolor": edge,
            "markeredgewidth": 1.4 if violated else 0.9, "linestyle": "none"}  # fmt: skip


def _force_style(colour: str) -> dict[str, Any]:
    """Time in force: a pale band edged in the actor's colour (pale alone, the U.S. blue
    would read as another actor's lighter blue)."""
    return {"facecolor": _tint(colour, 0.4), "edgecolor": colour, "linewidth": 0.5}


def _tint(colour: str, share: float) -> str:
    """`colour` mixed with white: `share` of the colour (an opaque colour, so that what
    the legend shows is what the page draws, whatever lies under it)."""
    rgb = [int(colour[i : i + 2], 16) for i in (1, 3, 5)]
    mixed = [round(255 - (255 - c) * share) for c in rgb]
    return "#" + "".join(f"{c:02x}" for c in mixed)


# ---- what the page draws, asked once by the legend and the drawing --------------------------


def _shown_bars(drawn: Chart) -> list[Bar]:
    """The steps drawn as bars or diamonds of their own (a renewal folded into a lane is a
    tick; a summary draws only relief as bars)."""
    if drawn.detail:
        return [lane.bars[0] for lane in drawn.lanes if lane.kind == "step"]
    return [b for lane in drawn.lanes for b in lane.bars if b.style == "relief"]


def _banded(lane: Lane) -> bool:
    f = lane.force
    return f is not None and bool(f.spans) and (f.until is not None or bool(f.renewals))


def _lapses(drawn: Chart, lane: Lane) -> list[int]:
    """The lapses drawn on a lane (those within the chart's time)."""
    if drawn.detail:
        found = list(lane.force.lapses) if lane.kind == "step" and lane.force else []
    else:
        found = [t for b in lane.bars if b.step in drawn.force for t in drawn.force[b.step].lapses]
    return [t for t in found if t <= drawn.last]


def _reimposed(drawn: Chart, lane: Lane) -> list[int]:
    if drawn.detail:
        f = lane.force if lane.kind == "step" else None
        return [f.reimposed[0]] if f is not None and f.reimposed is not None else []
    return [
        r[0]
        for b in lane.bars
        if b.step in drawn.force and (r := drawn.force[b.step].reimposed) is not None
    ]


def _lane_of(drawn: Chart) -> dict[str, int]:
    """The lane each drawn step is on (a folded renewal: its base's lane)."""
    out: dict[str, int] = {}
    for i, lane in enumerate(drawn.lanes):
        if lane.kind != "package" or not drawn.detail:
            for b in lane.bars:
                out.setdefault(b.step, i)
            for b in lane.renewals:
                out[b.step] = i
    return out


def _counter_links(drawn: Chart, o: Outline) -> list[tuple[str, str]]:
    lane = _lane_of(drawn)
    return [(a.counter, a.give) for a in o.links if a.counter in lane and a.give in lane]


def _after_links(drawn: Chart, o: Outline) -> list[tuple[str, str]]:
    lane = _lane_of(drawn)
    steps = o.scenario.steps
    out = []
    for s in drawn.bars:
        for req in steps[s].requirements():
            if req.step in lane and s in lane and lane[req.step] != lane[s]:
                out.append((req.step, s))
    return list(dict.fromkeys(out))


def _gate_links(drawn: Chart, o: Outline) -> list[tuple[int, str]]:
    lane = _lane_of(drawn)
    holds = gate_holds(o)
    out = []
    for g in o.gates:
        if g.opens is None:
            continue
        for s in holds.get(g.rule, ()):
            if s in lane and s in drawn.bars and drawn.bars[s].start > g.opens:
                out.append((g.opens, s))
    return out


def _summary_counters(drawn: Chart, o: Outline) -> list[tuple[int, int, str]]:
    """In a summary: (lane, done time, actor) of each counter-step that earns a give step
    of the lane."""
    where = {b.step: i for i, lane in enumerate(drawn.lanes) for b in lane.bars}
    out = []
    for a in o.links:
        if a.give in where and a.counter in drawn.bars:
            c = drawn.bars[a.counter]
            out.append((where[a.give], c.done, c.actor))
    return sorted(set(out))


# ---- drawing ------------------------------------------------------------------------------


def gantt_figure(o: Outline, options: ChartOptions = DEFAULT_OPTIONS) -> Any:
    """The chart as a matplotlib Figure (no pyplot: no global state, no display)."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    fonts = _Fonts()
    page = _plan(o, options, fonts)
    return _Drawing(o, page, fonts).figure()


class _Drawing:
    """Draws one planned page."""

    def __init__(self, o: Outline, page: _Page, fonts: _Fonts) -> None:
        self.o = o
        self.page = page
        self.fonts = fonts
        self.chart = page.chart
        self.colours = actor_colours(o)
        #: Tooltips of the SVG's bars: gid -> text.
        self.tips: dict[str, str] = {}
        self.counters: dict[int, list[tuple[int, str]]] | None = None

    def _counters(self) -> dict[int, list[tuple[int, str]]]:
        """A summary's counter-step marks by lane: (done time, actor), worked out once."""
        if self.counters is None:
            self.counters = {}
            for i, t, actor in _summary_counters(self.chart, self.o):
                self.counters.setdefault(i, []).append((t, actor))
        return self.counters

    def figure(self) -> Any:
        from matplotlib.figure import Figure

        page = self.page
        fig = Figure(figsize=(page.width / 72, page.height / 72))
        fig.set_gid("gantt")
        self.fig = fig
        left, bottom, width, height = page.axes
        ax = fig.add_axes((left / page.width, bottom / page.height, width / page.width,
                           height / page.height))  # fmt: skip
        self.ax = ax
        lanes = len(self.chart.lanes)
        ax.set_xlim(-0.5, self.chart.last + 0.5)
        ax.set_ylim(lanes - 0.5, -page.sub_lanes - 0.5)
        for side in ("top", "right", "left"):
            ax.spines[side].set_visible(False)
        ax.spines["bottom"].set_color("#999999")
        ax.tick_params(axis="y", left=False, labelleft=False)
        self._lanes()
        self._phases()
        self._milestones()
        if self.chart.detail:
            self._links()
        self._chain()
        self._axis()
        self._titles()
        self._legend()
        fig._planner_tips = self.tips  # type: ignore[attr-defined]  # read by `gantt_bytes`
        return fig

    # -- lanes --

    def y(self, i: int) -> float:
        return float(i)

    def _label_transform(self) -> Any:
        from matplotlib.transforms import blended_transform_factory

        return blended_transform_factory(_pt(self.fig), self.ax.transData)

    def _lanes(self) -> None:
        ax, page = self.ax, self.page
        text_at = self._label_transform()
        column_right = MARGIN + page.label_w
        shade = False
        for i, lane in enumerate(self.chart.lanes):
            y = self.y(i)
            if lane.kind != "step":
                if self.chart.detail:
                    shade = not shade
                label = self.fonts.fit(lane.label, page.label_w, bold=True)
                red = not self.chart.detail and any(b.violated for b in lane.bars)
                ax.text(MARGIN, y, label, transform=text_at, ha="left", va="center",
                        fontsize=FONT, fontweight="bold", color=RED if red else "#222222",
                        gid=f"lane-label:{i}")  # fmt: skip
                if self.chart.detail:
                    self._header(i, lane)
                else:
                    self._summary(i, lane)
            else:
                bar = lane.bars[0]
                bold = bar.critical
                label = self.fonts.fit(lane.label, page.label_w, bold=bold)
                ax.text(column_right, y, label, transform=text_at, ha="right", va="center",
                        fontsize=FONT, fontweight="bold" if bold else "normal",
                        color=RED if bar.violated else "#222222",
                        gid=f"lane-label:{i}")  # fmt: skip
                self._step(i, lane)
            if self.chart.detail and shade:
                ax.axhspan(y - 0.5, y + 0.5, color="#f3f3f3", zorder=0, linewidth=0)

    def _header(self, i: int, lane: Lane) -> None:
        """A package's header lane: its summary bar, and its baseline."""
        from matplotlib.lines import Line2D
        from matplotlib.patches import Rectangle

        a, b = lane.extent
        y = self.y(i)
        gid = f"package:{lane.package}"
        self.tips[gid] = f"{lane.tooltip}: {self.o.scenario.unit}s {a}–{b}"
        self.ax.add_artist(Rectangle((a, y - 0.13), max(b - a, 0.05), 0.26, facecolor=SUMMARY,
                                    edgecolor="none", gid=gid, zorder=3))  # fmt: skip
        self.ax.add_artist(Line2D([a, b], [y + 0.13, y + 0.13], linestyle="none", marker="v",
                                markersize=4, color=SUMMARY, markeredgewidth=0, zorder=3,
                                gid=f"{gid}:ends"))  # fmt: skip
        if lane.baseline is not None:
            self._baseline(y, lane.baseline, f"baseline:{lane.package}")

    def _baseline(self, y: float, span: tuple[int, int], gid: str) -> None:
        from matplotlib.patches import Rectangle

        a, b = span
        self.ax.add_artist(Rectangle((a, y + 0.33), max(b - a, 0.1), 0.16, facecolor=GREY,
                                    edgecolor="none", zorder=1, gid=gid))  # fmt: skip

    def _step(self, i: int, lane: Lane) -> None:
        from matplotlib.lines import Line2D
        from matplotlib.patches import Rectangle

        ax = self.ax
        bar = lane.bars[0]
        y = self.y(i)
        colour = self.colours.get(bar.actor, GREY)
        gid = f"step:{bar.step}"
        self.tips[gid] = lane.tooltip
        if bar.baseline is not None:
            self._baseline(y, bar.baseline, f"baseline:{bar.step}")
        if bar.end > bar.start:
            kw = _bar_style(bar.style, colour, bar.critical, bar.violated)
            ax.add_artist(Rectangle((bar.start, y - BAR / 2), bar.end - bar.start, BAR, zorder=3,
                                   gid=gid, **kw))  # fmt: skip
        else:
            ax.add_artist(Line2D([bar.start], [y], zorder=4, gid=gid,
                               **_diamond_style(bar.style, colour, bar.violated)))  # fmt: skip
        if bar.done > bar.end:
            ax.add_artist(Line2D([bar.end, bar.done], [y, y], color=colour, zorder=3,
                               gid=f"verify:{bar.step}", **_VERIFY))  # fmt: skip
        f = lane.force
        if f is not None and _banded(lane):
            last = self.chart.last + 0.5
            for a, b in f.spans:
                end = last if b is None or b > last else b
                ax.add_artist(Rectangle((a, y - FORCE / 2), end - a, FORCE, zorder=2,
                                       gid=f"force:{bar.step}", **_force_style(colour)))  # fmt: skip
        for r in lane.renewals:
            rgid = f"step:{r.step}"
            self.tips[rgid] = f"{r.title} ({r.step}): done {self.o.scenario.unit} {r.done}"
            ax.add_artist(Line2D([r.done, r.done], [y - 0.34, y + 0.34], zorder=4, gid=rgid,
                               color=RED if r.violated else INK,
                               linewidth=1.6 if r.violated else 1.2))  # fmt: skip
        for t in _lapses(self.chart, lane):
            ax.add_artist(Line2D([t], [y], zorder=5, gid=f"lapse:{bar.step}", **_LAPSE))
        for t in _reimposed(self.chart, lane):
            ax.add_artist(Line2D([t], [y], zorder=5, gid=f"reimposed:{bar.step}", **_REIMPOSED))

    def _summary(self, i: int, lane: Lane) -> None:
        """A package (or a run of packages) in a summary: its extent, its relief, the
        counter-steps that earn it, the critical chain and the violations on it."""
        from matplotlib.collections import PatchCollection, PolyCollection
        from matplotlib.lines import Line2D
        from matplotlib.patches import Rectangle

        ax = self.ax
        y = self.y(i)
        a, b = lane.extent
        gid = f"package:{lane.package}" if lane.kind == "package" else f"group:{i}"
        self.tips[gid] = f"{lane.tooltip}: {len(lane.bars)} steps, {self.o.scenario.unit}s {a}–{b}"
        ax.add_artist(Rectangle((a, y - 0.13), max(b - a, 0.05), 0.26, facecolor=SUMMARY_PALE,
                               edgecolor="none", zorder=2, gid=gid))  # fmt: skip
        if lane.baseline is not None:
            self._baseline(y, lane.baseline, f"baseline:{gid}")
        by_colour: dict[str, list[Any]] = {}
        top, bottom = y - BAR / 2, y + BAR / 2
        for bar in lane.bars:
            if bar.style == "relief":
                x0, x1 = bar.start, bar.start + max(bar.end - bar.start, 0.3)
                by_colour.setdefault(self.colours.get(bar.actor, GREY), []).append(
                    [(x0, top), (x1, top), (x1, bottom), (x0, bottom)]
                )
        for colour, boxes in sorted(by_colour.items()):
            kw = _bar_style("relief", colour, False, False)
            ax.add_collection(
                PolyCollection(boxes, zorder=3, gid=f"{gid}:relief", **kw), autolim=False
            )
        marks = self._counters().get(i, [])
        if marks:
            ax.add_artist(Line2D([t for t, _ in marks], [y + 0.3] * len(marks), zorder=4,
                                 gid=f"{gid}:counters", **_COUNTER))  # fmt: skip
        bad = [bar for bar in lane.bars if bar.violated]
        if bad:
            ax.add_collection(PatchCollection(
                [Rectangle((v.start, y - BAR / 2), max(v.done - v.start, 0.3), BAR) for v in bad],
                facecolor="none", edgecolor=RED, linewidth=1.6, zorder=4,
                gid=f"{gid}:violations"), autolim=False)  # fmt: skip
        lapses = _lapses(self.chart, lane)
        if lapses:
            ax.add_artist(Line2D(lapses, [y] * len(lapses), zorder=6, gid=f"{gid}:lapses",
                               **_LAPSE))  # fmt: skip
        again = _reimposed(self.chart, lane)
        if again:
            ax.add_artist(Line2D(again, [y] * len(again), zorder=6, gid=f"{gid}:reimposed",
                               **_REIMPOSED))  # fmt: skip

    # -- links, chain, phases, milestones --

    def _links(self) -> None:
        from matplotlib.lines import Line2D
        from matplotlib.patches import FancyArrowPatch

        lane = _lane_of(self.chart)
        bars = self.chart.bars
        links = self.chart.options.links
        if "counter" in links:
            for c, g in _counter_links(self.chart, self.o):
                self.ax.add_artist(FancyArrowPatch(
                    (bars[c].done, lane[c]), (bars[g].start, lane[g]), shrinkA=0, shrinkB=1,
                    connectionstyle="arc3,rad=0.15", zorder=6, gid=f"link:{c}->{g}",
                    **_ARROWS["counter"]))  # fmt: skip
        if "after" in links:
            for p, s in _after_links(self.chart, self.o):
                self.ax.add_artist(FancyArrowPatch(
                    (bars[p].done, lane[p]), (bars[s].start, lane[s]), shrinkA=0, shrinkB=1,
                    connectionstyle="arc3,rad=-0.1", zorder=6, gid=f"after:{p}->{s}",
                    **_ARROWS["after"]))  # fmt: skip
        if "gate" in links:
            for t, s in _gate_links(self.chart, self.o):
                kw = dict(_ARROWS["gate"])
                kw.pop("arrowstyle")
                self.ax.add_artist(Line2D([t, bars[s].start], [lane[s], lane[s]], zorder=2,
                                        gid=f"gate-link:{s}", **kw))  # fmt: skip

    def _chain(self) -> None:
        """The critical chain: a black line from each of its steps' done time to the next
        one's start, through their lanes."""
        from matplotlib.lines import Line2D

        chain = self.chart.chain or ()
        lane = _lane_of(self.chart)
        bars = self.chart.bars
        xs: list[float] = []
        ys: list[float] = []
        for s in chain:
            if s not in lane:
                continue
            b, y = bars[s], float(lane[s])
            if xs:  # from the step before's done time, across to this lane
                xs.append(xs[-1])
                ys.append(y)
            xs += [b.start, b.done]
            ys += [y, y]
        if xs:
            self.ax.add_artist(Line2D(xs, ys, zorder=7, gid="critical-chain", **_CHAIN))

    def _phases(self) -> None:
        """Phase boundaries (dotted) down the lanes, and the phases as bands above the
        axis' labels, each named in full where it has room, else numbered."""
        from matplotlib.patches import Rectangle
        from matplotlib.transforms import blended_transform_factory

        ax, page = self.ax, self.page
        lanes = len(self.chart.lanes)
        band = blended_transform_factory(ax.transData, _pt(self.fig))
        band_y = page.axes[1] + page.axes[3] + 14
        scale = page.axes[2] / (self.chart.last + 1)
        for i, p in enumerate(self.o.phases, 1):
            if p.start is None:
                continue
            if p.start > 0:
                ax.vlines(p.start, -0.5, lanes - 0.5, gid=f"phase:{p.id}", zorder=1,
                          **_VLINES["phase"])  # fmt: skip
            end = self.chart.last + 1 if p.end is None else min(p.end, self.chart.last + 1)
            if end <= p.start:
                continue
            self.fig.add_artist(Rectangle((p.start - 0.5, band_y), end - p.start, 11,
                                          transform=band, facecolor=BAND[i % 2],
                                          edgecolor="none", gid=f"phase-band:{p.id}"))  # fmt: skip
            room = (end - p.start) * scale - 2 * PAD
            whole = f"{i}. {p.title}"
            label = whole if self.fonts.width(whole) <= room else str(i)
            if self.fonts.width(label) <= room:
                self.fig.text((p.start + end - 1) / 2, band_y + 5.5, label, transform=band,
                              ha="center", va="center", fontsize=FONT, color="#333333",
                              gid=f"phase-label:{p.id}")  # fmt: skip
        for g in self.o.gates:
            if g.opens is not None:
                ax.vlines(g.opens, -0.5, lanes - 0.5, gid=f"gate:{g.rule}", zorder=1,
                          **_VLINES["gate"])  # fmt: skip

    def _milestones(self) -> None:
        from matplotlib.lines import Line2D
        from matplotlib.transforms import offset_copy

        ax, page = self.ax, self.page
        if page.stacked:
            ax.text(MARGIN, -page.sub_lanes, "Milestones", transform=self._label_transform(),
                    ha="left", va="center", fontsize=FONT, fontweight="bold", color=INK,
                    gid="lane-label:milestones")  # fmt: skip
        for at, label, sub, right, gid in page.stacked:
            y = -page.sub_lanes + sub
            ax.add_artist(Line2D([at], [y], gid=gid, zorder=5, **_MILESTONE))
            shift = offset_copy(ax.transData, fig=self.fig, x=5 if right else -5, y=0,
                                units="points")  # fmt: skip
            ax.text(at, y, label, transform=shift, ha="left" if right else "right",
                    va="center", fontsize=FONT, color=INK, gid=f"{gid}:label")  # fmt: skip

    # -- axis, titles, legend --

    def _axis(self) -> None:
        ax, page = self.ax, self.page
        s = self.o.scenario
        last = self.chart.last
        scale = page.axes[2] / (last + 1)
        dated = s.start is not None
        widest = max(self.fonts.width(f"{s.unit} {last}"),
                     self.fonts.width("2027-12-31") if dated else 0.0)  # fmt: skip
        step = next(
            (k for k in (1, 2, 4, 5, 8, 10, 13, 20, 26, 52, 100, 200, 500, 1000, 2000, 5000)
             if k * scale >= widest + 2 * PAD),
            max(1, math.ceil((widest + 2 * PAD) / scale)),
        )  # fmt: skip
        ticks = list(range(0, last + 1, step))
        if dated:
            labels = [d.isoformat() if (d := s.date_of(t)) else "" for t in ticks]
        else:
            labels = [f"{s.unit} {t}" for t in ticks]
        ax.set_xticks(ticks, labels, fontsize=FONT, color="#333333")
        ax.tick_params(axis="x", length=2, pad=2, color="#999999")
        if dated:  # the unit's count on top (undated, the axis below counts already)
            above = ax.secondary_xaxis("top")
            above.set_xticks(ticks, [f"{s.unit} {t}" for t in ticks], fontsize=FONT,
                             color="#333333")  # fmt: skip
            above.tick_params(length=2, pad=2, color="#999999")
            above.spines["top"].set_visible(False)
        ax.grid(axis="x", color="#e3e3e3", linewidth=0.4)
        ax.set_axisbelow(True)

    def _titles(self) -> None:
        page, o = self.page, self.o
        s = o.scenario
        room = page.width - 2 * MARGIN
        top = page.height - MARGIN
        self.fig.text(MARGIN / page.width, top / page.height,
                      self.fonts.fit(s.name, room, size=TITLE_FONT), ha="left", va="top",
                      fontsize=TITLE_FONT, fontweight="normal", color=INK, gid="title")  # fmt: skip
        self.fig.text(MARGIN / page.width, (top - TITLE_FONT * 1.3 - 1) / page.height,
                      self.fonts.fit(self._subtitle(), room), ha="left", va="top",
                      fontsize=FONT, color="#333333", gid="subtitle")  # fmt: skip

    def _subtitle(self) -> str:
        o, drawn = self.o, self.chart
        s = o.scenario
        date = s.date_of(o.last)
        parts = [f"{len(drawn.bars)} steps", f"last done {s.unit} {o.last}"
                 + (f" ({date.isoformat()})" if date else "")]  # fmt: skip
        risk = drawn.options.finish
        if risk is None and o.finish is not None:  # the outline's (`planner.whatif.risk`)
            risk = (o.finish.p50, o.finish.p80)
        if risk is not None:
            p50, p80 = risk
            parts[-1] += f", simulated P50 {s.unit} {p50}, P80 {s.unit} {p80}"
        if drawn.chain:
            k = len(drawn.chain)
            parts.append(f"critical chain: {k} step{'s' * (k != 1)}")
        report = o.report
        if report is not None:
            if report.violations:
                rules = len({v.rule for v in report.violations})
                parts.append(
                    f"{len(report.violations)} violation{'s' * (len(report.violations) != 1)}"
                    f" of {rules} rule{'s' * (rules != 1)} (in red)"
                )
            else:
                parts.append("every hard rule kept")
        if drawn.options.baseline is not None:
            parts.append(f"baseline: {drawn.options.baseline_name or 'given'}")
        return " · ".join(parts)

    def _legend(self) -> None:
        page = self.page
        left = page.axes[0] + page.axes[2] + _gutter(self.o, self.fonts)
        col_w = (page.panel_w - (page.panel_cols - 1) * 8) / page.panel_cols
        top = page.axes[1] + page.axes[3]
        x, y = left, top
        for h, items in _legend_blocks(page.legend, self.fonts, col_w):
            if y - h < MARGIN and y < top:
                x += col_w + 8
                y = top
            for entry, head, lines in items:
                mid = y - PITCH / 2
                if entry is None:
                    self.fig.text(x / page.width, mid / page.height, head, ha="left",
                                  va="center", fontsize=FONT, fontweight="bold", color=INK,
                                  gid=f"legend-head:{head}")  # fmt: skip
                    y -= PITCH + 2
                    continue
                entry.draw(self.fig, x, mid)
                indent = 18 if entry.draw is not _no_swatch else 0
                for k, line in enumerate(lines):
                    self.fig.text((x + indent) / page.width, (mid - k * PITCH) / page.height,
                                  line, ha="left", va="center", fontsize=FONT,
                                  color="#222222", gid=entry.gid)  # fmt: skip
                y -= len(lines) * PITCH + 1
            y -= h - sum((PITCH + 2) if e is None else len(ls) * PITCH + 1 for e, _, ls in items)


# ---- the files -------------------------------------------------------------------------------


def gantt_bytes(o: Outline, fmt: str, options: ChartOptions = DEFAULT_OPTIONS) -> bytes:
    """The chart as an SVG, PNG or PDF file: the same outline gives the same bytes."""
    import matplotlib

    with matplotlib.rc_context(_rc()):
        fig = gantt_figure(o, options)
        buf = io.BytesIO()
        metadata: dict[str, Any] = {"Creator": CREATOR}
        if fmt == "svg":
            metadata["Date"] = None
        elif fmt == "pdf":
            metadata.update(CreationDate=None, ModDate=None, Producer=CREATOR)
        else:
            metadata = {"Software": CREATOR}
        dpi = 100
        if fmt == "png":
            w, h = fig.get_size_inches()
            tall = min(100.0, 30000 / h)  # a page grown by --detail: up to 30,000 px high
            dpi = int(min(DPI, max(math.sqrt(PIXELS / (w * h)), tall)))
        fig.savefig(buf, format=fmt, metadata=metadata, dpi=dpi)
    data = buf.getvalue()
    if fmt == "svg":
        data = with_titles(data.decode("utf-8"), fig._planner_tips).encode("utf-8")
    return data


_GROUP = re.compile(r'<g id="([^"]+)"( [^>]*)?>')


def with_titles(svg: str, tips: dict[str, str]) -> str:
    """The SVG with a `<title>` (a browser's tooltip) in each group whose id has a tip:
    a bar's full title, times, force and violations."""

    def add(m: re.Match[str]) -> str:
        tip = tips.get(html.unescape(m.group(1)))
        return (
            m.group(0)
            if tip is None
            else f"{m.group(0)}\n  <title>{html.escape(tip, quote=False)}</title>"
        )

    return _GROUP.sub(add, svg)


def gantt_svg(o: Outline, options: ChartOptions = DEFAULT_OPTIONS) -> str:
    """The chart as SVG markup to put inside an HTML page (no XML prolog, no DOCTYPE)."""
    text = gantt_bytes(o, "svg", options).decode("utf-8")
    return text[text.index("<svg") :]


# ---- the leverage curves (the report's second chart) ----------------------------------------


def _leverage_axis(ax: Any, o: Outline, last: int) -> None:
    """Ticks every few units; calendar dates below when the scenario has a start."""
    scenario = o.scenario
    step = next(
        s for s in (1, 2, 4, 5, 8, 10, 13, 20, 26, 52, 100, 200, 500, 1000) if last / s <= 14
    )
    if last / step > 14:
        step = max(1, last // 12)
    ticks = list(range(0, last + 1, step))
    dates = [scenario.date_of(t) for t in ticks]
    if all(d is not None for d in dates) and scenario.start is not None:
        ax.set_xticks(ticks, [d.isoformat() if d else "" for d in dates], fontsize=5.5)
        ax.set_xlabel("calendar date (start of the period)", fontsize=6)
    else:
        ax.set_xticks(ticks, [str(t) for t in ticks], fontsize=5.5)
        ax.set_xlabel(f"{scenario.unit}s", fontsize=6)


def leverage_figure(o: Outline, size: tuple[float, float] = (10.0, 3.4)) -> Any:
    """Exposure over time: one step line per actor (given − received, README: Leverage),
    and each balance rule's own curve against its margin."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    from matplotlib.figure import Figure

    colours = actor_colours(o)
    last = max(o.last, 1)
    fig = Figure(figsize=size)
    ax = fig.add_axes((0.06, 0.2, 0.72, 0.7))
    for actor, points in o.curves.items():
        xs = [t for t, _, _ in points] + [last]
        ys = [g - r for _, g, r in points]
        ys.append(ys[-1])
        ax.step(xs, ys, where="post", color=colours.get(actor, "#777777"), linewidth=1.2,
                label=f"{actor}: exposure", gid=f"curve:{actor}")  # fmt: skip
    for c in o.balance:
        xs = [0] + [t for t, _ in c.points] + [last]
        ys = [0] + [level for _, level in c.points]
        ys.append(ys[-1])
        ax.step(xs, ys, where="post", color="#222222", linewidth=1.0, linestyle="--",
                label=f"{c.rule} (balance rule)", gid=f"balance:{c.rule}")  # fmt: skip
        ax.axhline(c.margin, color="#B00020", linewidth=0.8, linestyle=":",
                   label=f"{c.rule}: margin {c.margin}")  # fmt: skip
    for i, p in enumerate(o.phases, 1):
        if p.start:
            ax.axvline(p.start, color="#999999", linewidth=0.5, linestyle=":")
        if p.start is not None and (p.end is None or p.end > p.start):
            end = last if p.end is None else min(p.end, last)
            ax.text((p.start + end) / 2, 1.01, str(i), transform=ax.get_xaxis_transform(),
                    ha="center", va="bottom", fontsize=6, color="#444444")  # fmt: skip
    ax.axhline(0, color="#444444", linewidth=0.5)
    ax.set_xlim(0, last)
    _leverage_axis(ax, o, last)
    ax.set_ylabel("leverage units", fontsize=6)
    ax.tick_params(labelsize=5.5)
    ax.grid(color="#e5e5e5", linewidth=0.4)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    fig.legend(loc="center left", bbox_to_anchor=(0.8, 0.55), fontsize=6, frameon=False)
    return fig


def leverage_svg(o: Outline) -> str:
    """The leverage curves as SVG markup for an HTML page."""
    import matplotlib

    with matplotlib.rc_context(_rc()):
        buf = io.BytesIO()
        leverage_figure(o).savefig(buf, format="svg", metadata={"Date": None, "Creator": CREATOR})
    text = buf.getvalue().decode("utf-8")
    return text[text.index("<svg") :]
