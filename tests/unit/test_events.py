"""The hash chain (SPEC A-1, A-2): ``verify_chain`` on in-memory histories, no database.

Each test tampers with a clean five-event chain the way someone with write access to
the event table could — edit, delete, insert, reorder, re-link, rewrite it all — and
checks that the finding names the case, the position and the kind of tampering.
"""

from __future__ import annotations

import itertools
import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from govflow.workflow.chain_checks import verify_chain
from govflow.workflow.events import (
    GENESIS,
    CaseEvent,
    Finding,
    canonical_json,
    chain_hash,
    content_text,
    new_event,
)

REF = "示政办依申〔2025〕0007号"
T0 = datetime(2025, 9, 26, 1, 0, tzinfo=UTC)
STATES = ["received", "registered", "reviewing", "handling", "reply_review", "replied"]


def chain(n: int = 5, ref: str = REF) -> list[CaseEvent]:
    events: list[CaseEvent] = []
    prev = GENESIS
    for i in range(1, n + 1):
        event = new_event(
            case_ref=ref,
            seq=i,
            occurred_at=T0 + timedelta(hours=i),
            actor="li.handler",
            actor_role="handler",
            action=f"step_{i}",
            state_before=STATES[i - 2] if i > 1 else None,
            state_after=STATES[i - 1],
            data={
                "payload": {"n": i, "note": "第" + str(i) + "步"},
                "derived": {},
                "deadlines": {},
            },
            prev_hash=prev,
        )
        events.append(event)
        prev = event.hash
    return events


def forge(event: CaseEvent, prev_hash: str, **changes: object) -> CaseEvent:
    """A self-consistent event: new content, its hash recomputed over ``prev_hash``."""
    draft = replace(event, prev_hash=prev_hash, **changes)
    return replace(draft, hash=chain_hash(draft.content(), prev_hash))


def verify(
    events: list[CaseEvent], head_seq: int = 5, head_hash: str | None = None
) -> list[Finding]:
    if head_hash is None:
        head_hash = chain()[head_seq - 1].hash if head_seq else GENESIS
    return verify_chain(REF, events, head_seq, head_hash)


def kinds(findings: list[Finding]) -> list[tuple[int, str]]:
    return [(f.position, f.kind) for f in findings]


def test_a_clean_chain_has_no_findings() -> None:
    events = chain()
    assert events[0].prev_hash == GENESIS
    assert all(b.prev_hash == a.hash for a, b in itertools.pairwise(events))
    assert verify(events) == []


def test_an_empty_history_with_an_empty_head_is_clean() -> None:
    assert verify_chain(REF, [], 0, GENESIS) == []


def test_hashes_are_stable_and_cover_every_field() -> None:
    event = chain(1)[0]
    assert event.hash == chain_hash(event.content(), GENESIS)
    assert event.hash == chain(1)[0].hash  # deterministic
    for field, value in [
        ("actor", "zhang.head"),
        ("actor_role", "office_head"),
        ("action", "other"),
        ("state_before", "handling"),
        ("state_after", "closed"),
        ("occurred_at", T0 + timedelta(seconds=1)),
        ("data", {"payload": {"n": 2}}),
    ]:
        changed = replace(event, **{field: value})
        assert chain_hash(changed.content(), GENESIS) != event.hash, field
    # Key order and time-zone spelling do not matter: the content is canonical.
    shifted = replace(
        event, occurred_at=event.occurred_at.astimezone(datetime.now().astimezone().tzinfo)
    )
    assert chain_hash(shifted.content(), GENESIS) == event.hash
    assert canonical_json({"b": 1, "a": "中"}) == '{"a":"中","b":1}'


def test_new_event_stores_exactly_what_it_hashed() -> None:
    event = new_event(
        case_ref=REF,
        seq=1,
        occurred_at=T0,
        actor="system",
        actor_role="system",
        action="x",
        state_before=None,
        state_after="received",
        data={"when": "2025-09-26", "tuple": (1, 2)},
        prev_hash=GENESIS,
    )
    assert event.data == {"when": "2025-09-26", "tuple": [1, 2]}
    assert verify_chain(REF, [event], 1, event.hash) == []


