"""Case events (A-1), their hash chain and its keyed MACs (A-2).

Every change to a case is one ``CaseEvent``. Its hash covers its content and the
previous event's hash, so editing, inserting, deleting or reordering rows breaks
the chain; the head (last hash and count) is also kept on the case row so that
deleting the last events shows too. Hashing uses canonical JSON, so SQLite and
PostgreSQL (whatever they do to JSON key order) verify alike.

A SHA-256 chain can be recomputed by anyone who can write the database. So each event
also carries a MAC (HMAC-SHA-256 of ``key_id:hash``) under an installation key kept
outside the database (``Keyring``): without the key nobody can append, insert or rewrite
an event that verifies. A keyed event vouches for every event before it, through the
chain, so events written before the installation had a key are covered once a keyed
event follows them (``govflow audit seal`` appends one to each such case). Rotation:
new events carry the newest key's id; older events verify under the key they name.

An event's data is stored as its canonical JSON text, and the hashed content is built
around that text (``content_text``): checking a stored event is hashing the row as it
is, with no JSON decoded or re-encoded. A row whose text is not canonical (written
before, or edited by hand) is checked the long way, by decoding it.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from collections.abc import Iterable, Mapping
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


# -- the installation key ----------------------------------------------------------------------

KEY_ID = re.compile(r"[A-Za-z0-9._-]{1,32}")
MIN_KEY_BYTES = 32


class KeyFormatError(ValueError):
    """A key text that cannot be used (the message never contains key material)."""


@dataclass(frozen=True)
class Keyring:
    """The installation's chain keys by id; ``current`` signs new events. No keys: unkeyed."""

    keys: Mapping[str, bytes] = field(default_factory=dict, repr=False)
    current: str | None = None
    _keyed: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def parse(cls, text: str, where: str) -> Keyring:
        """``id:hex`` entries, one a line or comma-separated; the last one signs new events.
        Blank lines and ``#`` comments are ignored."""
        keys: dict[str, bytes] = {}
        current = None
        entries = [e.strip() for line in text.splitlines() for e in line.split(",")]
        for number, entry in enumerate(entries, start=1):
            if not entry or entry.startswith("#"):
                continue
            key_id, sep, material = entry.partition(":")
            if not sep or not KEY_ID.fullmatch(key_id.strip()):
                raise KeyFormatError(
                    f"{where} 第 {number} 项应为 密钥编号:十六进制密钥（如 k2026:…）"
                )
            try:
                secret = bytes.fromhex(material.strip())
            except ValueError:
                raise KeyFormatError(f"{where} 中密钥 {key_id.strip()} 不是十六进制") from None
            if len(secret) < MIN_KEY_BYTES:
                raise KeyFormatError(
                    f"{where} 中密钥 {key_id.strip()} 太短（至少 {MIN_KEY_BYTES} 字节，"
                    f"即 {MIN_KEY_BYTES * 2} 位十六进制）"
                )
            keys[key_id.strip()] = secret
            current = key_id.strip()
        if current is None:
            raise KeyFormatError(f"{where} 中没有密钥")
        return cls(keys, current)

    def __getstate__(self) -> dict[str, Any]:
        return {**self.__dict__, "_keyed": {}}  # keyed states do not pickle; made again

    @property
    def keyed(self) -> bool:
        return self.current is not None

    def secrets(self) -> list[str]:
        """The key material as it is written, for log redaction."""
        return [k.hex() for k in self.keys.values()]

    def mac(self, key_id: str, text: str) -> str | None:
        key = self.keys.get(key_id)
        if key is None:
            return None
        # A copy of the keyed state costs half a fresh ``hmac.new`` (one per event verified).
        keyed = self._keyed.get(key_id)
        if keyed is None:
            keyed = self._keyed[key_id] = hmac.new(key, digestmod=hashlib.sha256)
        digest = keyed.copy()
        digest.update(f"{key_id}:{text}".encode())
        return digest.hexdigest()

    def seal(self, event: CaseEvent) -> CaseEvent:
        """The event with its MAC under the current key (unchanged without a key)."""
        if self.current is None:
            return event
        return replace(event, key_id=self.current, mac=self.mac(self.current, event.hash))

    def check(self, key_id: str, text: str, mac: str) -> bool | None:
        """Whether ``mac`` is right for ``text``; None when the key is not configured here."""
        expected = self.mac(key_id, text)
        return None if expected is None else hmac.compare_digest(expected, mac)


UNKEYED = Keyring()


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


