"""``terrmap optimize``: carve or rebalance territories from a project or a plain boundary file.

A thin shell over `terrmap.optimize.optimise`: it builds the problem (from a project, or
from a boundary file and its numeric columns), runs the optimiser with the stderr
progress line and a Ctrl-C stop, prints the balance table with contiguity, compactness
and the tolerance verdict, and writes the plan as ``unit_id,territory`` CSV.

Exit status: 0 (also when the tolerance is not met: a warning says so), 2 bad input,
130 stopped with Ctrl-C (the best plan so far is still printed and written).
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import io
import re
import signal
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from terrmap._cli_optimize_report import epilogue, report_lines, shortfall
from terrmap.cli import EXIT_INTERRUPTED, EXIT_OK, load, out, progress_printer, warn
from terrmap.errors import InputError, TerrmapError

if TYPE_CHECKING:
    import geopandas as gpd
    import numpy as np

    from terrmap.core.project import Project
    from terrmap.optimize import OptimiseParams, OptimiseProblem, OptimiseResult

MAX_METRICS = 3
DEFAULT_METRIC = "accounts"
PLAN_COLUMNS = ("unit_id", "territory")


@dataclass(frozen=True)
class OptimiseJob:
    """What to optimise, plus how to label and describe the answer."""

    problem: OptimiseProblem
    params: OptimiseParams
    territory_ids: tuple[str, ...]  # label of each code 0..K-1 (before `labelled`: candidates)
    names: tuple[str, ...]  # display name per label ("" when none)
    existing_count: int = 0  # the first labels are the project's territories
    new_ids: tuple[str, ...] = ()  # labels the project does not have yet
    unused_ids: tuple[str, ...] = ()  # project territories the plan leaves empty
    activity_name: str = DEFAULT_METRIC
    warnings: list[str] = field(default_factory=list)

    def labelled(self, columns: Sequence[int]) -> OptimiseJob:
        """The job with code ``i`` labelled ``territory_ids[columns[i]]``."""
        chosen = [int(c) for c in columns]
        ids, existing = self.territory_ids, self.existing_count
        from_project = self.problem.current is not None
        return replace(
            self,
            territory_ids=tuple(ids[c] for c in chosen),
            names=tuple(self.names[c] for c in chosen),
            new_ids=tuple(ids[c] for c in chosen if c >= existing) if from_project else (),
            unused_ids=tuple(ids[c] for c in range(existing) if c not in chosen),
        )


# -- the command -------------------------------------------------------------
def register_optimize(sub: argparse._SubParsersAction) -> None:
    """Add ``terrmap optimize``."""
    p = sub.add_parser(
        "optimize",
        help="carve or rebalance contiguous, balanced territories",
        description="Optimise territories: contiguous, compact and balanced within "
        "±TOLERANCE % on up to three metrics. On a PROJECT, balance its metrics (default "
        "accounts) over its territories; carve (default) draws them from scratch, rebalance "
        "improves the current plan moving few units. On a plain boundary file (--units), "
        "balance numeric columns (--weight) into territories T01..TK. Prints the balance "
        "table, contiguity, compactness and whether the tolerance was met; --out writes "
        "the plan as unit_id,territory CSV (apply it with terrmap import-alignment).",
        epilog="Exit status: 0 ok (a warning says when the tolerance is not met), 2 error, "
        "130 stopped with Ctrl-C (the best plan so far is still printed and written).",
    )
    p.add_argument("project", metavar="PROJECT", nargs="?", help="project file (*.terrmap.gpkg)")
    p.add_argument("--units", metavar="FILE", help="boundary file instead of a PROJECT")
    p.add_argument("--id-field", metavar="F", help="--units: the unit id field")
    p.add_argument(
        "--weight",
        action="append",
        metavar="COL",
        help="--units: numeric column to balance (repeat, up to 3)",
    )
    p.add_argument(
        "--territories",
        type=int,
        metavar="K",
        help="number of territories (PROJECT default: its territories)",
    )
    p.add_argument(
        "--metric",
        nargs="+",
        action="extend",
        metavar="COL",
        help=f"PROJECT metric(s) to balance, up to 3 (default {DEFAULT_METRIC})",
    )
    p.add_argument(
        "--tolerance", type=float, default=2.0, metavar="PCT", help="±band in %% (default 2)"
    )
    p.add_argument(
        "--mode",
        choices=("carve", "rebalance"),
        default="carve",
        help="carve from scratch (default) or rebalance the PROJECT's plan",
    )
    p.add_argument(
        "--max-moved",
        type=float,
        metavar="PCT",
        help="rebalance: at most this %% of units may change territory",
    )
    p.add_argument(
        "--at-homes",
        action="store_true",
        help="carve a PROJECT around its reps' homes: each territory grows around its rep's"
        " home (where known) and keeps the unit the home lies in",
    )
    p.add_argument("--seed", type=int, default=0, metavar="N", help="random seed (default 0)")
    p.add_argument(
        "--time-limit",
        type=float,
        default=10.0,
        metavar="S",
        help="seconds to search (default 10); on layers with few units a territory, a longer"
        " limit allows more tries at the tolerance",
    )
    p.add_argument("--out", metavar="PLAN.csv", help="write the plan as unit_id,territory")
    p.set_defaults(run=run_optimize)


def run_optimize(args: argparse.Namespace) -> int:
    """Build the problem, optimise, report and write the plan."""
    _check_options(args)
    job = _project_job(args) if args.project else _units_job(args)
    for warning in job.warnings:
        warn(warning)
    result, columns, interrupted = _solve(job)
    job = job.labelled(columns)
    if args.out:
        codes = result.codes.tolist()
        write_plan_csv(args.out, job.problem.unit_ids, [job.territory_ids[c] for c in codes])
    for line in report_lines(job, result, interrupted):
        out(line)
    epilogue(job, result, args)
    if not result.tolerance_met:
        warn(f"tolerance ±{job.params.tolerance_pct:g} % not met: {shortfall(result)}")
    return EXIT_INTERRUPTED if interrupted else EXIT_OK


# -- options -----------------------------------------------------------------
def _check_options(args: argparse.Namespace) -> None:
    """Reject option combinations that cannot work, before any file is read."""
    if args.project and args.units:
        raise TerrmapError("give either a PROJECT or --units FILE, not both")
    if not args.project and not args.units:
        raise TerrmapError("give a PROJECT file, or a boundary file with --units FILE")
    if args.units:
        _check_units_options(args)
    else:
        given = [o for o, v in (("--id-field", args.id_field), ("--weight", args.weight)) if v]
        if given:
            raise TerrmapError(f"{' and '.join(given)} go with --units FILE, not a PROJECT")
    if args.metric and len(dict.fromkeys(args.metric)) > MAX_METRICS:
        raise TerrmapError(f"balance on at most {MAX_METRICS} metrics")
    if args.max_moved is not None and args.mode != "rebalance":
        raise TerrmapError("--max-moved applies to --mode rebalance")
    if args.at_homes and (args.mode != "carve" or args.units):
        raise TerrmapError("--at-homes carves a PROJECT around its reps' homes (--mode carve)")
    if args.territories is not None and args.territories < 1:
        raise TerrmapError(f"--territories must be at least 1, not {args.territories}")
    if args.out and not Path(args.out).resolve().parent.is_dir():
        raise TerrmapError(f"cannot write {args.out}: the folder does not exist")


def _check_units_options(args: argparse.Namespace) -> None:
    needed = {
        "--id-field F": args.id_field,
        "--weight COL": args.weight,
        "--territories K": args.territories,
        "--out PLAN.csv": args.out,
    }
    missing = [option for option, value in needed.items() if value is None]
    if missing:
        listed = " and ".join([", ".join(missing[:-1]), missing[-1]]).removeprefix(" and ")
        raise TerrmapError(f"--units FILE also needs {listed}")
    if len(dict.fromkeys(args.weight)) > MAX_METRICS:
        raise TerrmapError(f"give at most {MAX_METRICS} --weight columns")
    if args.metric:
        raise TerrmapError("--metric names PROJECT metrics; with --units use --weight COL")
    if args.mode == "rebalance":
        raise TerrmapError("--mode rebalance needs a PROJECT: a boundary file has no plan")


# -- building the problem ----------------------------------------------------
def _project_job(args: argparse.Namespace) -> OptimiseJob:
    from terrmap.optimize import problem_from_project

    project = load(args.project)
    metrics = _project_metrics(project, args.metric or [DEFAULT_METRIC], args.project)
    existing = [t.id for t in project.territories]
    k = args.territories if args.territories is not None else len(existing)
    if k == 0:
        raise TerrmapError(f"{Path(args.project).name} has no territories; give --territories K")
    params = _params(args, k)
    problem = problem_from_project(project, metrics, progress=_adjacency_progress())
    labels = (*existing, *new_territory_ids(existing, k - len(existing)))
    names = {t.id: t.name for t in project.territories}
    return OptimiseJob(
        problem,
        params,
        labels,
        tuple(names.get(label, "(new)") for label in labels),
        existing_count=len(existing),
    )


def _project_metrics(project: Project, wanted: Sequence[str], path: str) -> list[str]:
    """The metrics asked for, checked against the project's metric columns."""
    from terrmap.core.metrics import TerritoryMetrics

    live = TerritoryMetrics(project)
    live.disconnect()  # only its column names are needed
    for metric in wanted:
        if metric not in live.columns:
            raise TerrmapError(
                f"{Path(path).name} has no metric named {metric!r}; "
                f"choose from {', '.join(live.columns)}"
            )
    return list(dict.fromkeys(wanted))