def test_edited_event() -> None:
    events = chain()
    events[1] = replace(events[1], data={"payload": {"n": 999}, "derived": {}, "deadlines": {}})
    findings = verify(events)
    assert kinds(findings) == [(2, "edited")]
    assert findings[0].case_ref == REF
    assert "位置 2" in findings[0].message


def test_edited_actor_of_the_last_event() -> None:
    events = chain()
    events[4] = replace(events[4], actor="zhang.head")
    assert kinds(verify(events)) == [(5, "edited")]


def test_deleted_middle_event() -> None:
    events = chain()
    del events[2]
    findings = verify(events)
    assert (3, "deleted") in kinds(findings)
    assert "缺少位置 3" in findings[0].message
    # The next event no longer links to its predecessor either.
    assert (4, "broken_link") in kinds(findings)


def test_deleted_run_of_events_names_the_range() -> None:
    events = chain()
    del events[1:4]
    findings = verify(events)
    assert kinds(findings)[0] == (2, "deleted")
    assert "2–4" in findings[0].message


def test_deleted_tail_shows_against_the_head() -> None:
    events = chain()[:3]
    findings = verify(events, head_seq=5)
    assert kinds(findings) == [(4, "deleted")]
    assert "末尾事件被删除" in findings[0].message


def test_all_events_deleted() -> None:
    assert kinds(verify([], head_seq=5)) == [(1, "deleted")]


def test_inserted_beyond_the_head() -> None:
    events = chain(6)
    findings = verify(events, head_seq=5, head_hash=events[4].hash)
    assert kinds(findings) == [(6, "inserted")]
    assert "超出案件记录的链头 5" in findings[0].message


def test_inserted_duplicate_position() -> None:
    events = chain()
    extra = forge(events[2], events[1].hash, action="forged")
    events.insert(3, extra)  # stored order: seq, then row id — the copy comes after
    findings = verify(events)
    assert kinds(findings) == [(3, "inserted")]
    assert "重复" in findings[0].message


def test_reordered_by_swapping_sequence_numbers() -> None:
    events = chain()
    second, third = events[1], events[2]
    events[1], events[2] = replace(third, seq=2), replace(second, seq=3)
    findings = verify(events)
    # Both moved events are named with where they came from; the event after them no
    # longer links to the one stored before it.
    assert kinds(findings) == [(2, "reordered"), (3, "reordered"), (4, "broken_link")]
    assert "原在位置 3" in findings[0].message
    assert "原在位置 2" in findings[1].message


def test_broken_link_after_a_consistently_forged_event() -> None:
    events = chain()
    events[2] = forge(events[2], events[1].hash, data={"payload": {"n": 0}})
    findings = verify(events)
    assert kinds(findings) == [(4, "broken_link")]
    assert "前序哈希" in findings[0].message


def test_forged_prev_hash() -> None:
    events = chain()
    events[3] = forge(events[3], "f" * 64)
    # Event 4 is self-consistent but does not link to event 3; event 5 does not link to it.
    assert kinds(verify(events)) == [(4, "broken_link"), (5, "broken_link")]


def test_whole_chain_rewritten_shows_only_against_the_head() -> None:
    events = chain()
    rewritten = events[:2]
    for event in events[2:]:
        rewritten.append(forge(event, rewritten[-1].hash, actor="someone.else"))
    assert all(b.prev_hash == a.hash for a, b in itertools.pairwise(rewritten))
    findings = verify(rewritten, head_seq=5, head_hash=events[4].hash)
    assert kinds(findings) == [(5, "head_mismatch")]
    assert "链头" in findings[0].message


def test_head_recorded_with_the_wrong_hash() -> None:
    assert kinds(verify(chain(), head_seq=5, head_hash="0" * 63 + "1")) == [(5, "head_mismatch")]


@pytest.mark.parametrize("position", [1, 3, 5])
def test_edit_anywhere_is_found_at_its_position(position: int) -> None:
    events = chain()
    events[position - 1] = replace(events[position - 1], state_after="closed")
    assert kinds(verify(events)) == [(position, "edited")]


