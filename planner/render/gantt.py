"""The Gantt chart of a roadmap, drawn with matplotlib (imported here only: the commands
that draw pay for it, no other). Pure: an `Outline` in, the bytes of an SVG, PNG or PDF
file out, the same bytes for the same outline.

One bar per scheduled step, grouped by package (in scenario order, each package's steps
by start), coloured by actor; the verification is a lighter tail after the bar; an arrow
runs from each counter-step's done time to the start of the give step it answers; gates
(solid) and phase boundaries (dotted) are vertical lines; with a scenario start date the
axis shows calendar dates (and the scenario's unit on top). Sized for an A4 landscape
page: 60 steps stay legible.
"""

from __future__ import annotations

import io
from typing import Any

from planner.render.outline import Outline, Row

#: A4 landscape, in inches.
A4_LANDSCAPE = (11.69, 8.27)
FORMATS = ("svg", "png", "pdf")
#: Colour-blind-safe qualitative colours (Okabe–Ito), then the darker of Paul Tol's that
#: no Okabe–Ito colour is close to (a scenario's ninth actor must not look like its first).
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442",
           "#000000", "#882255", "#332288", "#999933", "#117733", "#AA4499", "#661100")  # fmt: skip
TITLE_CHARS = 58
#: What the files say made them (no date: the same roadmap gives the same bytes).
CREATOR = "relief-planner"


def actor_colours(o: Outline) -> dict[str, str]:
    return {a: PALETTE[i % len(PALETTE)] for i, a in enumerate(o.scenario.actors)}


def short(text: str, n: int = TITLE_CHARS) -> str:
    return text if len(text) <= n else text[: n - 1].rstrip() + "…"


def ordered_rows(o: Outline) -> list[tuple[str, list[Row]]]:
    """(package title, its scheduled steps by start) in scenario order."""
    out = []
    for p in o.scenario.packages:
        rows = [r for r in o.rows if r.package == p.id]
        if rows:
            out.append((p.title, rows))
    return out


def _rc() -> Any:
    return {
        "svg.hashsalt": "relief-planner",  # ids in the SVG do not change from run to run
        "svg.fonttype": "none",  # text stays text: searchable, selectable, escaped
        "font.family": "DejaVu Sans",
        "font.size": 6,
        "pdf.fonttype": 42,
        "path.simplify": False,
        # Titles are the user's text: "$1bn ... $2bn" is money, not TeX math ("$...$"
        # would be typeset, and a backslash inside it is a parse error).
        "text.parse_math": False,
    }


def report_size(o: Outline) -> tuple[float, float]:
    """A size for a web page: narrower than A4 (larger text for the same width on
    screen) and as tall as the steps need."""
    n = len(o.rows) + len(ordered_rows(o)) * 0.4
    return (9.5, max(6.0, 0.13 * n + 2.0))


