from __future__ import annotations

import os
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
