"""What the workbench's page is sent: plain data (JSON) made from the library's answers.

Pure functions of a scenario, a roadmap and its check (no I/O, no check or search run
here): the scenario the page draws (`scenario_doc`), and what one roadmap looks like
(`roadmap_doc`): its starts, its check report as `planner check --format json` prints it,
the violations in words, the chart's marks (phases, gates, who answers whom), the leverage
curves and the exchange ledger.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from typing import Any

from planner.api.results import CheckResult
from planner.fields import Int, Nat, declared
from planner.render.marks import marks_doc
from planner.render.outline import Outline
from planner.render.results import check_output
from planner.render.words import names, package_name
from planner.scenario import Scenario

SCENARIO_SCHEMA = "relief-planner/serve-scenario/1"
STATE_SCHEMA = "relief-planner/serve-state/1"

#: A step id inside a sentence (ids may hold dots, and end in @N).
_TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.\-]*(?:@[0-9]+)?")


def in_words(text: str, short: Mapping[str, str]) -> str:
    """`text` with every step id replaced by the step's short name (a sentence's closing
    full stop is not taken for part of an id)."""

    def name(m: re.Match[str]) -> str:
        token = m.group(0)
        if token in short:
            return short[token]
        bare = token.rstrip(".")
        if bare != token and bare in short:
            return short[bare] + token[len(bare) :]
        return token

    return _TOKEN.sub(name, text)


def short_names(scenario: Scenario) -> dict[str, str]:
    """Every step's short name (`planner.render.words.names`), of every branch, worked
    out once per scenario (a thousand titles take tens of milliseconds: a drag's budget)."""
    whole = scenario.everything()
    return whole.memo("serve:short-names", lambda s: names(s.steps))


def _numbers(item: Any) -> dict[str, int | None]:
    """The whole-number fields a `--set` can change in place (a rule's margin, lag,
    window ...), declared on the item's class, with their values (a weight only where it
    counts: on a soft rule)."""
    out: dict[str, int | None] = {}
    kind: type = type(item)
    for d in declared(kind):
        if d.key == "weight" and not getattr(item, "soft", False):
            continue
        if isinstance(d.spec, Nat | Int):
            value = getattr(item, d.name, None)
            if value is None or (isinstance(value, int) and not isinstance(value, bool)):
                out[d.key] = value
    return out


def scenario_doc(scenario: Scenario, version: int) -> dict[str, Any]:
    """The deal the page draws: actors with their colours, packages with their steps in
    scenario order, every step of every branch (short names, durations, verification,
    value, contingency), the rules with the numbers a what-if may change, and the trigger
    steps whose outcomes pick a branch (`check --assume`)."""
    whole = scenario.everything()
    short = short_names(scenario)
    forbidden = whole.forbidden()
    steps: dict[str, Any] = {}
    for sid, step in whole.steps.items():
        steps[sid] = {
            "name": short[sid],
            "title": step.title,
            "actor": step.actor,
            "package": step.package,
            "kind": step.kind,
            "duration": step.duration,
            "verify": step.verify.duration if step.verify else None,
            "verifier": step.verify.by if step.verify else "",
            "value": step.value,
            "fixed": step.fixed,
            "optional": step.optional,
            "forbidden": sid in forbidden,
            "contingent": f"{step.when.step}={step.when.outcome}" if step.when else None,
            "source": step.source,
        }
    by_package: dict[str, list[str]] = {p.id: [] for p in whole.packages}
    for sid, step in whole.steps.items():
        by_package.setdefault(step.package, []).append(sid)
    triggers = [
        {"step": sid, "name": short[sid], "outcomes": list(whole.outcomes_of(sid))}
        for sid in sorted({s.when.step for s in whole.steps.values() if s.when})
        if sid in whole.steps
    ]
    return {
        "schema": SCENARIO_SCHEMA,
        "version": version,
        "name": scenario.name,
        "unit": scenario.unit,
        "start": scenario.start.isoformat() if scenario.start else None,
        "actors": [{"id": a, "name": n} for a, n in whole.actors.items()],
        "packages": [
            {"id": p.id, "name": package_name(p), "title": p.title, "steps": by_package[p.id]}
            for p in whole.packages
        ],
        "steps": steps,
        "rules": [
            {
                "id": r.id,
                "kind": r.kind,
                "soft": r.soft,
                "source": r.source,
                "numbers": _numbers(r),
            }
            for r in whole.rules
        ],
        "triggers": triggers,
        "marks": marks_doc(whole.actors),
        "changes": [{"where": where, "what": what} for where, what in scenario.changes],
    }


def ledger_doc(
    scenario: Scenario, starts: Mapping[str, int], result: CheckResult
) -> dict[str, Any]:
    """The exchange ledger: each give step of a reciprocity rule, dated, against the
    counter-step that answers it and who verifies that, in the roadmap's order.

    SEAM: the brief (`planner brief`, issue 21) builds the ledger a principal reads; until
    its call exists this shows the reciprocity answers of the check report
    (`Report.records['answers']`). Replace the body with that call, keeping the shape
    (`source`, `rows` of give/counter/rule/when) or saying in `source` what changed.
    """
    from planner.rules.base import ANSWERS

    short = short_names(scenario)
    steps = scenario.steps
    rows = []
    for a in result.report.records.get(ANSWERS, ()):
        if a.give not in starts:
            continue
        counter = steps.get(a.counter) if a.counter else None
        rows.append(
            {
                "rule": a.rule,
                "give": a.give,
                "give_name": short[a.give],
                "give_actor": steps[a.give].actor,
                "give_start": starts[a.give],
                "counter": a.counter or None,
                "counter_name": short[a.counter] if a.counter else None,
                "counter_actor": counter.actor if counter else None,
                "counter_done": (
                    starts[a.counter] + counter.done_offset
                    if counter and a.counter in starts
                    else None
                ),
                "verifier": counter.verify.by if counter and counter.verify else "",
            }
        )
    rows.sort(key=lambda r: (r["give_start"], r["give"], r["rule"]))
    return {"source": "check report: reciprocity answers", "rows": rows}


def chart_doc(o: Outline) -> dict[str, Any]:
    """The chart's marks other than the bars: phases, gates, who answers whom, and the
    leverage curves (each actor's given and received, each balance rule's level against
    its margin)."""
    return {
        "last": o.last,
        "phases": [
            {"id": p.id, "title": p.title, "start": p.start, "end": p.end}
            for p in o.phases
            if p.start is not None
        ],
        "gates": [{"rule": g.rule, "opens": g.opens} for g in o.gates if g.opens is not None],
        "links": [{"counter": a.counter, "give": a.give, "rule": a.rule} for a in o.links],
        "leverage": {
            "actors": {a: [list(p) for p in points] for a, points in o.curves.items()},
            "balance": [
                {"rule": c.rule, "margin": c.margin, "points": [list(p) for p in c.points]}
                for c in o.balance
            ],
        },
    }


def roadmap_doc(
    scenario: Scenario,
    starts: Mapping[str, int],
    result: CheckResult,
    drawn: Outline,
    extra: Mapping[str, Any],
) -> dict[str, Any]:
    """What one roadmap looks like on the page: its starts, the check report (the JSON
    `planner check --format json` prints, its summary's repair not sized), each violation
    in words, the steps in violations, the chart's marks and curves, the ledger; `extra`
    is the session's part (pins, history, the last action)."""
    check = json.loads(check_output(result, "json"))
    short = short_names(scenario)
    words = [
        {"message": in_words(v["message"], short), "repair": in_words(v["repair"], short)}
        for v in check["violations"]
    ]
    involved = sorted({s for v in check["violations"] for s in v["steps"]})
    return {
        "schema": STATE_SCHEMA,
        "starts": dict(starts),
        "branch": sorted(scenario.steps) if scenario.whole is not None else None,
        "check": check,
        "words": words,
        "penalty_words": [in_words(v["message"], short) for v in check["penalties"]],
        "involved": involved,
        "chart": chart_doc(drawn),
        "ledger": ledger_doc(scenario, starts, result),
        **extra,
    }


def moves_doc(
    scenario: Scenario,
    before: Mapping[str, int],
    after: Mapping[str, int],
    why: Mapping[str, Sequence[str]],
) -> list[dict[str, Any]]:
    """Every step whose start differs between two roadmaps (added: `before` None; left
    out: `after` None), in scenario order, with its short name and why it moved."""
    short = short_names(scenario)
    out = []
    for sid in scenario.everything().steps:
        b, a = before.get(sid), after.get(sid)
        if b != a:
            out.append(
                {
                    "step": sid,
                    "name": short[sid],
                    "before": b,
                    "after": a,
                    "why": [in_words(w, short) for w in why.get(sid, ())],
                }
            )
    return out
