"""The registry of rule kinds. Each module holds one kind, read top to bottom: its fields,
its meaning (docstring, with the formula), its load-time checks, its scheduling terms, its
`check` and its CP-SAT `encode` (the protocol of `planner.rules.base.Rule`).

Adding a kind: write its module, add its class to `KINDS` below, add its tests, and run
`python -m planner.authoring.docs` (the docs, the manual's rule table and the check-report
schema's kinds are generated from this registry).
"""

from __future__ import annotations

from planner.rules import branch, coverage, fixed, preconditions
from planner.rules.balance import Balance
from planner.rules.base import PRECONDITION_KIND, Rule
from planner.rules.capacity import Capacity
from planner.rules.continuity import Continuity
from planner.rules.delink import Delink
from planner.rules.forbid import Forbid
from planner.rules.gate import Gate
from planner.rules.order import Order
from planner.rules.precedence import Precedence
from planner.rules.reciprocity import Reciprocity
from planner.rules.simultaneous import Simultaneous
from planner.rules.window import Window

__all__ = [
    "BUILT_IN_KINDS",
    "KINDS",
    "Balance",
    "Capacity",
    "Continuity",
    "Delink",
    "Forbid",
    "Gate",
    "Order",
    "Precedence",
    "Reciprocity",
    "Simultaneous",
    "Window",
]

KINDS: dict[str, type[Rule]] = {
    cls.kind: cls
    for cls in (
        Precedence,
        Reciprocity,
        Balance,
        Gate,
        Window,
        Delink,
        Forbid,
        Capacity,
        Order,
        Simultaneous,
        Continuity,
    )
}

#: The kinds of violation that no rule of constraints/ states, with their severities: a
#: step's own `after` items, the coverage of required steps, steps with a fixed time.
BUILT_IN_KINDS: dict[str, int] = {
    PRECONDITION_KIND: preconditions.SEVERITY,
    coverage.KIND: coverage.SEVERITY,
    fixed.KIND: fixed.SEVERITY,
    branch.KIND: branch.SEVERITY,
}