def _units_job(args: argparse.Namespace) -> OptimiseJob:
    from terrmap.io.boundaries import read_boundaries
    from terrmap.optimize import problem_from_frame

    path = Path(args.units)
    params = _params(args, args.territories)
    imported = read_boundaries(path, id_field=args.id_field)
    frame = imported.frame.reset_index()  # the cleaned string ids become column unit_id
    weights = [_match_column(frame, name, path) for name in dict.fromkeys(args.weight)]
    try:
        problem = problem_from_frame(frame, "unit_id", weights, progress=_adjacency_progress())
    except InputError as error:
        if error.file is not None:
            raise
        raise InputError(error.message, file=path, line=error.line) from None
    if "name" in frame.columns:
        problem = replace(problem, unit_names=tuple(frame["name"].fillna("").astype(str)))
    width = max(2, len(str(args.territories)))
    labels = tuple(f"T{i:0{width}d}" for i in range(1, args.territories + 1))
    notes = [f"{path.name}: {w}" for w in imported.warnings]
    return OptimiseJob(
        problem,
        params,
        labels,
        ("",) * len(labels),
        activity_name=weights[0],
        warnings=notes,
    )


def _adjacency_progress() -> Callable[[float], None] | None:
    """A progress line for finding which units share a boundary, on a terminal: the
    first step of a run, some 20 s on a national ZCTA layer."""
    show = progress_printer()
    if show is None:
        return None
    return lambda fraction: show(fraction, "Finding which units share a boundary")


