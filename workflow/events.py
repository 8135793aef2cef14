"""Case events (A-1) and their hash chain.

Every change to a case is one ``CaseEvent``. Its hash covers its content and the
previous event's hash, so editing, inserting, deleting or reordering rows breaks
the chain; the head (last hash and count) is also kept on the case row so that
deleting the last events shows too. Hashing uses canonical JSON, so SQLite and
PostgreSQL (whatever they do to JSON key order) verify alike.

An event's data is stored as its canonical JSON text, and the hashed content is built
around that text (``content_text``): checking a stored event is hashing the row as it
is, with no JSON decoded or re-encoded. A row whose text is not canonical (written
before, or edited by hand) is checked the long way, by decoding it.

``CaseChain`` is one case's events as stored and ``Finding`` a sign of tampering in them;
checking the chain (``verify_chain``) is ``chain_checks``, and the keyed MACs over it
(A-2) are ``keyring``.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from json.encoder import encode_basestring  # json.dumps(str, ensure_ascii=False), in C
from typing import Any

GENESIS = "0" * 64


@dataclass(frozen=True)
class CaseEvent:
    case_ref: str
    seq: int
    occurred_at: datetime
    actor: str
    actor_role: str
    action: str
    state_before: str | None
    state_after: str
    data: dict[str, Any]
    prev_hash: str
    hash: str
    key_id: str | None = None
    mac: str | None = None
    # The data's canonical JSON text: what ``new_event`` hashed and the repository writes,
    # or, for an event read back without decoding (``data`` None), the text as stored,
    # which is what verify hashes. Never read in place of ``data`` while ``data`` is set.
    data_text: str | None = field(default=None, repr=False, compare=False)

    def decoded_data(self) -> dict[str, Any]:
        if self.data is None:
            assert self.data_text is not None
            return json.loads(self.data_text)
        return self.data

    def decoded(self) -> CaseEvent:
        """This event with its data decoded (an event read as text, for a fold to read)."""
        if self.data is not None:
            return self
        # Built directly: ``dataclasses.replace`` cost 6 % of a full verify (once per event).
        return CaseEvent(
            self.case_ref, self.seq, self.occurred_at, self.actor, self.actor_role, self.action,
            self.state_before, self.state_after, self.decoded_data(), self.prev_hash, self.hash,
            self.key_id, self.mac, self.data_text,
        )  # fmt: skip

    def content(self) -> dict[str, Any]:
        return {
            "case_ref": self.case_ref,
            "seq": self.seq,
            "occurred_at": self.occurred_at.astimezone(UTC).isoformat(timespec="microseconds"),
            "actor": self.actor,
            "actor_role": self.actor_role,
            "action": self.action,
            "state_before": self.state_before,
            "state_after": self.state_after,
            "data": self.decoded_data(),
        }

    def hash_matches(self) -> bool:
        """Does the stored hash cover this content and the previous hash?"""
        text = self.data_text
        # Hash the stored text as it is; only a text that is not canonical (an older row,
        # or one edited by hand) is decoded and hashed again as canonical JSON. Rows that
        # ``json.dumps`` wrote (before the canonical column) have '": ' after every key,
        # which canonical text has only inside a string: they skip the attempt that would
        # fail. A speed choice only: whatever the text, a hash that matches is required.
        if self.data is None and text is not None and '": ' not in text:
            if hash_text(self.prev_hash, content_text(self, text)) == self.hash:
                return True
        try:
            data = self.decoded_data()
        except ValueError:  # stored text that is not JSON: not what was hashed
            return False
        # ``content_text`` around the canonical data is ``canonical_json(self.content())``
        # (tests/unit/test_events.py), without encoding the rest of the content again.
        canonical = hash_text(self.prev_hash, content_text(self, canonical_json(data)))
        return canonical == self.hash


def canonical_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def chain_hash(content: dict[str, Any], prev_hash: str) -> str:
    return hash_text(prev_hash, canonical_json(content))


def hash_text(prev_hash: str, content: str) -> str:
    return hashlib.sha256((prev_hash + content).encode()).hexdigest()


def content_text(event: CaseEvent, data_text: str) -> str:
    """``canonical_json(event.content())``, built around the data's canonical text: the keys
    of the content in sorted order, each value as ``json.dumps`` writes it."""
    before, at = event.state_before, event.occurred_at
    if at.tzinfo is not UTC:
        at = at.astimezone(UTC)
    return "".join(
        (
            '{"action":',
            encode_basestring(event.action),
            ',"actor":',
            encode_basestring(event.actor),
            ',"actor_role":',
            encode_basestring(event.actor_role),
            ',"case_ref":',
            encode_basestring(event.case_ref),
            ',"data":',
            data_text,
            ',"occurred_at":"',
            at.isoformat(timespec="microseconds"),
            '","seq":',
            str(event.seq),
            ',"state_after":',
            encode_basestring(event.state_after),
            ',"state_before":',
            "null" if before is None else encode_basestring(before),
            "}",
        )
    )


def new_event(
    *,
    case_ref: str,
    seq: int,
    occurred_at: datetime,
    actor: str,
    actor_role: str,
    action: str,
    state_before: str | None,
    state_after: str,
    data: dict[str, Any],
    prev_hash: str,
) -> CaseEvent:
    # What is stored is the canonical text, and the event carries that text decoded again:
    # what is hashed is exactly what is stored and read back.
    text = canonical_json(data)
    draft = CaseEvent(
        case_ref,
        seq,
        occurred_at,
        actor,
        actor_role,
        action,
        state_before,
        state_after,
        json.loads(text),
        prev_hash,
        "",
    )
    hashed = hash_text(prev_hash, content_text(draft, text))
    return replace(draft, hash=hashed, data_text=text)


@dataclass(frozen=True)
class CaseChain:
    """One case's stored head and its events in stored order (seq, then row id), with the
    case row's other columns (what ``audit verify`` compares with the events)."""

    case_id: int
    ref: str
    head_seq: int
    head_hash: str
    events: list[CaseEvent]
    case_type: str = ""
    agency_id: int = 0
    version: int = 0
    columns: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Finding:
    """One sign of tampering, at a position (sequence number) in a case's history."""

    case_ref: str
    position: int
    # chain: edited | inserted | deleted | reordered | broken_link | head_mismatch
    # state: state_gap (an event starts from a state the previous event did not leave)
    # key: forged | unknown_key | unkeyed; history: damaged; derived rows: derived
    kind: str
    message: str
    table: str | None = None  # for a derived row: which table and column differ
    column: str | None = None

    @property
    def kind_label(self) -> str:
        """The kind in words (a kind this version does not know: its code)."""
        return FINDING_KINDS.get(self.kind, self.kind)


