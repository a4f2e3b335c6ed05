"""The page's boxes: the territory legend and the title box (plan, source, synthetic notice)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from terrmap.core.palette import UNASSIGNED_COLOR
from terrmap.web.escape import html_text

if TYPE_CHECKING:
    from terrmap.core.project import Project


def legend_html(project: Project) -> str:
    rows = [
        f'<div class="terrmap-row"><span class="terrmap-swatch" style="background:{t.color}">'
        f"</span>{html_text(t.name)} <span class='terrmap-rep'>{html_text(t.owner or 'vacant')}"
        "</span></div>"
        for t in project.territories
    ]
    if (project.plan.codes < 0).any():
        rows.append(
            f'<div class="terrmap-row"><span class="terrmap-swatch" '
            f'style="background:{UNASSIGNED_COLOR}"></span><i>Unassigned</i></div>'
        )
    return f'<div class="terrmap-box terrmap-legend"><b>Territories</b>{"".join(rows)}</div>'


def info_html(project: Project, title: str) -> str:
    lines = [f"<b>{html_text(title)}</b>"]
    plan = project.plan.name
    if plan:
        lines.append(f"Plan: {html_text(plan)}")
    if project.units.source:
        lines.append(f"Boundaries: {html_text(project.units.source)}")
    notice = project.synthetic_notice
    if notice:
        lines.append(f'<span class="terrmap-notice">{html_text(notice)}</span>')
    return f'<div class="terrmap-box terrmap-info">{"<br>".join(lines)}</div>'
