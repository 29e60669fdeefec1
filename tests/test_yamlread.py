"""Unit specification of `planner.load.yamlread.read_yaml`, the strict YAML reader.

It types values exactly as PyYAML's safe loader does (YAML 1.1: ints, floats, booleans,
null, dates; quoted text stays text), remembers 1-based line:column marks for every mapping,
key, value and list item, and refuses — with one located problem each — duplicate keys,
anchors and aliases, tags beyond the core scalar ones, scalars that cannot be typed, more
than one document, nesting beyond `MAX_DEPTH`, input over `MAX_BYTES` and bytes that are
not UTF-8. A syntax error stops the parser and is reported where it was found.
"""

from __future__ import annotations

import datetime as dt
import math
import pickle

import pytest
import yaml

from planner.errors import InputError, Mark
from planner.load.yamlread import MAX_BYTES, MAX_DEPTH, YList, YMap, read_yaml, written_number


def read(text: str) -> object:
    return read_yaml("f.yaml", text.encode("utf-8"))


def problems(text: str | bytes) -> list[str]:
    data = text.encode("utf-8") if isinstance(text, str) else text
    with pytest.raises(InputError) as info:
        read_yaml("f.yaml", data)
    return [str(p) for p in info.value.problems]


# ---- values, typed as PyYAML's safe loader types them -----------------------------------

TYPED = """\
int: 42
negative: -7
underscored: 1_000
octal: 0o17
hex: 0x1F
float: 2.5
exponent: 1.0e3
not-a-float-in-yaml-1.1: 1e3
infinity: .inf
true-word: true
yes-word: yes
off-word: off
null-word: null
tilde: ~
empty:
date: 2027-01-04
datetime: 2027-01-04 10:30:00
quoted-int: "42"
single-quoted-bool: 'yes'
quoted-date: "2027-01-04"
plain text: hello world
str-tag: !!str 3
int-tag: !!int "7"
float-tag: !!float 2
list: [1, two, 3.0, false]
nested: {a: [1, {b: null}]}
block: |
  two
  lines
"""


def test_values_are_typed_like_pyyaml_safe_load() -> None:
    assert read(TYPED) == yaml.safe_load(TYPED)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("42", 42),
        ("-7", -7),
        ("1_000", 1000),
        ("2.5", 2.5),
        ("true", True),
        ("no", False),
        ("null", None),
        ("~", None),
        ("2027-01-04", dt.date(2027, 1, 4)),
        ('"42"', "42"),
        ("'true'", "true"),
        ('"2027-01-04"', "2027-01-04"),
        ("1e3", "1e3"),
        ("!!str 3", "3"),
    ],
)
def test_scalar_types(text: str, value: object) -> None:
    got = read(f"k: {text}\n")
    assert isinstance(got, YMap)
    assert got["k"] == value
    assert isinstance(got["k"], type(value))
    # A number YAML reads otherwise than its text (`1_000`) keeps the text it was written
    # as; the others are of exactly their type.
    if written_number(got["k"]) not in (None, repr(value)):
        assert written_number(got["k"]) == text
    else:
        assert type(got["k"]) is type(value)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("0x10", 16),
        ("010", 8),
        ("1:20", 80),
        ("+5", 5),
        ("-0", 0),
        ("1.50", 1.5),
        (".inf", math.inf),
    ],
)
def test_numbers_yaml_reads_otherwise_than_written_keep_their_text(text: str, value: float) -> None:
    """They are the numbers YAML 1.1 says, and remember the text (for an id: issue 19,
    item 16)."""
    got = read(f"k: {text}\n")
    assert isinstance(got, YMap)
    assert got["k"] == value and written_number(got["k"]) == text
    assert pickle.loads(pickle.dumps(got["k"])) == value


def test_the_non_specific_tag_makes_text() -> None:
    # The YAML spec's meaning of `!`; PyYAML's safe loader would read `! 12` as 12.
    assert read("k: ! 12\n") == {"k": "12"}


def test_an_equals_sign_is_text() -> None:
    # YAML 1.1 resolves `=` to a "value" tag that PyYAML's safe loader cannot construct.
    assert read("op: =\n") == {"op": "="}


def test_booleans_are_not_integers() -> None:
    got = read("a: yes\nb: 1\n")
    assert isinstance(got, YMap)
    assert got["a"] is True
    assert type(got["b"]) is int


def test_containers_are_located_dicts_and_lists() -> None:
    got = read("a:\n  - 1\n  - {b: 2}\n")
    assert isinstance(got, YMap) and isinstance(got, dict)
    assert isinstance(got["a"], YList) and isinstance(got["a"], list)
    assert isinstance(got["a"][1], YMap)
    assert got == {"a": [1, {"b": 2}]}


def test_an_empty_document_is_none() -> None:
    assert read("") is None
    assert read("# only a comment\n") is None