def verify_chain(
    case_ref: str,
    events: Iterable[CaseEvent],
    head_seq: int,
    head_hash: str,
    keyring: Keyring | None = None,
) -> list[Finding]:
    """Check one case's events, read in stored order (seq, then row id), against its head;
    with a keyring, each event's MAC too (``verify_macs``)."""
    events = list(events)
    findings: list[Finding] = []

    def report(position: int, kind: str, message: str) -> None:
        findings.append(Finding(case_ref, position, kind, message))

    expected_seq, prev_hash, last_seq = 1, GENESIS, 0
    prev_state: str | None = None
    for event in events:
        if event.seq < expected_seq:
            report(event.seq, "inserted", f"位置 {event.seq} 出现重复事件（插入的记录）")
            continue
        if event.seq > expected_seq:
            missing = (
                f"{expected_seq}"
                if event.seq == expected_seq + 1
                else (f"{expected_seq}–{event.seq - 1}")
            )
            report(expected_seq, "deleted", f"缺少位置 {missing} 的事件（被删除）")
        if event.seq > head_seq:
            report(
                event.seq,
                "inserted",
                f"位置 {event.seq} 超出案件记录的链头 {head_seq}（插入的记录）",
            )
        elif not event.hash_matches():
            moved_from = _original_position(event, head_seq)
            if moved_from is not None:
                report(
                    event.seq,
                    "reordered",
                    f"位置 {event.seq} 的事件原在位置 {moved_from}（顺序被调换）",
                )
            else:
                report(event.seq, "edited", f"位置 {event.seq} 的事件内容被修改（哈希不符）")
        elif event.prev_hash != prev_hash:
            report(
                event.seq,
                "broken_link",
                f"位置 {event.seq} 的前序哈希与上一事件不符（之前的事件被修改、插入或删除）",
            )
        clean = event.seq == expected_seq and all(
            f.position not in (event.seq, event.seq - 1) for f in findings
        )  # an event already reported (or after one) is not reported twice
        if clean and event.state_before != prev_state:
            # Hashes recomputed over an edited history (by someone who could also rewrite
            # the head) still chain; the states must too: each event leaves from the state
            # the one before it arrived at, and the first from none.
            report(
                event.seq,
                "state_gap",
                f"位置 {event.seq} 的事件前状态 {event.state_before or '—'} 与上一事件的"
                f"后状态 {prev_state or '—'} 不符（历史被改写）",
            )
        prev_hash, expected_seq, last_seq = event.hash, event.seq + 1, event.seq
        prev_state = event.state_after
    if last_seq < head_seq:
        report(
            last_seq + 1,
            "deleted",
            f"案件链头记录共 {head_seq} 个事件，现只有到位置 {last_seq} 的事件（末尾事件被删除）",
        )
    elif last_seq == head_seq and prev_hash != head_hash and not findings:
        report(
            head_seq, "head_mismatch", f"最后一个事件的哈希与案件记录的链头不符（位置 {head_seq}）"
        )
    if keyring is not None and keyring.keyed:
        findings += verify_macs(case_ref, events, keyring, {f.position for f in findings})
    return findings


def verify_macs(
    case_ref: str, events: list[CaseEvent], keyring: Keyring, reported: set[int]
) -> list[Finding]:
    """Each MAC right under the key it names; no event left unvouched.

    An event is vouched for by its own MAC or by a later keyed event (whose hash covers
    it through the chain). Events after the last keyed one were written without the key:
    by someone with database access alone, or before the installation had a key (then
    ``govflow audit seal`` vouches for them, once checked). Positions already reported
    by the chain checks are not reported twice.
    """
    findings: list[Finding] = []
    last_keyed = 0
    for event in events:
        if event.mac is None or event.key_id is None:
            continue
        ok = keyring.check(event.key_id, event.hash, event.mac)
        if ok is None:
            findings.append(
                Finding(
                    case_ref,
                    event.seq,
                    "unknown_key",
                    f"位置 {event.seq} 的事件以密钥 {event.key_id} 签名，本机未配置该密钥，无法校验",
                )
            )
        elif not ok:
            if event.seq not in reported:
                findings.append(
                    Finding(
                        case_ref,
                        event.seq,
                        "forged",
                        f"位置 {event.seq} 的事件 MAC 不符：该事件被没有链密钥的人改写或伪造",
                    )
                )
        else:
            last_keyed = max(last_keyed, event.seq)
    tail = [e.seq for e in events if e.seq > last_keyed and e.mac is None and e.seq not in reported]
    if tail:
        first = tail[0]
        where = "整件案件的历史" if last_keyed == 0 else f"位置 {first} 起的 {len(tail)} 个事件"
        findings.append(
            Finding(
                case_ref,
                first,
                "unkeyed",
                f"{where}没有 MAC：在启用链密钥之前写入（核实后可用 govflow audit seal 封存），"
                "或是没有链密钥的人写入的",
            )
        )
    return findings


def _original_position(event: CaseEvent, head_seq: int) -> int | None:
    try:
        original = event.content()
    except ValueError:  # stored text that is not JSON
        return None
    for seq in range(1, head_seq + 1):
        if seq != event.seq:
            content = {**original, "seq": seq}
            if chain_hash(content, event.prev_hash) == event.hash:
                return seq
    return None
