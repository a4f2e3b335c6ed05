"""Shared fixtures for routing tests: the benchmark instances beside the repository."""

from __future__ import annotations

from pathlib import Path

import pytest

SHARED = Path(__file__).resolve().parents[3] / "shared"


@pytest.fixture(scope="session")
def bench_dir() -> Path:
    folder = SHARED / "bench"
    if not folder.is_dir():
        pytest.skip("the shared benchmark instances are not beside the repository")
    return folder
