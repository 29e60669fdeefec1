"""Deterministic synthetic scenarios for the benchmarks (a script, not a test).

    python bench/generate.py --steps 1000 --seed 1 --out bench/data/s1000
    python bench/generate.py --steps 10000 --seed 1 --out bench/data/s10k --roadmap bench/data/s10k/roadmap.yaml
    python bench/generate.py --steps 100 --seed 1 --out bench/data/bad100 --infeasible

Shape (same seed, same files):

- a `security` package (layer 0): a verified Belarusian pledge and a U.S. pledge, both
  tagged `security-commitment`; a gate makes every step tagged `gated` (all steps of the
  layered packages) wait for them;
- about N/8 packages of 5-11 steps, in layers 1..L (L ~ sqrt(packages)). Inside a package:
  Belarusian verified commitments (`BY`, tag `verified`), one dialogue (PL/LT/EU/US, kind
  `dialogue`), measures and statements, then U.S. relief steps; `after` links point to
  earlier steps of the package (chains) and, for the package's first step and a few
  others, to steps of packages in earlier layers;
- one reciprocity rule per package with relief: give {package: P, actor: US, kind: relief},
  get {package: [P, an earlier package], actor: BY, tags: verified}, pairing distinct;
- one balance rule (ahead: US relief, behind: BY verified) with the fixed tight margin of
  the largest single relief value;
- one capacity rule: at most K dialogues at once (K from --capacity; by default
  max(3, round(sqrt(packages) / 2)), so that bandwidth binds without dominating);
- a few precedence rules with a lag from one package's Belarusian steps to the first step
  of a package in a later layer;
- windows: EU steps not before week 2, and a deadline for the first layer's relief that is
  loose (twice the constructed schedule's time);
- a humanitarian package kept out of every chain, with a delink rule against relief, and a
  red-lines package whose steps a forbid rule excludes.

Feasible by construction: each package's verified Belarusian steps come before its relief
steps (every `after` link points backwards), outnumber them and are worth at least as much,
so scheduling each relief step after its package's Belarusian steps are done keeps both
reciprocity (distinct) and balance (level <= 0 <= margin); capacity only delays dialogues.
`--roadmap FILE` writes that constructed schedule (a clean roadmap for `planner check`).
`--infeasible` adds a window no roadmap can meet: a step of the last layer must start by
week 1, while the security gate alone is done later.

Only the standard library: the files are written as text.
"""

from __future__ import annotations

import argparse
import json
import math
import random
from dataclasses import dataclass, field
from pathlib import Path

OTHER_ACTORS = ("PL", "LT", "EU")
ACTORS = {
    "US": "United States",
    "BY": "Belarus",
    "PL": "Poland",
    "LT": "Lithuania",
    "EU": "European Union",
}


@dataclass
class GenStep:
    id: str
    actor: str
    kind: str
    title: str
    duration: int
    value: int = 0
    verify: int | None = None  # verification duration
    after: list[tuple[str, int] | list[str]] = field(default_factory=list)  # (id, lag) | any
    tags: list[str] = field(default_factory=list)
    #: `within` limits of some (id, lag) items, by id (bench/generate_chains.py)
    within: dict[str, int] = field(default_factory=dict)

    @property
    def done_offset(self) -> int:
        return self.duration + (self.verify or 0)


@dataclass
class GenPackage:
    id: str
    title: str
    layer: int
    steps: list[GenStep] = field(default_factory=list)


@dataclass
class Generated:
    packages: list[GenPackage]
    rules: dict[str, list[dict[str, object]]]  # file stem -> rules
    starts: dict[str, int]  # a valid-by-construction roadmap
    forbidden: list[str]
    actors: dict[str, str] = field(default_factory=lambda: dict(ACTORS))
    family: str = "bench/generate.py"
    unit: str = "week"

    @property
    def num_steps(self) -> int:
        return sum(len(p.steps) for p in self.packages)


def _sizes(total: int, count: int, rng: random.Random) -> list[int]:
    """`count` package sizes of 5-11 steps summing to `total`."""
    sizes = [8] * count
    for i in range(count):
        sizes[i] += rng.randint(-3, 3)
    diff = total - sum(sizes)
    i = 0
    while diff:
        j = i % count
        if diff > 0 and sizes[j] < 12:
            sizes[j] += 1
            diff -= 1
        elif diff < 0 and sizes[j] > 4:
            sizes[j] -= 1
            diff += 1
        i += 1
    return sizes


