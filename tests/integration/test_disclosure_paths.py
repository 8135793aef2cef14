"""Every path of a disclosure request through ``workflow.services``, on SQLite and PostgreSQL.

The fake clock walks through September–December 2025, across the National Day and
Mid-Autumn holiday (10-01…10-08 off; Sunday 09-28 and Saturday 10-11 are make-up
working days). Every expected due date below was counted by hand on that schedule;
the day of the event never counts (SPEC T-2). After every step the ``flow`` helper
checks that the stored deadline rows equal the rebuild from the events and that no
hash chain in the database is broken.

Working days used below (2025): 09-22 Mon … 09-26 Fri, 09-28 Sun (make-up), 09-29,
09-30, [10-01…10-08 holiday], 10-09, 10-10, 10-11 Sat (make-up), 10-13 …
"""

from __future__ import annotations

from datetime import date

import pytest

from govflow.workflow import services
from govflow.workflow.errors import ActionNotAllowed, InvalidInput, NotFound
from tests.principals import acting

CLERK, LI, ZHAO, HEAD, SUPERVISOR = (
    "wang.clerk",
    "li.handler",
    "zhao.handler",
    "zhang.head",
    "chen.supervisor",
)
EDU_CLERK, EDU_HEAD = "liu.clerk", "sun.head"
REF1 = "示政办依申〔2025〕0001号"


def open_refs(flow, agency: str | None = None) -> list[str]:
    """Open disclosure requests, least time left first, as the supervisor lists them."""
    wanted = services.CaseFilter(case_type="disclosure_request", agency=agency)
    reader = services.identify(flow.svc, "chen.supervisor")
    return [c.ref for c in services.list_cases(flow.svc, reader, wanted).cases]


def handling_case(flow, when: str = "2025-09-22 09:30", **intake) -> str:
    """A request handed in person at ``when`` (receipt that day), reviewed and accepted."""
    flow.at(when)
    ref = flow.register(intake=flow.intake(**intake) if intake else None)
    flow.act(ref, LI, "start_review")
    flow.act(ref, LI, "accept")
    assert flow.case(ref).state == "handling"
    return ref


# -- D-2, D-3: receipt and the 20-working-day limit -------------------------------------


def test_receipt_on_friday_before_national_day_is_due_thursday_10_30(flow) -> None:
    flow.at("2025-09-26 00:30")  # Friday in Beijing, still Thursday 09-25 in UTC
    ref = flow.register()
    assert ref == REF1
    case = flow.case(ref)
    assert case.state == "registered"
    assert case.facts.receipt_date == date(2025, 9, 26)
    assert [e.action for e in case.events] == ["receive", "confirm_receipt"]
    reply = flow.deadline(ref)
    assert (reply.start_date, reply.due_date, reply.status.value) == (
        date(2025, 9, 26),
        date(2025, 10, 30),
        "running",
    )
    assert reply.provisional is False
    assert reply.due_at.isoformat() == "2025-10-30T16:00:00+00:00"  # 24:00 Beijing
    # Art. 30: a correction notice must go out within 7 working days: 09-28 … 10-13.
    assert flow.due(ref, "correction_notice") == date(2025, 10, 13)


def test_request_by_post_waits_in_received_until_receipt_is_confirmed(flow) -> None:
    flow.at("2025-09-22 09:00")
    ref = flow.register(
        intake=flow.intake(channel="online", received_on="2025-09-21"),
    )
    case = flow.case(ref)
    assert (case.state, case.deadlines) == ("received", [])
    before = flow.footprint(ref)
    with pytest.raises(InvalidInput, match="早于申请送达日 2025-09-21"):
        flow.act(ref, CLERK, "confirm_receipt", receipt_date="2025-09-20")
    with pytest.raises(InvalidInput, match="2025-09-23 晚于今天 2025-09-22"):
        flow.act(ref, CLERK, "confirm_receipt", receipt_date="2025-09-23")
    assert flow.footprint(ref) == before
    flow.at("2025-09-23 09:00")
    flow.act(ref, CLERK, "confirm_receipt")  # receipt date defaults to today
    assert flow.case(ref).state == "registered"
    # 20 working days from Tue 09-23: 09-24 … 09-30 (6, incl. Sun 09-28), 10-09 … 10-27.
    assert flow.due(ref) == date(2025, 10, 27)


def test_on_the_spot_reply_is_registered_and_replied_the_same_day(flow) -> None:
    flow.at("2025-09-22 10:00")
    ref = flow.register(
        on_the_spot={
            "outcome": "disclosed",
            "summary": "已主动公开，告知网址",
            "where": "县政府网站",
        }
    )
    case = flow.case(ref)
    assert case.state == "replied"
    assert case.facts.outcome == "disclosed"
    assert case.facts.replied_on == date(2025, 9, 22)
    assert [e.action for e in case.events] == ["receive", "confirm_receipt", "reply_on_the_spot"]
    reply = flow.deadline(ref)
    # 09-23 … 09-30 is 7 working days (with Sun 09-28); 10-09 … 10-24 the other 13.
    assert (reply.due_date, reply.status.value, reply.met_on) == (
        date(2025, 10, 24),
        "met",
        date(2025, 9, 22),
    )
    assert flow.status(ref, "correction_notice") == "cancelled"
    assert ref not in open_refs(flow)  # replied: off the list of cases awaiting a reply
    flow.act(ref, CLERK, "archive")
    assert flow.case(ref).state == "archived"


