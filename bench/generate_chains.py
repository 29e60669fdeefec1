"""A second family of synthetic scenarios: long chains with lags, several balance rules,
windows (a script, not a test; the same files for the same seed).

    python bench/generate_chains.py --steps 3000 --seed 1 --out bench/data/chains-3000-s1

Where `generate.py` makes many short packages on a layered DAG with one balance rule and
one capacity, this family makes few long *tracks* and many rules that bind at once:

- a `security` package (a verified Belarusian pledge and a U.S. pledge) behind a gate that
  holds every track step (tag `gated`), a humanitarian package kept out of every chain
  (delink) and a red line (forbid), as in `generate.py`;
- about N/40 tracks of 30-50 steps, in waves (W ~ cube root of the tracks): a wave-1 track
  opens after the gate, the first round of a wave-k track waits (lag 2-6) for a step in the
  middle of a wave-(k-1) track, and a few steps wait for a step of an earlier wave;
- a track is a chain of rounds, each link with a lag of 0-3: a Belarusian verified
  commitment (value 2-6, verification 1-4) and, beside it, a mediated dialogue (or a UN
  inspection) and 0-2 measures; then, in four rounds of five, the track's donor (US or EU)
  grants relief (value at most the commitment's) after the dialogue, `within` a few weeks
  of it. The next round waits for the relief (alternating commitments and relief) or for
  the dialogue. Relief never waits for its commitment through `after`: reciprocity (a
  distinct verified step of the track per relief step) and the balance rules tie them;
- six balance rules: per donor (its relief against every verified Belarusian step, margin
  6) and per region (the region's relief against the region's verified steps, margin 4;
  tracks are in four regions);
- capacity: per mediator (UN, OSCE, PL, LT) at most K dialogues at once, and at most K UN
  inspections, each K set so that the bandwidth binds without dominating;
- windows: every track is done by a deadline (the constructed schedule's time x 1.1 + 6);
  the later tracks of region 0 not before week 10; the good-faith gestures (one per
  region, kind `goodwill`) start by week 4.

Feasible by construction: tracks in wave order, steps in chain order, each as early as its
conditions allow, relief once its own round's commitment is verified (so every curve stays
at or below 0 and each relief has its own counter-step), dialogues and inspections where a
seat is free. `--roadmap FILE` writes that schedule (a clean roadmap for `planner check`).
"""

from __future__ import annotations

import argparse
import math
import random
from pathlib import Path

from generate import ACTORS as BASE_ACTORS
from generate import Generated, GenPackage, GenStep, roadmap_yaml, write

ACTORS = {
    **BASE_ACTORS,
    "UN": "United Nations",
    "OSCE": "Organization for Security and Co-operation in Europe",
}
MEDIATORS = ("UN", "OSCE", "PL", "LT")
DONORS = ("US", "EU")
REGIONS = 4
RELEASE_WEEK = 10
GOODWILL_LATEST = 4