def generate(
    num_steps: int, seed: int, capacity: int | None = None, infeasible: bool = False
) -> Generated:
    """A scenario of exactly `num_steps` steps (at least 20). `capacity` (dialogues at
    once) defaults to max(3, round(sqrt(packages) / 2)): about one dialogue seat per two
    packages of a layer, so the bandwidth binds at every size without dominating."""
    if num_steps < 20:
        raise ValueError("--steps must be at least 20")
    rng = random.Random(seed)
    packages: list[GenPackage] = []

    security = GenPackage("security", "Security commitments", 0)
    security.steps = [
        GenStep(
            "by-nonaggression-pledge",
            "BY",
            "commitment",
            "Commit not to abet aggression against any NATO state",
            3,
            8,
            4,
            tags=["security-commitment", "verified"],
        ),
        GenStep(
            "us-no-regime-change-pledge",
            "US",
            "commitment",
            "Promise no externally induced change of government",
            2,
            6,
            tags=["security-commitment"],
        ),
        GenStep(
            "eu-security-statement",
            "EU",
            "statement",
            "Welcome the exchange of pledges",
            1,
            after=[("us-no-regime-change-pledge", 0)],
        ),
    ]
    packages.append(security)
    humanitarian = GenPackage("humanitarian", "Humanitarian dialogue", 0)
    humanitarian.steps = [
        GenStep("by-prisoner-releases", "BY", "goodwill", "Release prisoners in tranches", 4),
        GenStep(
            "eu-humanitarian-dialogue",
            "EU",
            "dialogue",
            "Helsinki-style humanitarian dialogue",
            6,
            after=[("by-prisoner-releases", 0)],
        ),
    ]
    packages.append(humanitarian)
    red = GenPackage("red-lines", "Red lines", 0)
    red.steps = [
        GenStep("by-eject-foreign-forces", "BY", "commitment", "Eject foreign forces", 10, 10),
        GenStep("us-condition-on-war-end", "US", "relief", "Condition relief on war end", 1, 5),
    ]
    packages.append(red)
    fixed = sum(len(p.steps) for p in packages)

    rest = num_steps - fixed
    count = max(2, round(rest / 8))
    sizes = _sizes(rest, count, rng)
    layers = max(1, round(math.sqrt(count)))
    if capacity is None:
        capacity = max(3, round(math.sqrt(count) / 2))
    by_layer: dict[int, list[GenPackage]] = {0: [security]}
    for i, size in enumerate(sizes):
        layer = 1 + i * layers // count
        pkg = GenPackage(f"p{i:04d}", f"Package {i} (layer {layer})", layer)
        _fill(pkg, size, rng)
        by_layer.setdefault(layer, []).append(pkg)
        packages.append(pkg)

    # Cross-package links, only to packages of earlier layers.
    layered = [p for p in packages if p.id.startswith("p")]
    for pkg in layered:
        earlier = [q for lay in range(pkg.layer) for q in by_layer.get(lay, [])]
        recent = by_layer.get(pkg.layer - 1, earlier)
        head = pkg.steps[0]
        if pkg.layer > 1:
            q = rng.choice(recent)
            head.after.append((rng.choice(q.steps).id, rng.choice((0, 0, 1, 2))))
        for st in pkg.steps[1:]:
            if pkg.layer > 1 and rng.random() < 0.12:
                q = rng.choice(earlier[-3 * len(recent) :] or earlier)
                if rng.random() < 0.25 and len(q.steps) > 1:
                    a, b = rng.sample(q.steps, 2)
                    st.after.append([a.id, b.id])  # {any: [a, b]}
                else:
                    st.after.append((rng.choice(q.steps).id, 0))
        for st in pkg.steps:
            st.tags.append("gated")

    rules: dict[str, list[dict[str, object]]] = {}
    rules["security"] = [
        {
            "id": "security-gate",
            "kind": "gate",
            "when": {"tags": "security-commitment"},
            "opens": {"tags": "gated"},
            "source": "The security cluster opens a path to engagement in all other areas.",
        }
    ]
    recips = []
    for pkg in layered:
        if not any(s.kind == "relief" for s in pkg.steps):
            continue
        earlier = [q for lay in range(pkg.layer) for q in by_layer.get(lay, [])]
        prev = rng.choice(earlier[-6:])
        recips.append(
            {
                "id": f"{pkg.id}-relief-for-verified-steps",
                "kind": "reciprocity",
                "give": {"package": pkg.id, "actor": "US", "kind": "relief"},
                "get": {"package": [pkg.id, prev.id], "actor": "BY", "tags": "verified"},
                "pairing": "distinct",
                "source": f"Relief in {pkg.id} only against verified Belarusian steps.",
            }
        )
    rules["reciprocity"] = recips
    max_relief = max(s.value for p in layered for s in p.steps if s.kind == "relief")
    rules["balance"] = [
        {
            "id": "us-by-leverage-balance",
            "kind": "balance",
            "ahead": {"actor": "US", "kind": "relief"},
            "behind": {"actor": "BY", "tags": "verified"},
            "margin": max_relief,
            "source": "Relief never runs ahead of verified steps by more than one tranche.",
        }
    ]
    rules["capacity"] = [
        {
            "id": "negotiating-bandwidth",
            "kind": "capacity",
            "steps": {"kind": "dialogue"},
            "max": capacity,
            "source": "Only so many official dialogues can run at once.",
        }
    ]
    precs = []
    for i, pkg in enumerate(layered):
        if i % 8 != 3 or pkg.layer >= layers:
            continue
        later = by_layer[pkg.layer + 1]
        target = rng.choice(later)
        precs.append(
            {
                "id": f"{target.id}-after-{pkg.id}",
                "kind": "precedence",
                "before": {"package": pkg.id, "actor": "BY"},
                "after": [target.steps[0].id],
                "lag": 2,
                "source": f"{target.id} opens once {pkg.id}'s Belarusian steps have run.",
            }
        )
    rules["sequencing"] = precs
    rules["delink"] = [
        {
            "id": "humanitarian-not-linked-to-relief",
            "kind": "delink",
            "between": [{"package": "humanitarian"}, {"kind": "relief"}],
            "source": "The dialogue proceeds at its own pace, not linked to relief.",
        }
    ]
    forbidden = [s.id for s in red.steps]
    rules["red-lines"] = [
        {
            "id": "no-red-line-steps",
            "kind": "forbid",
            "steps": forbidden,
            "source": "Demands that are a nonstarter for Minsk.",
        }
    ]
    eu_earliest = 2
    windows: list[dict[str, object]] = [
        {
            "id": "eu-steps-not-before-week-2",
            "kind": "window",
            "steps": {"actor": "EU"},
            "earliest": eu_earliest,
            "source": "The EU joins once the talks are public.",
        }
    ]
    rules["windows"] = windows

    starts = _construct(packages, rules, capacity, forbidden, eu_earliest)
    first_relief = [s.id for p in by_layer[1] for s in p.steps if s.kind == "relief"]
    if first_relief:
        done = max(starts[s] + _step(packages, s).done_offset for s in first_relief)
        windows.append(
            {
                "id": "first-layer-relief-deadline",
                "kind": "window",
                "steps": first_relief,
                "latest": 2 * done + 10,
                "measure": "done",
                "source": "The first sectoral relief takes effect within the first phase.",
            }
        )
    if infeasible:
        last = next(s.id for s in reversed(by_layer[layers][-1].steps) if s.actor != "EU")
        rules["impossible"] = [
            {
                "id": "last-layer-by-week-1",
                "kind": "window",
                "steps": [last],
                "latest": 1,
                "source": "An impossible deadline (benchmark of the why-not).",
            }
        ]
    return Generated(packages, rules, starts, forbidden)