def test_on_the_spot_reply_refused_unless_received_today_and_nothing_is_written(flow) -> None:
    flow.at("2025-09-22 10:00")
    before = flow.footprint()
    with pytest.raises(ActionNotAllowed, match="当场答复只能在收到申请的当天"):
        flow.register(
            intake=flow.intake(channel="registered_post", received_on="2025-09-19"),
            receipt_date=date(2025, 9, 19),
            on_the_spot={"outcome": "disclosed", "summary": "已公开", "where": "县政府网站"},
        )
    with pytest.raises(InvalidInput, match="未知答复类型 'published'"):
        flow.register(on_the_spot={"outcome": "published", "summary": "已公开"})
    assert flow.footprint() == before
    # The refused registrations did not use up a reference number.
    assert flow.register() == REF1


# -- D-4: correction --------------------------------------------------------------------


def test_correction_restarts_the_reply_limit_from_the_corrected_day(flow) -> None:
    flow.at("2025-09-26 10:00")
    ref = flow.register()
    assert flow.due(ref) == date(2025, 10, 30)
    flow.at("2025-09-29 09:00")
    flow.act(ref, LI, "start_review")
    flow.act(ref, LI, "request_correction", items="请写明文件名称或文号", period_days=10)
    case = flow.case(ref)
    assert case.state == "awaiting_correction"
    assert flow.status(ref, "correction_notice") == "met"
    reply = flow.deadline(ref)
    assert (reply.status.value, reply.due_date) == ("paused", None)
    # 10 working days from Mon 09-29: 09-30, 10-09, 10-10, 10-11 (Sat), 10-13 … 10-17, 10-20.
    assert flow.due(ref, "correction_period") == date(2025, 10, 20)
    assert ref in open_refs(flow)

    flow.at("2025-10-10 16:00")
    flow.act(ref, CLERK, "submit_correction")
    case = flow.case(ref)
    assert case.state == "reviewing"
    reply = flow.deadline(ref)
    # Restart from Fri 10-10: 10-11 (Sat, make-up) … 10-31 is 16, then 11-03 … 11-06.
    assert (reply.start_date, reply.due_date, reply.status.value) == (
        date(2025, 10, 10),
        date(2025, 11, 6),
        "running",
    )
    assert (reply.restarts, reply.pauses) == (1, [])
    assert flow.status(ref, "correction_period") == "met"

    before = flow.footprint(ref)
    with pytest.raises(ActionNotAllowed, match=r"补正通知只能一次性发出.*2025-09-29"):
        flow.act(ref, LI, "request_correction", items="再补一份材料")
    assert flow.footprint(ref) == before

    flow.act(ref, LI, "accept")
    flow.act(ref, LI, "draft_reply", outcome="unavailable.not_held", summary="本机关不掌握")
    flow.act(ref, HEAD, "approve_reply")
    assert flow.status(ref) == "met"
    assert flow.case(ref).facts.outcome == "unavailable.not_held"


def test_correction_notice_refused_after_seven_working_days(flow) -> None:
    flow.at("2025-09-26 10:00")
    ref = flow.register()
    flow.act(ref, LI, "start_review")
    flow.at("2025-10-14 09:00")  # the notice period ended 10-13 24:00
    before = flow.footprint(ref)
    with pytest.raises(ActionNotAllowed, match=r"7 个工作日内.*2025-10-13"):
        flow.act(ref, LI, "request_correction", items="请写明文号")
    assert flow.footprint(ref) == before


def test_correction_expiry_closes_the_request_as_no_correction(flow) -> None:
    flow.at("2025-09-22 09:00")
    ref = flow.register()
    late = flow.register(intake=flow.intake(applicant=flow.person("李四", "610926199202020202")))
    flow.at("2025-09-23 09:00")
    for r in (ref, late):
        flow.act(r, LI, "start_review")
        flow.act(r, LI, "request_correction", items="请写明项目名称")  # default 15 days
    # 15 working days from Tue 09-23: 09-24 … 09-30 (6), 10-09 … 10-20 (9).
    assert flow.due(ref, "correction_period") == date(2025, 10, 20)

    flow.at("2025-10-20 23:30")
    before = flow.footprint(ref)
    with pytest.raises(ActionNotAllowed, match=r"补正期限尚未届满（至 2025-10-20 24:00）"):
        flow.act(ref, "system", "correction_expired")
    with pytest.raises(ActionNotAllowed, match=r"公开办负责人无权执行.*可执行的角色：系统"):
        flow.act(ref, HEAD, "correction_expired")
    assert flow.footprint(ref) == before

    flow.at("2025-10-21 00:05")  # Beijing midnight has passed (UTC is still 10-20)
    event = flow.act(ref, "system", "correction_expired")
    assert (event.actor, event.actor_role, event.state_after) == ("system", "system", "closed")
    case = flow.case(ref)
    assert (case.state, case.facts.outcome, case.facts.closed_on) == (
        "closed",
        "other.no_correction",
        date(2025, 10, 21),
    )
    assert flow.status(ref, "correction_period") == "breached"
    assert flow.status(ref) == "cancelled"
    assert ref not in open_refs(flow)
    with pytest.raises(ActionNotAllowed, match="已终结"):
        flow.act(ref, CLERK, "submit_correction")

    # The other applicant corrects one day late: refused without, accepted with a good reason.
    before = flow.footprint(late)
    with pytest.raises(ActionNotAllowed, match=r"2025-10-20 届满.*good_reason"):
        flow.act(late, CLERK, "submit_correction")
    assert flow.footprint(late) == before
    flow.act(late, CLERK, "submit_correction", good_reason="申请人住院，提供了证明")
    assert (flow.case(late).state, flow.deadline(late).start_date) == (
        "reviewing",
        date(2025, 10, 21),
    )


