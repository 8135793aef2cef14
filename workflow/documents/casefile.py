"""The case file (卷宗, SPEC N-2): one ZIP archive of a case for archiving (归档), and its
check, which needs nothing from govflow's database — only the archive (and, best, the
manifest digest kept apart when it was exported).

Layout of the archive (format ``govflow-case-file``, version 1):

- ``00-案卷封面.docx`` the cover sheet; ``01-办理过程.docx`` the timeline as a document;
- ``notices/NN-vV-<title>（<number>）.docx`` every version of every notice;
- ``attachments/NN-<file name>`` every attachment;
- ``events.jsonl`` the case's history: one JSON object per line, in order, each with the
  event's ``content`` (what its hash covers), ``prev_hash`` and ``hash``;
- ``manifest.json`` the list of every file above with its SHA-256 and size, and the chain
  head (``head_seq``, ``head_hash``); ``manifest.sha256`` the manifest's own SHA-256 in
  ``sha256sum`` format; ``说明.txt`` how to check all this by hand.

The check (``check``): the manifest's digest (against the one kept, if given), each listed
file's SHA-256 and size, no file unlisted, the chain recomputed from ``events.jsonl`` —
``hash = SHA-256(prev_hash as ASCII hex ‖ canonical JSON of content)``, canonical JSON
being UTF-8, keys sorted, no spaces (``separators=(",", ":")``), non-ASCII kept — ending at
the manifest's head, and every notice's and attachment's SHA-256 equal to the one its event
recorded. So a swapped file, an edited manifest, an edited history each show.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from govflow.workflow.audit import TimelineEntry
from govflow.workflow.documents.records import NOTICE, DocumentRecord
from govflow.workflow.documents.store import sha256_hex
from govflow.workflow.events import GENESIS, CaseEvent, canonical_json, chain_hash

FORMAT, VERSION = "govflow-case-file", 1
COVER, TIMELINE = "00-案卷封面.docx", "01-办理过程.docx"
EVENTS, MANIFEST, MANIFEST_DIGEST, README = (
    "events.jsonl",
    "manifest.json",
    "manifest.sha256",
    "说明.txt",
)
_UNLISTED = {MANIFEST, MANIFEST_DIGEST}

GUIDE = """本压缩包是政府信息公开申请 {ref} 的电子卷宗，由 govflow 于 {exported_at} 导出。

校验方法（无需 govflow）：
1. manifest.sha256 记载 manifest.json 的 SHA-256（可用 sha256sum -c manifest.sha256 校验）；
   导出时显示的清单摘要应另行保存（纸质或其他系统），与之比对可发现整体替换。
2. manifest.json 的 files 列出其余每个文件的路径、SHA-256 与字节数，逐一计算比对。
3. events.jsonl 每行一个事件：hash = SHA-256(prev_hash 的十六进制文本 + content 的规范 JSON)，
   规范 JSON 为 UTF-8、键排序、无空格（分隔符 "," 与 ":"）、中文不转义；第一个事件的
   prev_hash 为 64 个 0；最后一个事件的 hash 与序号应等于 manifest.json 的 chain.head_hash
   与 chain.head_seq。
