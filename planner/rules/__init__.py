"""The registry of rule kinds. Each module holds one kind, read top to bottom: its fields,
its meaning (docstring, with the formula), its load-time checks, its scheduling terms, its
`check` and its CP-SAT `encode` (the protocol of `planner.rules.base.Rule`).

Adding a kind: write its module, add its class to `KINDS` below, add its tests.
"""

from __future__ import annotations

from planner.rules.balance import Balance
from planner.rules.base import Rule
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