# -- D-5: consultation --------------------------------------------------------------------


def test_overlapping_consultations_pause_the_clock_until_the_last_ends(flow) -> None:
    ref = handling_case(flow, "2025-09-22 09:30")
    assert flow.due(ref) == date(2025, 10, 24)

    flow.at("2025-09-24 10:00")
    flow.act(
        ref,
        LI,
        "start_consultation",
        party_kind="third_party",
        party_name="某建材有限公司",
        received_on=flow.today(),
    )
    flow.at("2025-09-26 10:00")
    flow.act(
        ref,
        LI,
        "start_consultation",
        party_kind="agency",
        party_name="县自然资源局",
        received_on=flow.today(),
    )
    case = flow.case(ref)
    assert case.state == "consulting"
    reply = flow.deadline(ref)
    assert (reply.status.value, reply.due_date) == ("paused", None)
    assert [(p.start, p.end) for p in reply.pauses] == [(date(2025, 9, 24), None)]
    # Each consultation has its own 15 working days:
    # from 09-24: 09-25, 09-26, 09-28, 09-29, 09-30, 10-09 … 10-21 (10 more, incl. Sat 10-11);
    # from 09-26: 09-28, 09-29, 09-30, 10-09 … 10-23.
    assert flow.due(ref, "consultation-1") == date(2025, 10, 21)
    assert flow.due(ref, "consultation-2") == date(2025, 10, 23)

    flow.at("2025-10-13 10:00")
    before = flow.footprint(ref)
    with pytest.raises(InvalidInput, match=r"有多项征求意见在进行中（\[1, 2\]）"):
        flow.act(ref, LI, "end_consultation", result="agreed")
    with pytest.raises(InvalidInput, match="第 3 项征求意见不存在或已结束"):
        flow.act(ref, LI, "end_consultation", consultation=3, result="agreed")
    assert flow.footprint(ref) == before

    flow.act(ref, LI, "end_consultation", consultation=1, result="agreed")
    assert flow.case(ref).state == "consulting"
    assert flow.status(ref, "consultation-1") == "met"
    assert flow.status(ref) == "paused"  # the second consultation still runs

    flow.at("2025-10-23 17:00")
    before = flow.footprint(ref)
    with pytest.raises(ActionNotAllowed, match="征求意见期限至 2025-10-23 才届满"):
        flow.act(ref, LI, "end_consultation", consultation=2, result="no_reply")
    with pytest.raises(InvalidInput, match="第 1 项征求意见不存在或已结束"):
        flow.act(ref, LI, "end_consultation", consultation=1, result="agreed")
    assert flow.footprint(ref) == before

    flow.at("2025-10-24 09:00")
    flow.act(ref, LI, "end_consultation", consultation=2, result="no_reply")
    assert flow.case(ref).state == "handling"
    reply = flow.deadline(ref)
    assert [(p.start, p.end) for p in reply.pauses] == [(date(2025, 9, 24), date(2025, 10, 24))]
    # 09-23 and 09-24 were used before the pause; 18 more from Mon 10-27: 10-27 … 11-19.
    assert (reply.due_date, reply.status.value) == (date(2025, 11, 19), "running")
    # Silence ends the consultation; it is not a breach by the office.
    assert flow.status(ref, "consultation-2") == "cancelled"


# -- D-6: fees --------------------------------------------------------------------------


def test_fee_notice_proposes_the_per_volume_band_amount(flow) -> None:
    # Pages 1–30 free, 31–100 at 10, 101–200 at 20, from 201 at 40 yuan a page.
    # (30 pages cost nothing: no notice, refused; tests/unit/test_disclosure_machine.py)
    bands = [(31, 10), (100, 700), (150, 700 + 50 * 20), (250, 700 + 2000 + 50 * 40)]
    for i, (pages, fee) in enumerate(bands):
        applicant = flow.person(f"申请人{i}", f"61092619900101{i:04d}")
        ref = handling_case(flow, applicant=applicant)
        event = flow.act(
            ref,
            HEAD,
            "send_fee_notice",
            basis="per_volume",
            pages=pages,
            reason="申请数量明显超出合理范围",
        )
        derived = event.data["derived"]
        assert derived["proposal"] == {
            "ordinal_in_month": 1,
            "per_request": 0,
            "per_volume": fee,
        }, pages
        assert derived["amount"] == fee
        assert flow.case(ref).facts.fee["amount"] == fee


