"""A case's documents, read from its events (pure): each event may carry
``data["documents"]``, a list of records; a later record with the same ``no`` is a new
version of that document (a regenerated notice), and the old one is kept."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from govflow.workflow.documents.store import FileStore, sha256_hex
from govflow.workflow.errors import NotFound
from govflow.workflow.events import CaseEvent, Finding

NOTICE = "notice"
ATTACHMENT = "attachment"


_RECORDED = {"no", "version", "type", "kind", "title", "filename", "media_type", "size"}
_RECORDED |= {"sha256", "number"}
"""What a document record names itself; anything else it holds is its ``detail``."""


@dataclass(frozen=True)
class DocumentRecord:
    """One version of one document, as its event recorded it."""

    no: int  # the document's number within the case: 1, 2, 3 … (``case document REF N``)
    version: int
    type: str  # notice | attachment
    kind: str  # the notice kind (``fee``) or the attachment's category (``letter``)
    title: str
    filename: str
    media_type: str
    size: int
    sha256: str
    number: str | None  # 文号, notices only
    seq: int  # the event that issued or attached it
    occurred_at: datetime
    actor: str
    detail: dict[str, Any]  # what else the record says (consultation, note, template)

    @classmethod
    def from_event(cls, event: CaseEvent, raw: dict[str, Any]) -> DocumentRecord:
        """One record of ``event.data["documents"]``: the event says when and by whom."""
        detail = {k: v for k, v in raw.items() if k not in _RECORDED}
        return cls._of(raw, event.seq, event.occurred_at, event.actor, detail)

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> DocumentRecord:
        """The record ``to_json`` wrote (a case's stored documents: ``kept_facts``)."""
        when = datetime.fromisoformat(raw["occurred_at"])
        return cls._of(raw, int(raw["seq"]), when, raw["actor"], raw.get("detail") or {})

    @classmethod
    def _of(
        cls,
        raw: dict[str, Any],
        seq: int,
        occurred_at: datetime,
        actor: str,
        detail: dict[str, Any],
    ) -> DocumentRecord:
        return cls(
            no=int(raw["no"]),
            version=int(raw.get("version", 1)),
            type=raw["type"],
            kind=raw["kind"],
            title=raw["title"],
            filename=raw["filename"],
            media_type=raw["media_type"],
            size=int(raw["size"]),
            sha256=raw["sha256"],
            number=raw.get("number"),
            seq=seq,
            occurred_at=occurred_at,
            actor=actor,
            detail=detail,
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "no": self.no,
            "version": self.version,
            "type": self.type,
            "kind": self.kind,
            "title": self.title,
            "number": self.number,
            "filename": self.filename,
            "media_type": self.media_type,
            "size": self.size,
            "sha256": self.sha256,
            "seq": self.seq,
            "occurred_at": self.occurred_at.isoformat(),
            "actor": self.actor,
            **({"detail": self.detail} if self.detail else {}),
        }


def all_versions(events: Iterable[CaseEvent]) -> list[DocumentRecord]:
    """Every version of every document, in the order they were recorded."""
    return [
        DocumentRecord.from_event(event, raw)
        for event in events
        for raw in event.data.get("documents", ())
    ]


def current(events: Iterable[CaseEvent]) -> dict[int, DocumentRecord]:
    """Each document's latest version, by its number."""
    latest: dict[int, DocumentRecord] = {}
    for record in all_versions(events):
        latest[record.no] = record
    return latest


def next_no(documents: Mapping[int, DocumentRecord]) -> int:
    """The number of a case's next document, from its documents by number (``Case.documents``)."""
    return max(documents, default=0) + 1


def file_findings(ref: str, events: Iterable[CaseEvent], store: FileStore) -> list[Finding]:
    """N-2: each stored file a chain names must be there and hash to what its event recorded
    (``audit verify`` runs this on every chain it reads)."""
    findings = []
    for record in all_versions(events):
        where = f"第 {record.no} 号文书（第 {record.version} 版，位置 {record.seq}）"
        try:
            content = store.get(record.sha256)
        except NotFound:
            findings.append(Finding(ref, record.seq, "file_missing", f"{where}的文件缺失"))
            continue
        if sha256_hex(content) != record.sha256:
            findings.append(
                Finding(ref, record.seq, "file_altered", f"{where}的文件内容被替换（哈希不符）")
            )
    return findings
