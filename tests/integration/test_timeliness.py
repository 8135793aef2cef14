"""Timeliness report (SPEC R-2) for a scripted autumn driven through the services, on SQLite and
PostgreSQL: every figure is checked against the values worked out by hand below.

The 2025 calendar around National Day: Sunday 09-28 is a make-up working day, 10-01…10-08
are holidays, Saturday 10-11 is a make-up working day. Report instant: Monday 2025-11-03
10:00; period 2025-09-01…2025-10-31. County government office unless said otherwise.

Disclosure requests (reply limit: 20 working days after the start day):
- X  08-01, replied 08-29 on time                          → outside the period
- A  09-01, replied 09-15 on time (due 09-28); 李经办       → (09-01, 09-15]: 10 working days
- C  09-02, replied 10-09, due 09-29 → late; 李经办         → 20 to 09-29 + 09-30, 10-09: 22
- D  09-03, never replied, due 09-30 → overdue; unassigned
- J  09-01 at the education bureau, never replied, due 09-28 (Sunday, make-up day) → overdue;
     孙主任 (only with --include-children)
- E  09-10, withdrawn 09-12 → cancelled
- F  09-15, correction asked 09-16, corrected 09-22 (restart), replied 10-10 (due 10-24) →
     on time, (09-22, 10-10]: 09-23…26, 28, 29, 30, 10-09, 10-10 = 9
- B  09-26, consulted 10-09…10-15 (paused), replied 10-20; due 10-30 + 5 paused days = 11-06;
     赵经办 → on time, (09-26, 10-20] is 12 working days (09-28, 29, 30, 10-09, 10, 11, 13…17,
     20) less the 5 paused (10-10, 11, 13, 14, 15) = 7
- T  09-29, due 11-03 → 今日届满 at the report instant
- H2 10-09, due 11-05 → 1–3 left (11-04, 11-05)
- H3 10-13, due 11-10 → 4–10 left (11-04…07, 10: 5)
- T2 10-15, replied 11-03 09:30 on time → after the period: not counted
- G  10-20, correction asked 10-21 → reply limit paused
- H  10-27, due 11-24 → over 10 left (15)
- I  a letter received 10-30, receipt never confirmed → not started
- W  a letter received 10-30, withdrawn 10-31 before its receipt was confirmed → no limit:
     neither open nor counted

On time: A, B, F = 3; late: C; overdue: D; cancelled: E → 3 / 5 = 60 %.
Handling time (replies given in the period): A 10, B 7, C 22, F 9 → sorted 7, 9, 10, 22:
mean 48 / 4 = 12.0, median (9 + 10) / 2 = 9.5, 90th percentile rank ⌈0.9 × 4⌉ = 4 → 22.

Incidents (hours from detection):
- K detected 09-30 22:30, lead 县教育局, handler 李经办; raised to 重大 10-01 04:20 (response 48 h
  cancelled), statement 05:10 (due 03:30: late 1.7 h), press conference 10-01 15:00 (due 22:30:
  met); a supervision letter due 10-02 18:00 answered 20:00 (late 2.0 h; a fixed instant, not a
  milestone: in the accountability list and the breaches, not in the shares)
- L detected 10-10 09:00, statement 10-11 08:00 → response within 48 h
- M detected 10-20 10:00, 较大, no lead, nobody assigned, no response → response overdue since
  10-22 10:00 (288 h at the report instant)
- N detected 08-20 10:00, no response → overdue since 08-22: outside the period
- Q detected 10-25 09:00 at the education bureau, no response → overdue since 10-27 09:00
  (only with --include-children)
Shares (detected in the period: K, L, M): 5 h 0 / 1; 24 h 1 / 1; 48 h 1 / 2 (K cancelled).

Breaches dated by the day the limit ran out: C 09-29, D 09-30, K 10-01 and 10-02, M 10-22;
with the education bureau also J 09-28 and Q 10-27.
"""

from __future__ import annotations

import json
from datetime import date

import pytest

from govflow.presentation.timeliness import timeliness_csv, timeliness_json, timeliness_text
from govflow.workflow import services
from govflow.workflow.errors import InvalidInput
from govflow.workflow.reports.timeliness import Breach, GroupCount, MilestoneShare
from tests.principals import acting

CLERK, LI, ZHAO, HEAD = "wang.clerk", "li.handler", "zhao.handler", "zhang.head"


def build_timeliness(svc, agency: str, start: date, end: date, include_children: bool):
    """The report as the county's supervisor pulls it."""
    return services.timeliness_report(
        svc,
        services.identify(svc, "chen.supervisor"),
        agency=agency,
        start=start,
        end=end,
        include_children=include_children,
    )