def test_fee_per_request_is_proposed_from_the_applicants_month(flow) -> None:
    flow.checking = False  # eleven registrations; the checks run once at the end
    refs = []
    for i in range(11):
        flow.at(f"2025-09-{22 + i // 3}T{9 + i % 3:02d}:00")
        refs.append(flow.register(intake=flow.intake(description=f"第{i + 1}份文件的目录")))
    # Someone else, and the same applicant next month, start again at the first request.
    other = flow.register(intake=flow.intake(applicant=flow.person("李四", "610926199202020202")))
    flow.at("2025-10-09 09:00")
    october = flow.register()
    flow.checking = True
    for ref in [*refs, other, october]:
        flow.consistent(ref)

    def history(ref: str):
        with flow.svc.uow() as uow:
            case = services.load_case(flow.svc, uow, ref)
            return case.workflow.history(case, uow)

    assert [history(r).ordinal_in_month for r in refs] == list(range(1, 12))
    assert (history(other).ordinal_in_month, history(october).ordinal_in_month) == (1, 1)
    seen = services.case_detail(flow.svc, services.identify(flow.svc, CLERK), refs[10])
    assert seen.data["applicant_history"]["this_month"] == 11
    assert seen.data["applicant_history"]["this_year"] == 12

    tenth, eleventh = refs[9], refs[10]
    for ref in (tenth, eleventh):
        flow.act(ref, LI, "start_review")
        flow.act(ref, LI, "accept")
    # The tenth of the month is free: a notice of 0 yuan is refused, nothing written.
    before = flow.footprint(tenth)
    with pytest.raises(ActionNotAllowed, match="信息处理费为 0 元"):
        flow.act(tenth, HEAD, "send_fee_notice", basis="per_request", reason="本月申请次数过多")
    assert flow.footprint(tenth) == before
    flow.act(eleventh, HEAD, "send_fee_notice", basis="per_request", reason="本月申请次数过多")
    derived = flow.case(eleventh).events[-1].data["derived"]
    assert (derived["proposal"]["per_request"], derived["amount"]) == (100, 100)
    assert flow.case(eleventh).facts.fee["amount"] == 100

    # The office head may confirm a different amount; the proposal stays on record.
    ref = handling_case(flow, "2025-10-09 10:00")
    event = flow.act(
        ref, HEAD, "send_fee_notice", basis="per_request", amount=50, reason="酌情减收"
    )
    assert (event.data["derived"]["amount"], event.data["derived"]["proposal"]["per_request"]) == (
        50,
        0,
    )


def test_payment_resumes_the_reply_clock(flow) -> None:
    ref = handling_case(flow)
    flow.at("2025-09-25 11:00")
    before = flow.footprint(ref)
    with pytest.raises(ActionNotAllowed, match="经办人无权执行“发出收费通知”"):
        flow.act(ref, LI, "send_fee_notice", basis="per_request", reason="次数过多")
    with pytest.raises(InvalidInput, match="pages"):
        flow.act(ref, HEAD, "send_fee_notice", basis="per_volume", reason="页数多")
    assert flow.footprint(ref) == before

    flow.act(
        ref,
        HEAD,
        "send_fee_notice",
        basis="per_volume",
        pages=150,
        reason="页数多",
        notice_received_on=flow.today(),
    )
    assert flow.case(ref).state == "awaiting_fee"
    assert flow.status(ref) == "paused"
    # 20 working days from Thu 09-25: 09-26 … 09-30 (4), 10-09 … 10-29 (16).
    assert flow.due(ref, "fee_payment") == date(2025, 10, 29)

    flow.at("2025-10-15 10:00")
    flow.act(ref, CLERK, "record_payment")
    assert flow.case(ref).state == "handling"
    assert flow.status(ref, "fee_payment") == "met"
    reply = flow.deadline(ref)
    # 09-23, 09-24, 09-25 were used; 17 more from Thu 10-16: 10-16 … 11-07.
    assert (reply.due_date, reply.status.value) == (date(2025, 11, 7), "running")
    assert [(p.start, p.end) for p in reply.pauses] == [(date(2025, 9, 25), date(2025, 10, 15))]

    before = flow.footprint(ref)
    with pytest.raises(ActionNotAllowed, match="已发出过收费通知"):
        flow.act(ref, HEAD, "send_fee_notice", basis="per_request", reason="再次收费")
    assert flow.footprint(ref) == before


