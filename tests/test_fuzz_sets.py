"""Fuzzing `--set` expressions and variant files (hypothesis, bounded examples; issue 19).

Expressions and variant files are drawn from the grammar's parts (steps, rules,
selectors, field paths, operators) and from values at the extremes: inf, nan, 1e308,
2**63, numbers of thousands of digits, YAML 1.1's octal, hex and sexagesimal numbers,
dates that do not exist, text, lists, mappings. Whatever is drawn:

- no traceback (no exception escapes a command but its exit);
- the exit code is the command's own (0, 1 or 2);
- a refusal is one located line per problem;
- no input file changes: the scenario's files, the roadmap and the variant file are
  hashed before and after.

In-process through typer's CliRunner. FUZZ_EXAMPLES=500 runs a longer search.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from planner.cli import app
from planner.load.files import default_paths

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "brief-roadmap.yaml"

FUZZ = settings(
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", "30")),
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)

STEPS = ["by-nonaggression-pledge", "us-aviation-leasing-license", "ukraine-ceasefire", "no-such"]
RULES = ["us-by-leverage-balance", "aviation-relief-by-week-30", "pledges-exchanged", "nope"]
SELECTORS = ["*", "kind=relief", "actor=US|BY", "package=aviation", "tag=verified",
             "kind=nothing", "colour=red", "id=by-nonaggression-pledge", ""]  # fmt: skip
RULE_SELECTORS = ["*", "kind=window", "kind=balance|capacity", "id=pledges-exchanged", "x=y"]
PATHS = ["duration", "value", "verify.duration", "verify.retry", "verify.fails", "estimate.min",
         "estimate.max", "attrs.risk", "margin", "lag", "within", "max", "latest", "earliest",
         "gap", "grace", "unit", "start", "name", "title", "tags", "after", "id", "optional",
         "fixed", "reversible", "objectives", "verify", "a.b.c.d", "", "..", "du ration"]  # fmt: skip
OPS = ["=", "+=", "-=", "*="]

#: Numbers at the extremes, as YAML text.
EXTREMES = [
    "0", "-0", "1", "-1", "1.5", "0.5", "-1.5", ".inf", "-.inf", ".nan", ".NaN", "1e308",
    "1.0e+308", "-1.0e+308", "1.0e-308", "5e-324", str(2**31), str(2**53), str(2**53 + 1),
    str(2**63), str(2**64 + 1), str(10**30), "9" * 4299, "9" * 4300, "9" * 5000,
    "0." + "1" * 400, "0x10", "0o17", "010", "0b101", "1:20", "1:20:30.5", "1_000", "+5",
    "1000000001", "999999999",
]  # fmt: skip
OTHER_VALUES = [
    "true", "no", "null", "~", "", " ", "text", "'quoted'", '"\\e[2J"', '"\\u202e"',
    "[a, b]", "[]", "{}", "{by: IAEA, duration: 4}", "{min: 1, max: .inf}", "2027-02-30",
    "2027-01-04", "[", "{", "'", '"', "&a", "*a", "!!int 3", "!!python/object x",
    "by-nonaggression-pledge", "[by-nonaggression-pledge]", "week", "fortnight",
]  # fmt: skip


def number_text() -> st.SearchStrategy[str]:
    """A number written as YAML would read it: integers of any size, any float."""
    floats = st.floats(allow_nan=True, allow_infinity=True).map(
        lambda f: ".nan" if f != f else (".inf" if f > 0 else "-.inf") if f in (
            float("inf"), float("-inf")) else repr(f)
    )  # fmt: skip
    return st.one_of(
        st.sampled_from(EXTREMES),
        st.integers(-(10**40), 10**40).map(str),
        floats,
    )


VALUES = st.one_of(number_text(), st.sampled_from(OTHER_VALUES))


#: Fields that hold numbers, by what they belong to.
NUMERIC = {
    "step": ["duration", "value", "verify.duration", "verify.retry", "verify.fails",
             "estimate.max", "attrs.risk", "fixed"],
    "rule": ["margin", "lag", "within", "max", "latest", "earliest", "gap", "grace"],
}  # fmt: skip


@st.composite
def arithmetic(draw: st.DrawFn) -> str:
    """Arithmetic on a number field with a number at the extremes (half the draws)."""
    op = draw(st.sampled_from(OPS))
    value = draw(number_text())
    if draw(st.booleans()):
        target = draw(st.sampled_from(STEPS[:3]))
        return f"{target}.{draw(st.sampled_from(NUMERIC['step']))}{op}{value}"
    if draw(st.booleans()):
        return f"*:{draw(st.sampled_from(NUMERIC['step']))}{op}{value}"
    return f"rules:*:{draw(st.sampled_from(NUMERIC['rule']))}{op}{value}"


@st.composite
def expressions(draw: st.DrawFn) -> str:
    if draw(st.booleans()):
        return draw(arithmetic())
    path = draw(st.sampled_from(PATHS))
    op = draw(st.sampled_from(OPS))
    value = draw(VALUES)
    scope = draw(st.sampled_from(["one", "steps", "rules", "junk"]))
    if scope == "one":
        target = draw(st.sampled_from([*STEPS, *RULES, "scenario"]))
        return f"{target}.{path}{op}{value}"
    if scope == "steps":
        return f"{draw(st.sampled_from(SELECTORS))}:{path}{op}{value}"
    if scope == "rules":
        return f"rules:{draw(st.sampled_from(RULE_SELECTORS))}:{path}{op}{value}"
    return draw(st.sampled_from(["", "=", ":", "rules:", "*:", "*:=1", ".=.", "a.b", "x" * 500]))


def digest(paths: list[Path]) -> dict[Path, str]:
    return {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in paths}


def invoke(args: list[str]) -> int:
    """Run one command in-process: no exception may escape but the command's exit; a
    refusal is located lines."""
    result = CliRunner().invoke(app, args, catch_exceptions=True)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"{args}: {result.exception!r}") from result.exception
    assert result.exit_code in (0, 1, 2), (args, result.exit_code, result.output)
    if result.exit_code == 2:
        lines = result.stderr.splitlines()
        assert lines, args
        assert all("Traceback" not in line and len(line) < 2000 for line in lines), lines
    return result.exit_code


def scenario_copy(tmp: Path) -> tuple[Path, list[Path], list[str]]:
    """A copy of the default scenario: its folder, its files, the options naming it."""
    packages, constraints = default_paths()
    d = tmp / "deal"
    d.mkdir(parents=True)
    shutil.copy(packages, d / "packages.yaml")
    shutil.copytree(constraints, d / "constraints")
    files = [d / "packages.yaml", *sorted((d / "constraints").glob("*.yaml"))]
    return (
        d,
        files,
        ["--packages", str(d / "packages.yaml"), "--constraints", str(d / "constraints")],
    )


@FUZZ
@given(exprs=st.lists(expressions(), min_size=1, max_size=3), data=st.data())
def test_set_expressions(exprs: list[str], data: st.DataObject) -> None:
    tmp = Path(tempfile.mkdtemp(prefix="fuzz-set-"))
    _, files, args = scenario_copy(tmp)
    inputs = [*files, EXAMPLE]
    before = digest(inputs)
    sets = [a for e in exprs for a in ("--set", e)]
    code = invoke(["check", str(EXAMPLE), *args, *sets])
    if code != 2:
        invoke(["timeline", str(EXAMPLE), *args, *sets, "--format", "csv"])
        if data.draw(st.booleans()):
            invoke(["plan", "--time-limit", "0.5", *args, *sets])
    assert digest(inputs) == before
    shutil.rmtree(tmp)


@st.composite
def variant_files(draw: st.DrawFn) -> str:
    """A variant file: some of `set:`, `override:` (steps, rules, scenario) and `add:`,
    with values drawn as above."""
    lines = []
    if draw(st.booleans()):
        lines.append("set:")
        for e in draw(st.lists(expressions(), min_size=1, max_size=3)):
            lines.append("  - " + _quoted(e))
    if draw(st.booleans()):
        lines += ["override:", "  steps:"]
        for _ in range(draw(st.integers(1, 2))):
            step = draw(st.sampled_from(STEPS))
            field = draw(
                st.sampled_from(["duration", "value", "fixed", "title", "verify", "attrs"])
            )
            value = draw(VALUES)
            if field == "verify":
                value = f"{{duration: {draw(number_text())}, retry: {draw(number_text())}}}"
            elif field == "attrs":
                value = f"{{risk: {draw(number_text())}}}"
            lines.append(f"    {step}: {{{field}: {value}}}")
        lines += ["  rules:", f"    us-by-leverage-balance: {{margin: {draw(number_text())}}}"]
        lines += [
            "  scenario:",
            f"    unit: {draw(st.sampled_from(['week', 'day', 'month', 'x']))}",
        ]
    if draw(st.booleans()):
        lines += [
            "add:",
            "  steps:",
            f"    - {{id: {draw(st.sampled_from(['x-new', '0x10', '010', 'by-nonaggression-pledge']))}, "
            f"package: security, actor: US, kind: dialogue, duration: {draw(number_text())}, "
            f"value: {draw(number_text())}}}",
        ]
    if draw(st.booleans()):
        lines += [
            "remove:",
            f"  steps: [{draw(st.sampled_from([*STEPS, '0x10', '1:20', 'null']))}]",
        ]
    return "\n".join(lines) + "\n"


def _quoted(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


@FUZZ
@given(text=variant_files())
def test_variant_files(text: str) -> None:
    tmp = Path(tempfile.mkdtemp(prefix="fuzz-variant-"))
    _, files, args = scenario_copy(tmp)
    variant = tmp / "v.yaml"
    variant.write_text(text, encoding="utf-8")
    inputs = [*files, EXAMPLE, variant]
    before = digest(inputs)
    code = invoke(["check", str(EXAMPLE), *args, "--variant", str(variant)])
    if code != 2:
        invoke(["timeline", str(EXAMPLE), *args, "--variant", str(variant), "--format", "json"])
        invoke(["diff", str(EXAMPLE), str(EXAMPLE), *args, "--b-variant", str(variant)])
    assert digest(inputs) == before
    shutil.rmtree(tmp)
