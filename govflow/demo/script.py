"""``govflow demo``: a disclosure office's autumn, played on a fresh SQLite database.

Five requests go down different paths while a fake clock crosses the 2025 National
Day holiday (10-01…10-08, with make-up working days on Sunday 09-28 and Saturday
10-11): an on-the-spot reply, a correction that restarts the clock, a third-party
consultation that pauses it, an approved extension, and a fee notice never paid.
A sixth request arrives in late December 2026, so its limit runs into 2027, whose
schedule is not yet official: provisional until the schedule is added.
Every step goes through the same service layer as the CLI.
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

import typer

from govflow import configs
from govflow.app import (
    build_services,
    load_calendar,
    load_config,
    open_engine,
    open_file_store,
    prepare_database,
)
from govflow.demo.incident import night_incident
from govflow.demo.story import Echo, Story
from govflow.presentation.files import check_target, write_with
from govflow.workflow import services
from govflow.workflow.actors import SYSTEM
from govflow.workflow.clock import SHANGHAI, FakeClock


def _person(name: str, id_number: str, **extra: Any) -> dict[str, Any]:
    return {
        "kind": "natural_person",
        "name": name,
        "id_number": id_number,
        "phone": "13800000000",
        **extra,
    }


def run_demo(keep: Path | None = None, echo: Echo = typer.echo, force: bool = False) -> None:
    if keep is not None:
        check_target(keep, force)
    workdir = Path(tempfile.mkdtemp(prefix="govflow-demo-"))
    try:
        db = workdir / "demo.db"
        engine = open_engine(f"sqlite:///{db}")
        prepare_database(configs.shipped("demo_org.yaml"), engine)
        clock = FakeClock(datetime(2025, 9, 22, 9, 0, tzinfo=SHANGHAI))
        config = load_config()
        files = open_file_store(config.settings, {"GOVFLOW_FILES_DIR": str(workdir / "files")})
        svc = build_services(engine, clock, load_calendar(), config, files=files)
        echo("govflow 演示：示范县人民政府办公室 2025 年秋季的依申请公开工作")
        echo("（临时 SQLite 数据库，模拟时钟跨越 2025 年国庆节、中秋节假期与调休上班日）")
        story = play_autumn(svc, clock, echo)
        _provisional(story, svc, workdir)
        checked, findings = services.verify_all(story.svc, SYSTEM)
        echo(
            f"\n审计：校验 {checked} 件案件的哈希链，"
            + ("未发现篡改。" if not findings else f"发现 {len(findings)} 处问题！")
        )
        engine.dispose()
        if keep is not None:
            with db.open("rb") as source:
                write_with(keep, force, lambda target: shutil.copyfileobj(source, target))
            kept_files = keep.parent / f"{keep.stem}-files"
            if (workdir / "files").is_dir():
                shutil.copytree(workdir / "files", kept_files, dirs_exist_ok=True)
            echo(
                f"演示数据库已保存到 {keep}（GOVFLOW_DATABASE_URL=sqlite:///{keep}），"
                f"文书与附件保存到 {kept_files}（GOVFLOW_FILES_DIR={kept_files}）"
            )
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def play_autumn(svc: services.Services, clock: FakeClock, echo: Echo) -> Story:
    """The autumn's requests and the night incident, played on ``svc`` from 2025-09-22."""
    story = Story(svc, clock, echo)
    _autumn(story)
    story.summary()
    night_incident(story)
    return story


