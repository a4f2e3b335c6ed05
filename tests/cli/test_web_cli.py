"""``terrmap web`` end to end on the sample project: the page, --offline, --metric, errors."""

from __future__ import annotations

from terrmap.web.offline import LEAFLET_VERSION
from tests.cli.run import run_cli
from tests.web import layer_features, remote_fetches, territory_table


def test_offline_page_of_the_sample(sample, tmp_path, capsys):
    out = tmp_path / "map.html"
    status, stdout, stderr = run_cli(capsys, "web", sample, "--out", out, "--offline")
    assert status == 0, stderr
    assert stdout.startswith(f"Wrote {out} (")
    assert "offline, no network needed): 217 units, 12 territories, 5,000 accounts" in stdout
    page = out.read_text(encoding="utf-8")
    features = layer_features(page)
    assert len(features) == 217
    assert len({f["properties"]["fill"] for f in features}) == 12
    assert remote_fetches(page) == []
    assert f"Leaflet {LEAFLET_VERSION}" in page
    assert "Synthetic sample data" in page
    assert [p.name for p in tmp_path.iterdir()] == ["map.html"]


def test_online_page_with_chosen_metrics(sample, tmp_path, capsys):
    out = tmp_path / "map.html"
    status, stdout, stderr = run_cli(
        capsys, "web", sample, "--out", out, "--metric", "annual_revenue", "area_km2"
    )
    assert status == 0, stderr
    assert "online tiles" in stdout
    page = out.read_text(encoding="utf-8")
    assert "tile.openstreetmap.org" in page
    popup = territory_table(page)[1]["popup"]
    assert "annual_revenue" in popup
    assert "Area" in popup
    assert "potential" not in popup  # only the metrics asked for


def test_unknown_metric_fails_cleanly(sample, tmp_path, capsys):
    out = tmp_path / "map.html"
    status, _stdout, stderr = run_cli(capsys, "web", sample, "--out", out, "--metric", "nope")
    assert status == 2
    assert "no metric named 'nope'" in stderr
    assert not out.exists()


def test_missing_folder_and_missing_out_are_errors(sample, tmp_path, capsys):
    status, _, stderr = run_cli(capsys, "web", sample, "--out", tmp_path / "no" / "map.html")
    assert status == 2
    assert "cannot write" in stderr
    status, _, stderr = run_cli(capsys, "web", sample)
    assert status == 2
    assert "--out" in stderr