EDU_CLERK, EDU_HEAD = "liu.clerk", "sun.head"
COUNTY = "示范县人民政府办公室"
LETTER = "督办函报告时限（市委网信办 市网督〔2025〕3号）"
D = date.fromisoformat


def reply(flow, ref: str, when: str) -> None:
    flow.at(when)
    flow.act(ref, LI, "draft_reply", outcome="disclosed", summary="予以公开")
    flow.act(ref, HEAD, "approve_reply")


def request(flow, when: str, handler: str | None = None, **kw) -> str:
    """Registered in person (receipt that day), reviewed and accepted the same day."""
    flow.at(when)
    ref = flow.register(**kw)
    if handler is not None:
        flow.act(ref, HEAD, "assign", assignee=handler)
    flow.act(ref, LI, "start_review")
    flow.act(ref, LI, "accept")
    return ref


def incident(
    flow, when: str, detected_at: str, who: str = CLERK, agency: str = "county", **fields
) -> str:
    flow.at(when)
    payload = {
        "title": f"舆情 {detected_at}",
        "summary": "网民集中反映",
        "platform": "微博",
        "detected_at": detected_at,
        "topic": "教育",
        **fields,
    }
    return services.open_case(
        flow.svc,
        case_type="incident",
        agency_code=agency,
        principal=acting(flow.svc, who),
        payload=payload,
    )


def script_autumn(flow) -> dict[str, str]:
    flow.checking = False  # projection and chains are checked once, at the end
    refs: dict[str, str] = {}
    refs["X"] = request(flow, "2025-08-01 09:00")
    reply(flow, refs["X"], "2025-08-29 16:00")
    refs["A"] = request(flow, "2025-09-01 09:00", LI)
    reply(flow, refs["A"], "2025-09-15 16:00")
    flow.at("2025-09-01 10:00")
    refs["J"] = flow.register(who=EDU_CLERK, agency="edu")
    flow.act(refs["J"], EDU_HEAD, "assign", assignee=EDU_HEAD)
    refs["C"] = request(flow, "2025-09-02 09:00", LI)
    reply(flow, refs["C"], "2025-10-09 16:00")
    refs["D"] = request(flow, "2025-09-03 09:00")

    flow.at("2025-09-10 09:00")
    refs["E"] = flow.register()
    flow.at("2025-09-12 09:00")
    flow.act(refs["E"], CLERK, "withdraw", reason="申请人撤回")

    flow.at("2025-09-15 09:00")
    refs["F"] = flow.register()
    flow.act(refs["F"], LI, "start_review")
    flow.at("2025-09-16 09:00")
    flow.act(refs["F"], LI, "request_correction", items="请写明所需信息的名称")
    flow.at("2025-09-22 09:00")
    flow.act(refs["F"], CLERK, "submit_correction")
    flow.act(refs["F"], LI, "accept")
    reply(flow, refs["F"], "2025-10-10 16:00")

    refs["B"] = request(flow, "2025-09-26 09:00", ZHAO)
    flow.at("2025-10-09 09:00")
    flow.act(
        refs["B"],
        LI,
        "start_consultation",
        party_kind="third_party",
        party_name="某公司",
        received_on=flow.today(),
    )
    flow.at("2025-10-15 09:00")
    flow.act(refs["B"], LI, "end_consultation", result="agreed")
    reply(flow, refs["B"], "2025-10-20 16:00")

    refs["T"] = request(flow, "2025-09-29 09:00")
    refs["H2"] = request(flow, "2025-10-09 09:00")
    refs["H3"] = request(flow, "2025-10-13 09:00")
    refs["T2"] = request(flow, "2025-10-15 09:00")
    reply(flow, refs["T2"], "2025-11-03 09:30")
    flow.at("2025-10-20 09:00")
    refs["G"] = flow.register()
    flow.act(refs["G"], LI, "start_review")
    flow.at("2025-10-21 09:00")
    flow.act(refs["G"], LI, "request_correction", items="请写明所需信息的名称")
    refs["H"] = request(flow, "2025-10-27 09:00")
    flow.at("2025-10-30 09:00")
    refs["I"] = flow.register(intake=flow.intake(channel="letter", received_on="2025-10-30"))
    refs["W"] = flow.register(intake=flow.intake(channel="letter", received_on="2025-10-30"))
    flow.at("2025-10-31 09:00")
    flow.act(refs["W"], CLERK, "withdraw", reason="申请人撤回")

    refs["N"] = incident(flow, "2025-08-20 10:05", "2025-08-20T10:00")
    refs["K"] = incident(flow, "2025-09-30 22:40", "2025-09-30T22:30", lead_department="县教育局")
    flow.act(refs["K"], HEAD, "assign", assignee=LI)
    flow.at("2025-09-30 23:00")
    flow.act(refs["K"], LI, "assess")
    flow.at("2025-09-30 23:30")
    flow.act(refs["K"], HEAD, "grade", grade="general")
    flow.at("2025-10-01 04:20")
    flow.act(refs["K"], HEAD, "regrade", grade="major", reason="转发激增")
    flow.at("2025-10-01 05:10")
    flow.act(refs["K"], LI, "publish_statement", channel="县政府网站", link="https://x.gov.cn/1")
    flow.at("2025-10-01 09:00")
    flow.act(
        refs["K"], CLERK, "receive_supervision_letter", number="市网督〔2025〕3号",
        sender="市委网信办", report_by="2025-10-02T18:00",
    )  # fmt: skip
    flow.at("2025-10-01 15:00")
    flow.act(refs["K"], LI, "hold_press_conference", venue="县政府新闻发布厅")
    flow.at("2025-10-02 20:00")
    flow.act(
        refs["K"], LI, "answer_supervision_letter", number="市网督〔2025〕3号", report="已处置"
    )
    refs["L"] = incident(flow, "2025-10-10 09:05", "2025-10-10T09:00", lead_department="县住建局")
    flow.at("2025-10-11 08:00")
    flow.act(refs["L"], LI, "publish_statement", channel="县政府网站", link="https://x.gov.cn/2")
    refs["M"] = incident(flow, "2025-10-20 10:05", "2025-10-20T10:00", grade="large")
    refs["Q"] = incident(flow, "2025-10-25 09:05", "2025-10-25T09:00", EDU_CLERK, "edu")

    flow.at("2025-11-03 10:00")
    for ref in refs.values():
        assert services.check_projection(flow.svc, ref) == []
    return refs