def _autumn(s: Story) -> None:
    clerk, li, zhao, head = "wang.clerk", "li.handler", "zhao.handler", "zhang.head"
    s.at("2025-09-22T09:30")
    s.register(
        "申请一",
        clerk,
        {
            "applicant": _person("周明", "610926198801010011"),
            "description": "本县2025年义务教育阶段学校名单",
            "channel": "in_person",
        },
        "当面提交，所需信息已主动公开，当场答复并告知获取途径",
        on_the_spot={
            "outcome": "disclosed",
            "summary": "已在政府网站公开，告知网址",
            "where": "示范县人民政府门户网站·政府信息公开专栏",
        },
    )
    s.at("2025-09-22T10:15")
    s.register(
        "申请二",
        clerk,
        {
            "applicant": _person("吴芳", "610926199002020022"),
            "description": "关于我家附近那个项目的文件",
            "channel": "online",
            "received_on": "2025-09-21",
        },
        "星期日经政府网站提交，待与申请人双方确认",
    )
    s.at("2025-09-23T09:00")
    s.do(
        "申请二",
        clerk,
        "confirm_receipt",
        "与申请人电话确认，以今天为收到申请之日",
        receipt_date="2025-09-23",
    )
    s.register(
        "申请三",
        clerk,
        {
            "applicant": _person("郑强", "610926198503030033"),
            "description": "某公司年产5万吨建材项目环境影响评价批复",
            "channel": "registered_post",
            "received_on": "2025-09-23",
        },
        "挂号信，今天签收",
        receipt_date=datetime(2025, 9, 23).date(),
    )
    s.at("2025-09-24T09:00")
    s.register(
        "申请四",
        clerk,
        {
            "applicant": _person("王丽", "610926197904040044"),
            "description": "2020年至2024年城区道路改造项目的全部招标文件",
            "channel": "in_person",
        },
        "当面提交",
    )
    s.do("申请二", li, "start_review", "开始审核")
    s.do("申请三", zhao, "start_review", "开始审核")
    s.do("申请三", zhao, "accept", "申请内容明确，受理办理")
    s.do("申请二", head, "assign", "负责人指定李经办承办", assignee=li)
    s.do("申请三", head, "assign", "负责人指定赵经办承办", assignee=zhao)
    s.do("申请四", head, "assign", "负责人指定李经办承办", assignee=li)
    s.at("2025-09-25T10:00")
    s.register(
        "申请五",
        clerk,
        {
            "applicant": {
                "kind": "legal_person",
                "subkind": "commercial",
                "name": "某咨询有限公司",
                "id_number": "91610926MA0000000X",
                "email": "office@example.com",
            },
            "description": "近十年全县全部建设工程规划许可证及附图",
            "channel": "in_person",
        },
        "企业当面提交，数量明显超出合理范围",
    )
    s.do(
        "申请二",
        li,
        "request_correction",
        "申请内容不明确，一次性告知补正，补正期限 10 个工作日",
        items="请写明项目名称或文件名称、文号",
        period_days=10,
    )
    s.do("申请四", li, "start_review", "开始审核")
    s.do("申请四", li, "accept", "受理办理")
    s.at("2025-09-26T15:00")
    s.do(
        "申请三",
        zhao,
        "start_consultation",
        "信息涉及企业商业秘密，书面征求第三方意见",
        party_kind="third_party",
        party_name="某建材有限公司",
        received_on="2025-09-26",
    )
    s.do("申请五", head, "assign", "负责人指定李经办承办", assignee=li)
    s.do("申请五", li, "start_review", "开始审核")
    s.do("申请五", li, "accept", "受理办理")
    s.at("2025-09-29T11:00")
    s.do(
        "申请五",
        head,
        "send_fee_notice",
        "负责人确认按页数收取信息处理费（150 页），申请人当天收到通知",
        basis="per_volume",
        pages=150,
        reason="申请数量明显超出合理范围",
        notice_received_on="2025-09-29",
    )
    fee = s.detail("申请五").data["fee"]
    s.echo(
        f"      · 信息处理费：{fee['amount']} 元（按量计收：1–30 页免收，31–100 页每页 10 元，"
        "101–200 页每页 20 元）"
    )
    s.at("2025-10-09T10:00")
    s.register(
        "申请七",
        clerk,
        {
            "applicant": _person("何静", "610926199206060066"),
            "description": "本县2024年度城乡低保资金发放明细",
            "channel": "in_person",
        },
        "节后第一天当面提交",
    )
    s.do(
        "申请七",
        head,
        "assign",
        "负责人指定赵经办承办（此后无人跟进，看系统如何预警与督办）",
        assignee=zhao,
    )
    s.at("2025-10-10T16:00")
    s.do("申请二", clerk, "submit_correction", "节后申请人提交补正材料，答复期限自今天重新起算")
    s.at("2025-10-15T10:00")
    s.do(
        "申请三", zhao, "end_consultation", "第三方书面答复不同意公开，恢复计算", result="objected"
    )
    s.at("2025-10-20T09:30")
    s.do(
        "申请四",
        head,
        "extend",
        "材料跨五年、数量大，负责人批准延长 15 个工作日并告知申请人",
        days=15,
        reason="所需信息跨度五年、数量较大，需调档整理",
    )
    s.do(
        "申请三",
        zhao,
        "draft_reply",
        "提交答复稿：保护第三方合法权益，不予公开",
        outcome="withheld.third_party",
        summary="经征求第三方意见，不予公开",
    )
    s.at("2025-10-21T10:00")
    s.do(
        "申请三",
        head,
        "reject_reply",
        "负责人退回：应区分处理，可公开部分应予公开",
        reason="批复中不涉及商业秘密的部分应当公开",
    )
    s.at("2025-10-22T15:00")
    s.do(
        "申请三",
        zhao,
        "draft_reply",
        "修改后提交：部分公开",
        outcome="partially_disclosed",
        summary="删除涉及商业秘密部分后公开",
    )
    s.at("2025-10-23T09:00")
    s.do("申请三", head, "approve_reply", "负责人审批，当日答复申请人")
    s.at("2025-10-31T10:00")
    s.do("申请二", li, "accept", "补正后内容明确，受理办理")
    s.do(
        "申请二",
        li,
        "draft_reply",
        "提交答复稿：本机关不掌握",
        outcome="unavailable.not_held",
        summary="该项目由市级部门审批，告知向其申请",
    )
    s.do("申请二", head, "approve_reply", "负责人审批，当日答复")
    s.at("2025-11-07T09:00")
    _acknowledge_breach(s, "申请七", "chen.supervisor")
    s.do("申请七", zhao, "start_review", "经督办后开始审核")
    s.do("申请七", zhao, "accept", "受理办理")
    s.at("2025-11-12T16:00")
    s.do(
        "申请四",
        li,
        "draft_reply",
        "提交答复稿：予以公开",
        outcome="disclosed",
        summary="提供招标文件电子版",
    )
    s.at("2025-11-13T09:00")
    s.do("申请四", head, "approve_reply", "负责人审批，当日答复")
    s.do(
        "申请七",
        zhao,
        "draft_reply",
        "提交答复稿：予以公开",
        outcome="disclosed",
        summary="提供低保资金发放汇总表",
    )
    s.do("申请七", head, "approve_reply", "负责人审批后答复，已超过法定期限")
    for label in ("申请一", "申请二", "申请三", "申请四", "申请七"):
        s.do(label, clerk, "archive", "归档")


