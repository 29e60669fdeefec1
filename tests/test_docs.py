"""The generated docs (`planner.authoring.docs`): docs/reference.md and docs/*.schema.json are what
the declarations give today, and the reference names every field and rule kind; the
generated parts of hand-written files (the check report schema's kinds and severities, the
manual's rule table, docs/rules.md) are what the registry of rule kinds gives, the rest of each file kept
byte for byte."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from planner.authoring.docs import (
    CHECK_REPORT,
    RULE_TABLE,
    RULES_PAGE,
    check_report_schema,
    generated_files,
    main,
    reference_markdown,
    rule_table_markdown,
    severity_words,
    stale,
)
from planner.authoring.regions import (
    RegionError,
    begin_marker,
    end_marker,
    replace_block,
    set_json_value,
)
from planner.fields import declared
from planner.model import Package, Step, Verify
from planner.rules import BUILT_IN_KINDS, KINDS
from planner.scenario import Scenario

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"


def copy_of_the_docs(tmp_path: Path) -> Path:
    """tmp_path/docs with the generated files, the check report schema and the rule kinds
    page: a fresh copy of what the command keeps. Returns the docs folder."""
    docs = tmp_path / "docs"
    docs.mkdir()
    for name, text in generated_files().items():
        (docs / name).write_text(text, encoding="utf-8")
    shutil.copy(DOCS / CHECK_REPORT, docs / CHECK_REPORT)
    shutil.copy(DOCS / RULES_PAGE, docs / RULES_PAGE)
    return docs


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
    docs = copy_of_the_docs(tmp_path)
    assert main([str(docs), "--check"]) == 0
    (docs / "reference.md").write_text("old\n", encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "planner.authoring.docs", str(docs), "--check"],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert result.returncode == 1
    assert (
        result.stderr == f"{docs / 'reference.md'}: stale; run `python -m planner.authoring.docs`\n"
    )


def test_regenerating_writes_every_file(tmp_path: Path) -> None:
    docs = copy_of_the_docs(tmp_path)
    (docs / "reference.md").unlink()
    assert main([str(docs)]) == 0
    assert sorted(p.name for p in docs.iterdir()) == sorted(
        [*generated_files(), CHECK_REPORT, RULES_PAGE]
    )
    assert stale(docs) == []
    assert main([str(tmp_path / "missing")]) == 2


# ---- the generated parts of hand-written files ------------------------------------------


def test_the_check_report_schema_lists_every_kind_and_its_severity() -> None:
    """The `kind` enum holds the built-in kinds, then the registry's; the severity
    description groups them by severity (e.g. precedence is 3, forbid 0)."""
    finding = json.loads((DOCS / CHECK_REPORT).read_text(encoding="utf-8"))["$defs"]["finding"]
    assert finding["properties"]["kind"]["enum"] == [*BUILT_IN_KINDS, *KINDS]
    words = finding["properties"]["severity"]["description"]
    assert words.endswith(": " + severity_words() + ".")
    assert "; 3 precedence, reciprocity" in words and ": 0 forbid; 1 " in words
    for name, cls in KINDS.items():
        group = words.split(f" {cls.severity} ", 1)[1].split(";")[0].rstrip(".")
        assert name in group.split(", "), name


def test_the_manual_rule_table_has_every_kind_its_fields_and_its_docstring() -> None:
    text = (DOCS / RULES_PAGE).read_text(encoding="utf-8")
    block = text.split(begin_marker(RULE_TABLE))[1].split(end_marker(RULE_TABLE))[0]
    assert block.strip() == rule_table_markdown().strip()
    rows = [line for line in block.splitlines() if line.startswith("| [`")]
    assert [row.split("`")[1] for row in rows] == list(KINDS)
    for row, (name, cls) in zip(rows, KINDS.items(), strict=True):
        first = " ".join((cls.__doc__ or "").split()[:6])
        assert f"| {first}" in row, f"{name}: its docstring is its meaning"
        assert "Violated" not in row, f"{name}: how it is violated is left to the reference"
    precedence = rows[list(KINDS).index("precedence")]
    assert "| `before`, `after`, `lag: 0`, `within` |" in precedence
    assert "`done(b) + lag <= start(a) <= done(b) + within` for every b in before" in precedence
    assert "| `steps`, `max` (≥ 1) |" in rows[list(KINDS).index("capacity")]


def test_a_stale_generated_part_is_named_and_rewritten_in_place(tmp_path: Path) -> None:
    docs = copy_of_the_docs(tmp_path)
    schema = docs / CHECK_REPORT
    page = docs / RULES_PAGE
    kept = schema.read_bytes(), page.read_bytes()
    # an old list of kinds (one missing) and an old table (a row missing)
    schema.write_text(
        schema.read_text(encoding="utf-8").replace(
            '"order",\n            "simultaneous"', '"order"'
        ),
        encoding="utf-8",
    )
    simultaneous = next(
        line for line in page.read_text(encoding="utf-8").splitlines()
        if line.startswith("| [`simultaneous`]")
    )  # fmt: skip
    page.write_text(page.read_text().replace(simultaneous + "\n", ""), encoding="utf-8")
    assert stale(docs) == [str(schema), str(page)]
    assert main([str(docs)]) == 0
    assert (schema.read_bytes(), page.read_bytes()) == kept, "rewritten, every other byte kept"


def test_a_rules_page_without_the_markers_is_one_line_and_nothing_is_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    docs = copy_of_the_docs(tmp_path)
    (docs / "reference.md").write_text("old\n", encoding="utf-8")
    other = tmp_path / "OTHER.md"
    other.write_text("# no table here\n", encoding="utf-8")
    assert stale(docs, other)[-1] == str(other)
    assert main([str(docs), "--rules", str(other)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"{other}: needs one line '<!-- BEGIN generated: rule-kinds")
    assert len(err.splitlines()) == 1
    assert (docs / "reference.md").read_text() == "old\n", "nothing was written"


def test_replace_block_keeps_the_markers_and_everything_around_them() -> None:
    text = f"a\n{begin_marker('x')}\nold\nlines\n{end_marker('x')}\nb\n"
    assert (
        replace_block(text, "x", "new\n") == f"a\n{begin_marker('x')}\nnew\n{end_marker('x')}\nb\n"
    )
    with pytest.raises(RegionError):
        replace_block(text + text, "x", "new")  # two blocks of one name
    with pytest.raises(RegionError):
        replace_block(f"{end_marker('x')}\n{begin_marker('x')}\n", "x", "new")


def test_set_json_value_writes_in_the_style_of_the_old_value() -> None:
    text = '{\n  "a": {"b": [1, 2], "c": "x"},\n  "d": [\n    1\n  ]\n}\n'
    assert set_json_value(text, ("a", "b"), [3]) == text.replace("[1, 2]", "[3]")
    assert set_json_value(text, ("d",), [1, 2]) == text.replace(
        "[\n    1\n  ]", "[\n    1,\n    2\n  ]"
    )
    with pytest.raises(RegionError):
        set_json_value(text, ("a", "z"), 1)
    # "c" is found after "d" only by a search that ignores the nesting: refused, not misplaced
    with pytest.raises(RegionError):
        set_json_value('{"d": 1, "a": {"c": 2}}', ("d", "c"), 3)


def test_the_check_report_schema_generation_changes_only_its_two_values() -> None:
    text = (DOCS / CHECK_REPORT).read_text(encoding="utf-8")
    assert check_report_schema(text) == text


def test_the_rules_page_shows_every_kind_with_its_example() -> None:
    """The manual's rule kinds page has, for each kind of the registry, a heading and the
    example rule file `planner init` writes for it, word for word."""
    text = (DOCS / RULES_PAGE).read_text(encoding="utf-8")
    for name, cls in KINDS.items():
        assert f"### `{name}`\n" in text, name
        assert f"```yaml\n{cls.example.rstrip()}\n```" in text, name
