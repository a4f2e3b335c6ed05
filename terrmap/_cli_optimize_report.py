"""What ``terrmap optimize`` prints: the balance table, contiguity, compactness, verdict."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from terrmap._cli_report import _align, _number
from terrmap.cli import out

if TYPE_CHECKING:
    from terrmap._cli_optimize import OptimiseJob
    from terrmap.optimize import OptimiseResult

_MAX_LISTED = 5


def report_lines(job: OptimiseJob, result: OptimiseResult, interrupted: bool) -> list[str]:
    """The balance table, then contiguity, compactness, moves, bounds, balance and notes."""
    from terrmap.optimize.evaluate import FORCED_BY_PHRASES

    lines = [balance_table(job, result), "", _contiguity(job, result)]
    if job.problem.adjacency.attached:
        lines.append(_islands(job))
    lines.append(
        f"Compactness: {result.compactness_km:,.1f} km "
        f"({job.activity_name}-weighted mean distance to the territory centre)"
    )
    if job.problem.current is not None and (job.problem.current >= 0).any():
        lines.append(
            f"Moved: {result.moved_units:,} units change territory "
            f"({result.moved_share_pct:.1f} % of {job.problem.disruption_name})"
        )
    lines += [
        f"Forced bound: on {b.metric}, {FORCED_BY_PHRASES[b.forced_by]} a deviation of at least "
        f"{b.forced_bound_pct:.1f} %; the tolerance is judged against that bound"
        for b in result.balance
        if b.forced_bound_pct >= 0.05  # shown to 0.1 %; whole m² of land force 1e-7 %
    ]
    lines.append(_tolerance(job, result))
    lines += [f"Note: {message}" for message in _solver_notes(job, result)]
    lines.append(_how_it_ended(job, result, interrupted))
    return lines


def _solver_notes(job: OptimiseJob, result: OptimiseResult) -> list[str]:
    """The optimiser's own notes, minus those on islands, bounds and shortfalls.

    Those three come from the plan's statistics (`evaluate_plan` gives exactly them)
    and are printed above in their own lines already.
    """
    from terrmap.optimize import evaluate_plan

    standard = set(evaluate_plan(job.problem, result.codes, job.params).messages)
    return [message for message in result.messages if message not in standard]


def balance_table(job: OptimiseJob, result: OptimiseResult) -> str:
    """Per territory: id, name, units, and each metric's total, target and deviation %."""
    named = any(job.names)
    header = ["ID", *(["NAME"] if named else []), "UNITS"]
    for balance in result.balance:
        header += [balance.metric, "TARGET", "DEV%"]
    header.append("CONTIGUOUS")
    units = _units_per_territory(result, len(job.territory_ids))
    rows = []
    for k, label in enumerate(job.territory_ids):
        row = [label, *([job.names[k]] if named else []), f"{units[k]:,}"]
        for b in result.balance:
            row += [_number(b.totals[k]), _target(b.targets[k]), f"{b.deviation_pct[k]:+.1f}"]
        rows.append([*row, "yes" if result.contiguous[k] else "NO"])
    return _align([header, *rows], numeric_from=2 if named else 1)


def _target(value: float) -> str:
    """Targets are shares of a total: whole numbers once large, one decimal below."""
    return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:,.1f}"


def _units_per_territory(result: OptimiseResult, k: int) -> list[int]:
    import numpy as np

    return np.bincount(result.codes, minlength=k).tolist()


def _contiguity(job: OptimiseJob, result: OptimiseResult) -> str:
    labels = job.territory_ids
    broken = [label for label, ok in zip(labels, result.contiguous, strict=True) if not ok]
    if not broken:
        return f"Contiguity: all {len(labels)} territories are contiguous"
    return (
        f"Contiguity: {len(broken)} of {len(labels)} territories are NOT contiguous: "
        f"{_listed(broken)}"
    )


def _islands(job: OptimiseJob) -> str:
    """Units without a shared boundary, and the nearest unit each was linked to."""
    label = job.problem.unit_label
    links = [f"{label(a)} → {label(b)}" for a, b in job.problem.adjacency.attached]
    return f"Islands attached to their nearest unit: {_listed(links)}"


def _tolerance(job: OptimiseJob, result: OptimiseResult) -> str:
    band = f"±{job.params.tolerance_pct:g} %"
    worst = ", ".join(f"{b.metric} {b.max_abs_deviation_pct:.1f} %" for b in result.balance)
    if result.tolerance_met:
        return f"Tolerance {band}: met (largest deviation {worst})"
    return f"Tolerance {band}: NOT met (largest deviation {worst})"


def shortfall(result: OptimiseResult) -> str:
    return ", ".join(
        f"{b.metric} deviates up to {b.max_abs_deviation_pct:.1f} %"
        for b in result.balance
        if not b.met
    )


def _how_it_ended(job: OptimiseJob, result: OptimiseResult, interrupted: bool) -> str:
    seconds = f"{result.elapsed_s:.1f} s"
    if interrupted:
        return f"Stopped with Ctrl-C after {seconds}: this is the best plan found so far"
    if result.stopped_early:
        return f"Time limit reached ({job.params.time_limit_s:g} s): best plan found in {seconds}"
    return f"Finished in {seconds} (seed {job.params.seed})"


def epilogue(job: OptimiseJob, result: OptimiseResult, args: argparse.Namespace) -> None:
    """Where the plan went, and what the user still has to do with it."""
    if args.out:
        used = len(set(result.codes.tolist()))
        out(f"Wrote {args.out}: {len(job.problem.unit_ids):,} units in {used} territories")
    elif args.project:
        out(
            f"Not saved. Write the plan with --out PLAN.csv, then apply it with "
            f"terrmap import-alignment {args.project} PLAN.csv"
        )
    if job.new_ids:
        out(
            f"New territories {_listed(list(job.new_ids))}: the project does not have them "
            "yet; add them (e.g. in the app) before importing the plan"
        )
    if job.unused_ids:
        out(f"Territories left without units: {_listed(list(job.unused_ids))}")


def _listed(items: list[str]) -> str:
    shown = ", ".join(items[:_MAX_LISTED])
    return shown + (f", … ({len(items) - _MAX_LISTED} more)" if len(items) > _MAX_LISTED else "")
