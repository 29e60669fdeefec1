"""Coverage: a roadmap schedules every step the deal requires.

    s scheduled    for every s not forbidden and not `optional` (nor in an optional package)

A step that only stands as an alternative of `{any: [...]}` preconditions is not
required once, in each such group, another alternative is scheduled (and no scheduled
step needs it directly). Violated by each required step the roadmap leaves out, grouped
by package (rule id `coverage:<package>`, with the package's `source`); the repair names
the earliest start its conditions allow in this roadmap. `check --partial` checks a
roadmap that covers only part of the deal: then no step is required.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping

from planner.model import AnyOf, Package, Step
from planner.rules.base import CheckContext, Violation

KIND = "coverage"
#: Just below the preconditions (1) in the report's order, above precedence (3).
SEVERITY = 2


def rule_id(package: str) -> str:
    return f"{KIND}:{package}"


def _alternatives_only(steps: Mapping[str, Step], starts: Collection[str]) -> set[str]:
    """Steps that stand only as alternatives of `{any}` items whose other alternatives
    are scheduled, and that no scheduled step needs directly."""
    needed: set[str] = set()
    covered: dict[str, bool] = {}
    for s in starts:
        for cond in steps[s].after:
            if isinstance(cond, AnyOf):
                names = [r.step for r in cond.items]
                for name in names:
                    other = any(n != name and n in starts for n in names)
                    covered[name] = covered.get(name, True) and other
            else:
                needed.add(cond.step)
    return {s for s, ok in covered.items() if ok and s not in needed}


def check(
    ctx: CheckContext,
    required: Collection[str],
    packages: Mapping[str, Package],
    earliest: Callable[[str], int],
) -> list[Violation]:
    """A violation for every required step the roadmap leaves out.

    `earliest(s)` gives the earliest start the conditions on s allow in this roadmap
    (the repair's week)."""
    steps = ctx.scenario.steps
    missing = [s for s in steps if s in required and not ctx.is_scheduled(s)]
    if not missing:
        return []
    exempt = _alternatives_only(steps, ctx.starts)
    out = []
    for s in missing:
        if s in exempt:
            continue
        step = steps[s]
        package = packages[step.package]
        when = earliest(s)
        out.append(
            Violation(
                rule=rule_id(step.package),
                kind=KIND,
                message=(
                    f"{s} ({step.title}) is left out of the roadmap, but the deal requires it "
                    f"(package {package.id}: {package.title})"
                ),
                repair=(
                    f"schedule {s} in {ctx.t(when)}"
                    + (" (its fixed time)" if step.fixed is not None else " or later")
                    + ", or mark it `optional: true` in the scenario if the deal can do "
                    "without it"
                ),
                steps=(s,),
                amount=1,
                source=package.source or step.source,
                severity=SEVERITY,
            )
        )
    return out