def test_a_scalar_document_is_that_scalar() -> None:
    assert read("hello\n") == "hello"


def test_a_byte_order_mark_is_ignored() -> None:
    assert read_yaml("f.yaml", b"\xef\xbb\xbfa: 1\n") == {"a": 1}


# ---- marks: 1-based line and column, as editors count ----------------------------------

MARKED = """\
top:
  name: x
  list:
    - first
    - {k: v}
flow: {a: 1, b: [2, 3]}
"""


def test_marks_are_one_based() -> None:
    doc = read(MARKED)
    assert isinstance(doc, YMap)
    assert doc.mark == Mark("f.yaml", 1, 1)
    assert doc.key_at("top") == Mark("f.yaml", 1, 1)
    top = doc["top"]
    assert top.mark == Mark("f.yaml", 2, 3)
    assert top.key_at("name") == Mark("f.yaml", 2, 3)
    assert top.at("name") == Mark("f.yaml", 2, 9)
    items = top["list"]
    assert items.mark == Mark("f.yaml", 4, 5)
    assert items.at(0) == Mark("f.yaml", 4, 7)
    assert items.at(1) == Mark("f.yaml", 5, 7)
    assert items[1].at("k") == Mark("f.yaml", 5, 11)
    flow = doc["flow"]
    assert flow.mark == Mark("f.yaml", 6, 7)
    assert flow.at("a") == Mark("f.yaml", 6, 11)
    assert flow["b"].at(1) == Mark("f.yaml", 6, 21)


def test_an_absent_key_is_located_at_its_mapping() -> None:
    doc = read(MARKED)
    assert isinstance(doc, YMap)
    assert doc["top"].at("missing") == doc["top"].mark
    assert doc["top"].key_at("missing") == doc["top"].mark


def test_marks_print_as_file_line_col() -> None:
    assert str(Mark("f.yaml", 3, 7)) == "f.yaml:3:7"
    assert str(Mark("f.yaml")) == "f.yaml"


# ---- refusals ---------------------------------------------------------------------------


def test_duplicate_keys_are_refused_where_repeated() -> None:
    assert problems("a: 1\nb: 2\na: 3\n") == [
        "f.yaml:3:1: duplicate key 'a' (first written at line 1)"
    ]


def test_every_duplicate_key_is_reported() -> None:
    text = "a: 1\na: 2\nm:\n  x: 1\n  x: 2\nf: {y: 1, y: 2}\n"
    assert problems(text) == [
        "f.yaml:2:1: duplicate key 'a' (first written at line 1)",
        "f.yaml:5:3: duplicate key 'x' (first written at line 4)",
        "f.yaml:6:11: duplicate key 'y' (first written at line 6)",
    ]


def test_keys_that_differ_only_in_type_are_still_duplicates() -> None:
    # `1` and `"1"` are different Python values but the same name to a reader.
    assert problems('1: a\n"1": b\n') == ["f.yaml:2:1: duplicate key '1' (first written at line 1)"]


def test_anchors_and_aliases_are_refused() -> None:
    assert problems("a: &x 1\nb: *x\n") == [
        "f.yaml:1:4: anchors are not allowed (&x): write the value out",
        "f.yaml:2:4: aliases are not allowed (*x): write the value out",
    ]


def test_an_unused_anchor_is_refused() -> None:
    assert problems("a: &x {k: 1}\n") == [
        "f.yaml:1:4: anchors are not allowed (&x): write the value out"
    ]


def test_a_merge_key_alias_is_refused() -> None:
    text = "base: &b {k: 1}\nderived:\n  <<: *b\n"
    assert problems(text) == [
        "f.yaml:1:7: anchors are not allowed (&b): write the value out",
        "f.yaml:3:3: merge keys are not allowed (<<): write the fields out",
        "f.yaml:3:7: aliases are not allowed (*b): write the value out",
    ]


def test_an_alias_bomb_is_listed_briefly_and_never_expanded() -> None:
    lines = ['a0: &a0 "lol"']
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 10)]
    found = problems("\n".join(lines) + "\n")
    assert len(found) == 11
    assert found[0] == "f.yaml:1:5: anchors are not allowed (&a0): write the value out"
    assert found[-1].endswith(
        ": 81 more anchors and aliases from here on (not listed): write the values out"
    )


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("!!python/object/apply:os.system [ls]", "!!python/object/apply:os.system"),
        ("!!python/name:os.system ''", "!!python/name:os.system"),
        ("!!binary aGVsbG8=", "!!binary"),
        ("!!set {a, b}", "!!set"),
        ("!include other.yaml", "!include"),
    ],
)
def test_tags_beyond_the_core_scalars_are_refused(value: str, shown: str) -> None:
    assert problems(f"k: {value}\n") == [
        f"f.yaml:1:4: tags are not allowed ({shown}): write a plain value"
    ]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("2027-02-30", "'2027-02-30' is not a valid date (day is out of range for month)"),
        ("2027-13-01", "'2027-13-01' is not a valid date (month must be in 1..12)"),
        ("!!int two", "'two' is not a valid !!int"),
        ("!!float many", "'many' is not a valid !!float"),
        ("!!bool maybe", "'maybe' is not a valid !!bool"),
    ],
)
def test_scalars_that_cannot_be_typed_are_located(value: str, message: str) -> None:
    assert problems(f"a: 1\nk: {value}\n") == [f"f.yaml:2:4: {message}"]