def test_unpaid_fee_expires_and_closes_the_request_as_no_fee(flow) -> None:
    ref = handling_case(flow)
    flow.at("2025-09-25 11:00")
    flow.act(
        ref,
        HEAD,
        "send_fee_notice",
        basis="per_request",
        amount=100,
        reason="次数过多",
        notice_received_on=flow.today(),
    )

    flow.at("2025-10-29 18:00")
    before = flow.footprint(ref)
    with pytest.raises(ActionNotAllowed, match=r"缴费期限尚未届满（至 2025-10-29 24:00）"):
        flow.act(ref, "system", "fee_expired")
    assert flow.footprint(ref) == before

    flow.at("2025-10-30 09:00")
    with pytest.raises(ActionNotAllowed, match="缴费期限已于 2025-10-29 届满"):
        flow.act(ref, CLERK, "record_payment")
    assert flow.footprint(ref) == before
    flow.act(ref, "system", "fee_expired")
    case = flow.case(ref)
    assert (case.state, case.facts.outcome) == ("closed", "other.no_fee")
    assert flow.status(ref, "fee_payment") == "breached"
    assert flow.status(ref) == "cancelled"
    assert ref not in open_refs(flow)


# -- D-3 extension, D-7 later reply date ---------------------------------------------------


def test_extension_once_only_by_office_head_before_the_limit(flow) -> None:
    flow.at("2025-09-26 10:00")
    ref = flow.register()
    on_last_day = flow.register(
        intake=flow.intake(applicant=flow.person("李四", "610926199202020202"))
    )
    too_late = flow.register(
        intake=flow.intake(applicant=flow.person("王五", "610926199303030303"))
    )
    flow.at("2025-10-20 09:30")
    before = flow.footprint(ref)
    with pytest.raises(ActionNotAllowed, match="经办人无权执行“延长答复期限”"):
        flow.act(ref, LI, "extend", days=10, reason="材料多")
    with pytest.raises(InvalidInput, match="最长不得超过 20 个工作日"):
        flow.act(ref, HEAD, "extend", days=21, reason="材料多")
    with pytest.raises(InvalidInput, match="reason"):
        flow.act(ref, HEAD, "extend", days=10)
    assert flow.footprint(ref) == before

    flow.act(ref, HEAD, "extend", days=20, reason="所需信息跨度五年，需调档整理")
    reply = flow.deadline(ref)
    # 40 working days from 09-26: the 20th is 10-30, then 10-31 … 11-27.
    assert (reply.extension_days, reply.due_date) == (20, date(2025, 11, 27))
    before = flow.footprint(ref)
    with pytest.raises(ActionNotAllowed, match="只能延长一次，已延长 20 个工作日"):
        flow.act(ref, HEAD, "extend", days=1, reason="再延一天")
    assert flow.footprint(ref) == before

    flow.at("2025-10-30 23:00")  # still within the limit (ends 10-30 24:00)
    flow.act(on_last_day, HEAD, "extend", days=5, reason="需征求相关科室意见")
    assert flow.due(on_last_day) == date(2025, 11, 6)

    flow.at("2025-10-31 08:30")
    before = flow.footprint(too_late)
    with pytest.raises(ActionNotAllowed, match="答复期限已于 2025-10-30 届满"):
        flow.act(too_late, HEAD, "extend", days=5, reason="来不及了")
    assert flow.footprint(too_late) == before


def test_set_reply_date_must_be_later_than_the_statutory_date(flow) -> None:
    flow.at("2025-09-26 10:00")
    ref = flow.register()
    flow.act(ref, LI, "start_review")
    flow.act(ref, LI, "accept")
    flow.at("2025-10-09 10:00")
    flow.act(ref, HEAD, "extend", days=10, reason="数量较大")
    assert flow.due(ref) == date(2025, 11, 13)  # 10-30 + 10 working days

    before = flow.footprint(ref)
    with pytest.raises(InvalidInput, match="须晚于法定期限 2025-11-13"):
        flow.act(ref, HEAD, "set_reply_date", due_date="2025-11-13", reason="申请数量巨大")
    with pytest.raises(InvalidInput, match="须晚于今天"):
        flow.act(ref, HEAD, "set_reply_date", due_date="2025-10-09", reason="申请数量巨大")
    with pytest.raises(ActionNotAllowed, match="经办人无权执行"):
        flow.act(ref, LI, "set_reply_date", due_date="2025-12-31", reason="申请数量巨大")
    with pytest.raises(InvalidInput, match="due_date"):
        flow.act(ref, HEAD, "set_reply_date", due_date="2025-11-31", reason="申请数量巨大")
    assert flow.footprint(ref) == before

    flow.act(ref, HEAD, "set_reply_date", due_date="2025-11-14", reason="一次申请三千余份文件")
    reply = flow.deadline(ref)
    assert (reply.due_date, reply.override_due, reply.status.value) == (
        date(2025, 11, 14),
        date(2025, 11, 14),
        "running",
    )
    assert any(
        "第三十五条" in line and "一次申请三千余份文件" in line for line in reply.explanation
    )


# -- D-9: reply review, not_processed, withdraw, after the reply -----------------------------


