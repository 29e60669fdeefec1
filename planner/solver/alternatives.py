"""Alternatives that differ in substance: what `plan --alternatives K` asks of each roadmap
after the best.

A further roadmap must differ from every earlier one in one of two ways a negotiator would
call a different plan, not a retiming:

- it opens at least one pair of relief packages in the reverse order, the earlier-opened
  one now at least `differ_by` time units ahead of the other (a package opens at the
  start of its first relief step: `planner.roadmap.packages.order_groups`); or
- it includes a different set of the deal's optional packages (and optional steps).

The relief order is what a negotiator compares first, so the next alternative is searched
first with the best roadmap's own optional parts, reversing a pair against every earlier
roadmap with those parts. Only when no such roadmap keeps the rules within the tolerance,
it is searched with each optional part in turn left out (or added), reversing a pair only
against earlier roadmaps with that same choice; the cheapest of these, lexicographically
on the objectives, is next (ties: the scenario's order of the optional parts).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

from planner.roadmap.packages import included_units, optional_units, order_groups
from planner.scenario import Scenario
from planner.solver.encoder import Encoder
from planner.solver.results import Candidate
from planner.solver.search import Search, Stopper


def choices(scenario: Scenario, best: Candidate) -> list[tuple[str, ...]]:
    """The sets of steps to search an alternative over: the best roadmap's own, then the
    same with each optional unit toggled (left out when the best includes it, else added)."""
    units = optional_units(scenario)
    mine = set(included_units(scenario, best.starts))
    base = [s for s in best.starts]
    out = [tuple(base)]
    for unit, ids in units.items():
        if unit in mine:
            out.append(tuple(s for s in base if s not in ids))
        else:
            chosen = set(base) | set(ids)
            out.append(tuple(s for s in scenario.steps if s in chosen))
    return out


def require_reversal(enc: Encoder, previous: Sequence[Candidate], differ_by: int) -> bool:
    """Make `enc`'s roadmap open, for each of `previous`, at least one pair of relief
    packages the other way round, `differ_by` or more apart. False (and nothing added) when
    fewer than two packages have steps to order, so no reversal exists."""
    groups = order_groups(enc.scenario, enc.scheduled)
    if len(groups) < 2:
        return False
    first = {}
    for p, ids in groups.items():
        var = enc.model.new_int_var(0, enc.horizon, f"opens[{p}]")
        enc.model.add_min_equality(var, [enc.start[s] for s in ids])
        first[p] = var
    for k, cand in enumerate(previous):
        was = {p: min(cand.starts[s] for s in ids) for p, ids in groups.items()}
        flips = []
        for a in groups:
            for b in groups:
                if a != b and was[b] <= was[a]:
                    flip = enc.model.new_bool_var(f"reverse{k}[{a},{b}]")
                    enc.model.add(first[a] + differ_by <= first[b]).only_enforce_if(flip)
                    flips.append(flip)
        enc.model.add_bool_or(flips)
    return True


def _feasible(
    scenario: Scenario, chosen: Sequence[str], deadline: float, seed: int, stopper: Stopper
) -> bool:
    """Whether some roadmap of the steps `chosen` keeps every hard rule (False also when
    the time runs out, or Ctrl-C comes, before CP-SAT knows)."""
    enc = Encoder(scenario, scheduled=chosen).build()
    if enc.impossible:
        return False
    outcome = Search(enc, stopper, seed).solve(None, deadline - time.monotonic(), 1)
    return outcome.found


def fit_optional(
    scenario: Scenario, deadline: float, seed: int, stopper: Stopper
) -> tuple[tuple[str, ...] | None, tuple[str, ...]]:
    """When no roadmap of every step keeps the rules: the steps of the largest plan found
    by adding the optional units one at a time (in scenario order) to the required steps,
    keeping each that still leaves a roadmap; and the units left out. None when even the
    required steps cannot hold (then the deal itself is impossible)."""
    forbidden = scenario.forbidden()
    units = optional_units(scenario)
    optional = {s for ids in units.values() for s in ids}
    chosen = [s for s in scenario.steps if s not in forbidden and s not in optional]
    if not _feasible(scenario, chosen, deadline, seed, stopper):
        return None, tuple(units)
    left = []
    for unit, ids in units.items():
        trial = set(chosen) | set(ids)
        ordered = [s for s in scenario.steps if s in trial]
        if _feasible(scenario, ordered, deadline, seed, stopper):
            chosen = ordered
        else:
            left.append(unit)
    return tuple(chosen), tuple(left)


def left_out_note(scenario: Scenario, left: Sequence[str]) -> str:
    """What `plan` says of the optional units `fit_optional` had to leave out."""
    names = ", ".join(left)
    return (
        f"optional {names} left out: no roadmap keeps every hard rule with "
        f"{'it' if len(left) == 1 else 'them'} (`planner explain` says why)"
    )


def optional_note(units: Sequence[str]) -> str:
    """What the best roadmap's values are optimal among: the roadmaps with the optional
    parts it includes. `plan` includes every optional part the hard rules allow (the
    deal's own wish: an optional part is left out only when it cannot be held), then
    minimizes the objectives; a roadmap that leaves one out may do better on them."""
    names = ", ".join(units)
    return (
        f"optimal among the roadmaps that include the optional {names}: plan includes "
        "every optional part the hard rules allow, and does not weigh leaving one out"
    )


def next_alternative(
    scenario: Scenario,
    objectives: Sequence[str],
    candidates: list[Candidate],
    gap: int,
    limit: int,
    end: float,
    solve: Callable[[Encoder, float], tuple[str, Candidate | None]],
    stopped: Callable[[], bool],
) -> tuple[Candidate | None, int, int]:
    """The next roadmap that differs in substance from every one in `candidates`, within
    `limit` on the first objective, by `end`: (candidate or None, how many searches could
    be posed, how many of them ended undecided: the time ran out before they found a
    roadmap or proved there is none). `solve(model, until)` minimizes the objectives on a
    model: (status, candidate). A reversal of the relief order with the best roadmap's
    optional parts comes first; only when none exists, the cheapest roadmap with other
    optional parts."""
    options = choices(scenario, candidates[0])
    found: Candidate | None = None
    searched = undecided = 0
    for i, chosen in enumerate(options):
        now = time.monotonic()
        if now >= end or stopped() or (i == 1 and found is not None):
            if found is None and i < len(options) and not stopped():
                undecided += 1  # the choices not searched for want of time
            break
        # Room beyond the usual horizon for the reversals asked of this roadmap.
        alt = Encoder(scenario, scheduled=chosen, after=gap * len(candidates)).build()
        if alt.impossible:
            continue
        same = [c for c in candidates if set(c.starts) == set(chosen)]
        if same and not require_reversal(alt, same, gap):
            continue
        searched += 1
        expr = alt.objective_expr(objectives[0])
        if not isinstance(expr, int):
            alt.model.add(expr <= limit)
        status, cand = solve(alt, now + (end - now) / (len(options) - i))
        if cand is None and status != "infeasible":
            undecided += 1
        if cand is not None and (
            found is None
            or tuple(cand.values[n] for n in objectives)
            < tuple(found.values[n] for n in objectives)
        ):
            found = cand
    return found, searched, undecided


def why_none(
    scenario: Scenario,
    interrupted: bool,
    late: bool,
    searched: int,
    gap: int,
    tolerance: float,
    primary: str,
    undecided: int = 0,
) -> str:
    """What `plan` says when it finds no further alternative: that none exists only when
    every search proved it; else that the time ran out (or Ctrl-C came)."""
    if interrupted:
        return "search interrupted while looking for alternatives"
    if late or undecided:
        return (
            "time limit reached while looking for alternatives: none was found, nor proven "
            "not to exist (raise --time-limit)"
        )
    if not searched:
        return "only one relief package and no optional part: no alternative differs in substance"
    return (
        f"no further roadmap opens two relief packages the other way round, {gap} "
        f"{scenario.unit}s or more apart, or includes other optional parts, within "
        f"{tolerance:.0%} of the best {primary}"
    )
