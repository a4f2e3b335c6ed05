"""The bundled sample and its display data, shared by the print tests (built once a module)."""

from __future__ import annotations

import os

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture(scope="module")
def project():
    from terrmap.render.page import ensure_gui_application
    from terrmap.sample import load_sample_project

    ensure_gui_application()
    return load_sample_project()


@pytest.fixture(scope="module")
def scene(project):
    from terrmap.render.scene import MapScene

    return MapScene.build(project)
