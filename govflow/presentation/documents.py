"""A case's documents as people and machines read them (``govflow case documents``), and an
exported case file's check (``govflow case file-check``).

May import: the domain's types only.
"""

from __future__ import annotations

from typing import Any

from govflow.workflow.documents.casefile import CheckResult
from govflow.workflow.documents.records import NOTICE
from govflow.workflow.services.documents import CaseDocuments

TYPE_LABELS = {NOTICE: "告知书"}


def documents_text(docs: CaseDocuments) -> list[str]:
    if not docs.versions:
        return [f"{docs.ref} 没有文书或附件。"]
    lines = []
    for r in docs.versions:
        kind = TYPE_LABELS.get(r.type, "附件")
        number = f"　{r.number}" if r.number else ""
        delivered = docs.delivered.get(r.no)
        served = f"　已送达 {delivered}" if delivered else ""
        lines.append(
            f"{r.no:>3}  v{r.version}  {kind}　{r.title}{number}　{r.filename}　"
            f"{r.size:,} 字节　SHA-256 {r.sha256[:16]}…{served}"
        )
    return lines


def documents_json(docs: CaseDocuments) -> list[dict[str, Any]]:
    return [
        {
            **r.to_json(),
            **({"delivered_on": docs.delivered[r.no]} if r.no in docs.delivered else {}),
        }
        for r in docs.versions
    ]


def issued_lines(event_data: dict[str, Any]) -> list[str]:
    """The notices an action just issued, one line each (``case act``)."""
    return [
        f"  已制作文书 {d['no']}：{d['title']}　{d.get('number') or ''}".rstrip()
        for d in event_data.get("documents", ())
    ]


def check_text(result: CheckResult, name: str) -> list[str]:
    lines = [f"问题：{problem}" for problem in result.problems]
    summary = f"{result.ref or name}：{result.files} 个文件、{result.events} 个事件"
    if result.problems:
        lines.append(f"{summary}，发现 {len(result.problems)} 处问题。")
    else:
        lines.append(f"{summary}，全部与清单及历史记录一致。")
    return lines
