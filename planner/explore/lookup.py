"""What the loader made of one step or rule (`planner validate --explain ID`): a rule's
selectors resolved to step ids and its fields as read; a step's fields, preconditions,
the rules that mention it, and its earliest possible start with the chain that sets it.

Rules are read through their declarations (`planner.fields.declared`) and the earliest
starts through the rules' scheduling terms (`planner.schedule.bounds`, pure Python): no rule
kind is named here, and nothing imports ortools. The text is pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from planner.authoring.schema import class_doc
from planner.fields import declared
from planner.load.values import suggest
from planner.model import AnyOf, Req, Selector, Step
from planner.rules.base import PartialTerms, Rule, plural
from planner.scenario import Scenario
from planner.schedule.bounds import Why, earliest_starts, hard_terms


class UnknownId(LookupError):
    """The id names no step and no rule; the message says so in one line."""


def explain_id(scenario: Scenario, item_id: str) -> str:
    """What the scenario says about the step and/or rule `item_id`.

    Raises
    ------
    UnknownId
        When no step and no rule has that id (with the closest id, if one is close).
    """
    parts = []
    whole = scenario.everything()
    if item_id in scenario.steps:
        parts.append(explain_step(scenario, scenario.steps[item_id]))
    elif item_id in whole.steps:  # a contingent step: absent from the main roadmap
        parts.append(explain_step(whole, whole.steps[item_id]))
    rule = next((r for r in scenario.rules if r.id == item_id), None)
    if rule is not None:
        parts.append(explain_rule(scenario, rule))
    if not parts:
        names = [*whole.steps, *(r.id for r in scenario.rules)]
        raise UnknownId(f"no step or rule '{item_id}' in the scenario{suggest(item_id, names)}")
    return "\n\n".join(parts) + "\n"


# ---- rules ------------------------------------------------------------------------------


def _selector(sel: Selector) -> str:
    return f"{sel.describe()} → {', '.join(sel.ids) if sel.ids else '(no step)'}"


def _value(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return str(value).lower()
    return str(value)


def rule_fields(rule: Rule) -> Iterator[tuple[str, str]]:
    """(field, value as read) for each field of the rule's kind; selectors as written and
    the steps they resolved to."""
    common = {d.name for d in declared(Rule)}
    for d in declared(type(rule)):
        if d.name in common:
            continue
        value = getattr(rule, d.name)
        if isinstance(value, Selector):
            yield d.key, _selector(value)
        elif isinstance(value, tuple) and value and isinstance(value[0], Selector):
            for i, sel in enumerate(value):
                yield f"{d.key}[{i}]", _selector(sel)
        else:
            yield d.key, _value(value)


def selected_by(rule: Rule) -> Iterator[tuple[str, tuple[str, ...]]]:
    """(field, step ids) for each selector field of a rule."""
    for d in declared(type(rule)):
        value = getattr(rule, d.name)
        if isinstance(value, Selector):
            yield d.key, value.ids
        elif isinstance(value, tuple) and value and isinstance(value[0], Selector):
            for i, sel in enumerate(value):
                yield f"{d.key}[{i}]", sel.ids


def explain_rule(scenario: Scenario, rule: Rule) -> str:
    """A rule as the loader read it."""
    how = f"soft, weight {rule.weight}" if rule.soft else "hard"
    lines = [f"rule {rule.id}  ({rule.mark})", f"  kind: {rule.kind} ({how})"]
    lines.append(f'  source: "{rule.source}"')
    if rule.note:
        lines.append(f"  note: {rule.note}")
    rows = list(rule_fields(rule))
    width = max((len(k) for k, _ in rows), default=0)
    lines += [f"  {k + ':':<{width + 1}} {v}" for k, v in rows]
    lines += _written(scenario, f"rule '{rule.id}'")
    lines += ["  meaning:", *(f"    {line}" for line in _meaning(type(rule)))]
    return "\n".join(lines)


def _written(scenario: Scenario, owner: str) -> list[str]:
    """The times an item wrote with their unit, and what they are in the scenario's."""
    found = [
        (what.split(": ", 1)[-1].strip("'"), written, value)
        for _mark, what, written, value in scenario.conversions
        if what == owner or what.startswith((f"{owner}:", f"{owner} "))
    ]
    if not found:
        return []
    unit = scenario.unit
    return ["  times written with a unit (rounded up):"] + [
        f"    {field}: {written} = {plural(value, unit)}" for field, written, value in found
    ]


