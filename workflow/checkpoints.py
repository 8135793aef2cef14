"""Checkpoints of the chain heads (SPEC A-2): the file's lines, their digest, the comparison.

Why checkpoints: each case row keeps its chain's head, so ``verify`` notices deleted last
events — unless whoever deleted them also rolled the case row back, deleted the whole
case, or rewrote a history and recomputed every hash. Only a record kept *outside* the
database shows that. A checkpoint is every case's head at one instant, with a digest the
supervisor keeps elsewhere (on paper, in another system); checking it later shows any
case that has gone, any history cut back, any event up to a recorded head rewritten.
Events are append-only, so a case that has moved on since the checkpoint is fine.

The file is JSON lines, each line canonical JSON (sorted keys, no spaces, UTF-8):

* first line, the header: ``{"cases": N, "format": "govflow-checkpoint", "scope": {…},
  "taken_at": "<UTC instant>", "version": 1}``;
* then one line per case, in case-id order: ``{"head_hash": …, "head_seq": …, "ref": …}``;
* last line: ``{"digest": "<sha256, hex>"}``, with the installation's chain key also
  ``"key_id"`` and ``"mac"`` (HMAC-SHA-256 of ``checkpoint:<digest>``): then the file proves
  itself to anyone holding the key, without the digest kept on paper.

``digest`` is the SHA-256 of the header line and every case line, each followed by a
newline — the header is covered so that its instant, scope and count cannot be changed
either. Lines are parsed and re-canonicalised before hashing, so a file whose bytes were
reflowed (CRLF, spaces) but whose content is intact still checks.

Pure: no files, no database. The CLI reads and writes, ``workflow.integrity`` queries.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from govflow.workflow.errors import InvalidInput
from govflow.workflow.events import Finding, canonical_json

FORMAT = "govflow-checkpoint"
VERSION = 1
_HEX64 = re.compile(r"[0-9a-f]{64}")


class CheckpointFormatError(InvalidInput):
    """Not a checkpoint file (or not one this version reads): nothing can be checked."""


@dataclass(frozen=True)
class Head:
    """A case's chain head as a checkpoint records it."""

    ref: str
    head_seq: int
    head_hash: str

    def record(self) -> dict[str, Any]:
        return {"ref": self.ref, "head_seq": self.head_seq, "head_hash": self.head_hash}


@dataclass(frozen=True)
class CheckpointRecord:
    """A checkpoint taken, as the database notes it: when, of what, how many, its digest
    and who took it (the file and the digest that count are kept elsewhere)."""

    taken_at: datetime
    scope: dict[str, Any]
    cases: int
    digest: str
    actor: str | None


@dataclass(frozen=True)
class Header:
    taken_at: datetime
    scope: dict[str, Any]
    cases: int

    def record(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "version": VERSION,
            "taken_at": self.taken_at.astimezone(UTC).isoformat(timespec="microseconds"),
            "scope": self.scope,
            "cases": self.cases,
        }


def line(record: dict[str, Any]) -> str:
    """A record as the file holds it: canonical JSON, one line, no newline."""
    return canonical_json(record)


def trailer(digest: str, key_id: str | None = None, mac: str | None = None) -> dict[str, Any]:
    return {"digest": digest} if mac is None else {"digest": digest, "key_id": key_id, "mac": mac}


def mac_text(digest: str) -> str:
    """What a checkpoint's MAC covers: its digest, marked so no event MAC can stand for it."""
    return f"checkpoint:{digest}"


class Digest:
    """The running SHA-256 over a checkpoint's header and case lines."""

    def __init__(self, header: dict[str, Any]) -> None:
        self._sha = hashlib.sha256()
        self.add(header)

    def add(self, record: dict[str, Any]) -> None:
        self.add_line(line(record))

    def add_line(self, text: str) -> None:
        """A line already in canonical form (as ``line`` wrote it), without its newline."""
        self._sha.update(text.encode())
        self._sha.update(b"\n")

    def hexdigest(self) -> str:
        return self._sha.hexdigest()