def _acknowledge_breach(s: Story, label: str, who: str) -> None:
    """The supervisor reads the daily 督办 and acknowledges it: the repeats stop."""
    reader = services.identify(s.svc, who)
    fired = services.firings(s.svc, reader, s.refs[label])
    breach = [f for f in fired if f.rule == "supervisor_breach"][-1]
    services.acknowledge(s.svc, breach.key, s.principals(who))
    s.echo(f"  {label}：督查确认督办提醒 {breach.key}，约谈承办人；该提醒不再每日重复")


def _provisional(s: Story, svc: services.Services, workdir: Path) -> None:
    s.echo("\n========== 跨年的期限：2027 年节假日安排尚未公布 ==========")
    s.at("2026-12-18T10:00")
    s.register(
        "申请六",
        "wang.clerk",
        {
            "applicant": _person("冯涛", "610926199505050055"),
            "description": "2026年县级财政预算执行情况",
            "channel": "in_person",
        },
        "当面提交，答复期限延伸至 2027 年，按周末计算，标为临时",
    )
    text = (
        "# 假设的 2027 年元旦安排，仅供演示，并非官方通知\n"
        "year: 2027\nholidays:\n  - {date: 2027-01-01, name: 元旦}\nmakeup_workdays: []\n"
    )
    s.echo("  （演示：导入一份假设的 2027 年安排——1 月 1 日放假——随即重新计算）")
    operator = services.principal_for(svc, SYSTEM.username, "demo")
    done = services.import_calendar(svc, operator, "2027.yaml", text)
    for ref, changes in done.changes:
        for key, change in changes.items():
            s.echo(
                f"  {ref} {key}：{change['from']} → {change['to']}，"
                + ("仍为临时" if change["provisional"] else "不再是临时结果")
                + "；已在案件记录变更事件"
            )
    stored = services.stored_calendar(svc)
    assert stored is not None  # just imported
    updated = replace(svc, calendar=stored[0], calendar_version=stored[1])
    s.svc = updated
    s._changes("申请六")