def _meaning(cls: type) -> list[str]:
    """A rule kind's meaning: its docstring's first paragraph, with the formula after it
    when the paragraph leads to one."""
    paragraphs = class_doc(cls, whole=True).split("\n\n")
    out = paragraphs[0].split("\n")
    if paragraphs[0].endswith(":") and len(paragraphs) > 1:
        out += [line.strip() for line in paragraphs[1].splitlines()]
    return out


# ---- steps ------------------------------------------------------------------------------


def _req(scenario: Scenario, req: Req) -> str:
    words = [req.step, "done"]
    if req.lag:
        words.append(f"+ {plural(req.lag, scenario.unit)}")
    if req.within is not None:
        words.append(f"(and within {plural(req.within, scenario.unit)})")
    return " ".join(words)


def explain_step(scenario: Scenario, step: Step) -> str:
    """A step as the loader read it, the rules that mention it, and its earliest start."""
    unit = scenario.unit
    package = next((p for p in scenario.packages if p.id == step.package), None)
    title = f" ({package.title})" if package and package.title != package.id else ""
    actor = scenario.actors.get(step.actor, step.actor)
    lines = [
        f"step {step.id}  ({step.mark})",
        f"  package: {step.package}{title}",
        f"  actor: {step.actor}" + (f" ({actor})" if actor != step.actor else ""),
        f"  kind: {step.kind}",
        f"  title: {step.title}",
    ]
    length = f"  duration: {plural(step.duration, unit)}"
    if step.verify:
        what = f" ({step.verify.what})" if step.verify.what else ""
        length += f"; verified by {step.verify.by} in {plural(step.verify.duration, unit)}{what}"
    lines.append(length + f"; done {plural(step.done_offset, unit)} after it starts")
    lines.append(
        f"  value: {step.value}"
        + (f" (received by {step.beneficiary})" if step.beneficiary else "")
    )
    lines += _force(scenario, step)
    if step.tags:
        lines.append(f"  tags: {', '.join(sorted(step.tags))}")
    if step.attrs:
        lines.append("  attrs: " + ", ".join(f"{k} {v:g}" for k, v in step.attrs.items()))
    if step.source:
        lines.append(f'  source: "{step.source}"')
    lines.append("  after:" + ("" if step.after else " nothing"))
    for cond in step.after:
        if isinstance(cond, AnyOf):
            lines.append("    - any of: " + "; ".join(_req(scenario, r) for r in cond.items))
        else:
            lines.append(f"    - {_req(scenario, cond)}")
    waiting = [
        s.id for s in scenario.steps.values() if any(r.step == step.id for r in s.requirements())
    ]
    if waiting:
        lines.append(f"  waited for by (after): {', '.join(waiting)}")
    lines.append("  rules that mention it:" + ("" if _mentions(scenario, step.id) else " none"))
    for rule, fields in _mentions(scenario, step.id):
        soft = ", soft" if rule.soft else ""
        lines.append(f"    [{rule.kind}{soft}] {rule.id}: {', '.join(fields)}  ({rule.mark})")
    lines += _written(scenario, f"step '{step.id}'")
    lines += _earliest(scenario, step)
    return "\n".join(lines)


