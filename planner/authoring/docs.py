"""The generated docs: the field reference (docs/reference.md) and the JSON Schemas under
docs/, generated from the field declarations (`planner.fields`) by the same walk as
`planner.authoring.schema`; and the generated parts of hand-written files, from the registry
of rule kinds (`planner.rules.KINDS`, `BUILT_IN_KINDS`): the kinds and severities of
docs/check-report.schema.json, and the manual's rule kinds page (docs/rules.md: each
kind's fields and docstring in a table, and its example rule file) between marker lines.

    python -m planner.authoring.docs            # rewrite docs/ and the rule kinds page's table
    python -m planner.authoring.docs --check    # exit 1, naming the stale files, when they differ

Run from the repository root (or give the docs folder: `python -m planner.authoring.docs DIR`;
the rule table's page is DIR/rules.md unless `--rules FILE`). `tests/test_docs.py` fails while
the files differ from what this writes. `reference_markdown`, `generated_files` and
`rule_table_markdown` are pure; only `main` touches files.
"""

from __future__ import annotations

import re
import sys
import typing
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from planner.authoring.regions import RegionError, replace_block, set_json_value
from planner.authoring.schema import (
    KINDS_OF_FILES,
    SECTIONS,
    SELECTOR_WORDS,
    class_doc,
    constraints_definitions,
    entry_schema,
    packages_definitions,
    refs_in,
    roadmap_schema,
    schema_file_name,
    schema_text,
)
from planner.errors import InputError
from planner.fields import REQUIRED, Choice, Declared, Nat, declared
from planner.load.files import read_file
from planner.model import SELECTOR_FIELDS
from planner.roadmap.lines import ENTRY_FIELDS
from planner.roadmap.read import ROADMAP_TOP
from planner.rules import BUILT_IN_KINDS, KINDS
from planner.rules.base import Rule
from planner.scenario import Scenario

REFERENCE = "reference.md"
#: The hand-written schema of `check --format json`, whose kind list and severities are generated.
CHECK_REPORT = "check-report.schema.json"
#: The manual's block that holds the rule table, and its page (in the docs folder).
RULE_TABLE = "rule-kinds"
#: The manual's block that holds each kind's example rule file.
RULE_EXAMPLES = "rule-examples"
RULES_PAGE = "rules.md"


def _cell(text: str) -> str:
    """Text for a markdown table cell: one line, pipes escaped."""
    return " ".join(text.split()).replace("|", "\\|")


def _type(d: Declared, owner: type) -> str:
    """The field's type in words, linked to the section that describes it."""
    spec = d.spec
    fragment = spec.schema()
    if isinstance(spec, Choice):
        return "one of " + ", ".join(f"`{o}`" for o in spec.options)
    if isinstance(spec, Nat) and spec.minimum:
        return f"{spec.type_name} ≥ {spec.minimum}"
    if spec.type_name != "see below":
        refs = list(refs_in(fragment))
        return f"[{spec.type_name}](#{_anchor(refs[0])})" if refs else spec.type_name
    if not fragment:  # no shape declared: say what the type holds
        origin = typing.get_origin(typing.get_type_hints(owner).get(d.name))
        return "list" if origin in (tuple, list, frozenset, set) else "value"
    return _shape_words(fragment)


def _shape_words(fragment: dict[str, Any]) -> str:
    """A custom field's JSON Schema fragment in words: 'list of steps', 'date', ..."""
    ref = fragment.get("$ref", "")
    if ref:
        return f"[{ref.removeprefix('#/$defs/')}](#{_anchor(ref.removeprefix('#/$defs/'))})"
    kind = fragment.get("type")
    kinds = kind if isinstance(kind, list) else [kind]
    if "array" in kinds:
        items = fragment.get("items", {})
        inner = _shape_words(items) if items else "values"
        alone = " or one" if "string" in kinds else ""
        return f"list of {inner}{alone}"
    if kinds == ["object"]:
        values = fragment.get("additionalProperties")
        if isinstance(values, dict) and values.get("type") == "number":
            return "mapping of names to numbers"
        return "mapping"
    if fragment.get("format") == "date":
        return "date (YYYY-MM-DD)"
    if "anyOf" in fragment:
        return " or ".join(_shape_words(f) for f in fragment["anyOf"])
    return "value" if kind is None else str(kind)


def _anchor(name: str) -> str:
    return "def-" + name.replace("_", "-")


def _default(d: Declared) -> str:
    if d.required:
        return "**required**"
    if d.spec.absent:
        return d.spec.absent
    value = d.default
    if value is REQUIRED or value is None:
        return "—"
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    if isinstance(value, (int, float)):
        return f"`{value}`"
    if isinstance(value, str):
        return f"`{value}`" if value else '`""`'
    return "none" if not value else f"`{value}`"


