"""The bundled sample as a project file, written once for each test module that asks."""

from __future__ import annotations

from pathlib import Path

import pytest

from terrmap import cli


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``terrmap sample`` (217 Northeast counties, 12 territories) in a fresh folder."""
    path = tmp_path_factory.mktemp("sample") / "ne.terrmap.gpkg"
    assert cli.main(["sample", str(path)]) == 0
    return path