def is_digest(text: str) -> bool:
    return _HEX64.fullmatch(text) is not None


def scope_of(agency_code: str | None, include_children: bool = False) -> dict[str, Any]:
    """The scope a header records: ``{}`` for every case, or an agency (and those below)."""
    if agency_code is None:
        return {}
    return {"agency": agency_code, "include_children": include_children}


def scope_label(scope: dict[str, Any], names: Mapping[str, str] | None = None) -> str:
    """The scope in words: ``全部案件``, the agency by its name when ``names`` (code → name)
    knows it (``示范县人民政府办公室（含下级机关）``), else by its code as the file gives it
    (``机关 county（含下级机关）``: a file checked without a database)."""
    if not scope.get("agency"):
        return "全部案件"
    code = str(scope["agency"])
    name = (names or {}).get(code) or f"机关 {code}"
    return name + ("（含下级机关）" if scope.get("include_children") else "")


# -- reading a file ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Scan:
    """What a first pass over a file found: its header, how many case lines, both digests."""

    header: Header
    heads: int
    computed: str  # over the lines as they are now
    recorded: str  # the digest the file's last line states
    key_id: str | None = None  # the key its MAC names, if it has one
    mac: str | None = None

    def tampered(self) -> str | None:
        """Why the file cannot be trusted as it stands, or None."""
        if self.computed != self.recorded:
            return (
                f"文件内容的摘要为 {self.computed}，与文件末行记载的摘要 {self.recorded} 不符"
                "（文件在导出后被改动过）"
            )
        if self.heads != self.header.cases:
            return f"文件头记载 {self.header.cases} 件案件，实有 {self.heads} 行案件记录"
        return None


def scan(lines: Iterable[str]) -> Scan:
    """Parse a whole file (one pass, constant memory) and recompute its digest."""
    header: Header | None = None
    digest: Digest | None = None
    recorded: str | None = None
    signed: tuple[str | None, str | None] = (None, None)
    count = 0
    for number, record in _records(lines):
        if header is None or digest is None:
            header = _header(record, number)
            digest = Digest(record)
        elif recorded is not None:
            raise CheckpointFormatError(f"第 {number} 行：摘要行之后不应再有内容")
        elif "digest" in record:
            recorded = _trailer(record, number)
            signed = (record.get("key_id"), record.get("mac"))
        else:
            _head(record, number)
            digest.add(record)
            count += 1
    if header is None or digest is None:
        raise CheckpointFormatError("文件为空，不是检查点文件")
    if recorded is None:
        raise CheckpointFormatError("缺少末行的摘要（文件不完整）")
    return Scan(header, count, digest.hexdigest(), recorded, *signed)


def heads(lines: Iterable[str]) -> Iterator[Head]:
    """The case lines of a file that ``scan`` accepted, in file order."""
    records = _records(lines)
    next(records, None)  # the header
    for number, record in records:
        if "digest" not in record:
            yield _head(record, number)


def _records(lines: Iterable[str]) -> Iterator[tuple[int, dict[str, Any]]]:
    for number, text in enumerate(lines, start=1):
        if not text.strip():
            continue
        try:
            record = json.loads(text)
        except ValueError:
            raise CheckpointFormatError(f"第 {number} 行不是 JSON，不是检查点文件") from None
        if not isinstance(record, dict):
            raise CheckpointFormatError(f"第 {number} 行应为 JSON 对象，不是检查点文件")
        yield number, record