def _force(scenario: Scenario, step: Step) -> list[str]:
    """What the step says about time in force and contingencies."""
    unit = scenario.unit
    whole = scenario.everything()
    lines = []
    if step.lasts is not None:
        lines.append(
            f"  lasts: {plural(step.lasts, unit)} from its done time, then lapses unless renewed"
        )
    if step.renews is not None:
        lines.append(f"  renews: {step.renews}")
    renewals = [s.id for s in whole.steps.values() if s.renews == step.id]
    if renewals:
        lines.append(f"  renewed by: {', '.join(renewals)}")
    if step.repeat is not None:
        until = step.repeat.until
        end = f"{unit} {until}" if isinstance(until, int) else f"{until} is done"
        lines.append(f"  repeat: every {plural(step.repeat.every, unit)} until {end}")
    if step.reimposes is not None:
        lines.append(f"  reimposes: {step.reimposes} (snapback, from its done time)")
    cuts = [s.id for s in whole.steps.values() if s.reimposes == step.id]
    if cuts:
        lines.append(f"  reimposed by: {', '.join(cuts)}")
    if step.when is not None:
        present = "in" if step.id in whole.branch().steps else "absent from"
        lines.append(
            f"  if: {step.when.step} {step.when.outcome} (contingent: {present} the main roadmap)"
        )
    if step.outcomes:
        lines.append(
            "  outcomes: "
            + ", ".join(f"{k} {v:g}" for k, v in step.outcomes.items())
            + " (the first is the main roadmap's)"
        )
    return lines


def _mentions(scenario: Scenario, step_id: str) -> list[tuple[Rule, list[str]]]:
    """The rules whose selectors name the step, with the fields that do."""
    out = []
    for rule in scenario.rules:
        fields = [name for name, ids in selected_by(rule) if step_id in ids]
        if fields:
            out.append((rule, fields))
    return out


def _earliest(scenario: Scenario, step: Step) -> list[str]:
    """The step's earliest start in any roadmap keeping the hard rules, and why."""
    unit = scenario.unit
    forbidden = scenario.forbidden()
    if step.id in forbidden:
        red = [r.id for r in scenario.rules if not r.soft and step.id in _excluded_by(scenario, r)]
        return [f"  never scheduled: a red line ({', '.join(red)})"]
    scheduled = [s for s in scenario.steps if s not in forbidden]
    why: Why = {}
    est = earliest_starts(scenario, scheduled, why=why)
    start = est[step.id]
    lines = [
        f"  earliest start: {unit} {start} (done in {unit} "
        f"{start + step.done_offset} at the earliest)"
    ]
    needs = [r.step for r in step.requirements() if r.step in forbidden]
    if needs:
        lines.append(f"  but it waits for a red line ({', '.join(needs)}): no roadmap can hold it")
    lines.append("  why:")
    cur, seen = step.id, set()
    while cur not in seen:
        seen.add(cur)
        pushed = why.get(cur)
        if pushed is None:
            lines.append(f"    {cur}: {_first_cause(scenario, scheduled, cur, est[cur])}")
            break
        by, label = pushed
        through = "its precondition (after)" if label == "after" else _rule_words(scenario, label)
        b = scenario.steps[by]
        lines.append(
            f"    {cur} (from {unit} {est[cur]}): held back by {by} through {through}; "
            f"{by} starts in {unit} {est[by]} at the earliest and is done in {unit} "
            f"{est[by] + b.done_offset}"
        )
        cur = by
    return lines


def _rule_words(scenario: Scenario, rule_id: str) -> str:
    rule = next((r for r in scenario.rules if r.id == rule_id), None)
    return f"{rule.kind} {rule_id}" if rule else rule_id


def _first_cause(scenario: Scenario, scheduled: list[str], step_id: str, start: int) -> str:
    """Why the first step of a chain starts when it does: nothing, or a rule's release."""
    if start == 0:
        return f"nothing holds it: it can start in {scenario.unit} 0"
    releases = [
        rid
        for s, t, rid in hard_terms(scenario, set(scheduled)).releases
        if s == step_id and t == start
    ]
    if releases:
        return f"{_rule_words(scenario, releases[0])} opens in {scenario.unit} {start}"
    return f"it can start in {scenario.unit} {start} at the earliest"


class _RedLines(PartialTerms):
    """The steps a rule's `exclude` term takes out of every roadmap. Partial is safe:
    only `exclude` takes a step out of every roadmap."""

    def __init__(self, steps: Mapping[str, Step]) -> None:
        super().__init__(steps)
        self.ids: set[str] = set()

    def exclude(self, rule: Rule, ids: Sequence[str]) -> None:
        self.ids.update(ids)


def _excluded_by(scenario: Scenario, rule: Rule) -> set[str]:
    found = _RedLines(scenario.steps)
    rule.terms(found)
    return found.ids
