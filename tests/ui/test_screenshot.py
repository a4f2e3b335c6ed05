"""``terrmap screenshot``: the main window with a project, rendered offscreen to PNG."""

from __future__ import annotations

import numpy as np
from PySide6.QtGui import QImage

from terrmap.cli import EXIT_ERROR, EXIT_OK, main
from terrmap.sample import load_sample_project
from tests.ui.helpers import rgb

MIN_PIXELS = 5  # a territory "shows" when this many pixels have exactly its colour


def _pixels(path) -> np.ndarray:
    image = QImage(str(path)).convertToFormat(QImage.Format.Format_RGB32)
    data = np.frombuffer(image.constBits(), dtype=np.uint32).reshape(image.height(), -1)
    return data[:, : image.width()] & 0xFFFFFF


def test_screenshot_of_the_sample_shows_every_territory(tmp_path, capsys):
    out = tmp_path / "window.png"
    assert main(["screenshot", "--out", str(out), "--size", "1400x900"]) == EXIT_OK
    assert "window.png" in capsys.readouterr().out
    image = QImage(str(out))
    assert (image.width(), image.height()) == (1400, 900)
    pixels = _pixels(out)
    assert len(np.unique(pixels)) > 50  # not blank
    colours, counts = np.unique(pixels, return_counts=True)
    present = dict(zip(colours.tolist(), counts.tolist(), strict=True))
    for territory in load_sample_project().territories:
        assert present.get(rgb(territory.color), 0) >= MIN_PIXELS, territory.name
    assert not list(tmp_path.glob(".*partial*"))  # written atomically


def test_screenshot_rejects_a_bad_size_and_keeps_the_old_file(tmp_path, capsys):
    out = tmp_path / "window.png"
    out.write_bytes(b"old")
    assert main(["screenshot", "--out", str(out), "--size", "big"]) == EXIT_ERROR
    assert "1600x1000" in capsys.readouterr().err
    assert out.read_bytes() == b"old"
