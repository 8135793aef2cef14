"""The demo's public-opinion scene (SPEC section 3): a night incident raised to 重大 too late.

Detected at 22:40 and graded 一般 (48 h to respond), it is raised to 重大 at 04:20, past
its 5-hour mark: the statement milestone is breached at once and the sweeper escalates it
on its next pass (the narrator sweeps between steps). A statement, a press conference
within 24 h, a supervision letter received and answered, the evaluation, the archive,
and the accountability list the supervisor reads.
"""

from __future__ import annotations

from govflow.demo.story import Story
from govflow.presentation.text import local
from govflow.workflow import services

LABEL = "舆情一"


def night_incident(s: Story) -> None:
    clerk, li, head = "wang.clerk", "li.handler", "zhang.head"
    s.echo("\n========== 政务舆情：夜间发现，升级为重大，上级督办 ==========")
    s.at("2025-11-20T22:50")
    s.open(
        LABEL,
        clerk,
        "incident",
        {
            "title": "网传某小学食堂使用过期食材",
            "summary": "22:40 起微博出现多条帖文并配图，称县城某小学食堂使用过期食材，转发量上升",
            "platform": "微博",
            "link": "https://weibo.com/demo/1120",
            "detected_at": "2025-11-20T22:40",
            "topic": "食品药品",
            "lead_department": "示范县教育局",
            "cooperating_departments": ["示范县市场监督管理局"],
        },
        "值班人员夜间监测发现并登记，未定级前按一般（48 小时）计时，夜间照常计算",
    )
    s.do(LABEL, head, "assign", "负责人指定李经办牵头处置", assignee=li)
    s.at("2025-11-20T23:10")
    s.do(LABEL, li, "assess", "连夜会商研判")
    s.at("2025-11-20T23:30")
    s.do(
        LABEL,
        head,
        "grade",
        "研判为一般舆情：48 小时内回应",
        grade="一般",
        reason="传播范围有限，尚无线下聚集",
    )
    s.at("2025-11-21T04:20")
    s.do(
        LABEL,
        head,
        "regrade",
        "凌晨转发激增、家长聚集校门，升级为重大：时限自 22:40 发现时重新计算，"
        "5 小时发布权威信息的时限已于 03:40 届满，立即记为超期",
        grade="重大",
        reason="舆情持续升温，出现线下聚集",
    )
    s.at("2025-11-21T05:10")
    s.do(
        LABEL,
        li,
        "publish_statement",
        "在县政府网站与政务微博发布情况通报（超过 5 小时时限）",
        channel="县政府网站、“示范县发布”政务微博",
        link="https://www.example.gov.cn/xxgk/2025/1121.html",
    )
    s.at("2025-11-21T09:30")
    s.do(
        LABEL,
        clerk,
        "receive_supervision_letter",
        "收到市委网信办督办函，要求 11 月 22 日 18:00 前报告处置情况",
        number="市网督〔2025〕17号",
        sender="市委网信办",
        report_by="2025-11-22T18:00",
    )
    s.at("2025-11-21T15:00")
    s.do(
        LABEL,
        li,
        "hold_press_conference",
        "召开新闻发布会通报调查进展（24 小时内）",
        venue="县政府新闻发布厅",
        summary="通报食材抽检安排与停业整改措施",
    )
    s.at("2025-11-22T10:00")
    s.do(
        LABEL,
        li,
        "follow_up",
        "持续发布：公布抽检结果",
        channel="县政府网站",
        summary="第三方检测机构抽检结果：食材均在保质期内，另有 2 项台账不规范已整改",
    )
    s.at("2025-11-22T16:00")
    s.do(
        LABEL,
        li,
        "answer_supervision_letter",
        "向市委网信办报送处置情况（报告时限前）",
        number="市网督〔2025〕17号",
        report="已发布通报、召开发布会并公布抽检结果，涉事食堂停业整改",
    )
    s.at("2025-11-24T10:00")
    s.do(
        LABEL,
        li,
        "evaluate",
        "评估回应效果",
        effect="通报与发布会后讨论量明显回落，无新的线下聚集",
        lessons="夜间研判偏低，升级偏晚；凌晨舆情升温时应立即会商并先行发布权威信息",
    )
    s.do(LABEL, clerk, "archive", "督办函已报送、评估完成，归档")
    s.echo("\n  督查查看问责清单（govflow incident accountability）：")
    supervisor = services.identify(s.svc, "chen.supervisor")
    for entry in services.accountability(s.svc, supervisor):
        s.echo(
            f"  {entry.ref}｜{entry.label} 届满 {local(entry.due_at)}，"
            f"超期 {entry.hours_late:.1f} 小时｜牵头部门：{entry.lead_department}｜"
            f"经办人：{entry.handler_name or '未指定'}"
        )
