"""Time in force and contingencies, as the loader settles them once every step is read:
each reference checked (`renews`, `reimposes`, `if`, `repeat.until`, `outcomes`), each
`repeat` expanded into its renewal steps, and the links these fields imply added to the
steps' preconditions:

- a renewal waits for the step it renews, or for the renewal of it written (or expanded)
  before it, to be done: a renewal follows what it renews;
- a step of a `repeat` chain is done exactly `every` after the one before it. Expanded
  renewals are `kind: renewal`, with the step's actor, package, duration, verification,
  source, reversibility and `lasts`, `value: 0` (a renewal keeps in force what was given;
  it gives nothing new) and no tags or attrs, so rules written for the step by kind, tag or
  attribute do not pick its renewals up (select them by package, id or `kind: renewal`);
- a reimposition (snapback) waits for the step it takes back to be done.

A step may wait (`after`) only for steps that happen whenever it happens: a contingent
step's conditions (its `if`, and its trigger's own, recursively) must include those of every
step it waits for. Messages are located at the field that is wrong.
"""

from __future__ import annotations

import math
from dataclasses import replace

from planner.errors import Problems
from planner.load.values import suggest
from planner.model import EVENT, FAILS, PASSES, RENEWAL, AnyOf, Package, Req, Step, conditions
from planner.rules.base import plural


def settle(
    problems: Problems, steps: dict[str, Step], packages: list[Package], unit: str = "week"
) -> tuple[dict[str, Step], list[Package]]:
    """The steps and packages with every `repeat` expanded and the implied preconditions
    added; problems are reported (and the offending link left out)."""
    _check_triggers(problems, steps)
    _check_outcomes(problems, steps)
    renewals = _check_renewals(problems, steps)
    _check_reimpositions(problems, steps)
    if _has_cycle(steps):
        return steps, packages  # reported by the caller; no earliest times to count with
    expanded = _expand(problems, steps, packages, unit)
    steps = _link(expanded[0], renewals)
    _check_conditions(problems, steps)
    return steps, expanded[1]


# ---- references --------------------------------------------------------------------------


def _known(problems: Problems, steps: dict[str, Step], step: Step, key: str, target: str) -> bool:
    if target in steps:
        return True
    problems.add(
        step.mark, f"step '{step.id}': unknown step '{target}' in '{key}'" + suggest(target, steps)
    )
    return False


def _check_triggers(problems: Problems, steps: dict[str, Step]) -> None:
    for step in steps.values():
        when = step.when
        if when is None or not _known(problems, steps, step, "if", when.step):
            continue
        trigger = steps[when.step]
        where = when.mark or step.mark
        if when.step == step.id:
            problems.add(where, f"step '{step.id}': 'if' names the step itself")
        elif when.outcome in (FAILS, PASSES):
            if trigger.verify is None:
                problems.add(
                    where,
                    f"step '{step.id}': 'if' on '{when.outcome}' of '{trigger.id}', which has "
                    "no verification to fail or pass (give it 'verify')",
                )
        elif when.outcome not in trigger.outcomes:
            hint = suggest(when.outcome, trigger.outcomes) if trigger.outcomes else ""
            known = (
                f"its outcomes are {', '.join(trigger.outcomes)}"
                if trigger.outcomes
                else "it is no event with outcomes"
            )
            problems.add(
                where,
                f"step '{step.id}': unknown outcome '{when.outcome}' of '{trigger.id}'{hint}; "
                f"{known} (a verification's are 'fails' and 'passes')",
            )


def _check_outcomes(problems: Problems, steps: dict[str, Step]) -> None:
    for step in steps.values():
        if step.outcomes and step.kind != EVENT:
            problems.add(
                step.mark,
                f"step '{step.id}': only an event (kind: event) has 'outcomes'; a step's "
                "verification fails or passes ('if: {step, outcome: fails}')",
            )


def _check_renewals(problems: Problems, steps: dict[str, Step]) -> dict[str, list[str]]:
    """Each step's written renewals, in scenario order (valid ones only)."""
    out: dict[str, list[str]] = {}
    for step in steps.values():
        if step.repeat is not None and step.lasts is None:
            problems.add(
                step.repeat.mark or step.mark,
                f"step '{step.id}': 'repeat' renews a step that lapses: give it 'lasts'",
            )
        if step.renews is None or not _known(problems, steps, step, "renews", step.renews):
            continue
        base = steps[step.renews]
        if step.renews == step.id:
            problems.add(step.mark, f"step '{step.id}': 'renews' names the step itself")
        elif base.renews is not None:
            problems.add(
                step.mark,
                f"step '{step.id}': '{base.id}' is itself a renewal (of '{base.renews}'): "
                f"renew '{base.renews}'",
            )
        elif base.lasts is None:
            problems.add(
                step.mark,
                f"step '{step.id}': renews '{base.id}', which does not lapse (give it 'lasts')",
            )
        elif step.repeat is not None:
            problems.add(step.mark, f"step '{step.id}': a renewal cannot 'repeat' itself")
        else:
            out.setdefault(base.id, []).append(step.id)
    return out


def _check_reimpositions(problems: Problems, steps: dict[str, Step]) -> None:
    for step in steps.values():
        target = step.reimposes
        if target is None or not _known(problems, steps, step, "reimposes", target):
            continue
        if target == step.id:
            problems.add(step.mark, f"step '{step.id}': 'reimposes' names the step itself")
        elif not steps[target].reversible:
            problems.add(
                step.mark,
                f"step '{step.id}': reimposes '{target}', which is marked 'reversible: false' "
                "(what it gives cannot be taken back)",
            )


