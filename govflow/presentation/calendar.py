"""A calendar import (issue 10) for people (zh-CN lines) and scripts (JSON): the file, and
the change report of the recompute that followed — the same report as ``calendar
recompute``."""

from __future__ import annotations

from typing import Any

from govflow.workflow.services.calendar_imports import CalendarFileInForce, CalendarImported


def change_lines(changed: list[tuple[str, dict[str, Any]]]) -> list[str]:
    """One line per limit that moved: ``REF 答复期限：from → to`` (the limit by its name)."""
    return [
        f"{ref} {change.get('label') or key}：{change['from']} → {change['to']}"
        f"{'（仍为临时）' if change['provisional'] else ''}"
        for ref, changes in changed
        for key, change in changes.items()
    ]


def changes_json(changed: list[tuple[str, dict[str, Any]]]) -> list[dict[str, Any]]:
    return [{"ref": ref, "changes": changes} for ref, changes in changed]


def import_lines(done: CalendarImported) -> list[str]:
    what = f"{done.name}（{done.kind_label}，{done.year} 年，SHA-256 {done.sha256[:12]}…）"
    if done.unchanged:
        return [f"{what} 与数据库中在用的版本相同，未作任何更改。"]
    return [
        f"已导入日历文件 {what}，导入编号 {done.import_id}。",
        *change_lines(done.changes),
        f"已按新日历重新计算 {done.checked} 件案件的期限，{len(done.changes)} 件有变化。",
    ]


def import_json(done: CalendarImported) -> dict[str, Any]:
    return {
        "name": done.name,
        "kind": done.kind,
        "year": done.year,
        "sha256": done.sha256,
        "import_id": done.import_id,
        "unchanged": done.unchanged,
        "checked": done.checked,
        "changed": changes_json(done.changes),
    }


def file_json(f: CalendarFileInForce) -> dict[str, Any]:
    return {
        "id": f.id,
        "name": f.name,
        "kind": f.kind,
        "year": f.year,
        "sha256": f.sha256,
        "imported_by": f.imported_by,
        "imported_at": f.imported_at.isoformat(),
    }
