"""Every rule kind is one module that implements the whole protocol of
`planner.rules.base.Rule`: its fields declared (with a meaning), its docstring stating
the formula, and each protocol method written in the kind's own class, not inherited."""

from __future__ import annotations

import inspect

import pytest

from planner.fields import declared
from planner.rules import KINDS
from planner.rules.base import PROTOCOL, Rule


def test_the_registry_holds_every_kind_module() -> None:
    import pkgutil

    import planner.rules

    modules = {m.name for m in pkgutil.iter_modules(planner.rules.__path__)}
    # built-in kinds (coverage, fixed, branch) and shared code, not rule kinds users write
    helpers = {"base", "branch", "common", "conditions", "coverage", "fixed", "preconditions"}
    assert modules - helpers == {cls.__module__.rsplit(".", 1)[1] for cls in KINDS.values()}
    assert all(name == cls.kind for name, cls in KINDS.items())


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_every_kind_implements_the_whole_protocol(kind: str) -> None:
    cls = KINDS[kind]
    assert issubclass(cls, Rule) and not inspect.isabstract(cls)
    for name in PROTOCOL:
        assert name in cls.__dict__, f"{kind} does not write its own '{name}'"
        assert cls.__dict__[name].__doc__ or getattr(Rule, name).__doc__


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_every_kind_declares_its_fields_with_a_meaning(kind: str) -> None:
    cls = KINDS[kind]
    own = [d for d in declared(cls) if d.name not in {d.name for d in declared(Rule)}]
    assert own, f"{kind} declares no field"
    for decl in own:
        assert decl.spec.doc.strip(), f"{kind}.{decl.name} has no meaning"
    doc = inspect.getdoc(cls) or ""
    formula = [line for line in doc.splitlines() if line.startswith("    ")]
    assert formula, f"{kind}: the docstring states no formula (an indented line)"


def test_a_kind_missing_part_of_the_protocol_cannot_be_made() -> None:
    from dataclasses import dataclass

    @dataclass(frozen=True, slots=True, kw_only=True)
    class Half(Rule):
        kind = "half"

        def check(self, ctx):  # type: ignore[no-untyped-def]
            return []

    with pytest.raises(TypeError, match="abstract"):
        Half(id="x", source="y")  # type: ignore[abstract]