def test_scripted_autumn(flow) -> None:
    refs = script_autumn(flow)
    report = build_timeliness(flow.svc, "county", D("2025-09-01"), D("2025-10-31"), False)
    assert report.agency == COUNTY

    r = report.replies
    assert (r.on_time, r.late, r.overdue, r.cancelled, r.decided) == (3, 1, 1, 1, 5)
    assert r.rate == pytest.approx(0.6)

    h = report.handling
    assert h.days == (7, 9, 10, 22)
    assert (h.count, h.mean, h.median, h.p90) == (4, 12.0, 9.5, 22)

    assert {b.key: b.refs for b in report.open_requests} == {
        "overdue": (refs["D"],),
        "due_today": (refs["T"],),
        "1_3": (refs["H2"],),
        "4_10": (refs["H3"],),
        "over_10": (refs["H"],),
        "paused": (refs["G"],),
        "not_started": (refs["I"],),
    }

    assert report.breaches == [
        Breach(refs["C"], "disclosure_request", "答复期限", D("2025-09-29"), "late", COUNTY, "李经办"),
        Breach(refs["D"], "disclosure_request", "答复期限", D("2025-09-30"), "overdue", COUNTY, "未分配"),
        Breach(refs["K"], "incident", "发布权威信息时限", D("2025-10-01"), "late", "县教育局", "李经办"),
        Breach(refs["K"], "incident", LETTER, D("2025-10-02"), "late", "县教育局", "李经办"),
        Breach(refs["M"], "incident", "回应时限", D("2025-10-22"), "overdue", COUNTY, "未分配"),
    ]  # fmt: skip
    assert report.by_department == [GroupCount(COUNTY, 2, 1, 3), GroupCount("县教育局", 0, 2, 2)]
    assert report.by_handler == [GroupCount("李经办", 1, 2, 3), GroupCount("未分配", 1, 1, 2)]

    assert report.incidents_detected == 3
    assert report.milestones == [
        MilestoneShare("statement", "发布权威信息时限", 5, 0, 1, 0, 0, 0, 1, 0.0),
        MilestoneShare("press_conference", "召开新闻发布会时限", 24, 1, 0, 0, 0, 0, 1, 1.0),
        MilestoneShare("response", "回应时限", 48, 1, 0, 1, 0, 1, 2, 0.5),
    ]
    assert [(e.ref, e.deadline_key, e.kind, e.hours_late) for e in report.accountability] == [
        (refs["K"], "statement", "late", pytest.approx(1.7)),
        (refs["K"], "supervision_letter-1", "late", 2.0),
        (refs["M"], "response", "overdue", 288.0),
    ]

    # The renderings carry the same figures.
    text = timeliness_text(report)
    for line in (
        "按期答复率：60.0%（按期答复 3 件 ÷ 已有结果 5 件）",
        "　平均 12.0；中位数 9.5；第 90 百分位 22（最近秩法）",
        "　已超期：1 件",
        "　暂停计时（中止计算）：1 件",
        f"　　{COUNTY}：3 件（依申请公开 2，政务舆情 1）",
        "　回应时限（48 小时）：按时 1 起，超期完成 0 起，已超期，尚未完成 1 起，按时率 50.0%"
        "（另：计时中 0 起，调整级别后不再适用 1 起）",
    ):
        assert line in text.splitlines()
    data = json.loads(timeliness_json(report))
    assert data["replies"]["rate"] == pytest.approx(0.6)
    assert data["breaches"][0]["breached_on"] == "2025-09-29"
    assert data["accountability"][2]["due_at"] == "2025-10-22T02:00:00+00:00"
    csv_text = timeliness_csv(report).decode("utf-8-sig")
    assert "依申请公开按期答复,按期答复率,60.0%\r\n" in csv_text
    assert (
        f"{refs['M']},政务舆情,回应时限,2025-10-22,已超期，尚未完成,{COUNTY},未分配\r\n" in csv_text
    )

    # September alone: A on time, C late (due 09-29), D overdue (due 09-30), E withdrawn; only A
    # was replied in September; K was detected on 09-30 but its breach (10-01) is October's.
    september = build_timeliness(flow.svc, "county", D("2025-09-01"), D("2025-09-30"), False)
    r = september.replies
    assert (r.on_time, r.late, r.overdue, r.cancelled) == (1, 1, 1, 1)
    assert r.rate == pytest.approx(1 / 3)
    assert september.handling.days == (10,)
    assert [b.ref for b in september.breaches] == [refs["C"], refs["D"]]
    assert september.incidents_detected == 1
    assert [(m.key, m.within, m.late, m.cancelled) for m in september.milestones] == [
        ("statement", 0, 1, 0),
        ("press_conference", 1, 0, 0),
        ("response", 0, 0, 1),
    ]
    assert september.accountability == []
    # The same open requests whatever the period: a snapshot at the report instant.
    assert september.open_requests == report.open_requests

    # With the education bureau: J overdue since 09-28 → 3 / 6 on time; Q's response overdue.
    children = build_timeliness(flow.svc, "county", D("2025-09-01"), D("2025-10-31"), True)
    assert children.agency == f"{COUNTY}（含下级机关）"
    r = children.replies
    assert (r.on_time, r.late, r.overdue, r.cancelled) == (3, 1, 2, 1)
    assert r.rate == pytest.approx(0.5)
    assert children.open_requests[0].refs == (refs["J"], refs["D"])
    assert children.breaches[0] == Breach(
        refs["J"], "disclosure_request", "答复期限", D("2025-09-28"), "overdue", "示范县教育局", "孙主任"
    )  # fmt: skip
    assert children.breaches[-1] == Breach(
        refs["Q"], "incident", "回应时限", D("2025-10-27"), "overdue", "示范县教育局", "未分配"
    )
    assert children.by_department == [
        GroupCount(COUNTY, 2, 1, 3),
        GroupCount("县教育局", 0, 2, 2),
        GroupCount("示范县教育局", 1, 1, 2),
    ]
    assert children.by_handler == [
        GroupCount("未分配", 1, 2, 3),
        GroupCount("李经办", 1, 2, 3),
        GroupCount("孙主任", 1, 0, 1),
    ]
    assert children.incidents_detected == 4
    assert children.milestones[-1] == MilestoneShare(
        "response", "回应时限", 48, 1, 0, 2, 0, 1, 3, pytest.approx(1 / 3)
    )
    assert [e.ref for e in children.accountability] == [refs["K"], refs["K"], refs["M"], refs["Q"]]
    # The education bureau alone: its own request and incident, none of the county's.
    edu = build_timeliness(flow.svc, "edu", D("2025-09-01"), D("2025-10-31"), False)
    assert (edu.replies.overdue, edu.replies.decided, edu.incidents_detected) == (1, 1, 1)
    assert [b.ref for b in edu.breaches] == [refs["J"], refs["Q"]]


def test_a_period_outside_the_calendar_years_is_refused(flow) -> None:
    with pytest.raises(InvalidInput, match="统计起始日 from：0001-01-01 不在 2008–2100 年之内"):
        build_timeliness(flow.svc, "county", date(1, 1, 1), date(2025, 10, 31), False)
    with pytest.raises(InvalidInput, match="统计截止日 to：9999-12-31 不在 2008–2100 年之内"):
        build_timeliness(flow.svc, "county", date(2025, 9, 1), date(9999, 12, 31), False)