def generate_chains(num_steps: int, seed: int) -> Generated:
    """A scenario of exactly `num_steps` steps (at least 60)."""
    if num_steps < 60:
        raise ValueError("--steps must be at least 60")
    rng = random.Random(seed)
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
    ]
    humanitarian = GenPackage("humanitarian", "Humanitarian dialogue", 0)
    humanitarian.steps = [
        GenStep("by-prisoner-releases", "BY", "measure", "Release prisoners in tranches", 4),
        GenStep(
            "un-humanitarian-dialogue",
            "UN",
            "statement",
            "Helsinki-style humanitarian dialogue",
            6,
            after=[("by-prisoner-releases", 0)],
        ),
    ]
    goodwill = GenPackage("good-faith", "Good-faith gestures", 0)
    goodwill.steps = [
        GenStep(f"by-gesture-r{r}", "BY", "goodwill", f"Good-faith gesture in region {r}", 1)
        for r in range(REGIONS)
    ]
    red = GenPackage("red-lines", "Red lines", 0)
    red.steps = [GenStep("by-eject-foreign-forces", "BY", "commitment", "Eject forces", 10, 10)]
    fixed = [security, humanitarian, goodwill, red]
    rest = num_steps - sum(len(p.steps) for p in fixed)
    count = max(2, round(rest / 40))
    sizes = [40 + rng.randint(-10, 10) for _ in range(count)]
    diff = rest - sum(sizes)
    i = 0
    while diff:
        j = i % count
        step = 1 if diff > 0 else -1
        if 12 <= sizes[j] + step <= 60:
            sizes[j] += step
            diff -= step
        i += 1
    waves = max(1, round(count ** (1 / 3)))
    tracks: list[GenPackage] = []
    region_of: dict[str, int] = {}
    donor_of: dict[str, str] = {}
    for k, size in enumerate(sizes):
        wave = 1 + k * waves // count
        pkg = GenPackage(f"t{k:03d}", f"Track {k} (wave {wave})", wave)
        region_of[pkg.id] = k % REGIONS
        donor_of[pkg.id] = rng.choice(DONORS)
        _rounds(pkg, size, region_of[pkg.id], donor_of[pkg.id], rng)
        tracks.append(pkg)
    by_wave: dict[int, list[GenPackage]] = {}
    for pkg in tracks:
        by_wave.setdefault(pkg.layer, []).append(pkg)
    for pkg in tracks:
        if pkg.layer == 1:
            continue
        earlier = by_wave[pkg.layer - 1]
        q = rng.choice(earlier)
        middle = q.steps[len(q.steps) // 3 : 2 * len(q.steps) // 3]
        milestone, lag = rng.choice(middle).id, rng.randint(2, 6)
        for st in pkg.steps:
            if not st.after:  # the first round waits for the milestone
                st.after.append((milestone, lag))
        older = [s for lay in range(1, pkg.layer) for p in by_wave[lay] for s in p.steps]
        for st in pkg.steps[1:]:
            if rng.random() < 0.04:
                st.after.append((rng.choice(older).id, rng.randint(0, 3)))
    packages = [*fixed, *tracks]
    rules = _rules(tracks, region_of, donor_of)
    released = {s.id for p in tracks if p.layer > 1 and region_of[p.id] == 0 for s in p.steps}
    forbidden = [s.id for s in red.steps]
    free = _construct(packages, released, None)
    bandwidth = _bandwidth(packages, free)
    rules["capacity"] = [
        {
            "id": f"{m.lower()}-mediation-bandwidth",
            "kind": "capacity",
            "steps": {"kind": "dialogue", "actor": m},
            "max": k,
            "source": f"{ACTORS[m]} mediates only so many dialogues at once.",
        }
        for m, k in bandwidth.items()
        if m != "inspection"
    ] + [
        {
            "id": "un-inspectors",
            "kind": "capacity",
            "steps": {"kind": "inspection"},
            "max": bandwidth["inspection"],
            "source": "The UN has only so many inspection teams.",
        }
    ]
    starts = _construct(packages, released, bandwidth)
    done = {s.id: starts[s.id] + s.done_offset for p in packages for s in p.steps if s.id in starts}
    rules["windows"] = (
        [
            {
                "id": "later-region-0-tracks-not-before-week-10",
                "kind": "window",
                "steps": sorted(released),
                "earliest": RELEASE_WEEK,
                "source": "The second wave in region 0 opens after the first review.",
            }
            for _ in [1]
            if released
        ]
        + [
            {
                "id": "good-faith-early",
                "kind": "window",
                "steps": {"kind": "goodwill"},
                "latest": GOODWILL_LATEST,
                "source": "Good-faith gestures come first.",
            },
        ]
        + [
            {
                "id": f"{p.id}-done-by-deadline",
                "kind": "window",
                "steps": [p.steps[-1].id],
                "latest": math.ceil(1.1 * done[p.steps[-1].id]) + 6,
                "measure": "done",
                "source": f"Track {p.id} completes within its phase.",
            }
            for p in tracks
        ]
    )
    for p in tracks:  # within limits: the constructed gap and a few weeks more
        for st in p.steps:
            if st.kind == "relief":
                d = st.after[0][0]  # type: ignore[index]
                st.within[d] = starts[st.id] - done[d] + rng.randint(2, 8)
    return Generated(packages, rules, starts, forbidden, dict(ACTORS), "bench/generate_chains.py")


def _rounds(pkg: GenPackage, size: int, region: int, donor: str, rng: random.Random) -> None:
    """The steps of one track: rounds of a commitment, a dialogue or an inspection,
    measures and (mostly) relief, each round waiting for the one before."""
    n = pkg.id
    steps: list[GenStep] = []
    anchor: str | None = None  # what the next round waits for
    k = 0
    tags = ["gated", f"region-{region}"]
    while len(steps) < size:
        lag = rng.randint(0, 3)
        prev = [(anchor, lag)] if anchor else []
        commit = GenStep(
            f"{n}-by{k}",
            "BY",
            "commitment",
            f"Verified commitment {k} of {n}",
            rng.randint(1, 4),
            rng.randint(2, 6),
            rng.randint(1, 4),
            after=list(prev),
            tags=["verified", *tags],
        )
        steps.append(commit)
        if len(steps) >= size:
            break
        if rng.random() < 0.7:
            talk = GenStep(
                f"{n}-talks{k}",
                rng.choice(MEDIATORS),
                "dialogue",
                f"Mediated dialogue {k} of {n}",
                rng.randint(2, 5),
                after=[(anchor, rng.randint(0, 2))] if anchor else [],
                tags=list(tags),
            )
        else:
            talk = GenStep(
                f"{n}-inspect{k}",
                "UN",
                "inspection",
                f"Inspection {k} of {n}",
                rng.randint(1, 2),
                after=[(anchor, rng.randint(0, 2))] if anchor else [],
                tags=list(tags),
            )
        steps.append(talk)
        for j in range(rng.randint(0, 2)):
            if len(steps) >= size:
                break
            steps.append(
                GenStep(
                    f"{n}-m{k}.{j}",
                    rng.choice(("PL", "LT", "UN")),
                    "measure",
                    f"Accompanying measure {k}.{j} of {n}",
                    rng.randint(1, 3),
                    after=[(talk.id, rng.randint(0, 1))],
                    tags=list(tags),
                )
            )
        anchor = talk.id
        if len(steps) < size and rng.random() < 0.8:
            relief = GenStep(
                f"{n}-relief{k}",
                donor,
                "relief",
                f"Relief tranche {k} of {n}",
                rng.randint(1, 2),
                rng.randint(1, commit.value),
                after=[(talk.id, rng.randint(0, 2))],
                tags=["sectoral", *tags],
            )
            steps.append(relief)
            if rng.random() < 0.5:
                anchor = relief.id  # alternating: the next commitment answers this relief
        k += 1
    pkg.steps = steps


def _rules(
    tracks: list[GenPackage], region_of: dict[str, int], donor_of: dict[str, str]
) -> dict[str, list[dict[str, object]]]:
    rules: dict[str, list[dict[str, object]]] = {
        "security": [
            {
                "id": "security-gate",
                "kind": "gate",
                "when": {"tags": "security-commitment"},
                "opens": {"tags": "gated"},
                "source": "The security cluster opens a path to engagement in all other areas.",
            }
        ],
        "reciprocity": [
            {
                "id": f"{p.id}-relief-for-verified-steps",
                "kind": "reciprocity",
                "give": {"package": p.id, "kind": "relief"},
                "get": {"package": p.id, "actor": "BY", "tags": "verified"},
                "source": f"Relief in {p.id} only against verified Belarusian steps.",
            }
            for p in tracks
            if any(s.kind == "relief" for s in p.steps)
        ],
        "balance": [
            {
                "id": f"{d.lower()}-leverage-balance",
                "kind": "balance",
                "ahead": {"actor": d, "kind": "relief"},
                "behind": {"actor": "BY", "tags": "verified"},
                "margin": 6,
                "source": f"{ACTORS[d]} relief never runs far ahead of verified steps.",
            }
            for d in DONORS
            if d in donor_of.values()
        ]
        + [
            {
                "id": f"region-{r}-balance",
                "kind": "balance",
                "ahead": {"kind": "relief", "tags": f"region-{r}"},
                "behind": {"actor": "BY", "tags": f"region-{r}"},
                "margin": 4,
                "source": f"Relief in region {r} follows the region's verified steps.",
            }
            for r in range(REGIONS)
            if r in region_of.values()
        ],
        "delink": [
            {
                "id": "humanitarian-not-linked-to-relief",
                "kind": "delink",
                "between": [{"package": "humanitarian"}, {"kind": "relief"}],
                "source": "The dialogue proceeds at its own pace, not linked to relief.",
            }
        ],
        "red-lines": [
            {
                "id": "no-red-line-steps",
                "kind": "forbid",
                "steps": ["by-eject-foreign-forces"],
                "source": "Demands that are a nonstarter for Minsk.",
            }
        ],
    }
    return rules


def _seat_key(st: GenStep) -> str | None:
    if st.kind == "dialogue":
        return st.actor
    if st.kind == "inspection":
        return "inspection"
    return None


def _construct(
    packages: list[GenPackage], released: set[str], bandwidth: dict[str, int] | None
) -> dict[str, int]:
    """A valid roadmap (see the module docstring); without `bandwidth`, seats are
    unlimited (to size the capacities)."""
    starts: dict[str, int] = {}
    done: dict[str, int] = {}
    gate = max(s.done_offset for s in packages[0].steps if "security-commitment" in s.tags)
    running: dict[tuple[str, int], int] = {}
    for pkg in sorted(packages, key=lambda p: p.layer):
        last_commit = 0
        for st in pkg.steps:
            if st.id == "by-eject-foreign-forces":
                continue
            t = gate if "gated" in st.tags else 0
            if st.id in released:
                t = max(t, RELEASE_WEEK)
            for item in st.after:
                assert isinstance(item, tuple)
                t = max(t, done[item[0]] + item[1])
            if st.kind == "relief":
                t = max(t, last_commit)
            key = _seat_key(st)
            if key is not None and bandwidth is not None:
                while any(
                    running.get((key, x), 0) >= bandwidth[key] for x in range(t, t + st.duration)
                ):
                    t += 1
                for x in range(t, t + st.duration):
                    running[(key, x)] = running.get((key, x), 0) + 1
            starts[st.id] = t
            done[st.id] = t + st.done_offset
            if st.kind == "commitment" and st.actor == "BY":
                last_commit = done[st.id]
    return starts


def _bandwidth(packages: list[GenPackage], free: dict[str, int]) -> dict[str, int]:
    """Seats per mediator (and inspections): enough for the work in 60 % of the time
    the unlimited schedule takes, so that bandwidth binds without dominating."""
    span = max(free[s.id] + s.done_offset for p in packages for s in p.steps if s.id in free)
    work: dict[str, int] = {}
    for p in packages:
        for st in p.steps:
            key = _seat_key(st)
            if key is not None:
                work[key] = work.get(key, 0) + st.duration
    out = {m: max(2, math.ceil(work.get(m, 0) / (0.6 * span))) for m in MEDIATORS}
    out["inspection"] = max(2, math.ceil(work.get("inspection", 0) / (0.6 * span)))
    return out


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--steps", type=int, required=True, help="number of steps (>= 60)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", type=Path, required=True, help="output directory")
    ap.add_argument("--roadmap", type=Path, help="also write the constructed roadmap here")
    args = ap.parse_args(argv)
    gen = generate_chains(args.steps, args.seed)
    packages, constraints = write(gen, args.out, args.seed)
    print(f"wrote {packages} ({gen.num_steps} steps) and {constraints}/")
    if args.roadmap:
        args.roadmap.parent.mkdir(parents=True, exist_ok=True)
        args.roadmap.write_text(roadmap_yaml(gen.starts), encoding="utf-8")
        print(f"wrote {args.roadmap} ({len(gen.starts)} starts)")


if __name__ == "__main__":
    main()