4. 每份告知书和附件的 SHA-256 应等于 events.jsonl 中记载它的事件（data.documents）里的 sha256。
"""


@dataclass(frozen=True)
class CaseFileInput:
    """Everything the archive holds, gathered by the use case."""

    ref: str
    agency: str
    exported_at: datetime
    exported_by: str
    events: Sequence[CaseEvent]
    cover: bytes
    timeline: bytes
    documents: Sequence[tuple[DocumentRecord, bytes]]


def _document_path(record: DocumentRecord) -> str:
    if record.type == NOTICE:
        return f"notices/{record.no:02d}-v{record.version}-{record.filename}"
    return f"attachments/{record.no:02d}-v{record.version}-{record.filename}"


def event_line(event: CaseEvent) -> str:
    return canonical_json(
        {"content": event.content(), "prev_hash": event.prev_hash, "hash": event.hash}
    )


def build(source: CaseFileInput) -> tuple[bytes, str]:
    """The archive's bytes and the manifest's SHA-256 (the digest to keep elsewhere)."""
    files: list[tuple[str, bytes, dict[str, Any]]] = [
        (COVER, source.cover, {"role": "cover"}),
        (TIMELINE, source.timeline, {"role": "timeline"}),
    ]
    for record, content in source.documents:
        files.append(
            (
                _document_path(record),
                content,
                {
                    "role": record.type,
                    "document": record.no,
                    "version": record.version,
                    "number": record.number,
                    "event": record.seq,
                },
            )
        )
    events = "".join(event_line(e) + "\n" for e in source.events).encode("utf-8")
    files.append((EVENTS, events, {"role": "events"}))
    readme = GUIDE.format(ref=source.ref, exported_at=source.exported_at.isoformat())
    files.append((README, readme.encode("utf-8"), {"role": "readme"}))
    last = source.events[-1] if source.events else None
    manifest = {
        "format": FORMAT,
        "version": VERSION,
        "ref": source.ref,
        "agency": source.agency,
        "exported_at": source.exported_at.isoformat(),
        "exported_by": source.exported_by,
        "chain": {
            "head_seq": last.seq if last else 0,
            "head_hash": last.hash if last else GENESIS,
            "hash": "sha256(prev_hash || canonical_json(content))",
        },
        "files": [
            {"path": path, "sha256": sha256_hex(content), "size": len(content), **meta}
            for path, content, meta in files
        ],
    }
    manifest_bytes = json.dumps(manifest, ensure_ascii=False, indent=2).encode("utf-8")
    digest = sha256_hex(manifest_bytes)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for path, content, _ in files:
            archive.writestr(path, content)
        archive.writestr(MANIFEST, manifest_bytes)
        archive.writestr(MANIFEST_DIGEST, f"{digest}  {MANIFEST}\n")
    return out.getvalue(), digest


@dataclass(frozen=True)
class CheckResult:
    ref: str | None
    files: int
    events: int
    digest: str | None
    problems: list[str]


def check(archive_bytes: bytes, expected_digest: str | None = None) -> CheckResult:
    """Every check of the module docstring; ``problems`` is empty when the archive is intact."""
    problems: list[str] = []
    try:
        archive = zipfile.ZipFile(io.BytesIO(archive_bytes))
    except zipfile.BadZipFile:
        return CheckResult(None, 0, 0, None, ["不是有效的 ZIP 压缩包"])
    with archive:
        names = set(archive.namelist())
        if MANIFEST not in names:
            return CheckResult(None, 0, 0, None, ["缺少 manifest.json"])
        manifest_bytes = archive.read(MANIFEST)
        digest = sha256_hex(manifest_bytes)
        if expected_digest is not None and expected_digest.strip().lower() != digest:
            problems.append(f"manifest.json 的摘要 {digest} 与保存的摘要不符（清单被替换或修改）")
        if MANIFEST_DIGEST in names:
            recorded = archive.read(MANIFEST_DIGEST).decode("utf-8", "replace").split()
            if not recorded or recorded[0] != digest:
                problems.append("manifest.json 与 manifest.sha256 不符（清单被修改）")
        try:
            manifest = json.loads(manifest_bytes)
        except ValueError:
            return CheckResult(None, 0, 0, digest, [*problems, "manifest.json 不是有效的 JSON"])
        if manifest.get("format") != FORMAT or manifest.get("version") != VERSION:
            problems.append(f"未知的卷宗格式 {manifest.get('format')} {manifest.get('version')}")
        listed = {entry["path"]: entry for entry in manifest.get("files", [])}
        for path, entry in listed.items():
            if path not in names:
                problems.append(f"{path}：清单中列出的文件缺失")
                continue
            content = archive.read(path)
            if sha256_hex(content) != entry["sha256"] or len(content) != entry["size"]:
                problems.append(f"{path}：内容与清单记载的 SHA-256 不符（文件被替换或修改）")
        for path in sorted(names - set(listed) - _UNLISTED):
            problems.append(f"{path}：清单中没有的文件")
        events = _events(archive, names, problems)
    problems += _chain_problems(events, manifest.get("chain", {}))
    problems += _document_problems(events, listed.values())
    return CheckResult(manifest.get("ref"), len(listed), len(events), digest, problems)


def _events(archive: zipfile.ZipFile, names: set[str], problems: list[str]) -> list[dict]:
    if EVENTS not in names:
        problems.append("缺少 events.jsonl（历史记录）")
        return []
    lines = archive.read(EVENTS).decode("utf-8", "replace").splitlines()
    events = []
    for number, line in enumerate(lines, 1):
        try:
            events.append(json.loads(line))
        except ValueError:
            problems.append(f"events.jsonl 第 {number} 行不是有效的 JSON")
    return events


def _chain_problems(events: list[dict], chain: dict[str, Any]) -> list[str]:
    problems, prev = [], GENESIS
    for position, event in enumerate(events, 1):
        content = event.get("content", {})
        if content.get("seq") != position:
            problems.append(
                f"历史记录第 {position} 个事件的序号为 {content.get('seq')}（顺序被改动）"
            )
        if event.get("prev_hash") != prev:
            problems.append(f"历史记录第 {position} 个事件的前序哈希不符（之前的事件被改动）")
        if chain_hash(content, event.get("prev_hash", "")) != event.get("hash"):
            problems.append(f"历史记录第 {position} 个事件的内容与哈希不符（事件被修改）")
        prev = event.get("hash", "")
    if len(events) != chain.get("head_seq") or prev != chain.get("head_hash"):
        problems.append(
            f"历史记录的链头（{len(events)} 个事件）与清单记载的链头"
            f"（{chain.get('head_seq')} 个事件）不符（事件被删除、添加或改写）"
        )
    return problems


def _document_problems(events: list[dict], entries: Iterable[dict[str, Any]]) -> list[str]:
    recorded = {
        (doc["no"], doc.get("version", 1)): doc["sha256"]
        for event in events
        for doc in event.get("content", {}).get("data", {}).get("documents", [])
    }
    problems = []
    for entry in entries:
        if entry.get("role") not in ("notice", "attachment"):
            continue
        key = (entry.get("document"), entry.get("version", 1))
        if recorded.get(key) != entry["sha256"]:
            problems.append(
                f"{entry['path']}：SHA-256 与历史记录中该文书的哈希不符（文件或清单被替换）"
            )
    return problems


def timeline_document(ref: str, title: str, entries: Sequence[TimelineEntry]) -> bytes:
    """The history as a Word table: who did what, when, with the hash of each step."""
    from docx import Document
    from docx.oxml.ns import qn
    from docx.shared import Pt

    document = Document()
    style = document.styles["Normal"]
    style.font.name, style.font.size = "仿宋_GB2312", Pt(10.5)
    style.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), "仿宋_GB2312")
    document.add_heading(f"{title} 办理过程（{ref}）", level=1)
    table = document.add_table(rows=1, cols=6)
    table.style = "Table Grid"
    for cell, text in zip(
        table.rows[0].cells, ("序号", "时间", "操作人", "动作", "状态", "理由及哈希"), strict=True
    ):
        cell.text = text
    for entry in entries:
        cells = table.add_row().cells
        state = f"{entry.state_before_label} → {entry.state_after_label}"
        values = (
            str(entry.seq),
            entry.local_time,
            f"{entry.actor_name}（{entry.role_label}）",
            entry.action_label,
            state,
            f"{entry.reason or ''}\n{entry.hash[:16]}…".strip(),
        )
        for cell, text in zip(cells, values, strict=True):
            cell.text = text
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