def _field_table(fields: Iterable[Declared], owner: type) -> list[str]:
    rows = ["| field | type | default | meaning |", "|---|---|---|---|"]
    for d in fields:
        kind = _type(d, owner)
        rows.append(f"| `{d.key}` | {_cell(kind)} | {_cell(_default(d))} | {_cell(d.spec.doc)} |")
    return rows


def _docstring(cls: type) -> list[str]:
    """A class docstring as markdown: paragraphs, formulas (indented) as code blocks."""
    out: list[str] = []
    for paragraph in class_doc(cls, whole=True).split("\n\n"):
        if paragraph.startswith("    "):
            lines = [line[4:] for line in paragraph.splitlines()]
            out += ["```text", *lines, "```", ""]
        else:
            out += [paragraph, ""]
    return out


def reference_markdown() -> str:
    """docs/reference.md: every field of the three file kinds and every rule kind."""
    lines = [
        "# Field reference",
        "",
        "<!-- Generated by `python -m planner.authoring.docs` from the field declarations; do not edit. -->",
        "",
        "Every field a file may hold, generated from the declarations the loader reads "
        "(`planner/fields.py` markers on the dataclasses of `planner/model.py`, "
        "`planner/scenario.py` and `planner/rules/`). The same declarations give the JSON "
        "Schemas: "
        + ", ".join(f"[`{schema_file_name(k)}`]({schema_file_name(k)})" for k in KINDS_OF_FILES)
        + " (also printed by `planner schema KIND`). The loader (`planner validate`) checks "
        "more than a schema can: cross references, cycles, numbers against each other.",
        "",
        "Times and durations are whole numbers in the scenario's `unit`, from time 0. A step "
        "is *done* at `start + duration + verify.duration`. "
        '<a id="def-identifier"></a>An *identifier* (an id, an actor, a kind, a tag) is '
        "letters, digits, `-`, `_` and `.`, without spaces.",
        "",
        "## packages.yaml",
        "",
        "| section | required | meaning |",
        "|---|---|---|",
    ]
    for name, (words, needed) in SECTIONS.items():
        lines.append(f"| `{name}` | {'yes' if needed else 'no'} | {_cell(words)} |")
    lines += ["", "### `scenario:`", "", *_field_table(declared(Scenario), Scenario), ""]
    defs = packages_definitions()
    titles = {
        "package": "a package (`packages: [...]`)",
        "step": "a step (a package's `steps: [...]`)",
    }
    for name, cls in defs.classes.items():
        lines += [
            f'### <a id="{_anchor(name)}"></a>{titles.get(name, f"`{name}`")}',
            "",
            *_docstring(cls),
            *_field_table(declared(cls), cls),
            "",
        ]
    lines += [
        '## <a id="def-selector"></a>Selectors',
        "",
        "How a rule names steps: one step id, a list of step ids, or a mapping of these "
        "fields, each one value or a list; a step matches when every given field matches "
        "one of its values. A selector that matches no step is an error.",
        "",
        "| field | matches |",
        "|---|---|",
    ]
    lines += [f"| `{f}` | {_cell(SELECTOR_WORDS.get(f, f))} |" for f in SELECTOR_FIELDS]
    lines += [
        "",
        "## constraints/*.yaml",
        "",
        "Each file holds `rules: [...]`; rule ids are unique across the folder. Every rule "
        "has a `kind` (one of "
        + ", ".join(f"[`{k}`](#rule-{k})" for k in KINDS)
        + ") and these fields:",
        "",
        *_field_table(declared(Rule), Rule),
        "",
    ]
    common = {d.name for d in declared(Rule)}
    for name, cls in KINDS.items():
        lines += [
            f'### <a id="rule-{name}"></a>`{name}`',
            "",
            *_docstring(cls),
            *_field_table([d for d in declared(cls) if d.name not in common], cls),
            "",
        ]
    held = constraints_definitions().classes
    for name, cls in held.items():
        lines += [
            f'### <a id="{_anchor(name)}"></a>`{name}`',
            "",
            *_docstring(cls),
            *_field_table(declared(cls), cls),
            "",
        ]
    lines += _roadmap_section()
    return "\n".join(lines).rstrip("\n") + "\n"


