"""Public-opinion incidents (SPEC section 3) and online messages (SPEC section 4).

Incidents are found at any hour (monitoring runs through nights and holidays) and timed
in wall-clock hours from detection: 5 h for the authoritative statement and 24 h for the
press conference (特别重大 / 重大), 48 h for a response (较大 / 一般). Paths, in % of
incidents of the random part:

===================================  ===  ===============================================
path                                  %   what happens
===================================  ===  ===============================================
general_in_time / large_in_time      45/20  graded at assessment; a response within 48 h
late (一般 or 较大)                      6   the first response after 48 h (a breach)
major_in_time / extraordinary          8/2  statement within 5 h, press conference within 24 h
major_statement_late                   3   the statement after 5 h
major_press_late                       2   the press conference after 24 h
regrade_up                             4   一般 raised to 重大 after the 5th hour: breached at once
regrade_down                           3   重大 lowered to 较大: the press conference no longer due
responded_before_graded                7   a statement first, the grade afterwards
===================================  ===  ===============================================

Supervision letters (督办函): always on ``major_in_time`` (answered before the report-back
time) and ``late`` (answered after it), otherwise in 15 % (late in 15 % of those). A
follow-up release in 40 %. Every incident is evaluated 2–7 working days after its last
response and archived; 80 % get a lead handler assigned at once.

Online messages (网民留言, 3 working days): answered in time 85 %, late 10 %, closed
without an answer (duplicates, no content) 5 %; 70 % of answered ones are then closed.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from govflow.synth import names, topics
from govflow.synth.context import AgencyPlan
from govflow.synth.script import INCIDENT, ONLINE_MESSAGE, CaseScript, Step
from govflow.synth.timeline import Cursor, days_limit
from govflow.workflow.clock import local_date

INCIDENT_PATHS = {
    "general_in_time": 45,
    "large_in_time": 20,
    "late": 6,
    "major_in_time": 8,
    "extraordinary": 2,
    "major_statement_late": 3,
    "major_press_late": 2,
    "regrade_up": 4,
    "regrade_down": 3,
    "responded_before_graded": 7,
}
MESSAGE_PATHS = {"in_time": 85, "late": 10, "closed": 5}
_GRADE = {
    "general_in_time": "general",
    "large_in_time": "large",
    "major_in_time": "major",
    "extraordinary": "extraordinary",
    "major_statement_late": "major",
    "major_press_late": "major",
    "regrade_up": "general",
    "regrade_down": "major",
}


def _iso(at: datetime) -> str:
    return at.isoformat(timespec="seconds")


class Incident:
    def __init__(self, plan: AgencyPlan, at: datetime, path: str) -> None:
        self.plan, self.rng, self.path = plan, plan.rng, path
        self.cur = Cursor(plan.rng, plan.cal, at)
        self.opened_at = at
        self.handler = plan.handler()
        self.staff = plan.staff
        self.detected = at - timedelta(minutes=self.rng.randint(5, 45))
        self.steps: list[Step] = []
        topic = self.rng.choice(sorted(topics.INCIDENT_TITLES))
        self.title = self.rng.choice(topics.INCIDENT_TITLES[topic]).format(
            place=names.place_name(self.rng), company=names.company_name(self.rng)
        )
        platform, link = self.rng.choice(topics.PLATFORMS)
        self.payload: dict[str, Any] = {
            "title": self.title,
            "summary": f"{platform}出现相关帖文并配图视频，转发评论量持续上升",
            "platform": platform,
            "link": link.format(n=self.rng.randrange(10**9, 10**10)),
            "detected_at": _iso(self.detected),
            "topic": topic,
            "lead_department": plan.agency.name,
        }
        if self.rng.random() < 0.5:
            other = self.rng.sample(topics.DEPARTMENTS, 2)
            self.payload["cooperating_departments"] = [f"{plan.county}县{d.name}" for d in other]

    def do(self, at: datetime, actor: str, action: str, **payload: Any) -> None:
        self.steps.append(Step(at, actor, action, payload))

    def at_hour(self, lo: float, hi: float) -> datetime:
        """An instant ``lo``–``hi`` hours after detection (never before the last step)."""
        return self.cur.hours_after(self.detected, self.rng.uniform(lo, hi))

    def soon(self, lo: int = 5, hi: int = 40) -> datetime:
        return self.cur.hours_after(self.cur.now, self.rng.randint(lo, hi) / 60)

    def statement(self, at: datetime) -> None:
        day = local_date(at)
        link = f"https://www.{self.plan.agency.code}.gov.cn/xxgk/{day:%Y%m%d}/{self.rng.randrange(1000, 9999)}.html"
        channel = self.rng.choice(("县政府网站", "政务微博", "政务微信公众号", "县融媒体中心"))
        self.do(
            at, self.handler, "publish_statement", channel=channel, link=link, published_at=_iso(at)
        )

    def press(self, at: datetime) -> None:
        self.do(
            at,
            self.handler,
            "hold_press_conference",
            held_at=_iso(at),
            venue="县政府新闻发布厅",
            summary="通报调查进展和处置措施，回答记者提问",
        )

    def grade(self, grade: str) -> None:
        reason = "研判传播范围和影响程度后定级"
        self.do(self.soon(15, 90), self.staff.head, "grade", grade=grade, reason=reason)

    def plan_steps(self) -> None:
        path = self.path
        if self.rng.random() < 0.8:
            self.do(self.soon(2, 20), self.staff.head, "assign", assignee=self.handler)
        if path == "responded_before_graded":
            self.statement(self.at_hour(1, 4))
            self.grade(self.rng.choice(("general", "large")))
        else:
            self.do(self.soon(10, 60), self.handler, "assess")
            if path == "late":
                self.grade(self.rng.choice(("general", "large")))
                self.statement(self.at_hour(49, 80))
            else:
                self.grade(_GRADE[path])
                self._respond(path)
        if self.path in ("major_in_time", "late"):  # letters in both outcomes, by construction
            self._letter(late=self.path == "late")
        elif self.rng.random() < 0.15:
            self._letter(late=self.rng.random() < 0.15)
        if self.rng.random() < 0.4:
            at = self.soon(6 * 60, 48 * 60)
            self.do(
                at,
                self.handler,
                "follow_up",
                channel="县政府网站",
                published_at=_iso(at),
                summary="持续发布调查处置进展",
            )
        self.do(
            self.cur.after(self.rng.randint(2, 7)),
            self.handler,
            "evaluate",
            effect=self.rng.choice(
                ("回应后讨论量明显回落，未出现线下聚集", "舆情基本平息，个别网民仍有质疑")
            ),
            lessons=self.rng.choice(
                ("首次回应应更早，先发布权威信息再持续通报", "部门协同顺畅，值班研判机制有效")
            ),
        )
        self.do(self.cur.after(self.rng.randint(0, 3)), self.staff.clerk, "archive")

    def _respond(self, path: str) -> None:
        if path in ("general_in_time", "large_in_time"):
            if path == "large_in_time" and self.rng.random() < 0.3:
                self.press(self.at_hour(6, 40))
            else:
                self.statement(self.at_hour(3, 40))
            return
        if path == "regrade_up":  # like the demo: raised after its 5-hour mark
            self.do(
                self.at_hour(5.5, 9),
                self.staff.head,
                "regrade",
                grade="major",
                reason="转发激增，出现线下聚集",
            )
            self.statement(self.soon(20, 120))
            self.press(self.at_hour(12, 23))
            return
        statement = (5.3, 9) if path == "major_statement_late" else (1.5, 4.5)
        self.statement(self.at_hour(*statement))
        if path == "regrade_down":
            self.do(
                self.at_hour(6, 12),
                self.staff.head,
                "regrade",
                grade="large",
                reason="经核实影响范围有限",
            )
            return
        press = (25, 40) if path == "major_press_late" else (8, 22)
        self.press(self.at_hour(*press))

    def _letter(self, late: bool) -> None:
        received = self.at_hour(3, 30)
        report_by = received + timedelta(hours=self.rng.randint(24, 72))
        year = local_date(received).year
        number = f"市网督〔{year}〕{self.rng.randint(1, 99)}号"
        self.do(
            received,
            self.staff.clerk,
            "receive_supervision_letter",
            number=number,
            sender="市委网信办",
            report_by=_iso(report_by),
            received_at=_iso(received),
            requirements="核实情况、及时回应并报告处置结果",
        )
        if late:
            answered = self.cur.hours_after(report_by, self.rng.uniform(2, 30))
        else:
            window = (report_by - received).total_seconds() / 3600
            answered = self.cur.hours_after(received, window * self.rng.uniform(0.3, 0.95))
        self.do(
            answered,
            self.handler,
            "answer_supervision_letter",
            number=number,
            report="已发布情况通报并开展调查，处置进展已书面报告",
            answered_at=_iso(answered),
        )

    def script(self) -> CaseScript:
        self.plan_steps()
        return CaseScript(
            INCIDENT,
            self.plan.agency.code,
            self.opened_at,
            self.staff.clerk,
            self.payload,
            steps=tuple(self.steps),
        )


def incident(plan: AgencyPlan, at: datetime, path: str) -> CaseScript:
    return Incident(plan, at, path).script()


def online_message(plan: AgencyPlan, at: datetime, path: str) -> CaseScript:
    """网民留言: the reply limit is 3 working days from the day it is registered."""
    rng = plan.rng
    cur = Cursor(rng, plan.cal, at)
    title, content = rng.choice(topics.MESSAGE_TOPICS)
    place = names.place_name(rng)
    payload: dict[str, Any] = {
        "title": title.format(place=place),
        "content": content.format(place=place),
        "contact_name": names.person_name(rng),
        "channel": rng.choices(
            list(topics.MESSAGE_CHANNELS), list(topics.MESSAGE_CHANNELS.values())
        )[0],
    }
    if rng.random() < 0.7:
        payload["contact_phone"] = names.phone(rng)
    staff, handler = plan.staff, plan.handler()
    steps: list[Step] = []
    due = days_limit(plan.cal, local_date(at), 3)
    if path == "closed":
        steps.append(
            Step(cur.after(rng.randint(0, 1)), handler, "close", {"note": "重复留言，已合并办理"})
        )
    else:
        steps.append(Step(cur.after(0), staff.head, "assign", {"assignee": handler}))
        if path == "late":
            day = cur.working_day(rng.randint(1, 5), max(due, cur.today))
            reply_at = cur.on(day)
        else:
            reply_at = cur.between(cur.today, due)
        text = "已转相关部门核实处理，处理结果如下：已安排维修并加强日常巡查。感谢您的监督。"
        steps.append(Step(reply_at, handler, "reply", {"reply": text}))
        if rng.random() < 0.7:
            steps.append(
                Step(cur.after(rng.randint(0, 3)), handler, "close", {"note": "已答复，办结"})
            )
    return CaseScript(
        ONLINE_MESSAGE, plan.agency.code, at, staff.clerk, payload, steps=tuple(steps)
    )
