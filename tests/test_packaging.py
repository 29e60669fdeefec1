"""Packaging: a plain `pip install .` carries every package of the code.

pyproject.toml lists the packages by hand (the default scenario is mapped from the
repository root as `planner_default`, which automatic discovery cannot express): a package
added without its line would be missing from a non-editable install, while the editable
install the tests run from still finds it.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_every_package_is_listed_in_pyproject() -> None:
    listed = set(
        tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]
    )
    found = {
        ".".join(init.parent.relative_to(ROOT).parts)
        for init in (ROOT / "planner").rglob("__init__.py")
    }
    assert found - listed == set(), "add these to [tool.setuptools] packages in pyproject.toml"
