"""The open audit findings in a case's audit timeline as ``audit show`` writes it (issue 12):
the text warns under the heading as ``case show`` does; the CSV stays one table, each
finding in the 审计发现 column of its event's rows, and one on an event found missing on a
row of its own at that event's position."""

from __future__ import annotations

import csv
import io
from typing import Any

from govflow.presentation.timeline import CSV_HEADER, timeline_csv, timeline_text


def event(seq: int) -> dict[str, Any]:
    return {
        "seq": seq, "local_time": f"2025-09-2{seq} 10:00", "actor_name": "王登记",
        "role_label": "登记员", "action_label": "登记申请", "action": "receive",
        "state_before_label": "—", "state_after_label": "已登记", "reason": None,
        "details": "", "channel": None, "deadlines": [],
    }  # fmt: skip


def finding(position: int, kind: str, message: str) -> dict[str, Any]:
    return {
        "position": position, "kind": kind, "kind_label": kind, "message": message,
        "found_at": "2025-09-23T02:00:00+00:00", "table": None, "column": None,
    }  # fmt: skip


DATA: dict[str, Any] = {
    "ref": "示政办依申〔2025〕0001号",
    "case_type_label": "政府信息公开申请",
    "state_label": "已登记",
    "events": [event(1), event(3)],
    "open_findings": [
        finding(1, "edited", "哈希不符"),
        finding(2, "deleted", "缺少位置 2 的事件（被删除）"),
    ],
}


def rows(body: str) -> list[dict[str, str]]:
    assert body.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(body.lstrip("\ufeff"))))


def test_the_csv_puts_each_finding_on_its_events_row_and_a_missing_event_on_its_own() -> None:
    found = rows(timeline_csv(DATA))
    assert list(found[0]) == CSV_HEADER and CSV_HEADER[-1] == "审计发现"
    assert [r["序号"] for r in found] == ["1", "2", "3"]
    first, missing, last = found
    assert (
        first["审计发现"]
        == "事件内容被修改（第 1 个事件）：哈希不符；发现于 2025-09-23 10:00，尚未消除"
    )
    assert missing["审计发现"].startswith("事件被删除（第 2 个事件）：缺少位置 2 的事件")
    assert {k: v for k, v in missing.items() if k not in ("序号", "审计发现")} == dict.fromkeys(
        CSV_HEADER[1:-1], ""
    )
    assert (first["动作"], last["审计发现"]) == ("登记申请", "")


def test_a_clean_history_has_an_empty_column_and_no_warning() -> None:
    clean = {**DATA, "open_findings": []}
    assert all(r["审计发现"] == "" for r in rows(timeline_csv(clean)))
    assert "【审计发现】" not in timeline_text(clean)


def test_the_text_warns_under_the_heading() -> None:
    lines = timeline_text(DATA).splitlines()
    assert lines[2].startswith(
        "【审计发现】事件内容被修改（第 1 个事件）：哈希不符；发现于 2025-09-23 10:00"
    )
    assert lines[3].startswith("【审计发现】事件被删除（第 2 个事件）")