# What each kind of finding means, in words: the banner a case's readers see names it.
FINDING_KINDS: dict[str, str] = {
    "edited": "事件内容被修改",
    "inserted": "插入了事件",
    "deleted": "事件被删除",
    "reordered": "事件顺序被调换",
    "broken_link": "哈希链断裂",
    "head_mismatch": "链头与最后一个事件不符",
    "state_gap": "状态前后不衔接",
    "forged": "事件校验码（MAC）不符",
    "unknown_key": "事件签名密钥未知",
    "unkeyed": "事件没有校验码（MAC）",
    "damaged": "历史记录损坏",
    "derived": "派生数据与事件不符",
    "file_missing": "文件缺失",
    "file_altered": "文件内容被替换",
    # what ``audit checkpoint-check`` finds against a checkpoint taken earlier
    "case_missing": "整件案件被删除",
    "truncated": "末尾事件被删除",
    "rewritten": "事件被改写并重算哈希",
    "head_rolled_back": "链头被回退",
}


@dataclass(frozen=True)
class OpenFinding:
    """A finding ``audit verify`` recorded and no later verify cleared: what a case's
    readers are warned of until the history is found clean again."""

    case_ref: str
    position: int
    kind: str
    message: str
    found_at: datetime  # when a verify first found it (UTC)
    table: str | None = None
    column: str | None = None

    @property
    def kind_label(self) -> str:
        """The kind in words (a kind this version does not know: its code)."""
        return FINDING_KINDS.get(self.kind, self.kind)