def _match_column(frame: gpd.GeoDataFrame, name: str, path: Path) -> str:
    """The frame's column called ``name`` (case-insensitive: shapefiles upper-case names)."""
    columns = [str(c) for c in frame.columns if c not in ("unit_id", frame.geometry.name)]
    if name in columns:
        return name
    folded = {c.casefold(): c for c in columns}
    if name.casefold() in folded:
        return folded[name.casefold()]
    numeric = frame.select_dtypes("number").columns
    choices = ", ".join(map(str, numeric)) or "none"
    raise InputError(f"no column '{name}' for --weight (numeric columns: {choices})", file=path)


def _params(args: argparse.Namespace, k: int) -> OptimiseParams:
    from terrmap.optimize import OptimiseParams

    return OptimiseParams(
        territories=k,
        mode=args.mode,
        tolerance_pct=args.tolerance,
        max_moved_pct=args.max_moved,
        anchor_homes=args.at_homes,
        seed=args.seed,
        time_limit_s=args.time_limit,
    )


def new_territory_ids(existing: Sequence[str], count: int) -> list[str]:
    """``count`` fresh ids continuing the project's numbering (T12 → T13, T14...).

    Ids like ``T01``..``T12`` continue with their prefix and zero padding; otherwise
    the new ids are ``T01``, ``T02``... skipping any already taken.
    """
    taken = set(existing)
    parsed = [re.fullmatch(r"(.*?)(\d+)", i) for i in existing]
    prefixes = {m.group(1) for m in parsed if m}
    if existing and all(parsed) and len(prefixes) == 1:
        prefix = prefixes.pop()
        width = max(len(m.group(2)) for m in parsed if m)
        number = max(int(m.group(2)) for m in parsed if m)
    else:
        prefix, width, number = "T", 2, 0
    fresh: list[str] = []
    while len(fresh) < count:
        number += 1
        candidate = f"{prefix}{number:0{width}d}"
        if candidate not in taken:
            fresh.append(candidate)
    return fresh


