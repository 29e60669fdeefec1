"""Rule kinds. Each module holds one kind: its fields, its meaning (docstring), how the
checker finds its violations (`check`) and how the solver encodes it (`encode`).

Adding a kind: write its module, add its class to `KINDS`, add its tests.
"""

from __future__ import annotations

from planner.model import Rule
from planner.rules.balance import Balance
from planner.rules.capacity import Capacity
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
    )
}