def test_draft_rejected_then_approved_archived_and_challenged(flow) -> None:
    ref = handling_case(flow)
    flow.act(ref, HEAD, "assign", assignee=ZHAO)
    assert flow.case(ref).assignee == ZHAO

    flow.at("2025-10-13 10:00")
    flow.act(ref, ZHAO, "draft_reply", outcome="withheld.third_party", summary="不予公开")
    assert flow.case(ref).state == "reply_review"
    before = flow.footprint(ref)
    with pytest.raises(ActionNotAllowed, match="经办人无权执行“审批并答复”"):
        flow.act(ref, ZHAO, "approve_reply")
    with pytest.raises(InvalidInput, match="reason"):
        flow.act(ref, HEAD, "reject_reply")
    assert flow.footprint(ref) == before

    flow.act(ref, HEAD, "reject_reply", reason="应区分处理，可公开部分应予公开")
    case = flow.case(ref)
    assert (case.state, case.facts.rejected_reason, case.facts.draft_outcome) == (
        "handling",
        "应区分处理，可公开部分应予公开",
        None,
    )
    flow.act(ref, ZHAO, "draft_reply", outcome="partially_disclosed", summary="区分处理后公开")
    # The office head reads the draft's text where the approval is given, not only its type.
    seen = services.case_detail(flow.svc, services.identify(flow.svc, HEAD), ref)
    assert {f.label: f.value for f in seen.fields}["答复稿内容"] == "区分处理后公开"
    flow.at("2025-10-20 15:00")
    flow.act(ref, HEAD, "approve_reply")
    case = flow.case(ref)
    assert (case.state, case.facts.outcome, case.facts.replied_on) == (
        "replied",
        "partially_disclosed",
        date(2025, 10, 20),
    )
    reply = flow.deadline(ref)
    assert (reply.due_date, reply.met_on, reply.status.value) == (
        date(2025, 10, 24),
        date(2025, 10, 20),
        "met",
    )

    before = flow.footprint(ref)
    with pytest.raises(ActionNotAllowed, match="“申请人撤回”不能在“已答复”状态下执行"):
        flow.act(ref, CLERK, "withdraw", reason="不需要了")
    assert flow.footprint(ref) == before
    flow.act(ref, CLERK, "archive")
    assert flow.case(ref).state == "archived"
    assert ref not in open_refs(flow)

    flow.at("2025-12-20 10:00")
    flow.act(
        ref,
        CLERK,
        "record_reconsideration",
        number="示府复〔2025〕12号",
        result="pending",
        filed_on="2025-11-20",
    )
    flow.act(
        ref,
        CLERK,
        "record_reconsideration",
        number="示府复〔2025〕12号",
        result="upheld",
        filed_on="2025-11-20",
        decided_on="2025-12-19",
    )
    flow.act(
        ref,
        CLERK,
        "record_litigation",
        number="(2025)示行初45号",
        route="direct",
        result="pending",
        filed_on="2025-12-01",
    )
    case = flow.case(ref)
    assert case.state == "archived"
    assert {n: c["result"] for n, c in case.facts.challenges.items()} == {
        "示府复〔2025〕12号": "upheld",
        "(2025)示行初45号": "pending",
    }
    before = flow.footprint(ref)
    with pytest.raises(InvalidInput, match="已审结的须填写审结日 decided_on"):
        flow.act(
            ref,
            CLERK,
            "record_litigation",
            number="x1",
            route="direct",
            result="upheld",
            filed_on="2025-12-01",
        )
    # A lawsuit names its route (table 四 counts them apart): none is assumed.
    with pytest.raises(InvalidInput, match="复议或诉讼 route：必填"):
        flow.act(
            ref,
            CLERK,
            "record_litigation",
            number="x0",
            result="pending",
            filed_on="2025-12-01",
        )
    with pytest.raises(
        InvalidInput, match="复议或诉讼 route：应为以下之一：reconsideration（行政复议）"
    ):
        flow.act(
            ref,
            CLERK,
            "record_reconsideration",
            number="x2",
            route="direct",
            result="pending",
            filed_on="2025-12-01",
        )
    with pytest.raises(InvalidInput, match="2025-12-25 晚于今天 2025-12-20"):
        flow.act(
            ref,
            CLERK,
            "record_reconsideration",
            number="x3",
            result="corrected",
            filed_on="2025-11-20",
            decided_on="2025-12-25",
        )
    assert flow.footprint(ref) == before


def test_review_goes_straight_to_a_not_processed_reply(flow) -> None:
    flow.at("2025-09-22 09:30")
    ref = flow.register()
    flow.act(ref, LI, "start_review")
    before = flow.footprint(ref)
    with pytest.raises(ActionNotAllowed, match="审核阶段只能直接答复“不予处理”类"):
        flow.act(ref, LI, "draft_reply", outcome="disclosed", summary="予以公开")
    challenge = {"number": "示府复〔2025〕3号", "result": "pending", "filed_on": "2025-09-22"}
    with pytest.raises(ActionNotAllowed, match="“登记行政复议”不能在“审核中”状态下执行"):
        flow.act(ref, CLERK, "record_reconsideration", **challenge)
    assert flow.footprint(ref) == before

    flow.act(ref, LI, "draft_reply", outcome="not_processed.petition", summary="属信访事项")
    assert flow.case(ref).state == "reply_review"
    assert flow.status(ref, "correction_notice") == "cancelled"
    flow.at("2025-09-24 10:00")
    flow.act(ref, HEAD, "approve_reply")
    case = flow.case(ref)
    assert (case.state, case.facts.outcome) == ("replied", "not_processed.petition")
    assert flow.status(ref) == "met"
    # Reconsideration is recorded against the replied case, before it is archived.
    flow.act(ref, CLERK, "record_reconsideration", **{**challenge, "filed_on": "2025-09-24"})
    case = flow.case(ref)
    assert (case.state, case.facts.challenges["示府复〔2025〕3号"]["result"]) == (
        "replied",
        "pending",
    )


