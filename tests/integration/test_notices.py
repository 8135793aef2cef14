"""Written notices issued by the actions (SPEC N-1), on SQLite and PostgreSQL: every kind
and every reply variant rendered from real cases and read back with python-docx — the
dates the engine computed, the fee in capitals, the numbers, the articles, the remedies
by date and agency; numbering per agency, kind and year; regeneration as a new version;
delivery (送达) starting the limits that count from receipt."""

from __future__ import annotations

import io
from dataclasses import replace
from pathlib import Path

import pytest
from docx import Document

from govflow.workflow.disclosure.notice_fill import allowed_fields
from govflow.workflow.documents import records
from govflow.workflow.documents.store import sha256_hex
from govflow.workflow.errors import ActionNotAllowed, InvalidInput
from govflow.workflow.notices.issue import Notices
from govflow.workflow.notices.templates import NoticeTemplates
from govflow.workflow.services import (
    identify,
    list_documents,
    read_document,
    regenerate_notice,
)
from tests.config import notice_catalog, notice_templates_dir
from tests.principals import acting

CLERK, LI, HEAD, SUPERVISOR = "wang.clerk", "li.handler", "zhang.head", "chen.supervisor"


def text_of(content: bytes) -> str:
    document = Document(io.BytesIO(content))
    cells = [c.text for t in document.tables for r in t.rows for c in r.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


def notice(flow, ref: str, kind: str, reader: str = LI) -> tuple[records.DocumentRecord, str]:
    """The latest notice of a kind, read back (its bytes checked against the event's hash)."""
    docs = list_documents(flow.svc, identify(flow.svc, SUPERVISOR), ref)
    record = [r for r in docs.current.values() if r.kind == kind][-1]
    got, content = read_document(flow.svc, identify(flow.svc, reader), ref, record.no)
    assert got == record and sha256_hex(content) == record.sha256
    text = text_of(content)
    assert "{{" not in text and "{%" not in text, text
    return record, text


def handling(flow, when: str = "2025-09-26 10:00", **intake) -> str:
    flow.at(when)
    ref = flow.register(intake=flow.intake(**intake) if intake else None)
    flow.act(ref, LI, "start_review")
    flow.act(ref, LI, "accept")
    return ref


def test_receipt_and_correction_from_the_case(flow) -> None:
    flow.at("2025-09-26 10:00")
    ref = flow.register(intake=flow.intake(description="2024年县级财政预算执行情况"))
    record, text = notice(flow, ref, "receipt")
    assert record.number == "示政办公回〔2025〕1号" and record.no == 1
    assert "示政办公回〔2025〕1号" in text and "张三：" in text
    assert "2025年9月26日收到" in text and "当面提交" in text
    assert "20个工作日内（即2025年10月30日前）" in text and "第三十一条、第三十三条" in text
    assert "示范县人民政府办公室" in text and "（印章）" in text

    flow.act(ref, LI, "start_review")
    flow.at("2025-09-29 09:00")
    event = flow.act(
        ref, LI, "request_correction", items="请写明所需文件的名称或文号", period_days=10
    )
    [issued] = event.data["documents"]
    record, text = notice(flow, ref, "correction")
    assert issued["sha256"] == record.sha256 and record.seq == event.seq
    assert record.number == "示政办公补〔2025〕1号" and record.title == "补正申请告知书"
    # 10 working days from 09-29: 09-30, 10-09, 10-10, 10-11 (make-up day), 10-13 … 10-17,
    # 10-20 (the National Day holiday, 10-01 … 10-08, does not count).
    assert "10个工作日内（即2025年10月20日前）" in text
    assert "请写明所需文件的名称或文号" in text and "第三十条" in text
    assert "2025年9月29日" in text  # the notice's date


def test_extension_notice_names_both_dates(flow) -> None:
    ref = handling(flow)
    flow.at("2025-10-20 09:00")
    flow.act(ref, HEAD, "extend", days=10, reason="需调取档案并逐页区分处理")
    _, text = notice(flow, ref, "extension")
    assert "因需调取档案并逐页区分处理" in text and "延长10个工作日" in text
    # 20 working days from 09-26: 10-30; 10 more: 11-13.
    assert "（即2025年10月30日前）" in text and "将于2025年11月13日前作出答复" in text
    assert "第三十三条第二款" in text


def test_consultation_letters_and_their_delivery(flow) -> None:
    ref = handling(flow)
    flow.at("2025-09-29 10:00")
    event = flow.act(
        ref,
        LI,
        "start_consultation",
        party_kind="third_party",
        party_name="某建材有限公司",
        received_on="2025-09-29",
    )
    kinds = [d["kind"] for d in event.data["documents"]]
    assert kinds == ["consultation_third_party", "consultation_applicant"]
    record, text = notice(flow, ref, "consultation_third_party")
    assert text.startswith("政府信息公开征求意见书") and "某建材有限公司：" in text
    assert "15 个工作日内（即 2025年10月27日 前）" in text and "第三十二条" in text
    assert "张三" not in text  # the third party is not told who asked
    _, text = notice(flow, ref, "consultation_applicant")
    assert "涉及第三方" in text and "不计算在答复期限内" in text
    assert record.number == "示政办公征〔2025〕1号"

    # A letter by post to the co-producing agency: its 15 days wait for the delivery.
    event = flow.act(ref, LI, "start_consultation", party_kind="agency", party_name="县财政局")
    letter = event.data["documents"][0]
    _, text = notice(flow, ref, "consultation_agency")
    assert (
        "自收到本函之日起 15 个工作日内提出意见" in text
        and "即" not in text.split("提出意见")[0][-8:]
    )
    assert letter["number"] == "示政办公征〔2025〕2号"
    assert "consultation-2" not in [d.key for d in flow.case(ref).deadlines]
    flow.at("2025-10-10 09:00")
    flow.act(
        ref,
        CLERK,
        "record_delivery",
        document=letter["no"],
        method="post",
        sent_on="2025-09-29",
        delivered_on="2025-10-09",
        tracking_number="1180000000001",
    )
    limit = flow.deadline(ref, "consultation-2")
    # From 10-09 (received): 10-10, 10-11, 10-13 … 10-17 (7), 10-20 … 10-24 (12), … 10-29.
    assert limit.due_date.isoformat() == "2025-10-29"
    # The rule of the edition first, then the dates this case counts from.
    assert limit.explanation[0].startswith("依据《条例》(2019) 第三十三条、第三十四条")
    assert "收到征求意见之日（2025-10-09，邮寄签收）" in limit.explanation[1]
    assert "2025-09-29 发出" in limit.explanation[1]
    with pytest.raises(ActionNotAllowed, match="已于 2025-10-09 登记送达"):
        flow.act(
            ref,
            CLERK,
            "record_delivery",
            document=letter["no"],
            method="post",
            delivered_on="2025-10-09",
        )


def test_fee_notice_in_capitals_and_the_window_from_delivery(flow) -> None:
    ref = handling(flow)
    flow.at("2025-09-29 10:00")
    event = flow.act(
        ref, HEAD, "send_fee_notice", basis="per_volume", pages=150, reason="所需信息页数较多"
    )
    record, text = notice(flow, ref, "fee")
    assert record.number == "示政办公收〔2025〕1号"
    assert "人民币壹仟柒佰元整（¥1,700.00）" in text and "共 150 页" in text
    assert "第四十二条" in text and "国办函〔2020〕109号" in text
    assert "自收到本通知书之日起 20 个工作日内缴纳" in text
    assert "fee_payment" not in [d.key for d in flow.case(ref).deadlines]  # not yet received
    assert flow.status(ref) == "paused"
    flow.at("2025-10-10 09:00")
    with pytest.raises(InvalidInput, match="没有第 9 号文书"):
        flow.act(
            ref, CLERK, "record_delivery", document=9, method="post", delivered_on="2025-10-09"
        )
    with pytest.raises(InvalidInput, match="早于发出日"):
        flow.act(
            ref,
            CLERK,
            "record_delivery",
            document=record.no,
            method="post",
            delivered_on="2025-09-28",
        )
    flow.act(
        ref, CLERK, "record_delivery", document=record.no, method="post", delivered_on="2025-10-09"
    )
    window = flow.deadline(ref, "fee_payment")
    # From the day after 10-09: 10-10, 10-11 (make-up), 10-13 … 10-17 (7), … 11-05 (20).
    assert window.due_date.isoformat() == "2025-11-05"
    assert window.start_date.isoformat() == "2025-10-09"
    assert window.explanation[0].startswith("依据《条例》(2019) 第四十二条")
    assert "收到收费通知书之日（2025-10-09，邮寄签收）的次日起" in window.explanation[1]
    assert "于 2025-09-29 发出" in window.explanation[1]
    assert event.data["derived"]["amount"] == 1700


def test_reasons_notice_counts_the_applicants_requests(flow) -> None:
    first = handling(flow)
    with pytest.raises(ActionNotAllowed, match="第三十五条"):
        flow.act(first, LI, "request_reasons", reason="x")
    second = handling(flow, "2025-09-26 11:00")
    flow.act(second, LI, "request_reasons", reason="同一申请人短期内提出大量申请", period_days=10)
    _, text = notice(flow, second, "reasons")
    assert "本月已提出政府信息公开申请2件" in text and "本年度已提出2件" in text
    assert "10个工作日内说明理由" in text and "第三十五条" in text


REPLIES = [
    ("disclosed", "reply_disclosed", "予以公开", "第三十六条第（一）项、第（二）项"),
    ("partially_disclosed", "reply_partially_disclosed", "部分公开", "第三十七条"),
    (
        "withheld.state_secret",
        "reply_withheld",
        "不予公开：属于国家秘密",
        "第十四条、第三十六条第（三）项",
    ),
    ("withheld.process_info", "reply_withheld", "不予公开：属于四类过程性信息", "第十六条第二款"),
    (
        "unavailable.not_held",
        "reply_unavailable",
        "无法提供：本机关不掌握相关政府信息",
        "第三十六条第（四）项",
    ),
    ("unavailable.needs_creation", "reply_unavailable", "没有现成信息需要另行制作", "第三十八条"),
    (
        "not_processed.duplicate",
        "reply_not_processed",
        "不予处理：重复申请",
        "第三十六条第（六）项",
    ),
    ("not_processed.petition", "reply_not_processed", "信访举报投诉类申请", "第三十九条第一款"),
    ("other.misc", "reply_other", "其他处理：其他", "第三十六条"),
]


def test_reply_variant_per_outcome_group(flow) -> None:
    """One reply per outcome group (and two grounds within some), each with its articles."""
    for number, (outcome, kind, label, articles) in enumerate(REPLIES, 1):
        flow.at("2025-09-26 10:00")
        ref = flow.register(
            intake=flow.intake(applicant=flow.person(id_number=f"6109261990{number:08d}"))
        )
        flow.act(ref, LI, "start_review")
        if not outcome.startswith("not_processed."):
            flow.act(ref, LI, "accept")
        flow.at("2025-10-15 10:00")
        flow.act(ref, LI, "draft_reply", outcome=outcome, summary=f"理由与获取方式（{outcome}）")
        flow.act(ref, HEAD, "approve_reply")
        record, text = notice(flow, ref, kind)
        assert record.number == f"示政办公答〔2025〕{number}号", outcome
        assert text.startswith("政府信息公开申请答复书")
        assert label in text and articles in text, (outcome, text)
        assert f"理由与获取方式（{outcome}）" in text
        assert "六十日内向示范县人民政府申请行政复议" in text
        assert "六个月内向有管辖权的人民法院提起行政诉讼" in text
        assert "《中华人民共和国行政复议法》第二十条" in text and "第五十一条" in text
        assert "2025年10月15日" in text


def test_disclosure_over_a_third_partys_objection_is_notified_to_it(flow) -> None:
    ref = handling(flow)
    flow.at("2025-09-29 10:00")
    flow.act(
        ref,
        LI,
        "start_consultation",
        party_kind="third_party",
        party_name="某建材有限公司",
        received_on="2025-09-29",
    )
    flow.at("2025-10-09 10:00")
    flow.act(ref, LI, "end_consultation", result="objected")
    flow.at("2025-10-20 10:00")
    flow.act(ref, LI, "draft_reply", outcome="disclosed", summary="涉及公共利益，决定公开。")
    event = flow.act(ref, HEAD, "approve_reply")
    assert [d["kind"] for d in event.data["documents"]] == [
        "reply_disclosed",
        "third_party_decision",
    ]
    record, text = notice(flow, ref, "third_party_decision")
    assert "某建材有限公司：" in text and "决定予以公开" in text and "涉及公共利益" in text
    assert "如对本决定不服" in text and record.number == "示政办公告〔2025〕2号"


def test_reconsideration_body_by_date_and_agency(flow) -> None:
    """The edu bureau's replies name the county government or the city bureau before
    2024-01-01, the county government only from then on (revised 行政复议法)."""
    texts = {}
    for year in (2023, 2025):
        flow.at(f"{year}-09-26 10:00")
        ref = flow.register(who="liu.clerk", agency="edu")
        flow.act(ref, "sun.head", "start_review")
        flow.act(ref, "sun.head", "accept")
        flow.at(f"{year}-10-16 10:00")
        flow.act(ref, "sun.head", "draft_reply", outcome="disclosed", summary="予以公开")
        flow.act(ref, "sun.head", "approve_reply")
        record, texts[year] = notice(flow, ref, "reply_disclosed", "sun.head")
        assert record.number == f"示教公答〔{year}〕1号"
    assert "向示范县人民政府或者示范市教育局申请行政复议" in texts[2023]
    assert "《中华人民共和国行政复议法》第九条" in texts[2023]
    assert "向示范县人民政府申请行政复议" in texts[2025]
    assert "第二十条" in texts[2025]


def test_numbers_per_agency_kind_and_year_and_none_for_a_refusal(flow, files) -> None:
    refs = [handling(flow, f"2025-09-26 1{i}:00") for i in range(3)]
    for ref in refs[:2]:
        flow.act(ref, HEAD, "extend", days=5, reason="量大")
    numbers = [notice(flow, r, "extension")[0].number for r in refs[:2]]
    assert numbers == ["示政办公延〔2025〕1号", "示政办公延〔2025〕2号"]
    before, stored = flow.footprint(), sorted(files.root.rglob("*"))
    with pytest.raises(InvalidInput):
        flow.act(refs[2], HEAD, "extend", days=99, reason="太多")
    with pytest.raises(ActionNotAllowed):
        flow.act(refs[0], HEAD, "extend", days=5, reason="再延")  # only once
    assert flow.footprint() == before and sorted(files.root.rglob("*")) == stored
    flow.act(refs[2], HEAD, "extend", days=5, reason="量大")
    assert notice(flow, refs[2], "extension")[0].number == "示政办公延〔2025〕3号"
    flow.at("2026-01-05 10:00")
    ref = flow.register()
    flow.act(ref, LI, "start_review")
    flow.act(ref, LI, "accept")
    flow.act(ref, HEAD, "extend", days=5, reason="量大")
    assert notice(flow, ref, "extension")[0].number == "示政办公延〔2026〕1号"


def test_regenerating_makes_a_new_version_and_keeps_the_old(flow, tmp_path: Path) -> None:
    ref = handling(flow)
    flow.at("2025-09-29 10:00")
    flow.act(ref, HEAD, "extend", days=5, reason="量大")
    old, old_text = notice(flow, ref, "extension")
    own = tmp_path / "templates"
    own.mkdir()
    document = Document(str(notice_templates_dir() / "extension.docx"))
    document.add_paragraph("（本告知书经模板更正后重新生成）")
    document.save(str(own / "extension.docx"))
    settings = flow.svc.config.settings.notices
    corrected = Notices(
        NoticeTemplates(notice_catalog(), allowed_fields, notice_templates_dir(), own),
        flow.svc.files,
        settings,
    )
    flow.svc = replace(flow.svc, notices=corrected)
    flow.at("2025-10-09 10:00")
    with pytest.raises(ActionNotAllowed):
        regenerate_notice(
            flow.svc, ref=ref, no=old.no, principal=acting(flow.svc, SUPERVISOR), reason="x"
        )
    new = regenerate_notice(
        flow.svc, ref=ref, no=old.no, principal=acting(flow.svc, LI), reason="模板更正"
    )
    flow.consistent(ref)
    assert (new.no, new.version, new.number) == (old.no, 2, old.number)
    _, new_text = notice(flow, ref, "extension")
    assert "经模板更正后重新生成" in new_text and "经模板更正" not in old_text
    assert "2025年9月29日" in new_text  # the notice keeps its date
    _, first = read_document(flow.svc, identify(flow.svc, LI), ref, old.no, version=1)
    assert text_of(first) == old_text
    listed = list_documents(flow.svc, identify(flow.svc, LI), ref).versions
    versions = [r.version for r in listed if r.no == old.no]
    assert versions == [1, 2]


def test_an_action_with_a_broken_template_is_refused_and_writes_nothing(
    flow, files, tmp_path: Path
) -> None:
    ref = handling(flow)
    own = tmp_path / "own"
    own.mkdir()
    document = Document()
    document.add_paragraph("{{ title }}{{ number }}")
    document.add_paragraph("延长至{{ extnded_due }}")
    document.save(str(own / "extension.docx"))
    broken = Notices(
        NoticeTemplates(notice_catalog(), allowed_fields, notice_templates_dir(), own),
        flow.svc.files,
        flow.svc.config.settings.notices,
    )
    flow.svc = replace(flow.svc, notices=broken)
    before, stored = flow.footprint(), sorted(files.root.rglob("*"))
    with pytest.raises(InvalidInput, match=r"extension\.docx: 第 2 段: 未知占位符 'extnded_due'"):
        flow.act(ref, HEAD, "extend", days=5, reason="量大")
    assert flow.footprint() == before and sorted(files.root.rglob("*")) == stored


def test_a_request_under_the_2008_regulations_cites_them(flow) -> None:
    """The articles follow the case's edition: a 2018 request's notices cite the 2008 text."""
    ref = handling(flow, "2018-09-25 10:00")
    flow.act(ref, HEAD, "extend", days=10, reason="需调取档案")
    _, text = notice(flow, ref, "extension")
    assert "《中华人民共和国政府信息公开条例》（2008年施行）第二十四条第二款" in text
    assert "15个工作日内" in text and "2019年修订" not in text
    flow.at("2018-10-30 10:00")
    flow.act(ref, LI, "draft_reply", outcome="withheld.state_secret", summary="属于国家秘密")
    flow.act(ref, HEAD, "approve_reply")
    _, text = notice(flow, ref, "reply_withheld")
    assert "（2008年施行）第八条、第十四条、第二十一条第（二）项" in text
    assert "（2008年施行）第三十三条第二款" in text and "行政复议法》第九条" in text