def test_chains_of_two_cases_do_not_mix() -> None:
    mine, theirs = chain(3), chain(3, ref="示政办依申〔2025〕0008号")
    assert mine[0].hash != theirs[0].hash  # the reference is hashed
    moved = replace(theirs[0], case_ref=REF)  # an event copied over from another case
    findings = verify_chain(REF, [moved, *mine[1:]], 3, mine[2].hash)
    assert kinds(findings)[0] == (1, "edited")


def test_a_history_rewritten_with_fresh_hashes_still_shows_the_states_that_do_not_follow() -> None:
    """Each event starts from the state the previous one arrived at; a rewrite that keeps the
    hashes consistent (and the head with them) is still caught by the states."""
    events = chain()
    prev = events[1].hash
    for i in range(2, 5):
        changes = {"state_before": "replied"} if i == 2 else {}
        events[i] = forge(events[i], prev, **changes)
        prev = events[i].hash
    findings = verify(events, head_hash=events[-1].hash)
    assert kinds(findings) == [(3, "state_gap")]
    assert "registered" in findings[0].message and "replied" in findings[0].message


def test_the_first_event_starts_from_no_state() -> None:
    first = forge(chain(1)[0], GENESIS, state_before="handling")
    assert kinds(verify_chain(REF, [first], 1, first.hash)) == [(1, "state_gap")]


@settings(max_examples=300, deadline=None)
@given(
    text=st.text(),
    state_before=st.none() | st.text(),
    seq=st.integers(1, 10**6),
    data=st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(),
        lambda children: (
            st.lists(children, max_size=3)
            | st.dictionaries(st.text(max_size=5), children, max_size=3)
        ),
        max_leaves=10,
    ),
    moment=st.datetimes(timezones=st.just(UTC)),
)
def test_the_hashed_text_built_around_the_stored_data_is_the_canonical_content(
    text: str, state_before: str | None, seq: int, data: Any, moment: datetime
) -> None:
    """Verify hashes the stored text as it is: what ``content_text`` builds around it must be,
    byte for byte, ``canonical_json(event.content())`` (any text, any data)."""
    event = new_event(
        case_ref=text,
        seq=seq,
        occurred_at=moment,
        actor=text[::-1],
        actor_role="handler",
        action=text + "x",
        state_before=state_before,
        state_after=text,
        data={"payload": data},
        prev_hash=GENESIS,
    )
    assert event.data_text is not None
    assert content_text(event, event.data_text) == canonical_json(event.content())
    assert event.hash == chain_hash(event.content(), GENESIS)
    stored = replace(event, data=None)  # as verify reads it: the text, not decoded
    assert stored.hash_matches()
    respaced = replace(stored, data_text=" " + event.data_text)  # another JSON writer's text
    assert respaced.hash_matches()  # checked the long way: decoded, made canonical
    edited = replace(stored, data_text=json.dumps({"payload": [data, "edited"]}))
    assert not edited.hash_matches()


def test_an_event_read_as_text_decodes_to_the_same_event() -> None:
    """``decoded`` (what the fold reads in verify) keeps every field but the data, decoded."""
    event = new_event(
        case_ref="R1",
        seq=2,
        occurred_at=datetime(2025, 9, 22, 1, 2, 3, 4, tzinfo=UTC),
        actor="a",
        actor_role="handler",
        action="x",
        state_before="s",
        state_after="t",
        data={"payload": {"名": [1, None]}},
        prev_hash=GENESIS,
    )
    sealed = replace(event, key_id="k", mac="m")
    stored = replace(sealed, data=None)
    assert stored.decoded() == sealed
    assert stored.decoded().__dict__ == sealed.__dict__


def test_a_canonical_text_with_quote_colon_space_in_a_string_still_verifies() -> None:
    """Such text is checked the long way (it looks like ``json.dumps``'s), and holds."""
    event = new_event(
        case_ref="R1",
        seq=1,
        occurred_at=datetime(2025, 9, 22, tzinfo=UTC),
        actor="a",
        actor_role="handler",
        action="x",
        state_before=None,
        state_after="t",
        data={"payload": {"note": 'he said": yes'}},
        prev_hash=GENESIS,
    )
    assert event.data_text is not None and '": ' in event.data_text
    stored = replace(event, data=None)
    assert stored.hash_matches()
    assert not replace(stored, data_text=event.data_text.replace("yes", "no")).hash_matches()
