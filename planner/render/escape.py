"""The user's text made safe where it lands: a spreadsheet cell, a terminal, a Markdown
page, a Mermaid diagram. A scenario's titles, names and sources are free text (YAML's
double-quoted escapes can put any character in them), and each destination gives some
characters a power over the reader's screen or browser:

- a CSV cell starting `=`, `+`, `-` or `@` (or a tab or carriage return) is a formula to
  a spreadsheet (`=HYPERLINK(...)`): such a cell is written with a `'` before it, as
  OWASP's CSV-injection advice says, and the roadmap reader takes the `'` off again;
- a terminal obeys control characters (`ESC [2J` clears the screen, OSC 8 makes links)
  and shows text reordered by bidirectional controls (U+202E): every character that is
  not printable text is written as a `\\uXXXX` escape in what the planner prints (which
  keeps JSON and double-quoted YAML meaning the same);
- Markdown makes links of `[x](javascript:...)` and keeps raw HTML; a newline or a `|`
  ends a table's row or cell: such text is escaped and put on one line;
- Mermaid reads `%%{init: ...}%%` anywhere as a directive, and HTML in labels.

Pure functions, no imports beyond the standard library.
"""

from __future__ import annotations

import re
from typing import Any

# ---- CSV ---------------------------------------------------------------------------------

#: What a spreadsheet reads as the start of a formula (OWASP, "CSV Injection").
_FORMULA = re.compile(r"'*[=+\-@\t\r]")


def csv_cell(value: Any) -> Any:
    """A CSV cell that no spreadsheet runs as a formula: text starting with `=`, `+`,
    `-`, `@`, a tab or a carriage return (after any `'`s, so that reading back is exact)
    gets a `'` in front. Numbers are left as they are (`-3` is a number, not a formula)."""
    if isinstance(value, str) and _FORMULA.match(value):
        return "'" + value
    return value


def csv_text(cell: str) -> str:
    """The text of a cell that `csv_cell` wrote: one leading `'` before a formula
    character taken off."""
    if cell.startswith("'") and _FORMULA.match(cell, 1):
        return cell[1:]
    return cell


# ---- YAML and JSON files ----------------------------------------------------------------

#: What YAML 1.1 does not allow in a file, even inside quotes: C0 controls but tab,
#: newline and carriage return (JSON escapes those already), DEL, C1 controls but NEL,
#: surrogates and U+FFFE, U+FFFF.
_NOT_YAML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ud800-\udfff\ufffe\uffff]")


def yaml_printable(quoted: str) -> str:
    """JSON text (a quoted string or a whole document) that a YAML reader accepts: each
    character YAML refuses written as a `\\uXXXX` escape, which means the same in JSON
    and in a double-quoted YAML string. `plan -o` writes what `check` reads back."""
    if not _NOT_YAML.search(quoted):
        return quoted
    return _NOT_YAML.sub(lambda m: f"\\u{ord(m.group()):04x}", quoted)


# ---- terminals ---------------------------------------------------------------------------

#: Characters a terminal obeys or that reorder what it shows: C0 controls but newline and
#: tab, DEL, C1 controls, the line and paragraph separators, and the bidirectional
#: formatting controls (embeddings, overrides, isolates, marks).
_UNPRINTABLE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]"
)


def terminal_safe(text: str) -> str:
    """`text` with every character a terminal would obey written as `\\uXXXX`."""
    if not _UNPRINTABLE.search(text):
        return text
    return _UNPRINTABLE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


# ---- Markdown ----------------------------------------------------------------------------

#: Backticks stay: a code span shows its text as written (nothing in it is a link or
#: HTML), and a scenario's notes use them for commands.
_MD_SPECIAL = str.maketrans(
    {"\\": "\\\\", "[": "\\[", "]": "\\]", "|": "\\|", "&": "&amp;", "<": "&lt;",
     ">": "&gt;"}
)  # fmt: skip


def md_text(value: Any) -> str:
    """Text for a Markdown table cell or line: on one line, with no link (`[`, `]`), raw
    HTML (`<`, `>`, `&`) or cell break (`|`) of its own."""
    return " ".join(str(value).split()).translate(_MD_SPECIAL)


def md_code(value: Any) -> str:
    """Text as a Markdown code span (a file name): on one line, fenced by more backticks
    than it holds in a row, so that nothing in it is read as Markdown or HTML."""
    text = " ".join(str(value).split())
    longest = max((len(run) for run in re.findall("`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


# ---- Mermaid -----------------------------------------------------------------------------


def mermaid_label(text: str) -> str:
    """Text inside a quoted Mermaid label (`["..."]`): `"`, `#`, `<`, `>`, `&` and `%` as
    Mermaid's entity codes, so that no HTML, entity or `%%{init}%%` directive of the
    user's survives; a newline as a line break."""
    return text.translate(_MERMAID_LABEL)


_MERMAID_LABEL = str.maketrans(
    {"#": "#35;", '"': "#quot;", "<": "#lt;", ">": "#gt;", "&": "#amp;", "%": "#37;",
     "\n": "<br/>"}
)  # fmt: skip
