"""A third family of synthetic scenarios: a multi-year deal in days, long chains of relief
with the balance rules tight, and every rule kind (a script, not a test; the same files for
the same seed).

    python bench/generate_multiyear.py --steps 1000 --seed 1 --out bench/data/multiyear-1000-s1

Where `generate.py` makes many short packages and `generate_chains.py` few tracks of
rounds, this family is what a real multi-year normalization looks like when written down
in days (treaties count days): a handful of long tracks, each a chain that alternates a
verified commitment and a tranche of relief for years, the leverage kept tight at every
step, and every kind of rule at once:

- `security` (a verified pledge each side) behind a `gate` that holds every track step;
  a humanitarian package kept apart by a `delink`; red lines behind a `forbid`;
- about N/50 tracks of 35-65 steps in waves (a wave-k track opens `precedence` 30-90 days
  after a milestone of a wave-(k-1) track). A track is a chain of rounds: a Belarusian
  verified commitment (14-60 days, verified in 14-45, value 2-6), a mediated dialogue
  (30-90 days) and sometimes a measure, then the track's donor grants a tranche of relief
  (7-30 days, value up to the commitment's) `within` 30-120 days of the dialogue's end;
  the next round waits for the tranche: a long chain of relief;
- `reciprocity` per track (each tranche against a distinct verified commitment of its
  track), `balance` per donor and per track with margins as tight as the largest tranche
  (donor) or the track's own largest tranche (track);
- `order` per track: the tranches by value, ascending (graduated relief: their values
  never fall along the chain); `simultaneous`: where two tracks of one wave have a donor
  each, their first tranches take effect on the same day (escrowed relief);
- `capacity`: per mediator at most K dialogues at once, K set so that mediation binds
  without dominating; `window`: every track done by a deadline (the constructed schedule's
  time x 1.05 + 30 days), later waves not before day 60, good-faith gestures by day 30.

Feasible by construction: tracks in wave order, steps in chain order, each as early as its
conditions allow, a tranche once its round's commitment is verified (every curve stays at
or below 0, each tranche has its own counter-step, values ascend), escrowed pairs at the
later of their two times, dialogues where a seat is free. `--roadmap FILE` writes that
schedule (a clean roadmap for `planner check`).
"""

from __future__ import annotations

import argparse
import math
import random
from pathlib import Path

from generate import ACTORS as BASE_ACTORS
from generate import Generated, GenPackage, GenStep, roadmap_yaml, write

ACTORS = {**BASE_ACTORS, "UN": "United Nations", "OSCE": "OSCE"}
MEDIATORS = ("UN", "OSCE", "PL", "LT")
DONORS = ("US", "EU")
RELEASE_DAY = 60
GOODWILL_LATEST = 30


