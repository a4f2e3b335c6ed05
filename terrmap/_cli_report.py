"""What the ``terrmap`` commands print: project summaries and the balance table.

Pure formatting over the core API (`TerritoryMetrics`, `balance_table`); the command
functions in `terrmap._cli_commands` decide where it goes.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

    from terrmap.core.metrics import BalanceSummary
    from terrmap.core.project import Project
    from terrmap.io.newproject import NewProject
    from terrmap.io.reports import TerritorySummary


def balance_report(
    project: Project, metrics: list[str] | None, tolerance: float
) -> TerritorySummary:
    """Totals per territory for ``metrics`` (default: every numeric account column).

    The balance (deviation from target, in-band) is computed on the first metric, or on
    the account count when the project has no numeric account column. The same summary
    feeds the text, the JSON, the CSV and the workbook (`terrmap.io.reports`).
    """
    from terrmap.io.reports import territory_summary

    return territory_summary(project, metrics, tolerance)


def report_json(report: TerritorySummary) -> dict[str, Any]:
    """The ``report --json`` document: territories and unassigned with their totals."""
    rows = report.totals
    territories = [
        {"id": t.id, "name": t.name, **_totals_json(rows.loc[t.id], report.metrics)}
        for t in report.project.territories
    ]
    return {"territories": territories, "unassigned": _totals_json(rows.iloc[-1], report.metrics)}


def _totals_json(row: pd.Series, metrics: Sequence[str]) -> dict[str, Any]:
    return {
        "units": round(float(row["units"])),
        "accounts": round(float(row["accounts"])),
        "metrics": {m: float(row[m]) for m in metrics},
    }


def report_text(report: TerritorySummary) -> str:
    """The balance table as aligned text, unassigned last, then a one-line verdict."""
    balance = report.balance
    header = ["ID", "NAME", "OWNER", "UNITS", "ACCOUNTS", *report.metrics]
    header += [f"DEV% {balance.metric}", "BAND"]
    body = []
    for territory, row in zip(report.project.territories, balance.rows, strict=True):
        totals = report.totals.loc[territory.id]
        body.append(
            [
                territory.id,
                territory.name,
                territory.owner or "(vacant)",
                *_numbers(totals, report.metrics),
                f"{row.deviation_pct:+.1f}",
                "ok" if row.in_band else "OUT",
            ]
        )
    body.append(["", "(unassigned)", "", *_numbers(report.totals.iloc[-1], report.metrics)])
    body[-1] += ["", ""]
    return _align([header, *body], numeric_from=3) + "\n" + _verdict(balance)


def _numbers(totals: pd.Series, metrics: Sequence[str]) -> list[str]:
    return [_number(totals["units"]), _number(totals["accounts"])] + [
        _number(totals[m]) for m in metrics
    ]


def _number(value: float) -> str:
    return f"{value:,.0f}" if abs(value - round(value)) < 1e-9 else f"{value:,.2f}"


def _align(rows: list[list[str]], numeric_from: int) -> str:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = []
    for row in rows:
        cells = [
            cell.rjust(w) if i >= numeric_from else cell.ljust(w)
            for i, (cell, w) in enumerate(zip(row, widths, strict=True))
        ]
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines)


def _verdict(balance: BalanceSummary) -> str:
    count = len(balance.rows)
    ratio = "∞" if balance.max_min_ratio == float("inf") else f"{balance.max_min_ratio:.2f}"
    return (
        f"Balance on {balance.metric}: {count - balance.out_of_band} of {count} territories "
        f"within ±{balance.tolerance_pct:g}% of target; largest deviation "
        f"{balance.max_abs_deviation_pct:.1f}%, max/min {ratio}, "
        f"CV {balance.coefficient_of_variation:.3f}"
    )


def write_csv(report: TerritorySummary, out_path: str | Path) -> None:
    """Write the summary table as CSV (unassigned as the last row); see `terrmap.io.reports`."""
    from terrmap.io.reports import write_summary_csv

    write_summary_csv(report, out_path)


def write_xlsx(report: TerritorySummary, out_path: str | Path, project_file: str | Path) -> None:
    """Write the report workbook (Territories, Accounts, Alignment, About)."""
    from terrmap.io.report_workbook import write_report_xlsx

    write_report_xlsx(report, out_path, source_name=Path(project_file).name)


def project_summary(project: Project, file_name: str) -> dict[str, Any]:
    """A JSON-able summary of a project for ``terrmap info``."""
    return {
        "file": file_name,
        "units": {
            "count": len(project.units),
            "kind": project.units.kind,
            "source": project.units.source,
            "numeric_columns": list(project.units.numeric_columns),
        },
        "accounts": {
            "count": len(project.accounts),
            "source": project.accounts.source,
            "numeric_columns": list(project.accounts.numeric_columns),
        },
        "territories": [
            {
                "id": t.id,
                "name": t.name,
                "owner": t.owner,
                "color": t.color,
                "home": list(t.home) if t.home else None,
                "target": t.target,
                "parent": t.parent,
            }
            for t in project.territories
        ],
        "plans": [
            {
                "name": plan.name,
                "active": i == project.active_plan_index,
                "assigned_units": int((plan.codes >= 0).sum()),
                "account_overrides": len(plan.overrides),
            }
            for i, plan in enumerate(project.plans)
        ],
        "context_layers": sorted(project.context),
        "metadata": dict(project.metadata),
    }


def summary_text(summary: dict[str, Any]) -> str:
    """The ``info`` summary as readable lines."""
    units, accounts = summary["units"], summary["accounts"]
    lines = [
        summary["file"],
        f"  units:       {units['count']:,} ({units['kind']}) from {units['source'] or '?'}",
        f"  accounts:    {accounts['count']:,} from {accounts['source'] or '-'}",
        f"  metrics:     {', '.join(accounts['numeric_columns']) or '-'}",
        f"  territories: {len(summary['territories'])}",
    ]
    lines += [
        f"    {t['id']}  {t['name']}  {t['owner'] or '(vacant)'}" for t in summary["territories"]
    ]
    for plan in summary["plans"]:
        active = " (active)" if plan["active"] else ""
        lines.append(
            f"  plan {plan['name']!r}{active}: {plan['assigned_units']:,} of "
            f"{units['count']:,} units assigned, {plan['account_overrides']} account overrides"
        )
    lines += [f"  {key}: {value}" for key, value in summary["metadata"].items()]
    return "\n".join(lines)


def new_summary(target: Path, built: NewProject) -> str:
    """One line on what ``terrmap new`` made."""
    project = built.project
    errors = sum(p.severity == "error" for p in built.problems)
    warnings = sum(p.severity == "warning" for p in built.problems)
    assigned = int((project.plan.codes >= 0).sum())
    return (
        f"Created {target}: {_count(len(project.units), 'unit')} ({project.units.kind}), "
        f"{_count(len(project.accounts), 'account')} placed, "
        f"{_count(errors, 'row')} not placed, {_count(warnings, 'warning')}, "
        f"{_count(len(project.territories), 'territory', 'territories')}, "
        f"{assigned:,} of {len(project.units):,} units assigned"
    )


def _count(number: int, singular: str, plural: str | None = None) -> str:
    """``"1 warning"``, ``"2 warnings"``, ``"1,024 units"``."""
    noun = singular if number == 1 else (plural or singular + "s")
    return f"{number:,} {noun}"
