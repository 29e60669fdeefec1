"""The scenario cache: a hit gives exactly the scenario parsing would, and anything that
could make it stale, foreign or unsafe makes it parse instead."""

from __future__ import annotations

import dataclasses
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from planner import load
from planner.api import load_scenario
from planner.errors import InputError
from planner.load import cache, default_paths
from tests.helpers import cli


@pytest.fixture
def on(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The cache on, in a fresh directory, for scenarios of any size."""
    where = tmp_path / "cache"
    monkeypatch.setenv(cache.ENV, str(where))
    monkeypatch.setattr(cache, "MIN_BYTES", 0)
    return where


@pytest.fixture
def scenario_dir(tmp_path: Path) -> Path:
    """A copy of the default scenario that tests may edit."""
    packages, constraints = default_paths()
    d = tmp_path / "deal"
    d.mkdir()
    shutil.copy(packages, d / "packages.yaml")
    shutil.copytree(constraints, d / "constraints")
    return d


class Parses:
    """Counts how often the YAML reader runs (a cache hit runs it zero times)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.count = 0
        real = load.read_yaml

        def counted(name: str, data: bytes) -> object:
            self.count += 1
            return real(name, data)

        monkeypatch.setattr(load, "read_yaml", counted)


def entries(where: Path) -> list[Path]:
    return sorted(where.glob("*" + cache.SUFFIX))


def test_hit_gives_the_parsed_scenario_marks_included(
    on: Path, scenario_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    parses = Parses(monkeypatch)
    first = load_scenario(scenario_dir / "packages.yaml", scenario_dir / "constraints")
    files = parses.count
    assert files > 1 and len(entries(on)) == 1
    second = load_scenario(scenario_dir / "packages.yaml", scenario_dir / "constraints")
    assert parses.count == files  # nothing parsed the second time
    assert second == first
    # Marks are left out of equality; they must survive too (explain prints them).
    assert [s.mark for s in second.steps.values()] == [s.mark for s in first.steps.values()]
    assert [r.mark for r in second.rules] == [r.mark for r in first.rules]
    assert [type(r) for r in second.rules] == [type(r) for r in first.rules]
    # What follows from the scenario alone was worked out before caching, and kept.
    expected = {f"{r.kind}:{r.id}" for r in first.rules if r.kind in ("delink", "forbid")}
    assert expected and set(second.facts) == expected
    assert all(second.facts[k] == first.facts[k] for k in expected)
    # A scenario made from another starts with no facts: they could be stale.
    assert dataclasses.replace(second, rules=()).facts == {}


def test_one_changed_byte_is_a_different_scenario(
    on: Path, scenario_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    load_scenario(scenario_dir / "packages.yaml", scenario_dir / "constraints")
    path = scenario_dir / "packages.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("duration: 2", "duration: 3", 1), encoding="utf-8")
    parses = Parses(monkeypatch)
    changed = load_scenario(path, scenario_dir / "constraints")
    assert parses.count > 0
    assert len(entries(on)) == 2
    again = load_scenario(path, scenario_dir / "constraints")
    assert again == changed


def test_problems_are_never_cached(on: Path, scenario_dir: Path) -> None:
    path = scenario_dir / "packages.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "\nbogus: 1\n", encoding="utf-8")
    for _ in range(2):
        with pytest.raises(InputError) as exc:
            load_scenario(path, scenario_dir / "constraints")
        assert "bogus" in str(exc.value.problems)
    assert entries(on) == []


def test_off_small_or_unset_home(
    tmp_path: Path, scenario_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(cache.ENV, "off")
    assert cache.directory() is None
    # Below MIN_BYTES (the default scenario is about 40 KB) nothing is kept.
    where = tmp_path / "c"
    monkeypatch.setenv(cache.ENV, str(where))
    load_scenario(scenario_dir / "packages.yaml", scenario_dir / "constraints")
    assert not where.exists()
    monkeypatch.delenv(cache.ENV)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache.directory() == tmp_path / "xdg" / "relief-planner"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert cache.directory() == tmp_path / "home" / ".cache" / "relief-planner"

    def no_home() -> Path:
        raise RuntimeError("Could not determine home directory.")

    monkeypatch.setattr(Path, "home", no_home)
    assert cache.directory() is None


def test_a_corrupt_or_foreign_entry_is_parsed_over(
    on: Path, scenario_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = load_scenario(scenario_dir / "packages.yaml", scenario_dir / "constraints")
    (entry,) = entries(on)
    for junk in (b"", cache.FORMAT + b"\x80\x05truncated", cache.FORMAT + b"\x80\x04K\x01."):
        entry.write_bytes(junk)
        parses = Parses(monkeypatch)
        assert load_scenario(scenario_dir / "packages.yaml", scenario_dir / "constraints") == first
        assert parses.count > 0


@pytest.mark.skipif(not hasattr(os, "getuid"), reason="owners and modes are POSIX")
def test_an_entry_under_another_key_or_changed_is_not_trusted(
    on: Path, scenario_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An entry holds its own key and a digest of its payload: copied under the key of
    another scenario, or with one byte of its payload changed, it is parsed over."""
    first = load_scenario(scenario_dir / "packages.yaml", scenario_dir / "constraints")
    [entry] = entries(on)
    path = scenario_dir / "packages.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("duration: 2", "duration: 3", 1))
    parses = Parses(monkeypatch)
    changed = load_scenario(path, scenario_dir / "constraints")
    [other] = [e for e in entries(on) if e != entry]
    shutil.copy(entry, other)  # the old scenario, under the new one's key
    again = load_scenario(path, scenario_dir / "constraints")
    assert again == changed != first
    assert parses.count > 0
    data = bytearray(other.read_bytes())
    data[-10] ^= 1  # one bit of the payload
    other.write_bytes(bytes(data))
    count = parses.count
    assert load_scenario(path, scenario_dir / "constraints") == changed
    assert parses.count > count


def test_a_directory_others_can_write_is_never_read(
    on: Path, scenario_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    load_scenario(scenario_dir / "packages.yaml", scenario_dir / "constraints")
    assert on.stat().st_mode & 0o777 == 0o700  # created private
    on.chmod(0o777)
    parses = Parses(monkeypatch)
    load_scenario(scenario_dir / "packages.yaml", scenario_dir / "constraints")
    assert parses.count > 0


def test_an_unwritable_cache_is_ignored(
    tmp_path: Path, scenario_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory", encoding="utf-8")
    monkeypatch.setenv(cache.ENV, str(blocker / "cache"))
    monkeypatch.setattr(cache, "MIN_BYTES", 0)
    scenario = load_scenario(scenario_dir / "packages.yaml", scenario_dir / "constraints")
    assert len(scenario.steps) > 0


def test_the_least_recently_used_entries_go(
    on: Path, scenario_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cache, "MAX_ENTRIES", 2)
    path = scenario_dir / "packages.yaml"
    text = path.read_text(encoding="utf-8")
    for i in range(4):
        path.write_text(text + f"\n# edit {i}\n", encoding="utf-8")
        load_scenario(path, scenario_dir / "constraints")
    assert len(entries(on)) == 2


def test_the_key_covers_names_bytes_and_code(on: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    base = cache.key([("packages.yaml", b"a"), ("constraints/x.yaml", b"b")])
    assert base == cache.key([("packages.yaml", b"a"), ("constraints/x.yaml", b"b")])
    assert base != cache.key([("deal/packages.yaml", b"a"), ("constraints/x.yaml", b"b")])
    assert base != cache.key([("packages.yaml", b"ab"), ("constraints/x.yaml", b"")])
    monkeypatch.setattr(cache, "_code_fingerprint", lambda: b"other code")
    assert base != cache.key([("packages.yaml", b"a"), ("constraints/x.yaml", b"b")])
    monkeypatch.setattr(cache, "MIN_BYTES", 10)
    assert cache.key([("packages.yaml", b"a")]) is None
    monkeypatch.setattr(cache, "MIN_BYTES", 0)
    monkeypatch.setenv(cache.ENV, "off")
    assert cache.key([("packages.yaml", b"a")]) is None  # off: not even hashed


def test_check_and_plan_print_the_same_with_a_warm_cache(
    tmp_path: Path, scenario_dir: Path
) -> None:
    """End to end, in fresh processes: no cache, the run that fills it, the run that reads
    it: byte-identical reports and roadmaps."""
    roadmap = Path(__file__).resolve().parent.parent / "examples" / "everything-at-week-0.yaml"
    packages = scenario_dir / "packages.yaml"
    with packages.open("a", encoding="utf-8") as fh:  # big enough to be cached
        fh.write(("# a comment to make the file larger than cache.MIN_BYTES\n") * 5000)
    assert packages.stat().st_size >= cache.MIN_BYTES
    args = ["--packages", str(scenario_dir / "packages.yaml"),
            "--constraints", str(scenario_dir / "constraints")]  # fmt: skip
    env_on = {**os.environ, cache.ENV: str(tmp_path / "c")}
    # Without the cache, in this process (tests/helpers.cli; the suite runs with it off);
    # then the run that fills it and the one that reads it, each in a fresh process.
    check, plan = cli("check", str(roadmap), *args), cli("plan", "--format", "yaml", *args)
    outputs = [(check.returncode, check.stdout, plan.returncode, plan.stdout)]
    for env in (env_on, env_on):
        check = subprocess.run(
            [sys.executable, "-m", "planner", "check", str(roadmap), *args],
            capture_output=True, text=True, env=env, check=False,
        )  # fmt: skip
        plan = subprocess.run(
            [sys.executable, "-m", "planner", "plan", "--format", "yaml", *args],
            capture_output=True, text=True, env=env, check=False,
        )  # fmt: skip
        outputs.append((check.returncode, check.stdout, plan.returncode, plan.stdout))
    assert outputs[0][0] == 1 and outputs[0][2] == 0
    assert outputs[0] == outputs[1] == outputs[2]
    assert len(entries(tmp_path / "c")) == 1
