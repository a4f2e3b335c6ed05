"""Fixtures of the core tests."""

from __future__ import annotations

import pytest

from terrmap.core import Project
from tests.grid import make_grid_project


@pytest.fixture
def grid_project() -> Project:
    """Three territories; columns 0–1 → T1, column 2 → T2, column 3 unassigned."""
    return make_grid_project()
