"""The territory atlas: cover plus a section per territory or district, read back with poppler."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from terrmap.render.atlas import atlas_document, groups, write_atlas_pdf
from terrmap.render.layout import PrintLayout

pytestmark = pytest.mark.skipif(
    not all(shutil.which(tool) for tool in ("pdfinfo", "pdftotext", "pdftoppm")),
    reason="poppler-utils are not installed",
)


def pdf_pages(path: Path) -> int:
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True)
    return int(re.search(r"^Pages:\s+(\d+)", info.stdout, re.MULTILINE).group(1))


def page_texts(path: Path) -> list[str]:
    result = subprocess.run(
        ["pdftotext", "-layout", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True
    )
    pages = result.stdout.decode("utf-8").split("\f")
    return [" ".join(page.split()) for page in pages if page.strip()]


def test_atlas_has_a_cover_and_a_page_per_territory(project, scene, tmp_path):
    path = tmp_path / "atlas.pdf"
    layout = PrintLayout(account_limit=0)  # no account lists: one page per territory
    pages = write_atlas_pdf(path, project, layout, scene=scene)
    cover = len(atlas_document(project, layout, scene=scene).pages) - len(project.territories)
    assert cover == 2  # the map page, and the summary table that did not fit beside it
    assert pages == pdf_pages(path) == cover + len(project.territories)
    texts = page_texts(path)
    for territory, text in zip(project.territories, texts[cover:], strict=True):
        assert text.startswith(territory.name)
        assert f"Rep: {territory.owner}" in text
        assert "Other territories" in text  # its own legend: the greyed neighbours


def test_account_lists_continue_on_following_pages(project, scene, tmp_path):
    path = tmp_path / "atlas.pdf"
    # 60 accounts a territory: more than the first page holds beside the map.
    document = atlas_document(project, PrintLayout(account_limit=60), scene=scene)
    from terrmap.render.print_output import pdf_bytes

    path.write_bytes(pdf_bytes(document))
    assert pdf_pages(path) == len(document.pages)
    codes = project.account_codes()
    sections: dict[str, list] = {}
    current = None
    for page in document.pages:
        if page.kind == "territory":
            current = page.title
        if current is not None:
            sections.setdefault(current, []).append(page)
    assert list(sections) == [t.name for t in project.territories]
    for code, territory in enumerate(project.territories):
        listed = [
            r
            for page in sections[territory.name]
            for part in page.tables
            if part.heading.startswith("Accounts")
            for r in part.rows
        ]
        # Every listed account of the territory once, in order, across its pages.
        assert listed == list(range(min(60, int((codes == code).sum()))))
        assert len(sections[territory.name]) == 2  # the rest on a continuation page
    texts = page_texts(path)
    continued = [i for i, p in enumerate(document.pages) if p.kind == "continued"]
    assert all(texts[i].split(" (continued)")[0] in sections for i in continued)


def test_account_limit_lists_the_largest_accounts(project, scene):
    document = atlas_document(project, PrintLayout(account_limit=5), scene=scene)
    page = next(p for p in document.pages if p.kind == "territory")
    part = page.tables[-1]
    assert part.heading.startswith("Accounts: the 5 largest of")
    assert len(part.rows) == 5
    frame = project.accounts.frame.loc[project.account_codes() == 0]
    largest = frame.nlargest(5, "annual_revenue")["name"].tolist()
    assert sorted(r.cells[0] for r in part.table.rows) == sorted(largest)


def test_atlas_by_district(project, scene, tmp_path):
    path = tmp_path / "districts.pdf"
    layout = PrintLayout(orientation="landscape", account_limit=0)
    pages = write_atlas_pdf(path, project, layout, by="parent", scene=scene)
    assert [g.name for g in groups(project, "parent")] == ["NE-North", "NE-Metro", "NE-West"]
    assert pages == pdf_pages(path)
    texts = page_texts(path)
    for district in ("NE-North", "NE-Metro", "NE-West"):
        (page,) = [t for t in texts if t.startswith(district)]
        members = [t for t in project.territories if t.parent == district]
        for territory in members:
            assert f"{territory.name} — {territory.owner}" in page
        assert "Total" in page


def test_territory_pages_grey_the_neighbours(project, scene, tmp_path):
    from PIL import Image

    path = tmp_path / "atlas.pdf"
    write_atlas_pdf(path, project, PrintLayout(account_limit=0, legend=False), scene=scene)
    prefix = tmp_path / "boston"
    subprocess.run(
        ["pdftoppm", "-r", "30", "-png", "-f", "3", "-l", "3", "-singlefile", str(path),
         str(prefix)],
        check=True,
    )  # fmt: skip
    pixels = np.asarray(Image.open(f"{prefix}.png").convert("RGB")).reshape(-1, 3)
    colors = {tuple(c) for c in pixels.tolist()}
    boston = tuple(int(project.territories[0].color[i : i + 2], 16) for i in (1, 3, 5))
    hartford = tuple(int(project.territories[3].color[i : i + 2], 16) for i in (1, 3, 5))
    assert boston in colors  # the page's territory in its colour
    assert hartford not in colors  # a neighbour, greyed


def test_unknown_grouping_is_refused(project, scene):
    with pytest.raises(ValueError, match="territory or parent"):
        atlas_document(project, PrintLayout(), by="state", scene=scene)
