"""Edits of a scenario at the level of located YAML values, before the loader reads it.

A variant (`planner.load.variants`) and a `--set` expression (`planner.load.assign`)
change the parsed files themselves: a value they write carries the mark of where *they*
wrote it, so the loader's own checks and messages apply to the result, located in the
variant file or the `--set` expression. `Tree` indexes the steps, packages and rules of
the parsed files and makes every edit, recording one line per change.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from planner.errors import Mark, one_line
from planner.load.yamlread import YList, YMap


@dataclass(frozen=True, slots=True)
class Found:
    """A step, package or rule as written: its mapping, the list holding it and where."""

    node: YMap
    holder: YList
    #: For a step: the package mapping it is written in.
    package: YMap | None = None


def shown(value: Any) -> str:
    """A value as a change line shows it: YAML-like and short."""
    if value is None:
        return "(unset)"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, dict):
        inner = ", ".join(f"{k}: {shown(v)}" for k, v in value.items())
        text = "{" + inner + "}"
    elif isinstance(value, list):
        text = "[" + ", ".join(shown(v) for v in value) + "]"
    elif isinstance(value, float):
        text = f"{value:g}"
    else:
        text = str(value)
    text = one_line(text)
    return text if len(text) <= 60 else text[:57] + "..."


def remark(value: Any, mark: Mark) -> Any:
    """`value` with every mark inside it replaced by `mark` (a `--set` value is one place)."""
    if isinstance(value, YMap):
        out = YMap(mark)
        for k, v in value.items():
            out[k] = remark(v, mark)
            out.key_marks[k] = mark
            out.value_marks[k] = mark
        return out
    if isinstance(value, YList):
        items = YList(mark)
        for v in value:
            items.append(remark(v, mark))
            items.item_marks.append(mark)
        return items
    return value


class _Changed:
    """The changes of one field of one item: its first value, its last, and where each
    change was asked for."""

    def __init__(self, node: YMap, label: str, path: str, before: Any) -> None:
        self.node = node  # kept alive: its id() is the key of its changes
        self.label, self.path, self.before = label, path, before
        self.after: Any = None
        self.marks: list[Mark] = []
        self.notes: list[str] = []

    def line(self) -> tuple[str, str]:
        # One change says how it rounded; several say only that one of them did.
        note = self.notes[0] if len(self.notes) == 1 else " (rounded up)" * any(self.notes)
        what = f"{self.label}: {self.path} {shown(self.before)} → {shown(self.after)}{note}"
        places = [one_line(str(m)) for m in dict.fromkeys(self.marks)]
        where = "; ".join(places[:LISTED_PLACES])
        if len(places) > LISTED_PLACES:
            where += f"; and {len(places) - LISTED_PLACES:,} more"
        if len(self.marks) > 1:
            where += f" ({len(self.marks):,} changes)"
        return where, one_line(what)


#: The fields of a step that step selectors match on (`Tree.step_fields`).
SELECTED_BY = frozenset({"id", "actor", "kind", "tags"})
#: Places named in a change line at most.
LISTED_PLACES = 3


class Tree:
    """The parsed files of one scenario (packages.yaml first, then rule files), indexed
    by id, with the edits variants make. Malformed parts are skipped here: the loader
    reports them."""

    def __init__(self, docs: list[tuple[str, Any]]) -> None:
        self.docs = docs
        #: The changes in the order first made: a note (where, what), or a field's change
        #: (`_Changed`), which later changes of the same field update.
        self._log: list[tuple[str, str] | _Changed] = []
        self._fields: dict[tuple[int, str], _Changed] = {}
        #: `--set` expressions applied so far (command line and variant files).
        self.num_sets = 0
        self._index: tuple[dict[str, Found], dict[str, Found], dict[str, Found]] | None = None
        self._selection: (
            tuple[dict[str, dict[str, tuple[str, ...]]], dict[str, set[str]]] | None
        ) = None

    # ---- what is there -----------------------------------------------------------------

    @property
    def scenario_doc(self) -> YMap | None:
        doc = self.docs[0][1] if self.docs else None
        return doc if isinstance(doc, YMap) else None

    def packages_list(self) -> YList | None:
        doc = self.scenario_doc
        found = doc.get("packages") if doc is not None else None
        return found if isinstance(found, YList) else None

    def _build_index(self) -> tuple[dict[str, Found], dict[str, Found], dict[str, Found]]:
        steps: dict[str, Found] = {}
        packages: dict[str, Found] = {}
        rules: dict[str, Found] = {}
        for package in self.packages_list() or []:
            if not isinstance(package, YMap):
                continue
            pid = package.get("id")
            holder = self.packages_list()
            if isinstance(pid, (str, int)) and holder is not None:
                packages.setdefault(str(pid), Found(package, holder))
            items = package.get("steps")
            if not isinstance(items, YList):
                continue
            for item in items:
                sid = item.get("id") if isinstance(item, YMap) else None
                if isinstance(sid, (str, int)) and not isinstance(sid, bool):
                    steps.setdefault(str(sid), Found(item, items, package))
        for _, doc in self.docs[1:]:
            items = doc.get("rules") if isinstance(doc, YMap) else None
            if not isinstance(items, YList):
                continue
            for item in items:
                rid = item.get("id") if isinstance(item, YMap) else None
                if isinstance(rid, (str, int)) and not isinstance(rid, bool):
                    rules.setdefault(str(rid), Found(item, items))
        return steps, packages, rules

    def _indexed(self) -> tuple[dict[str, Found], dict[str, Found], dict[str, Found]]:
        if self._index is None:
            self._index = self._build_index()
        return self._index

    @property
    def steps(self) -> dict[str, Found]:
        return self._indexed()[0]

    @property
    def packages(self) -> dict[str, Found]:
        return self._indexed()[1]

    @property
    def rules(self) -> dict[str, Found]:
        return self._indexed()[2]

    def step_selection(self) -> tuple[dict[str, dict[str, tuple[str, ...]]], dict[str, set[str]]]:
        """What every step selector matches on: each step's fields (`step_fields`) by id,
        and every value each field has. Kept until a step is added or removed or a field
        it matches on changes: a thousand `--set` selectors read it once."""
        if self._selection is None:
            by_step = {sid: dict(self.step_fields(f)) for sid, f in self.steps.items()}
            known: dict[str, set[str]] = {}
            for fields in by_step.values():
                for field, values in fields.items():
                    known.setdefault(field, set()).update(values)
            self._selection = by_step, known
        return self._selection

    def step_fields(self, found: Found) -> Iterator[tuple[str, tuple[str, ...]]]:
        """What a step selector matches on, as written: (field, values)."""
        node = found.node
        for key in ("actor", "kind"):
            value = node.get(key)
            if isinstance(value, (str, int)) and not isinstance(value, bool):
                yield key, (str(value),)
        yield "id", (str(node.get("id")),)
        if found.package is not None:
            yield "package", (str(found.package.get("id")),)
        tags = node.get("tags", [])
        tags = [tags] if isinstance(tags, str) else tags
        if isinstance(tags, list):
            yield "tag", tuple(str(t) for t in tags)

    # ---- edits -------------------------------------------------------------------------

    def note(self, mark: Mark, text: str) -> None:
        """Record one change, with where it was asked for."""
        self._log.append((one_line(str(mark)), one_line(text)))

    def changed(
        self, node: YMap, label: str, path: str, before: Any, after: Any, mark: Mark, note: str = ""
    ) -> None:
        """Record that field `path` of the item `node` (called `label`) went from `before`
        to `after`, as asked at `mark`. A field changed again is still one line: from its
        first value to its last, with every place that changed it (10,000 `--set
        '*:duration+=1'` are one line per step, not 10,000)."""
        key = (id(node), path)
        found = self._fields.get(key)
        if found is None:
            found = _Changed(node, label, path, before)
            self._fields[key] = found
            self._log.append(found)
        found.after = after
        found.marks.append(mark)
        found.notes.append(note)

    @property
    def changes(self) -> list[tuple[str, str]]:
        """One (where, what) per change, in the order first made."""
        return [c.line() if isinstance(c, _Changed) else c for c in self._log]

    def put(
        self, node: YMap, key: str, value: Any, mark: Mark, key_mark: Mark | None = None
    ) -> None:
        """Write `key: value` into `node` as if written at `mark` (the key at `key_mark`);
        None removes the key."""
        if key in SELECTED_BY:
            self._selection = None
        if value is None:
            node.pop(key, None)
            node.value_marks.pop(key, None)
            node.key_marks.pop(key, None)
            return
        node[key] = value
        node.value_marks[key] = mark
        node.key_marks[key] = key_mark or mark
        if key in SELECTED_BY:
            self._selection = None

    def append(self, holder: YList, value: Any, mark: Mark) -> None:
        holder.append(value)
        holder.item_marks.append(mark)
        self._index = None
        self._selection = None

    def drop(self, found: Found) -> None:
        """Take a step, package or rule out of the list that holds it."""
        for i, item in enumerate(found.holder):
            if item is found.node:
                del found.holder[i]
                if i < len(found.holder.item_marks):
                    del found.holder.item_marks[i]
                break
        self._index = None
        self._selection = None

    def add_rules_doc(self, name: str, rules: YList) -> None:
        """Rules a variant adds: read as one more rule file, named after the variant."""
        doc = YMap(rules.mark)
        self.put(doc, "rules", rules, rules.mark)
        self.docs.append((name, doc))
        self._index = None
        self._selection = None