def generate_multiyear(num_steps: int, seed: int) -> Generated:
    """A scenario of exactly `num_steps` steps (at least 80)."""
    if num_steps < 80:
        raise ValueError("--steps must be at least 80")
    rng = random.Random(seed)
    security = GenPackage("security", "Security commitments", 0)
    security.steps = [
        GenStep(
            "by-nonaggression-pledge",
            "BY",
            "commitment",
            "Commit not to abet aggression",
            30,
            8,
            60,
            tags=["security-commitment", "verified"],
        ),
        GenStep(
            "us-no-regime-change-pledge",
            "US",
            "commitment",
            "Promise no externally induced change of government",
            14,
            6,
            tags=["security-commitment"],
        ),
    ]
    humanitarian = GenPackage("humanitarian", "Humanitarian dialogue", 0)
    humanitarian.steps = [
        GenStep("by-prisoner-releases", "BY", "measure", "Release prisoners in tranches", 90),
        GenStep(
            "un-humanitarian-dialogue",
            "UN",
            "statement",
            "Humanitarian dialogue",
            120,
            after=[("by-prisoner-releases", 0)],
        ),
    ]
    goodwill = GenPackage("good-faith", "Good-faith gestures", 0)
    goodwill.steps = [
        GenStep("by-gesture-exercises", "BY", "goodwill", "Scale back exercises", 7),
        GenStep("us-gesture-delistings", "US", "goodwill", "Delist a first few individuals", 7),
    ]
    red = GenPackage("red-lines", "Red lines", 0)
    red.steps = [GenStep("by-eject-foreign-forces", "BY", "commitment", "Eject forces", 90, 10)]
    fixed = [security, humanitarian, goodwill, red]
    rest = num_steps - sum(len(p.steps) for p in fixed)
    count = max(2, round(rest / 50))
    sizes = [50 + rng.randint(-15, 15) for _ in range(count)]
    diff = rest - sum(sizes)
    i = 0
    while diff:
        j = i % count
        step = 1 if diff > 0 else -1
        if 20 <= sizes[j] + step <= 80:
            sizes[j] += step
            diff -= step
        i += 1
    waves = max(1, round(count ** (1 / 3)))
    tracks: list[GenPackage] = []
    donor_of: dict[str, str] = {}
    for k, size in enumerate(sizes):
        wave = 1 + k * waves // count
        pkg = GenPackage(f"y{k:03d}", f"Track {k} (wave {wave})", wave)
        donor_of[pkg.id] = DONORS[k % 2]
        _rounds(pkg, size, donor_of[pkg.id], rng)
        tracks.append(pkg)
    by_wave: dict[int, list[GenPackage]] = {}
    for pkg in tracks:
        by_wave.setdefault(pkg.layer, []).append(pkg)
    precedences: list[dict[str, object]] = []
    for pkg in tracks:
        if pkg.layer == 1:
            continue
        q = rng.choice(by_wave[pkg.layer - 1])
        middle = q.steps[len(q.steps) // 4 : len(q.steps) // 2]
        milestone = rng.choice([s for s in middle if s.actor == "BY"] or middle)
        precedences.append(
            {
                "id": f"{pkg.id}-after-{q.id}",
                "kind": "precedence",
                "before": [milestone.id],
                "after": [pkg.steps[0].id],
                "lag": rng.randint(14, 45),
                "source": f"Track {pkg.id} opens once {q.id} has reached {milestone.id}.",
            }
        )
    escrow: list[tuple[str, str]] = []
    for wave in sorted(by_wave):
        group = by_wave[wave]
        for a, b in zip(group[::2], group[1::2], strict=False):
            if donor_of[a.id] != donor_of[b.id]:
                ra = next(s for s in a.steps if s.kind == "relief")
                rb = next(s for s in b.steps if s.kind == "relief")
                escrow.append((ra.id, rb.id))
    packages = [*fixed, *tracks]
    released = {s.id for p in tracks if p.layer > 1 for s in p.steps}
    free = _construct(packages, precedences, released, escrow, None)
    bandwidth = _bandwidth(packages, free)
    starts = _construct(packages, precedences, released, escrow, bandwidth)
    done = {s.id: starts[s.id] + s.done_offset for p in packages for s in p.steps if s.id in starts}
    for p in tracks:  # within: the constructed gap and a month or so more
        for st in p.steps:
            if st.kind == "relief":
                d = st.after[0][0]  # type: ignore[index]
                st.within[d] = max(30, starts[st.id] - done[d] + rng.randint(20, 60))
    rules = _rules(tracks, donor_of, precedences, escrow, bandwidth, released, done)
    gen = Generated(
        packages,
        rules,
        starts,
        [s.id for s in red.steps],
        dict(ACTORS),
        "bench/generate_multiyear.py",
    )
    gen.unit = "day"
    return gen


def _rounds(pkg: GenPackage, size: int, donor: str, rng: random.Random) -> None:
    """One track: rounds of a verified commitment, a dialogue, sometimes a measure, and a
    tranche of relief, each round waiting for the tranche before it."""
    n = pkg.id
    steps: list[GenStep] = []
    anchor: str | None = None
    k = 0
    value_floor = 1
    tags = ["gated", f"track-{n}"]
    while len(steps) < size:
        commit = GenStep(
            f"{n}-by{k}",
            "BY",
            "commitment",
            f"Verified commitment {k} of {n}",
            rng.randint(7, 30),
            rng.randint(max(2, value_floor), 6),
            rng.randint(7, 21),
            after=[(anchor, rng.randint(0, 14))] if anchor else [],
            tags=["verified", *tags],
        )
        steps.append(commit)
        if len(steps) >= size:
            break
        talk = GenStep(
            f"{n}-talks{k}",
            rng.choice(MEDIATORS),
            "dialogue",
            f"Mediated round {k} of {n}",
            rng.randint(14, 45),
            after=[(anchor, rng.randint(0, 7))] if anchor else [],
            tags=list(tags),
        )
        steps.append(talk)
        if len(steps) < size and rng.random() < 0.3:
            steps.append(
                GenStep(
                    f"{n}-m{k}",
                    rng.choice(("PL", "LT", "UN")),
                    "measure",
                    f"Accompanying measure {k} of {n}",
                    rng.randint(7, 30),
                    after=[(talk.id, rng.randint(0, 7))],
                    tags=list(tags),
                )
            )
        if len(steps) < size:
            value = rng.randint(value_floor, commit.value)  # ascending, covered
            value_floor = value
            relief = GenStep(
                f"{n}-relief{k}",
                donor,
                "relief",
                f"Relief tranche {k} of {n}",
                rng.randint(3, 14),
                value,
                after=[(talk.id, rng.randint(0, 14))],
                tags=["sectoral", *tags],
            )
            steps.append(relief)
            anchor = relief.id
        else:
            anchor = talk.id
        k += 1
    pkg.steps = steps


def _rules(
    tracks: list[GenPackage],
    donor_of: dict[str, str],
    precedences: list[dict[str, object]],
    escrow: list[tuple[str, str]],
    bandwidth: dict[str, int],
    released: set[str],
    done: dict[str, int],
) -> dict[str, list[dict[str, object]]]:
    def top(ids: list[GenStep]) -> int:
        return max((s.value for s in ids), default=1)

    reliefs = {p.id: [s for s in p.steps if s.kind == "relief"] for p in tracks}
    return {
        "security": [
            {
                "id": "security-gate",
                "kind": "gate",
                "when": {"tags": "security-commitment"},
                "opens": {"tags": "gated"},
                "source": "The security cluster opens a path to engagement in all other areas.",
            },
        ],
        "sequencing": precedences,
        "reciprocity": [
            {
                "id": f"{p.id}-relief-for-verified-steps",
                "kind": "reciprocity",
                "give": {"package": p.id, "kind": "relief"},
                "get": {"package": p.id, "actor": "BY", "tags": "verified"},
                "source": f"Relief in {p.id} only against verified Belarusian steps.",
            }
            for p in tracks
            if reliefs[p.id]
        ],
        "balance": [
            {
                "id": f"{d.lower()}-leverage-balance",
                "kind": "balance",
                "ahead": {"actor": d, "kind": "relief"},
                "behind": {"actor": "BY", "tags": "verified"},
                "margin": top([s for p in tracks if donor_of[p.id] == d for s in reliefs[p.id]]),
                "source": f"{ACTORS[d]} relief never runs ahead of verified steps by more than a tranche.",
            }
            for d in DONORS
            if d in donor_of.values()
        ]
        + [
            {
                "id": f"{p.id}-balance",
                "kind": "balance",
                "ahead": {"package": p.id, "kind": "relief"},
                "behind": {"package": p.id, "actor": "BY", "tags": "verified"},
                "margin": top(reliefs[p.id]),
                "source": f"Relief in {p.id} follows its verified steps tranche by tranche.",
            }
            for p in tracks
            if reliefs[p.id]
        ],
        "order": [
            {
                "id": f"{p.id}-graduated",
                "kind": "order",
                "steps": {"package": p.id, "kind": "relief"},
                "by": "value",
                "source": f"Relief in {p.id} is graduated: the smaller tranches first.",
            }
            for p in tracks
            if len(reliefs[p.id]) > 1
        ],
        "escrow": [
            {
                "id": f"escrow-{a}-{b}",
                "kind": "simultaneous",
                "steps": [a, b],
                "source": "The two donors' first tranches take effect on the same day.",
            }
            for a, b in escrow
        ],
        "capacity": [
            {
                "id": f"{m.lower()}-mediation-bandwidth",
                "kind": "capacity",
                "steps": {"kind": "dialogue", "actor": m},
                "max": k,
                "source": f"{ACTORS[m]} mediates only so many rounds at once.",
            }
            for m, k in bandwidth.items()
        ],
        "windows": [
            {
                "id": "later-waves-not-before-day-60",
                "kind": "window",
                "steps": sorted(released),
                "earliest": RELEASE_DAY,
                "source": "Later waves open after the first review.",
            },
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
                "latest": math.ceil(1.05 * done[p.steps[-1].id]) + 30,
                "measure": "done",
                "source": f"Track {p.id} completes within its phase.",
            }
            for p in tracks
        ],
        "delink": [
            {
                "id": "humanitarian-not-linked-to-relief",
                "kind": "delink",
                "between": [{"package": "humanitarian"}, {"kind": "relief"}],
                "source": "The dialogue proceeds at its own pace, not linked to relief.",
            },
        ],
        "red-lines": [
            {
                "id": "no-red-line-steps",
                "kind": "forbid",
                "steps": ["by-eject-foreign-forces"],
                "source": "Demands that are a nonstarter for Minsk.",
            },
        ],
    }