def _roadmap_section() -> list[str]:
    top = roadmap_schema()["properties"]
    entry = entry_schema()["properties"]
    lines = [
        "## Roadmap files",
        "",
        "What `planner plan -o` writes and `planner check` / `planner timeline` read: YAML or "
        "JSON of this shape, or CSV with a `step,start` header (and any entry field as a "
        "column).",
        "",
        "| key | meaning |",
        "|---|---|",
    ]
    for name in ROADMAP_TOP:
        words = top[name]["description"]
        lines.append(f"| `{name}` | {_cell(words)}{' (required)' if name == 'roadmap' else ''} |")
    body = top["roadmap"]["properties"]
    lines += [
        "",
        "`roadmap:` holds exactly one of:",
        "",
        *(f"- `{k}`: {v['description']}" for k, v in body.items()),
        "",
        "An entry of `steps`:",
        "",
        "| field | meaning |",
        "|---|---|",
    ]
    for name in ENTRY_FIELDS:
        need = " (required)" if name in ("step", "start") else ""
        lines.append(f"| `{name}` | {_cell(entry[name]['description'])}{need} |")
    return [*lines, ""]


def generated_files() -> dict[str, str]:
    """Every file `python -m planner.authoring.docs` writes whole into the docs folder, by name."""
    out = {schema_file_name(kind): schema_text(kind) for kind in KINDS_OF_FILES}
    out[REFERENCE] = reference_markdown()
    return out


# ---- generated parts of hand-written files ----------------------------------------------


def violation_kinds() -> dict[str, int]:
    """Every kind a violation may have, with its severity: the built-in kinds (preconditions,
    coverage, fixed), then the rule kinds in registry order."""
    return {**BUILT_IN_KINDS, **{name: cls.severity for name, cls in KINDS.items()}}


def severity_words(code: bool = False) -> str:
    """The kinds by severity, most severe first: '0 forbid; 1 gate, delink, precondition,
    fixed; ...' (rule kinds in registry order, then the built-in ones); `code` quotes them."""
    kinds = {**{name: cls.severity for name, cls in KINDS.items()}, **BUILT_IN_KINDS}
    quote = (lambda k: f"`{k}`") if code else (lambda k: k)
    return "; ".join(
        f"{level} " + ", ".join(quote(k) for k, s in kinds.items() if s == level)
        for level in sorted(set(kinds.values()))
    )


def check_report_schema(text: str) -> str:
    """The check report's schema (`text`, hand-written) with its generated values: the
    kinds a violation may have and their severities."""
    finding = ("$defs", "finding", "properties")
    text = set_json_value(text, (*finding, "kind", "enum"), list(violation_kinds()))
    words = "The rank of the rule's kind in the report, smaller is more severe: "
    return set_json_value(
        text, (*finding, "severity", "description"), words + severity_words() + "."
    )


def _kind_fields(cls: type[Rule]) -> str:
    """A kind's own fields in a line: `lag: 0` for a default, `max` (≥ 1) for a minimum."""
    common = {d.name for d in declared(Rule)}
    out = []
    for d in declared(cls):
        if d.name in common:
            continue
        value = d.default
        if d.required or value is None or value is REQUIRED:
            word = f"`{d.key}`"
        else:
            word = f"`{d.key}: {str(value).lower() if isinstance(value, bool) else value}`"
        if isinstance(d.spec, Nat) and d.spec.minimum > 0:
            word += f" (≥ {d.spec.minimum})"
        out.append(word)
    return ", ".join(out)


#: A sentence of a docstring that says how the rule is violated, not what it means.
_VIOLATED = re.compile(r"(?:^|(?<=[.)] ))Violated\b")


def _kind_meaning(cls: type[Rule]) -> str:
    """A kind's docstring on one line, up to how it is violated: its meaning, each formula
    line in code (with the words beside it after it)."""
    parts: list[str] = []
    for paragraph in class_doc(cls, whole=True).split("\n\n"):
        if not paragraph.startswith("    "):
            cut = _VIOLATED.search(paragraph)
            prose = paragraph[: cut.start()].strip() if cut else paragraph
            if prose.startswith("(") and parts and parts[-1].endswith("."):
                parts[-1] = f"{parts[-1][:-1]} {prose}"  # a remark on the formula before it
            elif prose:
                parts.append(prose)
            if cut:
                break
            continue
        formulas = []
        for line in paragraph.splitlines():
            formula, _, words = line.strip().partition("   ")
            formula = " ".join(formula.split())
            formulas.append(f"`{formula}` {words.strip()}".strip())
        if parts and parts[-1].endswith(":"):
            parts[-1] += " " + "; ".join(formulas) + "."
        else:
            parts.append("; ".join(formulas) + ".")
    return " ".join(parts)