def test_withdraw_while_consulting_closes_and_cancels_every_deadline(flow) -> None:
    ref = handling_case(flow)
    flow.at("2025-09-24 10:00")
    flow.act(
        ref,
        LI,
        "start_consultation",
        party_kind="third_party",
        party_name="某公司",
        received_on=flow.today(),
    )
    flow.at("2025-09-25 10:00")
    flow.act(ref, CLERK, "withdraw", reason="申请人电话撤回")
    case = flow.case(ref)
    assert (case.state, case.facts.outcome, case.facts.closed_on) == (
        "closed",
        "other.misc",
        date(2025, 9, 25),
    )
    assert {d.key: d.status.value for d in case.deadlines} == {
        "reply": "cancelled",
        "correction_notice": "cancelled",
        "consultation-1": "cancelled",
    }
    assert ref not in open_refs(flow)
    before = flow.footprint(ref)
    with pytest.raises(ActionNotAllowed, match="“申请人撤回”不能在“已终结”状态下执行"):
        flow.act(ref, CLERK, "withdraw", reason="再次撤回")
    assert flow.footprint(ref) == before


def test_withdraw_before_receipt_is_confirmed(flow) -> None:
    flow.at("2025-09-22 09:00")
    ref = flow.register(intake=flow.intake(channel="letter", received_on="2025-09-19"))
    assert flow.case(ref).state == "received"
    flow.act(ref, CLERK, "withdraw", reason="申请人来信撤回")
    case = flow.case(ref)
    assert (case.state, case.facts.outcome, case.deadlines) == ("closed", "other.misc", [])


def test_open_cases_lists_least_time_left_first(flow) -> None:
    flow.at("2025-09-26 10:00")
    later = flow.register()  # due 10-30
    flow.at("2025-09-22 10:00")
    sooner = flow.register(intake=flow.intake(description="另一份文件"))  # due 10-24
    flow.at("2025-09-23 10:00")
    paused = handling_case(flow, "2025-09-23 10:00", description="第三份文件")
    flow.act(
        paused,
        LI,
        "start_consultation",
        party_kind="agency",
        party_name="县财政局",
        received_on=flow.today(),
    )
    edu = flow.register(EDU_CLERK, "edu", intake=flow.intake(description="学校名单"))
    assert open_refs(flow) == [sooner, edu, later, paused]  # due 10-24, 10-27, 10-30, paused
    assert open_refs(flow, "edu") == [edu]
    assert edu == "示教依申〔2025〕0001号"


# -- X-: bad input is refused with a message naming the problem; nothing is written ---------

BAD_ACTIONS = [
    ("unknown outcome", LI, "draft_reply", {"outcome": "secret", "summary": "x"},
     InvalidInput, "未知答复类型 'secret'"),
    ("system-only outcome", LI, "draft_reply", {"outcome": "other.no_fee", "summary": "x"},
     InvalidInput, "other.no_fee（（六）其他处理 / 2.申请人逾期未按收费通知"),
    ("missing field", LI, "draft_reply", {"outcome": "disclosed"},
     InvalidInput, "summary"),
    ("blank text", LI, "draft_reply", {"outcome": "disclosed", "summary": "  "},
     InvalidInput, "summary"),
    ("unknown field", HEAD, "extend", {"days": 5, "reason": "x", "approved_by": "me"},
     InvalidInput, "approved_by"),
    ("not a number", HEAD, "extend", {"days": "five", "reason": "x"},
     InvalidInput, "days"),
    ("future date", HEAD, "extend", {"days": 5, "reason": "x", "notified_on": "2025-09-25"},
     InvalidInput, "notified_on 2025-09-25 晚于今天 2025-09-24"),
    ("impossible date", HEAD, "extend", {"days": 5, "reason": "x", "notified_on": "2025-02-30"},
     InvalidInput, "notified_on"),
    ("unknown party kind", LI, "start_consultation",
     {"party_kind": "neighbour", "party_name": "邻居"}, InvalidInput, "party_kind"),
    ("wrong state", CLERK, "archive", {},
     ActionNotAllowed, "“归档”不能在“办理中”状态下执行"),
    ("wrong state (no consultation)", LI, "end_consultation", {"result": "agreed"},
     ActionNotAllowed, "“征求意见结束”不能在“办理中”状态下执行"),
    ("wrong role", LI, "extend", {"days": 5, "reason": "x"},
     ActionNotAllowed, "经办人无权执行“延长答复期限”（可执行的角色：公开办负责人）"),
    ("supervisor writes nothing", SUPERVISOR, "start_consultation",
     {"party_kind": "agency", "party_name": "县财政局"},
     ActionNotAllowed, "督查无权执行"),
    ("system is not a person", "system", "extend", {"days": 5, "reason": "x"},
     ActionNotAllowed, "系统无权执行"),
    # Outside the reader's scope an action is told what a reading is: no such case.
    ("user of another agency", EDU_HEAD, "extend", {"days": 5, "reason": "x"},
     NotFound, "或您无权查看"),
    # Whom an action names is its input: refused beside the field (a form shows it there).
    ("assignee of another agency", HEAD, "assign", {"assignee": EDU_HEAD},
     InvalidInput, "孙主任 不是本机关的经办人或负责人"),
    ("missing assignee", HEAD, "assign", {},
     InvalidInput, "assignee：必填"),
    ("blank assignee", HEAD, "assign", {"assignee": "  "},
     InvalidInput, "assignee"),
    ("unknown assignee", HEAD, "assign", {"assignee": "ghost"},
     InvalidInput, "没有用户 'ghost'"),
    ("unknown action", HEAD, "teleport", {},
     ActionNotAllowed, "未知动作 'teleport'"),
    ("unknown user", "nobody", "extend", {"days": 5, "reason": "x"},
     NotFound, "没有用户 'nobody'"),
]  # fmt: skip