def _construct(
    packages: list[GenPackage],
    precedences: list[dict[str, object]],
    released: set[str],
    escrow: list[tuple[str, str]],
    bandwidth: dict[str, int] | None,
) -> dict[str, int]:
    """A valid roadmap (see the module docstring); without `bandwidth`, seats are
    unlimited (to size the capacities)."""
    steps = {s.id: s for p in packages for s in p.steps}
    waits: dict[str, list[tuple[str, int]]] = {}
    for rule in precedences:
        for w in rule["after"]:  # type: ignore[attr-defined]
            for f in rule["before"]:  # type: ignore[attr-defined]
                waits.setdefault(w, []).append((f, int(rule["lag"])))  # type: ignore[call-overload]
    partner = {a: b for a, b in escrow} | {b: a for a, b in escrow}
    gate = max(s.done_offset for s in packages[0].steps if "security-commitment" in s.tags)
    starts: dict[str, int] = {}
    done: dict[str, int] = {}
    running: dict[tuple[str, int], int] = {}

    def ready(st: GenStep, last_commit: int) -> int | None:
        t = gate if "gated" in st.tags else 0
        if st.id in released:
            t = max(t, RELEASE_DAY)
        for item in st.after:
            assert isinstance(item, tuple)
            if item[0] not in done:
                return None
            t = max(t, done[item[0]] + item[1])
        for f, lag in waits.get(st.id, ()):
            if f not in done:
                return None
            t = max(t, done[f] + lag)
        if st.kind == "relief":
            t = max(t, last_commit)
        return t

    def seat(st: GenStep, t: int) -> int:
        if st.kind != "dialogue" or bandwidth is None:
            return t
        while any(
            running.get((st.actor, x), 0) >= bandwidth[st.actor] for x in range(t, t + st.duration)
        ):
            t += 1
        for x in range(t, t + st.duration):
            running[(st.actor, x)] = running.get((st.actor, x), 0) + 1
        return t

    # Tracks of a wave are built side by side, a round at a time, so that an escrowed
    # pair's two tranches can wait for each other.
    last_commit: dict[str, int] = {}
    queue = [list(p.steps) for p in sorted(packages, key=lambda p: p.layer)]
    pending = True
    while pending:
        pending = False
        for q in queue:
            while q:
                st = q[0]
                if st.id == "by-eject-foreign-forces":
                    q.pop(0)
                    continue
                owner = st.tags[-1] if st.tags and st.tags[-1].startswith("track-") else "-"
                t = ready(st, last_commit.get(owner, 0))
                if t is None:
                    pending = True
                    break
                other = partner.get(st.id)
                if other is not None and other not in starts:
                    # The escrowed pair starts together, at the later of their times: the
                    # other tranche must be next in its own track too.
                    mate = steps[other]
                    head = next((qq for qq in queue if qq and qq[0].id == other), None)
                    u = ready(mate, last_commit.get(mate.tags[-1], 0)) if head else None
                    if head is None or u is None:
                        pending = True
                        break
                    t = max(t, u)
                    starts[other] = t
                    done[other] = t + mate.done_offset
                    head.pop(0)
                elif other is not None:
                    t = starts[other]
                t = seat(st, t)
                starts[st.id] = t
                done[st.id] = t + st.done_offset
                if st.kind == "commitment" and st.actor == "BY":
                    last_commit[owner] = done[st.id]
                q.pop(0)
    return starts