# -- running -----------------------------------------------------------------
def _solve(job: OptimiseJob) -> tuple[OptimiseResult, np.ndarray, bool]:
    """Optimise (Ctrl-C asks for the best plan so far); also return each code's label."""
    from terrmap.optimize import NO_PROGRESS, optimise

    cancel = threading.Event()
    progress = progress_printer() or NO_PROGRESS
    with ctrl_c_sets(cancel):
        result = optimise(job.problem, job.params, progress=progress, stop=cancel.is_set)
    result, columns = keep_existing_labels(job.problem, job.params, result)
    return result, columns, cancel.is_set()


def keep_existing_labels(
    problem: OptimiseProblem, params: OptimiseParams, result: OptimiseResult
) -> tuple[OptimiseResult, np.ndarray]:
    """The label of each code of ``result`` (`terrmap.optimize.labels.existing_labels`).

    `optimise` already labels a carve after the existing territories; this only reads
    the labels back (and renumbers a plan that did not come from `optimise`).

    Returns
    -------
    result, columns
        The result with codes in label order, and the label of each code: an existing
        territory's position (``< len(problem.territory_ids)``) or a new territory's
        (the positions after them). Rebalancing keeps its codes.
    """
    import numpy as np

    from terrmap.optimize import evaluate_plan
    from terrmap.optimize.labels import existing_labels

    codes, columns = existing_labels(problem, params, result.codes)
    if np.array_equal(codes, result.codes):
        return result, columns
    stats = evaluate_plan(problem, codes, params)
    kept = replace(
        stats,
        elapsed_s=result.elapsed_s,
        stopped_early=result.stopped_early,
        messages=result.messages,
    )
    return kept, columns


@contextlib.contextmanager
def ctrl_c_sets(cancel: threading.Event) -> Iterator[None]:
    """While inside, the first Ctrl-C sets ``cancel``; a second one interrupts for real.

    Signal handlers can only be installed from the main thread; elsewhere this does
    nothing and Ctrl-C keeps its usual meaning.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def on_sigint(_signum: int, _frame: object) -> None:
        if cancel.is_set():
            raise KeyboardInterrupt
        cancel.set()
        sys.stderr.write("\nStopping with the best plan so far (Ctrl-C again to abort)\n")

    previous = signal.signal(signal.SIGINT, on_sigint)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def write_plan_csv(path: str | Path, unit_ids: Sequence[str], territories: Sequence[str]) -> None:
    """Write ``unit_id,territory`` rows atomically (temporary file, fsync, rename)."""
    from terrmap.io.atomic import write_text_atomic

    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(PLAN_COLUMNS)
    writer.writerows(zip(map(str, unit_ids), territories, strict=True))
    write_text_atomic(path, buffer.getvalue())
