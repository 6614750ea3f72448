"""Vision versions as text: a readable rendering of a snapshot, and the difference between two of them."""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


def snapshot_lines(snapshot: Mapping[str, Any], labels: Mapping[str, str] | None = None) -> list[str]:
    """One line per fact of the vision, in a stable order, so that a diff reads like a document."""
    lab = {"title": "Title", "horizon": "Horizon", "image": "Future image", "goal": "Goal", "kpi": "KPI",
           "target": "Target", "baseline": "Baseline", "direction": "Direction", "definition": "Definition",
           "owner": "Owner", "source": "Data source", "reference": "Reference statistics",
           "frequency": "Update frequency", "milestone": "Milestone", "issue": "Regional issue",
           "theme": "R&D theme", "linked_kpis": "KPIs", **(labels or {})}
    goal_titles = {goal.get("id"): goal.get("title", "") for goal in snapshot.get("goals", [])}
    lines = [f"{lab['title']}: {snapshot.get('title', '')}", f"{lab['horizon']}: FY{snapshot.get('horizon_year', '')}"]
    lines += [f"{lab['image']}: {line}" for line in str(snapshot.get("future_image", "")).splitlines() if line.strip()]
    for goal in snapshot.get("goals", []):
        lines.append(f"{lab['goal']} {goal.get('order', '')}. {goal.get('title', '')}")
        for kpi in goal.get("kpis", []):
            head = f"  {lab['kpi']} [{kpi.get('code')}] {kpi.get('name')} ({kpi.get('unit')})"
            lines.append(f"{head} {lab['direction']}: {kpi.get('direction')}")
            if kpi.get("baseline_value") is not None:
                lines.append(f"    {lab['baseline']}: {kpi.get('baseline_value')} ({kpi.get('baseline_date') or '-'})")
            for year, value in sorted((kpi.get("targets") or {}).items()):
                lines.append(f"    {lab['target']} FY{year}: {value}")
            if kpi.get("definition"):
                lines.append(f"    {lab['definition']}: {kpi['definition']}")
            if kpi.get("owner"):
                lines.append(f"    {lab['owner']}: {kpi['owner'].get('name', '')}")
            for key, label in (("data_source", "source"), ("reference_series", "reference"),
                               ("frequency", "frequency")):
                if kpi.get(key):
                    lines.append(f"    {lab[label]}: {kpi[key]}")
    for milestone in snapshot.get("milestones", []):
        goal = goal_titles.get(milestone.get("goal"))
        lines.append(f"{lab['milestone']}: {milestone.get('title', '')} ({milestone.get('due_date', '')})"
                     + (f" — {lab['goal']}: {goal}" if goal else ""))
    for issue in snapshot.get("issues", []):
        goal = goal_titles.get(issue.get("goal"))
        lines.append(f"{lab['issue']}: {issue.get('title', '')}" + (f" — {lab['goal']}: {goal}" if goal else ""))
        if issue.get("kpis"):
            lines.append(f"  {lab['linked_kpis']}: {', '.join(issue['kpis'])}")
        for theme in issue.get("themes", []):
            lines.append(f"  {lab['theme']}: {theme.get('title', '')}")
    return lines


@dataclass(frozen=True)
class DiffLine:
    op: str  # "same", "added", "removed"
    text: str


def diff_snapshots(old: Mapping[str, Any], new: Mapping[str, Any],
                   labels: Mapping[str, str] | None = None) -> list[DiffLine]:
    """The lines removed from ``old`` and added in ``new`` (unchanged lines kept for context)."""
    a, b = snapshot_lines(old, labels), snapshot_lines(new, labels)
    result: list[DiffLine] = []
    for line in difflib.ndiff(a, b):
        code, text = line[:2], line[2:]
        if code == "  ":
            result.append(DiffLine("same", text))
        elif code == "- ":
            result.append(DiffLine("removed", text))
        elif code == "+ ":
            result.append(DiffLine("added", text))
    return result
