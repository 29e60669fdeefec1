"""One meaning per rule, read completely: the scheduling terms and their readers.

- every kind's terms mention every step its selectors name (read by a recorder that
  reads every primitive, a new one included), except the kinds with no scheduling
  meaning, named here with the reason;
- every reader of the terms is either complete (it implements every primitive of the
  abstract `Terms`, so a new primitive stops it at instantiation and in mypy) or a
  `PartialTerms` whose docstring says why a partial view is safe; the readers whose
  partial view would give a wrong answer are complete;
- a reader that leaves out a primitive cannot be made.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from collections.abc import Callable
from typing import Any

import pytest

import planner
from planner.fields import Attr, Choice, Declared, Nat, Sel, SelPair, StepOrTime, declared
from planner.force import Chain
from planner.model import Selector, Step
from planner.rules import KINDS
from planner.rules.base import PartialTerms, Rule, Terms

#: Kinds whose meaning is not about times, so their terms name no step (the reason).
NO_SCHEDULING_MEANING = {
    "delink": "a property of the scenario's links, not of times: `check` reports it for "
    "any roadmap and `plan` refuses to plan while it is broken",
}

#: The readers whose partial view would give a wrong answer (each says why it is complete).
MUST_BE_COMPLETE = {
    "planner.schedule.greedy.Collect",  # schedules that `check` rejects
    "planner.whatif.slack._Mentions",  # a wrong room
    "planner.schedule.bounds._Spans",  # a horizon that cuts off roadmaps that exist
    "planner.whatif.simulate_run.Waits",  # runs that break what holding the order keeps
    "planner.rules.conditions.Conditions",  # sequences started before what they wait for
    "planner.rules.delink._RuleLinks",  # chains a delink rule never sees
}

STEPS = {
    f"s{i}": Step(
        id=f"s{i}",
        actor="US",
        package="p",
        kind="relief",
        title=f"s{i}",
        duration=1,
        value=1,
        attrs={"risk": i},
    )
    for i in range(12)
}


def _example(cls: type[Rule]) -> tuple[Rule, set[str]]:
    """A rule of kind `cls` whose every selector names steps of its own, two each (every
    other field at its default, or its smallest value), and the steps named."""
    free = iter(STEPS)
    named: set[str] = set()

    def selector() -> Selector:
        ids = (next(free), next(free))
        named.update(ids)
        return Selector((("steps", ids),), ids)

    def value(decl: Declared) -> Any:
        spec = decl.spec
        if isinstance(spec, Sel):
            return selector()
        if isinstance(spec, SelPair):
            return (selector(), selector())
        if isinstance(spec, Attr):
            return "risk"
        if isinstance(spec, Nat):
            return spec.minimum + 1 if decl.required or decl.default is None else decl.default
        if isinstance(spec, Choice):
            return spec.options[0] if decl.required else decl.default
        if isinstance(spec, StepOrTime):
            return 10 if decl.required else decl.default  # a time: no step of its own
        raise AssertionError(f"no example value for {type(spec).__name__} ({decl.name})")

    common = {d.name for d in declared(Rule)}
    fields = {d.name: value(d) for d in declared(cls) if d.name not in common}
    rule = cls(id="r", source="test", **fields)
    assert not rule.validate(STEPS), rule.validate(STEPS)
    return rule, named


def _recorder() -> type[Terms]:
    """A reader of every primitive of `Terms` (a new one included) that keeps each step
    id any argument names."""

    def record(name: str) -> Callable[..., None]:
        def method(self: Any, rule: Rule, *args: Any, **kwargs: Any) -> None:
            self.seen.setdefault(name, set()).update(_ids([*args, *kwargs.values()]))

        return method

    methods = {name: record(name) for name in Terms.__abstractmethods__}
    return type("Recorder", (Terms,), methods)


def _ids(value: Any) -> set[str]:
    if isinstance(value, str):
        return {value} if value in STEPS else set()
    if isinstance(value, list | tuple | set | frozenset):
        return {s for v in value for s in _ids(v)}
    if isinstance(value, Chain):  # a chain of force: its members and reimposing steps
        return _ids(value.moves)
    return set()


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_every_kinds_terms_mention_every_step_its_selectors_name(kind: str) -> None:
    rule, named = _example(KINDS[kind])
    reader = _recorder()(STEPS)
    reader.seen = {}  # type: ignore[attr-defined]
    rule.terms(reader)
    seen = set().union(*reader.seen.values())  # type: ignore[attr-defined]
    if kind in NO_SCHEDULING_MEANING:
        assert not seen, f"{kind} was listed as having no scheduling meaning"
        return
    assert named - seen == set(), f"{kind}'s terms never mention {sorted(named - seen)}"


def _readers() -> list[type[Terms]]:
    """Every subclass of `Terms` defined in the planner package."""
    for info in pkgutil.walk_packages(planner.__path__, "planner."):
        if info.name != "planner.__main__":
            importlib.import_module(info.name)
    found: list[type[Terms]] = []
    todo = list(Terms.__subclasses__())
    while todo:
        cls = todo.pop()
        todo += cls.__subclasses__()
        if cls.__module__.startswith("planner.") and cls is not PartialTerms:
            found.append(cls)
    return sorted(found, key=lambda c: f"{c.__module__}.{c.__qualname__}")


def test_every_reader_is_complete_or_says_why_partial_is_safe() -> None:
    readers = {f"{c.__module__}.{c.__qualname__}": c for c in _readers()}
    assert set(readers) >= MUST_BE_COMPLETE, sorted(MUST_BE_COMPLETE - set(readers))
    unread = {n: sorted(c.__abstractmethods__) for n, c in readers.items() if inspect.isabstract(c)}
    assert not unread, f"readers that do not say what these primitives mean to them: {unread}"
    for name, cls in readers.items():
        doc = inspect.getdoc(cls) or ""
        if issubclass(cls, PartialTerms):
            assert name not in MUST_BE_COMPLETE, f"{name} must read every primitive"
            assert "Partial is safe" in doc, f"{name} does not say why partial is safe"
        else:
            assert "Complete" in doc, f"{name} does not say why it is complete"


def test_a_reader_that_leaves_out_a_primitive_cannot_be_made() -> None:
    class Half(Terms):
        def wait(
            self,
            rule: Rule,
            firsts: Any,
            waiting: Any,
            lag: int = 0,
            within: int | None = None,
        ) -> None:
            pass

    with pytest.raises(TypeError, match="abstract"):
        Half(STEPS)  # type: ignore[abstract]
    PartialTerms(STEPS)  # every primitive read as nothing
