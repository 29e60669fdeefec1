from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import Maker


@pytest.fixture
def make(tmp_path: Path) -> Maker:
    """Build a Scenario from Python data through the real loader: `make(steps, rules)`."""
    return Maker(tmp_path)
