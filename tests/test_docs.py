"""The generated docs (`planner.authoring.docs`): docs/reference.md and docs/*.schema.json are what
the declarations give today, and the reference names every field and rule kind."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from planner.authoring.docs import generated_files, main, reference_markdown, stale
from planner.fields import declared
from planner.model import Package, Step, Verify
from planner.rules import KINDS
from planner.scenario import Scenario

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"


def test_the_docs_folder_is_in_sync_with_the_declarations() -> None:
    """Fails when a field, a marker's words or a rule kind's docstring changed without
    `python -m planner.authoring.docs` being run."""
    assert stale(DOCS) == [], "run `python -m planner.authoring.docs` and commit docs/"


def test_the_reference_names_every_field_and_every_rule_kind() -> None:
    text = reference_markdown()
    for cls in (Scenario, Package, Step, Verify):
        for d in declared(cls):
            assert f"| `{d.key}` |" in text, f"{cls.__name__}.{d.key}"
    for name, cls in KINDS.items():
        assert f'<a id="rule-{name}"></a>`{name}`' in text, name
        for d in declared(cls):
            assert f"| `{d.key}` |" in text, f"{name}.{d.key}"
        first = (cls.__doc__ or "").split()[:4]
        assert " ".join(first) in text, f"{name}: its docstring is its meaning"


def test_the_check_command_names_a_stale_file(tmp_path: Path) -> None:
    for name, text in generated_files().items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    assert main([str(tmp_path), "--check"]) == 0
    (tmp_path / "reference.md").write_text("old\n", encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "planner.authoring.docs", str(tmp_path), "--check"],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert result.returncode == 1
    assert (
        result.stderr
        == f"{tmp_path / 'reference.md'}: stale; run `python -m planner.authoring.docs`\n"
    )


def test_regenerating_writes_every_file(tmp_path: Path) -> None:
    assert main([str(tmp_path)]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(generated_files())
    assert stale(tmp_path) == []
    assert main([str(tmp_path / "missing")]) == 2
