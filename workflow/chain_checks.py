"""Checking a case's stored chain (``audit verify``): each event's hash and link, the
states they pass through, the head on the case row, and with a keyring each event's MAC;
each sign of tampering is a ``Finding`` (``events``) at a position.

Apart from ``events`` because writing an event needs none of this: it is the tamper
evidence read back, with its zh-CN findings.
"""

from __future__ import annotations

from collections.abc import Iterable

from govflow.workflow.events import GENESIS, CaseEvent, Finding, chain_hash
from govflow.workflow.keyring import Keyring


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