def _bandwidth(packages: list[GenPackage], free: dict[str, int]) -> dict[str, int]:
    """Seats per mediator: enough for its rounds in 70 % of the unlimited schedule's time."""
    span = max(free[s.id] + s.done_offset for p in packages for s in p.steps if s.id in free)
    work: dict[str, int] = {}
    for p in packages:
        for st in p.steps:
            if st.kind == "dialogue":
                work[st.actor] = work.get(st.actor, 0) + st.duration
    return {m: max(2, math.ceil(work.get(m, 0) / (0.7 * span))) for m in MEDIATORS}


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--steps", type=int, required=True, help="number of steps (>= 80)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", type=Path, required=True, help="output directory")
    ap.add_argument("--roadmap", type=Path, help="also write the constructed roadmap here")
    args = ap.parse_args(argv)
    gen = generate_multiyear(args.steps, args.seed)
    packages, constraints = write(gen, args.out, args.seed)
    print(f"wrote {packages} ({gen.num_steps} steps) and {constraints}/")
    if args.roadmap:
        args.roadmap.parent.mkdir(parents=True, exist_ok=True)
        args.roadmap.write_text(roadmap_yaml(gen.starts), encoding="utf-8")
        print(f"wrote {args.roadmap} ({len(gen.starts)} starts)")


if __name__ == "__main__":
    main()
