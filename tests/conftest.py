from __future__ import annotations

import gc
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

# Tests never read or write the user's scenario cache; tests/test_cache.py turns it on in a
# temporary directory. Subprocesses (CLI tests) inherit this.
os.environ["RELIEF_PLANNER_CACHE"] = "off"

from tests.helpers import Maker


@pytest.fixture
def make(tmp_path: Path) -> Maker:
    """Build a Scenario from Python data through the real loader: `make(steps, rules)`."""
    return Maker(tmp_path)


@pytest.fixture(autouse=True)
def _unfreeze() -> Iterator[None]:
    """The CLI freezes the collector's view of a loaded scenario (it lives until the
    process ends); in this long-lived test process, let the collector see it again."""
    yield
    gc.unfreeze()