def _fill(pkg: GenPackage, size: int, rng: random.Random) -> None:
    """Steps of one layered package: verified BY steps and a dialogue, then relief."""
    n_relief = rng.randint(1, max(1, size // 4))
    n_by = min(size - n_relief - 1, n_relief + rng.randint(0, 1))
    n_other = size - n_relief - n_by - 1
    relief_values = [rng.randint(1, 5) for _ in range(n_relief)]
    by_values = [rng.randint(2, 6) for _ in range(n_by)]
    short = sum(relief_values) - sum(by_values)
    k = 0
    while short > 0:  # verified value covers the relief value of the package
        by_values[k % n_by] += 1
        short -= 1
        k += 1
    n = pkg.id
    head: list[GenStep] = [
        GenStep(
            f"{n}-by{j}",
            "BY",
            "commitment",
            f"Verified commitment {j} of {n}",
            rng.randint(1, 4),
            by_values[j],
            rng.randint(1, 4),
            tags=["verified"],
        )
        for j in range(n_by)
    ]
    actor = rng.choice((*OTHER_ACTORS, "US"))
    head.append(
        GenStep(f"{n}-talks", actor, "dialogue", f"Working group on {n}", rng.randint(2, 6))
    )
    others = [
        GenStep(
            f"{n}-m{j}",
            rng.choice(OTHER_ACTORS),
            rng.choice(("measure", "statement")),
            f"Accompanying measure {j} of {n}",
            rng.randint(1, 3),
        )
        for j in range(n_other)
    ]
    split = rng.randint(0, n_other)
    head.extend(others[:split])
    rng.shuffle(head)
    tail: list[GenStep] = [
        GenStep(
            f"{n}-relief{j}",
            "US",
            "relief",
            f"Sanctions relief tranche {j} of {n}",
            rng.randint(1, 2),
            relief_values[j],
            tags=["sectoral"],
        )
        for j in range(n_relief)
    ]
    tail.extend(others[split:])
    rng.shuffle(tail)
    pkg.steps = head + tail
    for i, st in enumerate(pkg.steps[1:], start=1):
        if rng.random() < 0.75:
            j = rng.randint(max(0, i - 3), i - 1)
            lag = rng.choice((0, 0, 0, 1, 2))
            st.after.append((pkg.steps[j].id, lag))


def _step(packages: list[GenPackage], sid: str) -> GenStep:
    for p in packages:
        for s in p.steps:
            if s.id == sid:
                return s
    raise KeyError(sid)


def _construct(
    packages: list[GenPackage],
    rules: dict[str, list[dict[str, object]]],
    capacity: int,
    forbidden: list[str],
    eu_earliest: int,
) -> dict[str, int]:
    """A valid roadmap: packages in layer order, steps in package order, each as early as
    its conditions allow, relief after every verified step of its package is done,
    dialogues where fewer than `capacity` run."""
    done: dict[str, int] = {}
    starts: dict[str, int] = {}
    gate_done = max(
        s.done_offset for s in packages[0].steps if "security-commitment" in s.tags
    )  # both pledges start at 0
    waits: dict[str, list[tuple[list[str], int]]] = {}
    by_package = {p.id: p for p in packages}
    for rule in rules["sequencing"]:
        before = rule["before"]
        assert isinstance(before, dict)
        firsts = [s.id for s in by_package[str(before["package"])].steps if s.actor == "BY"]
        for w in rule["after"]:  # type: ignore[union-attr]
            waits.setdefault(w, []).append((firsts, int(rule["lag"])))  # type: ignore[call-overload]
    running: dict[int, int] = {}  # time -> dialogues running then
    order = sorted(packages, key=lambda p: p.layer)
    for pkg in order:
        by_done = 0
        for st in pkg.steps:
            if st.id in forbidden:
                continue
            t = gate_done if "gated" in st.tags else 0
            if st.actor == "EU":
                t = max(t, eu_earliest)
            for item in st.after:
                if isinstance(item, tuple):
                    t = max(t, done[item[0]] + item[1])
                else:
                    t = max(t, min(done[a] for a in item))
            for firsts, lag in waits.get(st.id, ()):
                t = max(t, max(done[f] for f in firsts) + lag)
            if st.kind == "relief":
                t = max(t, by_done)
            if st.kind == "dialogue":
                while any(running.get(x, 0) >= capacity for x in range(t, t + st.duration)):
                    t += 1
                for x in range(t, t + st.duration):
                    running[x] = running.get(x, 0) + 1
            starts[st.id] = t
            done[st.id] = t + st.done_offset
            if st.actor == "BY" and "verified" in st.tags:
                by_done = max(by_done, done[st.id])
    return starts


# ---- writing ---------------------------------------------------------------------------


def _q(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)  # a JSON string is a YAML double-quoted one


def _flow(value: object) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_flow(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_flow(v) for v in value) + "]"
    if isinstance(value, str):
        return _q(value) if " " in value or ":" in value else value
    return str(value)


def packages_yaml(gen: Generated, seed: int) -> str:
    lines = [
        f"# Synthetic benchmark scenario: {gen.num_steps} steps, seed {seed} ({gen.family}).",
        "scenario:",
        f"  name: Synthetic roadmap, {gen.num_steps} steps, seed {seed}",
        f"  unit: {gen.unit}",
        "actors:",
        *(f"  {k}: {v}" for k, v in gen.actors.items()),
        "packages:",
    ]
    for pkg in gen.packages:
        lines += [f"  - id: {pkg.id}", f"    title: {_q(pkg.title)}", "    steps:"]
        for st in pkg.steps:
            lines += [
                f"      - id: {st.id}",
                f"        actor: {st.actor}",
                f"        kind: {st.kind}",
                f"        title: {_q(st.title)}",
                f"        duration: {st.duration}",
                f"        value: {st.value}",
            ]
            if st.verify is not None:
                lines.append(f"        verify: {{by: Monitors, duration: {st.verify}}}")
            if st.after:
                items = []
                for item in st.after:
                    if isinstance(item, tuple):
                        sid, lag = item
                        if sid in st.within:
                            items.append(f"{{step: {sid}, lag: {lag}, within: {st.within[sid]}}}")
                        else:
                            items.append(f"{{step: {sid}, lag: {lag}}}" if lag else sid)
                    else:
                        items.append("{any: [" + ", ".join(item) + "]}")
                lines.append("        after: [" + ", ".join(items) + "]")
            if st.tags:
                lines.append("        tags: [" + ", ".join(st.tags) + "]")
            lines.append(f"        source: {_q('Synthetic step ' + st.id + '.')}")
    return "\n".join(lines) + "\n"


def rules_yaml(rules: list[dict[str, object]]) -> str:
    if not rules:
        return "rules: []\n"
    lines = ["rules:"]
    for rule in rules:
        first = True
        for key, value in rule.items():
            prefix = "  - " if first else "    "
            lines.append(f"{prefix}{key}: {_flow(value)}")
            first = False
    return "\n".join(lines) + "\n"


def roadmap_yaml(starts: dict[str, int]) -> str:
    lines = ["roadmap:", "  steps:"]
    lines += [f"    - {{step: {s}, start: {t}}}" for s, t in starts.items()]
    return "\n".join(lines) + "\n"


def write(gen: Generated, out: Path, seed: int) -> tuple[Path, Path]:
    """Write DIR/packages.yaml and DIR/constraints/*.yaml; return their paths."""
    constraints = out / "constraints"
    constraints.mkdir(parents=True, exist_ok=True)
    for old in constraints.glob("*.yaml"):
        old.unlink()
    packages = out / "packages.yaml"
    packages.write_text(packages_yaml(gen, seed), encoding="utf-8")
    for stem, rules in gen.rules.items():
        if rules:
            (constraints / f"{stem}.yaml").write_text(rules_yaml(rules), encoding="utf-8")
    return packages, constraints


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--steps", type=int, required=True, help="number of steps (>= 20)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", type=Path, required=True, help="output directory")
    ap.add_argument(
        "--capacity", type=int, help="dialogues at once (default: max(3, sqrt(packages) / 2))"
    )
    ap.add_argument("--roadmap", type=Path, help="also write a valid roadmap (YAML) here")
    ap.add_argument("--infeasible", action="store_true", help="add a window no roadmap can meet")
    args = ap.parse_args(argv)
    gen = generate(args.steps, args.seed, args.capacity, args.infeasible)
    packages, constraints = write(gen, args.out, args.seed)
    print(f"wrote {packages} ({gen.num_steps} steps) and {constraints}/")
    if args.roadmap:
        args.roadmap.parent.mkdir(parents=True, exist_ok=True)
        args.roadmap.write_text(roadmap_yaml(gen.starts), encoding="utf-8")
        print(f"wrote {args.roadmap} ({len(gen.starts)} starts)")


if __name__ == "__main__":
    main()
