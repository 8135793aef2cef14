"""Escalations fired (SPEC E-1…E-3) as zh-CN text and JSON (``escalation list``)."""

from __future__ import annotations

from typing import Any

from govflow.presentation.text import local
from govflow.workflow.services.escalations import FiringView


def firings_json(rows: list[FiringView]) -> list[dict[str, Any]]:
    return [r.__dict__ for r in rows]


def firing_lines(rows: list[FiringView]) -> list[str]:
    if not rows:
        return ["尚无提醒。"]
    lines = []
    for r in rows:
        sent = sum(1 for s in r.deliveries.values() if s == "sent")
        lines.append(
            f"{local(r.fired_at)} {r.key}{'（迟发）' if r.late else ''}　"
            f"{r.message.splitlines()[0]}　已投递 {sent}/{len(r.deliveries)}"
        )
    return lines