def gantt_figure(o: Outline, size: tuple[float, float] = A4_LANDSCAPE) -> Any:
    """The chart as a matplotlib Figure (no pyplot: no global state, no display)."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D
    from matplotlib.patches import FancyArrowPatch, Patch

    scenario = o.scenario
    colours = actor_colours(o)
    groups = ordered_rows(o)
    n = sum(len(rows) for _, rows in groups)
    import textwrap

    from matplotlib.transforms import blended_transform_factory

    fig = Figure(figsize=size)
    width, height = size
    # In inches: the package column (1.45), the step titles (2.25), the chart; below it
    # the axis and the legend (0.85), above it the titles and phases (1.0).
    x0, x1 = 3.75 / width, 1 - 0.15 / width
    # The phases' names, under the title, in as many lines as the width needs.
    caption = "   ".join(
        f"{i}. {p.title}" for i, p in enumerate(o.phases, 1) if p.start is not None
    )
    caption_lines = textwrap.wrap("Phases: " + caption, int(width * 72 / 3.0)) if caption else []
    y0, y1 = 0.85 / height, 1 - (0.85 + 0.1 * len(caption_lines)) / height
    ax = fig.add_axes((x0, y0, x1 - x0, y1 - y0))
    #: x in figure fractions, y in data: the package column at the far left.
    left = blended_transform_factory(fig.transFigure, ax.transData)
    last = max(o.last, 1)
    y_of: dict[str, float] = {}
    labels: list[tuple[float, str]] = []
    y = 0.0
    band = False
    for title, rows in groups:
        top = y
        for r in rows:
            y_of[r.step] = y
            labels.append((y, short(r.title)))
            colour = colours.get(r.actor, "#777777")
            if r.end > r.start:
                ax.barh(y, r.end - r.start, left=r.start, height=0.72, color=colour,
                        edgecolor="none", gid=f"step:{r.step}")  # fmt: skip
            else:  # a zero-length step (an event, a signature) is a milestone: a diamond
                ax.plot([r.start], [y], marker="D", markersize=4, color=colour,
                        markeredgewidth=0, linestyle="none", gid=f"step:{r.step}")  # fmt: skip
            if r.done > r.end:
                ax.barh(y, r.done - r.end, left=r.end, height=0.72, color=colour, alpha=0.3,
                        edgecolor=colour, linewidth=0.3, gid=f"verify:{r.step}")  # fmt: skip
            y += 1
        if band:
            ax.axhspan(top - 0.5, y - 0.5, color="#f2f2f2", zorder=0, linewidth=0)
        fig.text(0.08 / width, top - 0.35, "\n".join(textwrap.wrap(title, 26)), transform=left,
                 ha="left", va="top", fontsize=6, fontweight="bold", color="#333333",
                 gid=f"package:{title}")  # fmt: skip
        ax.add_line(Line2D([0.08 / width, x1], [top - 0.62, top - 0.62], transform=left,
                           color="#bbbbbb", linewidth=0.4, clip_on=False))  # fmt: skip
        band = not band
        y += 0.4  # a little air between packages
    # Step titles: a second, inner column of labels, right-aligned against the chart.
    ax.set_yticks([p for p, _ in labels], [t for _, t in labels], fontsize=5.2)
    ax.tick_params(axis="y", length=0, pad=2)
    ax.set_ylim(y - 0.2, -0.8)
    ax.set_xlim(-0.5, last + 0.5)
    for a in o.links:
        if a.give in y_of and a.counter in y_of:
            done = next(r.done for r in o.rows if r.step == a.counter)
            start = next(r.start for r in o.rows if r.step == a.give)
            arrow = FancyArrowPatch(
                (done, y_of[a.counter]), (start, y_of[a.give]), arrowstyle="-|>",
                mutation_scale=5, linewidth=0.45, color="#555555", alpha=0.7,
                connectionstyle="arc3,rad=0.15", shrinkA=0, shrinkB=1,
                gid=f"link:{a.counter}->{a.give}",
            )  # fmt: skip
            ax.add_patch(arrow)
    for g in o.gates:
        if g.opens is not None:
            ax.axvline(g.opens, color="#B00020", linewidth=0.9, gid=f"gate:{g.rule}")
            ax.text(g.opens, y - 0.3, f" {g.rule} opens", color="#B00020", fontsize=5.5,
                    va="bottom", ha="left", gid=f"gate-label:{g.rule}")  # fmt: skip
    # Phases: dotted boundaries, the number of each phase above the chart, and its title
    # in one line under the chart's title.
    axes_points = (x1 - x0) * width * 72
    for i, p in enumerate(o.phases, 1):
        if p.start is None:
            continue
        if p.start > 0:
            ax.axvline(p.start, color="#444444", linewidth=0.6, linestyle=":",
                       gid=f"phase:{p.id}")  # fmt: skip
        end = last if p.end is None else min(p.end, last)
        if end <= p.start:
            continue
        room = int((end - p.start) / (last + 1) * axes_points / 3.2)
        label = (
            f"{i}. {p.title}"
            if room >= len(p.title) + 3
            else (f"{i}. {short(p.title, room - 3)}" if room >= 18 else str(i))
        )
        ax.text((p.start + end) / 2, 1.045, label, transform=ax.get_xaxis_transform(),
                ha="center", va="bottom", fontsize=5.5, color="#444444",
                bbox={"boxstyle": "round,pad=0.2", "facecolor": "#eeeeee", "linewidth": 0},
                gid=f"phase-label:{p.id}")  # fmt: skip
    _axis(ax, o, last)
    ax.grid(axis="x", color="#dddddd", linewidth=0.4)
    ax.set_axisbelow(True)
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)
    handles: list[Any] = [Patch(color=colours[a], label=f"{a}: {scenario.actors[a]}")
               for a in scenario.actors if any(r.actor == a for r in o.rows)]  # fmt: skip
    handles += [
        Patch(facecolor="#777777", alpha=0.3, edgecolor="#777777", label="verification"),
        Line2D([], [], color="#555555", linewidth=0.6, marker=">", markersize=3,
               label="counter-step → the step it answers"),
        Line2D([], [], color="#B00020", linewidth=0.9, label="gate opens"),
        Line2D([], [], color="#444444", linewidth=0.6, linestyle=":", label="phase boundary"),
    ]  # fmt: skip
    legend = fig.legend(handles=handles, loc="lower center", ncol=min(len(handles), 6),
                        fontsize=5.5, frameon=False, bbox_to_anchor=(0.5, 0.0))  # fmt: skip
    legend.set_gid("legend")
    summary = f"{n} steps; last done {_when(o, o.last)}"
    fig.suptitle(f"{scenario.name} — {summary}", x=0.5, y=1 - 0.12 / height, fontsize=9)
    if caption_lines:
        fig.text(0.5, 1 - 0.38 / height, "\n".join(caption_lines), ha="center", va="top",
                 fontsize=5.5, color="#444444", gid="phases")  # fmt: skip
    return fig


def _when(o: Outline, t: int) -> str:
    date = o.scenario.date_of(t)
    return f"{o.scenario.unit} {t}" + (f" ({date.isoformat()})" if date else "")


def _axis(ax: Any, o: Outline, last: int, top: bool = True) -> None:
    """Ticks every few units; calendar dates below when the scenario has a start (and,
    with `top`, the unit's count above)."""
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
        if top:
            above = ax.secondary_xaxis("top")
            above.set_xticks(ticks, [f"{scenario.unit} {t}" for t in ticks], fontsize=5)
            above.tick_params(length=2, pad=1)
            above.spines["top"].set_visible(False)
        ax.set_xlabel("calendar date (start of the period)", fontsize=6)
    else:
        ax.set_xticks(ticks, [str(t) for t in ticks], fontsize=5.5)
        ax.set_xlabel(f"{scenario.unit}s", fontsize=6)


def gantt_bytes(o: Outline, fmt: str, size: tuple[float, float] = A4_LANDSCAPE) -> bytes:
    """The chart as an SVG, PNG or PDF file: the same outline gives the same bytes."""
    import matplotlib

    with matplotlib.rc_context(_rc()):
        fig = gantt_figure(o, size)
        buf = io.BytesIO()
        metadata: dict[str, Any] = {"Creator": CREATOR}
        if fmt == "svg":
            metadata["Date"] = None
        elif fmt == "pdf":
            metadata.update(CreationDate=None, ModDate=None, Producer=CREATOR)
        else:
            metadata = {"Software": CREATOR}
        fig.savefig(buf, format=fmt, metadata=metadata, dpi=200 if fmt == "png" else 100)
    return buf.getvalue()


def gantt_svg(o: Outline) -> str:
    """The chart as SVG markup to put inside an HTML page (no XML prolog, no DOCTYPE)."""
    text = gantt_bytes(o, "svg", report_size(o)).decode("utf-8")
    return text[text.index("<svg") :]


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
    _axis(ax, o, last, top=False)
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
