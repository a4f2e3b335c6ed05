"""``terrmap print`` end to end on the sample project: PDF, SVG, PNG, atlas and errors."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tests.cli.run import run_cli

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

needs_poppler = pytest.mark.skipif(
    not all(shutil.which(tool) for tool in ("pdfinfo", "pdftotext")),
    reason="poppler-utils are not installed",
)


def _pages(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
    return int(re.search(r"^Pages:\s+(\d+)", info.stdout, re.MULTILINE).group(1))


def _info(pdf: Path) -> str:
    return subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout


@needs_poppler
def test_print_pdf(sample, tmp_path, capsys):
    out = tmp_path / "map.pdf"
    status, stdout, stderr = run_cli(
        capsys, "print", sample, "--out", out, "--page", "A4", "--landscape", "--title", "Wall map"
    )
    assert status == 0, stderr
    assert stdout.startswith(f"Wrote {out} (")
    assert "a4 landscape" in stdout
    assert "842 x 595 pts" in _info(out)  # A4 landscape
    text = subprocess.run(
        ["pdftotext", str(out), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "Wall map" in text
    assert "Synthetic sample data" in text


@needs_poppler
def test_print_atlas(sample, tmp_path, capsys):
    out = tmp_path / "atlas.pdf"
    status, stdout, stderr = run_cli(
        capsys, "print", sample, "--out", out, "--atlas", "--max-accounts", "0", "--no-table"
    )
    assert status == 0, stderr
    # Without the summary table the cover is one page; then one page per territory.
    assert _pages(out) == 1 + 12
    assert "atlas by territory, 13 pages" in stdout


@needs_poppler
def test_print_atlas_by_district(sample, tmp_path, capsys):
    out = tmp_path / "districts.pdf"
    status, _, stderr = run_cli(
        capsys, "print", sample, "--out", out, "--atlas", "--by", "parent", "--max-accounts", "0",
        "--no-table",
    )  # fmt: skip
    assert status == 0, stderr
    assert _pages(out) == 1 + 3


def test_print_png_at_the_asked_dpi(sample, tmp_path, capsys):
    from PIL import Image

    out = tmp_path / "map.png"
    status, stdout, stderr = run_cli(capsys, "print", sample, "--out", out, "--dpi", "50")
    assert status == 0, stderr
    with Image.open(out) as image:
        assert image.size == (425, 550)  # Letter, 8.5 × 11 in at 50 dpi
    assert "425×550 px at 50 dpi" in stdout


def test_print_svg(sample, tmp_path, capsys):
    out = tmp_path / "map.svg"
    status, _, stderr = run_cli(
        capsys, "print", sample, "--out", out, "--no-legend", "--no-north-arrow", "--miles"
    )
    assert status == 0, stderr
    root = ET.parse(out).getroot()
    assert any(el.tag.endswith("path") for el in root.iter())
    texts = " ".join(el.text or "" for el in root.iter() if el.tag.endswith("text"))
    assert " mi" in texts  # the scale bar in miles
    assert "Boston — Keisha Ashworth" not in texts  # no legend
    assert "Territory summary" in texts  # the table fits beside the map without it


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (("--out", "map.tiff"), "cannot tell the format"),
        (("--out", "atlas.svg", "--atlas"), "write it to a .pdf"),
        (("--out", "map.pdf", "--metric", "bogus"), "unknown metric 'bogus'"),
        (("--out", "map.png", "--dpi", "5"), "dpi must be between"),
        (("--out", "map.svg", "--sheet", "9"), "page 9 out of"),
        (("--out", "missing/map.pdf"), "does not exist"),
    ],
)
def test_print_errors(sample, tmp_path, capsys, extra, message):
    args = [a if not a.startswith(("map.", "atlas.", "missing/")) else tmp_path / a for a in extra]
    status, _, stderr = run_cli(capsys, "print", sample, *args)
    assert status == 2
    assert message in stderr
    assert not list(tmp_path.glob("*.pdf"))
    assert not list(tmp_path.glob("*.svg"))


def test_print_needs_a_project_file(tmp_path, capsys):
    status, _, stderr = run_cli(
        capsys, "print", tmp_path / "nope.gpkg", "--out", tmp_path / "m.pdf"
    )
    assert status == 2
    assert "no such project file" in stderr
