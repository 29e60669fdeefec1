"""How a repair's size reads, shared by the check report and the repair report."""

from __future__ import annotations

from planner.rules.base import plural
from planner.solver.results import Repair


def repair_size(result: Repair, unit: str) -> str:
    """'moves 9 steps, 41 weeks in all, schedules 2 left-out steps' (with 'at most'
    before the numbers when the search did not prove them the closest)."""
    bound = "" if result.proven else "at most "
    parts = []
    if result.num_moved or not (result.added or result.dropped):
        parts.append(
            f"moves {bound}{plural(result.num_moved, 'step')}, {plural(result.total, unit)} in all"
        )
    if result.added:
        parts.append(f"schedules {plural(len(result.added), 'left-out step')}")
    red = sum(1 for m in result.dropped if m.red_line)
    if red:
        parts.append(f"drops {plural(red, 'red-line step')}")
    if len(result.dropped) > red:
        parts.append(f"leaves out {plural(len(result.dropped) - red, 'optional step')}")
    return ", ".join(parts)