def rule_table_markdown() -> str:
    """The manual's rule table (docs/rules.md): every kind of the registry, its fields and its meaning
    (from its docstring), then the report's order of severity."""
    lines = [
        "| kind | fields | meaning (the checker and the solver implement exactly this) |",
        "|---|---|---|",
    ]
    for name, cls in KINDS.items():
        kind = f"[`{name}`](reference.md#rule-{name})"
        lines.append(f"| {kind} | {_cell(_kind_fields(cls))} | {_cell(_kind_meaning(cls))} |")
    lines += [
        "",
        "**Severity**, the order of the report (smaller first; `severity` in the JSON report): "
        + severity_words(code=True)
        + ".",
    ]
    return "\n".join(lines) + "\n"


def rule_examples_markdown() -> str:
    """Each kind of the registry with its `example`: the rule file `planner init` writes for
    it (on the starter scenario's steps, commented; `tests/test_authoring.py` plans each)."""
    lines = []
    for name, cls in KINDS.items():
        lines += [
            f"### `{name}`",
            "",
            f"{_cell(_kind_meaning(cls))} Every field: [the reference](reference.md#rule-{name}).",
            "",
            "```yaml",
            cls.example.rstrip("\n"),
            "```",
            "",
        ]
    return "\n".join(lines)


def _rules_page(text: str) -> str:
    """The rule kinds page with its two generated blocks put in."""
    text = replace_block(text, RULE_TABLE, rule_table_markdown())
    return replace_block(text, RULE_EXAMPLES, rule_examples_markdown())


def kept_files(folder: Path, rules: Path) -> dict[Path, Callable[[str], str]]:
    """The hand-written files with generated parts, each with the function that puts the
    parts into its current text."""
    return {
        folder / CHECK_REPORT: check_report_schema,
        rules: _rules_page,
    }


def updated(folder: Path, rules: Path) -> list[tuple[Path, str]]:
    """Every file the command writes, with its text: the generated files whole, the
    hand-written ones with their generated parts put in.

    Raises
    ------
    InputError
        When a hand-written file with generated parts cannot be read.
    RegionError
        When it lacks the place of a generated part.
    """
    out = [(folder / name, text) for name, text in generated_files().items()]
    for path, update in kept_files(folder, rules).items():
        try:
            out.append((path, update(read_file(path)[1].decode("utf-8"))))
        except (RegionError, UnicodeDecodeError) as exc:
            raise RegionError(f"{path}: {exc}") from None
    return out


def stale(folder: Path, rules: Path | None = None) -> list[str]:
    """The generated files of `folder`, and the hand-written ones with generated parts (the
    rule table's page, `folder`/rules.md unless `rules`), that are missing or differ from what is
    generated."""
    rules = folder / RULES_PAGE if rules is None else rules
    out = []
    for name, text in generated_files().items():
        path = folder / name
        try:
            current: bytes | None = read_file(path)[1]
        except InputError:
            current = None
        if current != text.encode("utf-8"):
            out.append(str(path))
    for path, update in kept_files(folder, rules).items():
        try:
            data = read_file(path)[1]
            fresh = update(data.decode("utf-8")).encode("utf-8") == data
        except (InputError, RegionError, UnicodeDecodeError):
            fresh = False
        if not fresh:
            out.append(str(path))
    return out


def main(argv: Sequence[str] | None = None) -> int:
    """`python -m planner.authoring.docs [DIR] [--rules FILE] [--check]`: write (or check)
    the generated docs."""
    from planner.output import OutputError, write_outputs

    args = list(sys.argv[1:] if argv is None else argv)
    check = "--check" in args
    rest = [a for a in args if a != "--check"]
    rules: Path | None = None
    if "--rules" in rest:
        at = rest.index("--rules")
        if at + 1 >= len(rest):
            rest.append("-")  # no FILE: the usage line below
        else:
            rules = Path(rest[at + 1])
            del rest[at : at + 2]
    if len(rest) > 1 or any(a.startswith("-") for a in rest):
        sys.stderr.write("usage: python -m planner.authoring.docs [DIR] [--rules FILE] [--check]\n")
        return 2
    folder = Path(rest[0] if rest else "docs")
    rules = folder / RULES_PAGE if rules is None else rules
    if check:
        found = stale(folder, rules)
        for path in found:
            sys.stderr.write(f"{path}: stale; run `python -m planner.authoring.docs`\n")
        return 1 if found else 0
    if not folder.is_dir():
        sys.stderr.write(f"{folder}: no such directory\n")
        return 2
    try:
        write_outputs(updated(folder, rules))
    except (InputError, RegionError, OutputError) as exc:
        sys.stderr.write(f"{exc}\n")
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
