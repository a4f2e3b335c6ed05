"""Run the ``terrmap`` command in-process and capture what it prints."""

from __future__ import annotations

from pathlib import Path

import pytest

from terrmap import cli


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str | Path) -> tuple[int, str, str]:
    """Exit status, stdout and stderr of ``terrmap ARGV``."""
    status = cli.main([str(a) for a in argv])
    captured = capsys.readouterr()
    return status, captured.out, captured.err