def _header(record: dict[str, Any], number: int) -> Header:
    if record.get("format") != FORMAT:
        raise CheckpointFormatError(f"第 {number} 行不是检查点文件头（缺少 format: {FORMAT}）")
    if record.get("version") != VERSION:
        raise CheckpointFormatError(
            f"检查点格式版本 {record.get('version')!r} 不受支持（本程序读取版本 {VERSION}）"
        )
    try:
        taken_at = datetime.fromisoformat(record["taken_at"])
    except (KeyError, TypeError, ValueError):
        raise CheckpointFormatError("文件头缺少有效的 taken_at（导出时间）") from None
    scope, cases = record.get("scope"), record.get("cases")
    if taken_at.tzinfo is None or not isinstance(scope, dict) or not _count(cases):
        raise CheckpointFormatError("文件头的 taken_at、scope 或 cases 无效")
    return Header(taken_at, scope, cases)


def _head(record: dict[str, Any], number: int) -> Head:
    ref, seq, hash_ = record.get("ref"), record.get("head_seq"), record.get("head_hash")
    if (
        set(record) != {"ref", "head_seq", "head_hash"}
        or not isinstance(ref, str)
        or not ref
        or not _count(seq)
        or not isinstance(hash_, str)
    ):
        raise CheckpointFormatError(
            f"第 {number} 行不是案件链头记录（应有 ref、head_seq、head_hash）"
        )
    return Head(ref, seq, hash_)


def _trailer(record: dict[str, Any], number: int) -> str:
    digest = record.get("digest")
    keys = set(record)
    if keys not in ({"digest"}, {"digest", "key_id", "mac"}):
        raise CheckpointFormatError(f"第 {number} 行：末行应只有 digest（及 key_id、mac）")
    if not isinstance(digest, str) or not is_digest(digest):
        raise CheckpointFormatError(f"第 {number} 行：摘要应为 64 位十六进制数")
    if "mac" in record and not (
        isinstance(record["mac"], str)
        and is_digest(record["mac"])
        and isinstance(record["key_id"], str)
    ):
        raise CheckpointFormatError(f"第 {number} 行：mac 应为 64 位十六进制数，key_id 为文本")
    return digest


def _count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


# -- comparing with the database ----------------------------------------------------------------


@dataclass(frozen=True)
class CurrentHead:
    """A recorded case as the database holds it now: its row's head, and the hash of each
    event stored at the recorded position (one, unless rows were inserted; none if deleted)."""

    head_seq: int
    hashes_at_recorded: tuple[str, ...]


def compare(recorded: Head, current: CurrentHead | None) -> list[Finding]:
    """What has happened to a recorded case since the checkpoint, if anything was tampered.

    Events are only ever appended, so the event at the recorded position must still be
    there with the recorded hash (its hash covers every event before it, through the
    chain), and the case row's head can only have grown.
    """
    ref, seq = recorded.ref, recorded.head_seq
    if current is None:
        return [
            Finding(
                ref,
                1,
                "case_missing",
                f"检查点记录该案件有 {seq} 个事件，现在数据库中已没有这件案件（整件被删除）",
            )
        ]
    rolled_back = current.head_seq < seq
    if seq > 0 and not current.hashes_at_recorded:
        if rolled_back:
            return [
                Finding(
                    ref,
                    current.head_seq + 1,
                    "truncated",
                    f"检查点时该案件共有 {seq} 个事件，现在只到位置 {current.head_seq}，"
                    f"案件记录的链头也被改回到位置 {current.head_seq}"
                    "（末尾事件被删除，链头被回退）",
                )
            ]
        return [
            Finding(
                ref,
                seq,
                "truncated",
                f"检查点时该案件共有 {seq} 个事件，现在位置 {seq} 的事件已不存在（事件被删除）",
            )
        ]
    if seq > 0 and recorded.head_hash not in current.hashes_at_recorded:
        return [
            Finding(
                ref,
                seq,
                "rewritten",
                f"位置 {seq} 的事件哈希与检查点记录的链头不符"
                f"（位置 {seq} 或之前的事件被改写，并重新计算了哈希）",
            )
        ]
    if rolled_back:
        return [
            Finding(
                ref,
                current.head_seq + 1,
                "head_rolled_back",
                f"案件记录的链头被改回到位置 {current.head_seq}，检查点时已到位置 {seq}",
            )
        ]
    return []