def _check_conditions(problems: Problems, steps: dict[str, Step]) -> None:
    """A step waits only for steps that happen whenever it happens."""
    for step in steps.values():
        mine = conditions(steps, step.id)
        for req in step.requirements():
            if req.step not in steps:
                continue
            theirs = conditions(steps, req.step)
            if not theirs <= mine:
                trigger, outcome = sorted(theirs - mine)[0]
                problems.add(
                    req.mark or step.mark,
                    f"step '{step.id}' waits for '{req.step}', which happens only if "
                    f"'{trigger}' {_outcome_words(outcome)}: make '{step.id}' contingent on it "
                    "too (if), or wait for another step",
                )


def _outcome_words(outcome: str) -> str:
    if outcome == FAILS:
        return "fails its verification"
    if outcome == PASSES:
        return "passes its verification"
    return f"has the outcome '{outcome}'"


# ---- repeat chains -----------------------------------------------------------------------


def _has_cycle(steps: dict[str, Step]) -> bool:
    state: dict[str, int] = {}
    for root in steps:
        if root in state:
            continue
        stack = [(root, iter([r.step for r in steps[root].requirements() if r.step in steps]))]
        state[root] = 1
        while stack:
            node, it = stack[-1]
            nxt = next(it, None)
            if nxt is None:
                state[node] = 2
                stack.pop()
            elif state.get(nxt) == 1:
                return True
            elif nxt not in state:
                state[nxt] = 1
                stack.append(
                    (nxt, iter([r.step for r in steps[nxt].requirements() if r.step in steps]))
                )
    return False


def earliest_done(steps: dict[str, Step]) -> dict[str, int]:
    """Each step's earliest done time from its preconditions and fixed time alone (no
    rules): the longest path over `after` (the first alternative of an `any` to allow it).
    The graph must have no cycle."""
    out: dict[str, int] = {}

    def done(sid: str) -> int:
        stack = [sid]
        while stack:
            top = stack[-1]
            if top in out:
                stack.pop()
                continue
            step = steps[top]
            pending = [r.step for r in step.requirements() if r.step in steps and r.step not in out]
            if pending:
                stack.extend(pending)
                continue
            start = step.fixed or 0
            for cond in step.after:
                reqs = cond.items if isinstance(cond, AnyOf) else (cond,)
                options = [out[r.step] + r.lag for r in reqs if r.step in steps]
                if options:
                    start = max(start, min(options) if isinstance(cond, AnyOf) else options[0])
            out[top] = start + step.done_offset
            stack.pop()
        return out[sid]

    for sid in steps:
        done(sid)
    return out


def _expand(
    problems: Problems, steps: dict[str, Step], packages: list[Package], unit: str
) -> tuple[dict[str, Step], list[Package]]:
    """Each `repeat` as its renewal steps, placed right after the step in its package."""
    if not any(s.repeat is not None and s.lasts is not None for s in steps.values()):
        return steps, packages
    early = earliest_done(steps)
    added: dict[str, list[Step]] = {}
    for step in steps.values():
        rep = step.repeat
        if rep is None or step.lasts is None:
            continue
        where = rep.mark or step.mark
        off = step.done_offset
        if rep.every < off:
            problems.add(
                where,
                f"step '{step.id}': a renewal every {plural(rep.every, unit)} cannot be done "
                f"in time: each takes {plural(off, unit)} (its duration and verification)",
            )
            continue
        if isinstance(rep.until, str):
            if not _known(problems, steps, step, "repeat.until", rep.until):
                continue
            end = early[rep.until]
        else:
            end = rep.until
        count = max(0, math.ceil((end - early[step.id] - step.lasts) / rep.every))
        chain: list[Step] = []
        previous = step.id
        for k in range(2, count + 2):
            rid = f"{step.id}@{k}"
            if rid in steps:
                problems.add(where, f"step '{step.id}': its renewal id '{rid}' is taken")
                break
            gap = rep.every - off
            chain.append(
                replace(
                    step,
                    id=rid,
                    kind=RENEWAL,
                    title=f"{step.title} (renewal {k})",
                    short=f"{step.short} (renewal {k})" if step.short else "",
                    value=0,
                    tags=frozenset(),
                    attrs={},
                    after=(Req(previous, gap, gap, mark=where),),
                    renews=step.id,
                    repeat=None,
                    fixed=None,
                    optional=step.optional,
                )
            )
            previous = rid
        added[step.id] = chain
    out: dict[str, Step] = {}
    for sid, step in steps.items():
        out[sid] = step
        for renewal in added.get(sid, ()):
            out[renewal.id] = renewal
    new_packages = [
        replace(
            p, step_ids=tuple(x for s in p.step_ids for x in (s, *(r.id for r in added.get(s, ()))))
        )
        for p in packages
    ]
    return out, new_packages


def _link(steps: dict[str, Step], written: dict[str, list[str]]) -> dict[str, Step]:
    """The implied preconditions: renewals after what they renew, reimpositions after what
    they take back."""
    extra: dict[str, list[str]] = {}
    for base, renewals in written.items():
        previous = base
        for rid in renewals:
            extra.setdefault(rid, []).append(previous)
            previous = rid
    for step in steps.values():
        if step.reimposes is not None and step.reimposes in steps:
            extra.setdefault(step.id, []).append(step.reimposes)
    if not extra:
        return steps
    out = {}
    for sid, step in steps.items():
        have = {r.step for r in step.requirements()}
        more = tuple(Req(x, mark=step.mark) for x in extra.get(sid, ()) if x not in have)
        out[sid] = replace(step, after=step.after + more) if more else step
    return out
