"""Escalations fired (SPEC E-1…E-3) and daily digests as zh-CN text and JSON
(``escalation list``, ``escalation digests``)."""

from __future__ import annotations

from typing import Any

from govflow.presentation.text import local
from govflow.workflow.services.digests import DigestView
from govflow.workflow.services.firings import FiringView


def firings_json(rows: list[FiringView]) -> list[dict[str, Any]]:
    return [r.__dict__ for r in rows]


def firing_lines(rows: list[FiringView]) -> list[str]:
    """One line a firing: when, its key, late or coalesced, its subject, how many of its
    deliveries went out, and who acknowledged it."""
    if not rows:
        return ["尚无提醒。"]
    lines = []
    for r in rows:
        sent = sum(1 for s in r.deliveries.values() if s == "sent")
        merged = f"（合并 {r.repeats} 次）" if r.repeats > 1 else ""
        acked = (
            f"　已确认：{r.acknowledged_by_name or r.acknowledged_by} {local(r.acknowledged_at)}"
            if r.acknowledged_at
            else ""
        )
        lines.append(
            f"{local(r.fired_at)} {r.key}{'（迟发）' if r.late else ''}{merged}　"
            f"{r.message.splitlines()[0]}　已投递 {sent}/{len(r.deliveries)}{acked}"
        )
    return lines


def digests_json(rows: list[DigestView]) -> list[dict[str, Any]]:
    return [r.__dict__ for r in rows]


def digest_lines(rows: list[DigestView]) -> list[str]:
    if not rows:
        return ["尚无每日提醒。"]
    lines = []
    for r in rows:
        sent = sum(1 for s in r.deliveries.values() if s == "sent")
        lines.append(
            f"{local(r.fired_at)} {r.recipient_name}　{r.message.splitlines()[0]}"
            f"　已投递 {sent}/{len(r.deliveries)}"
        )
    return lines