def test_bad_action_is_refused_and_writes_nothing(flow) -> None:
    ref = handling_case(flow)
    flow.at("2025-09-24 10:00")
    before_case, before_all = flow.footprint(ref), flow.footprint()
    for name, who, action, payload, error, message in BAD_ACTIONS:
        with pytest.raises(error) as info:
            services.act(
                flow.svc, ref=ref, action=action, payload=payload, principal=acting(flow.svc, who)
            )
        assert message in str(info.value), name
        assert flow.footprint(ref) == before_case, name
        assert flow.footprint() == before_all, name
    flow.consistent(ref)
    # The same case still takes a valid action afterwards.
    flow.act(ref, HEAD, "extend", days=5, reason="材料较多")
    assert flow.version(ref) == before_case[0][1] + 1


def test_unknown_case_ref_is_not_found(flow) -> None:
    ref = handling_case(flow)
    before = flow.footprint()
    missing = "示政办依申〔2025〕9999号"
    with pytest.raises(NotFound, match=f"没有编号为 {missing} 的案件"):
        services.act(
            flow.svc, ref=missing, action="accept", payload={}, principal=acting(flow.svc, LI)
        )
    with pytest.raises(NotFound, match=missing):
        services.case_detail(flow.svc, services.identify(flow.svc, LI), missing)
    assert flow.footprint() == before
    flow.consistent(ref)


BAD_REGISTRATIONS = [
    ("unknown channel", CLERK, "county", {"channel": "pigeon"}, InvalidInput, "channel"),
    ("missing name", CLERK, "county",
     {"applicant": {"kind": "natural_person", "id_number": "610926199001011234",
                    "phone": "13800000000"}},
     InvalidInput, "applicant.name"),
    ("legal person without subkind", CLERK, "county",
     {"applicant": {"kind": "legal_person", "name": "某公司", "id_number": "91610926MA0000000X",
                    "email": "a@example.com"}},
     InvalidInput, "subkind"),
    ("no contact", CLERK, "county",
     {"applicant": {"kind": "natural_person", "name": "张三", "id_number": "610926199001011234"}},
     InvalidInput, "联系方式"),
    ("missing description", CLERK, "county", {"description": None}, InvalidInput, "description"),
    ("future received_on", CLERK, "county", {"received_on": "2025-09-23"},
     InvalidInput, "received_on 2025-09-23 晚于今天 2025-09-22"),
    ("impossible received_on", CLERK, "county", {"received_on": "2025-13-01"},
     InvalidInput, "received_on"),
    ("user of another agency", EDU_CLERK, "county", {},
     ActionNotAllowed, "刘登记 不属于示范县人民政府办公室，不能为其登记"),
    ("supervisor cannot register", SUPERVISOR, "county", {},
     ActionNotAllowed, "督查无权登记申请"),
    ("unknown agency", CLERK, "nowhere", {}, NotFound, "没有代码为 'nowhere' 的机关"),
    ("unknown user", "nobody", "county", {}, NotFound, "没有用户 'nobody'"),
]  # fmt: skip


def test_bad_registration_is_refused_and_writes_nothing(flow) -> None:
    flow.at("2025-09-22 10:00")
    before = flow.footprint()
    for name, who, agency, overrides, error, message in BAD_REGISTRATIONS:
        intake = {k: v for k, v in {**flow.intake(), **overrides}.items() if v is not None}
        with pytest.raises(error) as info:
            services.register_request(
                flow.svc, agency_code=agency, principal=acting(flow.svc, who), intake=intake
            )
        assert message in str(info.value), name
        assert flow.footprint() == before, name
    assert flow.register() == REF1  # no number was used up


def test_receipt_date_before_delivery_is_refused_at_registration(flow) -> None:
    flow.at("2025-09-24 10:00")
    before = flow.footprint()
    with pytest.raises(
        InvalidInput, match="收到申请之日 receipt_date 2025-09-22 早于申请送达日 2025-09-23"
    ):
        flow.register(
            intake=flow.intake(channel="registered_post", received_on="2025-09-23"),
            receipt_date=date(2025, 9, 22),
        )
    assert flow.footprint() == before
