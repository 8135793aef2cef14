"""How an incident reads: its fields' labels, its part of a case's view, its list columns."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from govflow.workflow.clock import local_minute
from govflow.workflow.contract import Field, Labels, TypeView
from govflow.workflow.incident.facts import IncidentFacts
from govflow.workflow.incident.warnings import past_limits
from govflow.workflow.texts import BREACH_LABELS

KIND_LABELS = BREACH_LABELS  # one label per breach kind, everywhere (``workflow.texts``)
RESPONSE_LABELS = {
    "publish_statement": "发布权威信息",
    "hold_press_conference": "召开新闻发布会",
    "follow_up": "持续发布",
}

LABELS = Labels(
    {
        "title": "标题",
        "summary": "内容摘要",
        "platform": "平台",
        "link": "链接",
        "topic": "话题",
        "grade": "级别",
        "channel": "渠道",
        "lead_department": "牵头部门",
        "cooperating_departments": "配合部门",
        "detected_at": "发现时间",
        "published_at": "发布时间",
        "held_at": "发布会时间",
        "venue": "发布会地点",
        "number": "督办函文号",
        "sender": "督办单位",
        "received_at": "收函时间",
        "report_by": "报告时限",
        "requirements": "督办要求",
        "report": "报告内容",
        "answered_at": "报送时间",
        "effect": "处置效果",
        "lessons": "经验教训",
        "reason": "理由",
    }
)


def _iso(instant: datetime | None) -> str | None:
    return instant.isoformat() if instant else None


def incident_data(f: IncidentFacts, now: datetime) -> dict[str, Any]:
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


def incident_fields(f: IncidentFacts, now: datetime) -> tuple[Field, ...]:
    grade = f.grade_label or "—"
    if not f.graded:
        grade += "（尚未定级，暂按此级别计时）"
    elif f.grade_history[-1]["action"] == "regrade":
        last, before = f.grade_history[-1], f.grade_history[-2]
        grade += f"（{local_minute(last['at'])} 由“{before['label']}”调整，理由：{last['reason']}）"
    shown = [
        Field("标题", f.title or ""),
        Field("概要", f.summary or ""),
        Field(
            "发现于",
            f"{f.platform}{'　' + f.link if f.link else ''}　"
            f"监测发现时间：{local_minute(f.detected_at)}（北京时间）",
        ),
        Field(
            "话题",
            f"{f.topic}　牵头部门：{f.lead_department or '未指定'}　"
            f"协同部门：{'、'.join(f.cooperating_departments) or '无'}",
        ),
        Field("级别", grade),
    ]
    for r in f.responses:
        where = "　".join(x for x in (r.channel, r.link) if x)
        shown.append(
            Field(
                "回应",
                f"{local_minute(r.at)} {RESPONSE_LABELS[r.action]}"
                f"{'（' + where + '）' if where else ''}",
            )
        )
    for x in f.letters:
        state = f"已于 {local_minute(x.answered_at)} 报送" if x.answered_at else "尚未报送"
        shown.append(
            Field(
                "督办函",
                f"{x.sender} {x.number}，{local_minute(x.received_at)} 收到，"
                f"须于 {local_minute(x.report_by)} 前报告，{state}",
            )
        )
    if f.evaluation is not None:
        shown.append(
            Field("评估", f"效果：{f.evaluation['effect']}；经验教训：{f.evaluation['lessons']}")
        )
    for b in f.breaches(now):
        shown.append(
            Field(
                "问责提示",
                f"{b.label}（届满 {local_minute(b.due_at)}）{KIND_LABELS[b.kind]}；"
                f"牵头部门：{b.lead_department or '未指定'}，经办人：{b.handler or '未指定'}",
            )
        )
    return tuple(shown)


GRADE_VERBS = {"detect": "登记为", "grade": "定级为", "regrade": "调整级别为"}


def grade_warnings(f: IncidentFacts) -> tuple[str, ...]:
    """Each limit already past when the grade in force was set, as people must read it."""
    return tuple(
        f"{GRADE_VERBS.get(w.action, '定级为')}“{w.grade_label}”时（{local_minute(w.at)}），"
        f"{w.label}已于 {local_minute(w.due_at)} 届满"
        + (f"（{local_minute(w.met_at)} 才完成，已超时）" if w.met_at else "，尚未完成，已超时")
        + "：请立即处置，此项将列入问责清单。"
        for w in past_limits(f)
    )


def view(f: IncidentFacts, now: datetime) -> TypeView:
    return TypeView(incident_fields(f, now), {"incident": incident_data(f, now)}, grade_warnings(f))


def summary(f: IncidentFacts) -> TypeView:
    """What a list shows: the grade and the title."""
    return TypeView(
        (Field("级别", f.grade_label or "—"), Field("标题", f.title or "")),
        {"title": f.title, "grade": f.grade, "grade_label": f.grade_label},
    )