def test_an_impossibly_long_integer_is_located() -> None:
    found = problems("k: " + "9" * 5000 + "\n")
    assert found == [f"f.yaml:1:4: '{'9' * 37}...' is too long a number (5,000 characters)"]


def test_only_one_document_per_file() -> None:
    assert problems("a: 1\n---\nb: 2\n") == ["f.yaml:2:1: only one YAML document per file"]


def test_an_explicit_single_document_is_fine() -> None:
    assert read("---\na: 1\n...\n") == {"a": 1}


def test_nesting_at_the_limit_is_read() -> None:
    text = "[" * MAX_DEPTH + "]" * MAX_DEPTH
    got = read(text)
    for _ in range(MAX_DEPTH - 1):
        assert isinstance(got, YList) and len(got) == 1
        got = got[0]
    assert got == []


def test_nesting_beyond_the_limit_is_refused_where_it_goes_too_deep() -> None:
    text = "[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1)
    assert problems(text) == [f"f.yaml:1:{MAX_DEPTH + 1}: nested deeper than {MAX_DEPTH} levels"]


def test_nesting_far_beyond_the_limit_is_refused_without_recursion() -> None:
    """Refused by our depth limit, or (PyYAML 6.0.4's libyaml scans ahead) by libyaml's own
    limit first: either way one located line, the same words."""
    depth = 100_000
    [line] = problems("[" * depth + "]" * depth)
    assert line.startswith("f.yaml:1:")
    assert line.endswith(f": nested deeper than {MAX_DEPTH} levels")


def test_input_over_the_size_limit_is_refused_before_parsing() -> None:
    data = b"#" * (MAX_BYTES + 1)
    assert problems(data) == [
        f"f.yaml: file is {MAX_BYTES + 1:,} bytes; the limit is {MAX_BYTES:,}"
    ]


def test_bytes_that_are_not_utf8_are_located() -> None:
    data = "a: 1\ntitle: café\n".encode("latin-1")
    assert problems(data) == [
        "f.yaml:2:11: not UTF-8 text (invalid continuation byte 0xe9): save the file as UTF-8"
    ]


def test_a_complex_key_is_refused() -> None:
    assert problems("{[a, b]: 1}\n") == ["f.yaml:1:2: a mapping key must be a plain value"]


# ---- syntax errors ----------------------------------------------------------------------


def test_a_syntax_error_is_located_where_found() -> None:
    (found,) = problems("a: 1\nb: c: d\n")
    assert found.startswith("f.yaml:2:5: YAML syntax error: mapping values are not allowed")
    assert found.endswith("(put text containing ': ' in quotes)")


def test_an_unclosed_bracket_is_located_where_it_opens() -> None:
    (found,) = problems("a: 1\nb: [x, y\n")
    assert found.startswith("f.yaml:2:4: YAML syntax error: unclosed '['")


def test_an_unclosed_brace_is_located_where_it_opens() -> None:
    (found,) = problems("a: 1\nb: {x: 1\n")
    assert found.startswith("f.yaml:2:4: YAML syntax error: unclosed '{'")


def test_an_unclosed_quote_is_located_where_it_opens() -> None:
    (found,) = problems('a: 1\nb: "text\nc: 2\n')
    assert found.startswith("f.yaml:2:4: YAML syntax error: unclosed quoted text")


def test_a_nested_unclosed_bracket_is_located_at_the_innermost() -> None:
    (found,) = problems("a: [x, {y: 1\n")
    assert found.startswith("f.yaml:1:8: YAML syntax error: unclosed '{'")


def test_text_without_its_colon_is_located_on_its_own_line() -> None:
    (found,) = problems("a: 1\nb\nc: 2\n")
    assert found.startswith("f.yaml:2:1: YAML syntax error: could not find expected ':'")
    assert found.endswith("(is this meant to be 'key: value'?)")


def test_problems_before_a_syntax_error_are_kept() -> None:
    found = problems("a: 1\na: 2\nb: [\n")
    assert found[0] == "f.yaml:2:1: duplicate key 'a' (first written at line 1)"
    assert found[1].startswith("f.yaml:3:4: YAML syntax error: unclosed '['")
    assert len(found) == 2
