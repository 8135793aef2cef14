"""Verify hashes each event's data as its stored text (issue 17 item 6): what is stored is
the canonical text the hash covers, byte for byte, on SQLite and PostgreSQL; text written
another way (rows from before, or an intruder's) is still checked, by decoding it."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import JSON, bindparam, text

from govflow.workflow import integrity
from govflow.workflow.actors import SYSTEM
from govflow.workflow.events import canonical_json, content_text, hash_text


def _case(flow) -> str:
    flow.checking = False
    flow.at("2025-09-22 09:30")
    ref = flow.register(intake=flow.intake(description="“引号”与\u2028行分隔符、\\反斜杠"))
    flow.act(ref, "li.handler", "start_review")
    flow.act(ref, "li.handler", "accept")
    return ref


def _stored(flow, ref: str) -> list[Any]:
    """Each event as verify reads it: the data as stored text, not decoded."""
    with flow.svc.uow() as uow:
        return uow.repo.chain_batch(None, 10, ref)[0].events


def test_the_stored_text_is_the_hashed_text(flow) -> None:
    ref = _case(flow)
    events = _stored(flow, ref)
    assert len(events) == 4
    for event in events:
        assert event.data is None and event.data_text is not None
        assert event.data_text == canonical_json(json.loads(event.data_text))
        # The check verify makes first, with no JSON decoded or encoded again:
        assert hash_text(event.prev_hash, content_text(event, event.data_text)) == event.hash


def test_rows_written_as_json_dumps_writes_them_still_verify(flow) -> None:
    """Rows stored before the canonical column (``json.dumps``: spaces, \\u escapes) are
    not canonical: they are checked by decoding them, and found intact."""
    ref = _case(flow)
    with flow.engine.begin() as conn:
        rows = conn.execute(text("SELECT id, data FROM events")).all()
        for row_id, data in rows:
            value = json.loads(data) if isinstance(data, str) else data
            conn.execute(
                text("UPDATE events SET data = :data WHERE id = :id").bindparams(
                    bindparam("data", type_=JSON)
                ),
                {"data": value, "id": row_id},
            )
    old = _stored(flow, ref)
    assert all(e.data_text != canonical_json(json.loads(e.data_text)) for e in old)
    assert integrity.verify_all(flow.svc, SYSTEM) == (1, [])


def test_an_edit_of_the_stored_text_is_found(flow) -> None:
    """The text itself edited in place, still canonical, still valid JSON."""
    ref = _case(flow)
    with flow.engine.begin() as conn:
        data = conn.execute(text("SELECT CAST(data AS TEXT) FROM events WHERE seq = 1")).scalar()
        assert "行分隔符" in data
        conn.execute(
            text("UPDATE events SET data = :data WHERE seq = 1"),
            {"data": data.replace("行分隔符", "段分隔符")},
        )
    checked, findings = integrity.verify_all(flow.svc, SYSTEM)
    assert checked == 1
    assert [(f.case_ref, f.position, f.kind) for f in findings] == [(ref, 1, "edited")]


def test_stored_text_that_is_not_json_is_damaged_history(flow) -> None:
    if flow.engine.dialect.name == "postgresql":
        return  # PostgreSQL's json type refuses such text: nobody can store it there
    ref = _case(flow)
    with flow.engine.begin() as conn:
        conn.execute(text("UPDATE events SET data = '{\"payload\": ' WHERE seq = 2"))
    checked, findings = integrity.verify_all(flow.svc, SYSTEM)
    assert checked == 1
    assert (ref, 2, "edited") in [(f.case_ref, f.position, f.kind) for f in findings]
    assert (ref, 2, "damaged") in [(f.case_ref, f.position, f.kind) for f in findings]
