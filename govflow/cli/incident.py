"""``govflow incident …``: register, list by time left, the accountability list; and the
zh-CN view of an incident that ``govflow case show`` prints (SPEC I-1…I-5).

Acting on an incident is the generic ``govflow case act REF ACTION --set …``.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from govflow.cli.common import AsUser, JsonFlag, echo_json, user_errors
from govflow.workflow.texts import BREACH_LABELS

if TYPE_CHECKING:
    from govflow.workflow.cases import Case

incident_app = typer.Typer(
    help="政务舆情：登记事件、按剩余时间列出、问责清单。", no_args_is_help=True
)

KIND_LABELS = BREACH_LABELS  # one label per breach kind, everywhere (workflow/texts.py)
RESPONSE_LABELS = {
    "publish_statement": "发布权威信息",
    "hold_press_conference": "召开新闻发布会",
    "follow_up": "持续发布",
}


def _iso(instant: datetime | None) -> str | None:
    return instant.isoformat() if instant else None


def incident_json(case: Case, now: datetime) -> dict[str, Any]:
    f = case.facts
    return {
        "title": f.title,
        "summary": f.summary,
        "platform": f.platform,
        "link": f.link,
        "topic": f.topic,
        "detected_at": _iso(f.detected_at),
        "lead_department": f.lead_department,
        "cooperating_departments": list(f.cooperating_departments),
        "grade": f.grade,
        "grade_label": f.grade_label,
        "graded": f.graded,
        "grade_history": [{**g, "at": _iso(g["at"])} for g in f.grade_history],
        "responses": [
            {
                "action": r.action,
                "at": _iso(r.at),
                "channel": r.channel,
                "link": r.link,
                "summary": r.summary,
            }
            for r in f.responses
        ],
        "supervision_letters": [
            {
                "number": x.number,
                "sender": x.sender,
                "received_at": _iso(x.received_at),
                "report_by": _iso(x.report_by),
                "answered_at": _iso(x.answered_at),
                "report": x.report,
            }
            for x in f.letters
        ],
        "evaluation": (
            {**f.evaluation, "at": _iso(f.evaluation["at"])} if f.evaluation is not None else None
        ),
        "breaches": [
            {
                "deadline": b.deadline_key,
                "label": b.label,
                "due_at": _iso(b.due_at),
                "met_at": _iso(b.met_at),
                "kind": b.kind,
                "lead_department": b.lead_department,
                "handler": b.handler,
            }
            for b in f.breaches(now)
        ],
    }


def incident_lines(case: Case, now: datetime) -> list[str]:
    from govflow.cli.render import local

    f = case.facts
    grade = f.grade_label or "—"
    if not f.graded:
        grade += "（尚未定级，暂按此级别计时）"
    elif f.grade_history[-1]["action"] == "regrade":
        last, before = f.grade_history[-1], f.grade_history[-2]
        grade += f"（{local(last['at'])} 由“{before['label']}”调整，理由：{last['reason']}）"
    lines = [
        f"标题：{f.title}",
        f"概要：{f.summary}",
        f"发现于：{f.platform}{'　' + f.link if f.link else ''}　"
        f"监测发现时间：{local(f.detected_at)}（北京时间）",
        f"话题：{f.topic}　牵头部门：{f.lead_department or '未指定'}　"
        f"协同部门：{'、'.join(f.cooperating_departments) or '无'}",
        f"级别：{grade}",
    ]
    for r in f.responses:
        where = "　".join(x for x in (r.channel, r.link) if x)
        lines.append(
            f"回应：{local(r.at)} {RESPONSE_LABELS[r.action]}{'（' + where + '）' if where else ''}"
        )
    for x in f.letters:
        state = f"已于 {local(x.answered_at)} 报送" if x.answered_at else "尚未报送"
        lines.append(
            f"督办函：{x.sender} {x.number}，{local(x.received_at)} 收到，"
            f"须于 {local(x.report_by)} 前报告，{state}"
        )
    if f.evaluation is not None:
        lines.append(f"评估：效果：{f.evaluation['effect']}；经验教训：{f.evaluation['lessons']}")
    for b in f.breaches(now):
        lines.append(
            f"问责提示：{b.label}（届满 {local(b.due_at)}）{KIND_LABELS[b.kind]}；"
            f"牵头部门：{b.lead_department or '未指定'}，经办人：{b.handler or '未指定'}"
        )
    return lines


@incident_app.command("register")
def register(
    as_user: AsUser,
    file: Annotated[Path | None, typer.Option(help="事件内容 YAML/JSON 文件，- 为标准输入")] = None,
    title: Annotated[str | None, typer.Option(help="标题")] = None,
    summary: Annotated[str | None, typer.Option(help="概要")] = None,
    platform: Annotated[
        str | None, typer.Option(help="发现平台（如 微博、抖音、政府网站留言）")
    ] = None,
    link: Annotated[str | None, typer.Option(help="链接")] = None,
    detected_at: Annotated[
        str | None, typer.Option(help="监测发现时间，如 2026-02-16T22:30（默认现在）")
    ] = None,
    topic: Annotated[str | None, typer.Option(help="话题（如 教育、食品药品、房地产）")] = None,
    lead_department: Annotated[str | None, typer.Option(help="牵头部门")] = None,
    cooperating_department: Annotated[
        list[str] | None, typer.Option(help="协同部门，可重复")
    ] = None,
    grade: Annotated[
        str | None,
        typer.Option(help="初步级别：extraordinary/major/large/general 或 特别重大/重大/较大/一般"),
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """登记一起政务舆情事件（自监测发现时起按小时计时，夜间、节假日照常计算）。"""
    from govflow.cli import read_data_file
    from govflow.cli.casetypes import open_and_show

    with user_errors():
        payload = read_data_file(file) if file else {}
        options = {
            "title": title,
            "summary": summary,
            "platform": platform,
            "link": link,
            "detected_at": detected_at,
            "topic": topic,
            "lead_department": lead_department,
            "cooperating_departments": cooperating_department or None,
            "grade": grade,
        }
        payload.update({k: v for k, v in options.items() if v is not None})
        open_and_show(
            "incident", as_user, payload, as_json, lambda view: f"，{view.case.facts.grade_label}"
        )


@incident_app.command("list")
def list_incidents(
    agency: Annotated[str | None, typer.Option(help="机关代码")] = None,
    as_json: JsonFlag = False,
) -> None:
    """列出未归档的舆情事件，最紧迫的时限在前。"""
    from govflow.cli import build_services, render
    from govflow.workflow import services

    with user_errors():
        svc = build_services()
        now = svc.clock.now()
        rows = []
        for case in services.open_cases(svc, agency, case_type="incident"):
            nearest = case.next_deadline
            rows.append(
                {
                    "ref": case.ref,
                    "agency": case.agency_code,
                    "title": case.facts.title,
                    "grade": case.facts.grade,
                    "grade_label": case.facts.grade_label,
                    "state": case.state,
                    "state_label": case.state_label,
                    "next_deadline": nearest.key if nearest else None,
                    "next_label": nearest.label if nearest else None,
                    "due_at": _iso(nearest.due_at) if nearest else None,
                    "overdue": bool(nearest and nearest.is_overdue(now)),
                    "time_left": nearest.time_left(svc.calendar, now) if nearest else "",
                }
            )
        if as_json:
            echo_json(rows)
            return
        if not rows:
            typer.echo("没有未归档的舆情事件。")
        for row in rows:
            due = (
                f"{row['next_label']} 届满 {render.local(datetime.fromisoformat(row['due_at']))}　"
                f"{row['time_left']}"
                if row["due_at"]
                else "无计时中的时限"
            )
            typer.echo(
                f"{row['ref']}　{row['grade_label']}　{row['state_label']}　{row['title']}　{due}"
            )


@incident_app.command("accountability")
def accountability_list(
    agency: Annotated[str | None, typer.Option(help="机关代码")] = None,
    as_json: JsonFlag = False,
) -> None:
    """问责清单：超过回应时限或督办时限的事件，附时限届满时的牵头部门与经办人。"""
    from govflow.cli import build_services, render
    from govflow.workflow.incident_service import accountability

    with user_errors():
        svc = build_services()
        entries = accountability(svc, agency)
        if as_json:
            echo_json(
                [
                    {
                        **e.__dict__,
                        "due_at": _iso(e.due_at),
                        "met_at": _iso(e.met_at),
                    }
                    for e in entries
                ]
            )
            return
        if not entries:
            typer.echo("没有超过时限的舆情事件。")
            return
        typer.echo("问责清单（政务舆情超时限，供通报批评、约谈参考）：")
        for e in entries:
            done = f"，{render.local(e.met_at)} 完成" if e.met_at else ""
            typer.echo(
                f"{e.ref} {e.title}（{e.grade_label}）｜{e.label} 届满 {render.local(e.due_at)}，"
                f"{KIND_LABELS[e.kind]}，超期 {e.hours_late:.1f} 小时{done}｜"
                f"牵头部门：{e.lead_department or '未指定'}｜经办人：{e.handler_name or '未指定'}"
            )


def register_commands(app: typer.Typer) -> None:
    app.add_typer(incident_app, name="incident")
