"""The ledger import applies the rules a live case follows, on SQLite and PostgreSQL.

* Each row's 经办人 is checked by the one rule 指定经办人 applies
  (``case_workers.assignee_refusal``): a departed or locked account, or an integration's
  service account, is a problem on its row, named, and the file writes nothing.
* An extension longer than its edition allows is a problem on its row even when it was also
  granted after the reply limit had passed (SPEC D-3, L-1): the lateness alone is a finding
  (docs/import.md), but the length is what the limit is computed with, so the law's limits
  could no longer be computed for the case.
* An extension granted after the reply limit had passed extends nothing (SPEC D-3,
  docs/rules.md): the limit stays the original one, so a reply after it is late in the
  case, its explanation and the timeliness report; a lawful extension still moves it.
"""

from __future__ import annotations

import hashlib
import io
from datetime import date
from typing import Any

from openpyxl import Workbook

from govflow.presentation.import_sheet import read_sheet
from govflow.workflow.actors import AccountKind, Role
from govflow.workflow.imports.columns import COLUMNS
from govflow.workflow.services import (
    ImportResult,
    accounts,
    case_detail,
    check_projection,
    identify,
    import_requests,
    timeliness_report,
)
from govflow.workflow.services.accounts import NewAccount
from tests.config import load_case
from tests.integration.conftest import Flow
from tests.principals import acting

HEAD = "zhang.head"
BASE = {
    "收到申请之日": "2025-03-03",
    "提交方式": "当面提交",
    "申请人类型": "自然人",
    "申请人姓名或名称": "张三",
    "联系电话": "13800000000",
    "申请内容": "2024年预算",
    "答复类型": "予以公开",
    "答复日期": "2025-03-20",
}


def row(id_number: str, **cells: Any) -> dict[str, Any]:
    """A request of ``BASE`` told apart by its applicant's identity number."""
    return {**BASE, "证件号码": id_number, **cells}


def run(flow: Flow, rows: list[dict[str, Any]]) -> ImportResult:
    headers = [c.header for c in COLUMNS]
    book = Workbook()
    sheet = book.active
    sheet.append(headers)
    for cells in rows:
        sheet.append([cells.get(h) for h in headers])
    out = io.BytesIO()
    book.save(out)
    data = out.getvalue()
    return import_requests(
        flow.svc,
        principal=acting(flow.svc, HEAD),
        sheet=read_sheet(data, "台账.xlsx"),
        file_name="台账.xlsx",
        sha256=hashlib.sha256(data).hexdigest(),
    )


def test_an_assignee_the_assign_action_would_refuse_is_a_problem_on_its_row(flow: Flow) -> None:
    flow.at("2025-12-31 10:00")
    svc = flow.svc
    accounts.bootstrap_admin(svc)
    admin = acting(svc, "admin")
    accounts.deactivate_user(svc, admin, "zhao.handler")
    accounts.lock_user(svc, admin, "li.handler")
    robot = NewAccount("monitor.robot", "舆情监测平台", (Role.HANDLER,), "county",
                       kind=AccountKind.SERVICE)  # fmt: skip
    accounts.add_user(svc, admin, robot)
    rows = [
        row("610926199001011001", 经办人="zhang.head"),  # line 2: may
        row("610926199001011002", 经办人="zhao.handler"),  # line 3: departed
        row("610926199001011003", 经办人="li.handler"),  # line 4: locked
        row("610926199001011004", 经办人="monitor.robot"),  # line 5: an integration
        row("610926199001011005", 经办人="zhao.handler"),  # line 6: named again
    ]
    before = flow.footprint()
    result = run(flow, rows)
    assert [str(p) for p in result.problems] == [
        "第 3 行【经办人】赵经办 的账户已停用，不能指定",
        "第 4 行【经办人】李经办 的账户已锁定，不能指定",
        "第 5 行【经办人】舆情监测平台 是服务账户（供接口集成使用），不能指定为经办人",
        "第 6 行【经办人】赵经办 的账户已停用，不能指定",
    ]
    assert result.created == [] and flow.footprint() == before  # the file writes nothing
    # Back at work, the same person is taken, as 指定经办人 would take them.
    accounts.activate_user(svc, admin, "zhao.handler")
    result = run(flow, [rows[0], rows[1]])
    assert result.problems == []
    assert [flow.case(ref).assignee for _, ref in result.created] == ["zhang.head", "zhao.handler"]


def test_an_extension_longer_than_the_law_allows_is_a_problem_even_when_late(flow: Flow) -> None:
    flow.at("2025-12-31 10:00")
    before = flow.footprint()
    # Received 2025-03-03 (2019 regulations): the reply limit is 2025-03-31, an extension at
    # most 20 working days. Granted 2025-04-02 — after the limit — for 30 days.
    late_and_long = row("610926199001012001", **{"延长天数（工作日）": 30,
                        "延长告知日": "2025-04-02", "答复日期": "2025-04-30"})  # fmt: skip
    long_in_time = row("610926199001012002", **{"延长天数（工作日）": 21,
                       "延长告知日": "2025-03-20", "答复日期": "2025-04-30"})  # fmt: skip
    # The 2008 regulations allowed at most 15 (SPEC L-1).
    old_rules = row("610926199001012003", **{"收到申请之日": "2018-03-05", "延长天数（工作日）": 16,
                    "延长告知日": "2018-04-02", "答复日期": "2018-04-20"})  # fmt: skip
    result = run(flow, [late_and_long, long_in_time, old_rules])
    assert [str(p) for p in result.problems] == [
        "第 2 行【延长天数（工作日）】延长期限最长不得超过 20 个工作日（依据《条例》(2019) 第三十三条）",
        "第 3 行【延长天数（工作日）】延长期限最长不得超过 20 个工作日（依据《条例》(2019) 第三十三条）",
        "第 4 行【延长天数（工作日）】延长期限最长不得超过 15 个工作日（依据《条例》(2008) 第二十四条）",
    ]
    assert result.created == [] and flow.footprint() == before
    # Late but within the maximum: imported as it happened, the lateness a finding.
    late = row("610926199001012004", **{"延长天数（工作日）": 20,
               "延长告知日": "2025-04-02", "答复日期": "2025-04-10"})  # fmt: skip
    result = run(flow, [late])
    assert result.problems == []
    assert [p.message for p in result.findings if "延长" in p.message] == [
        "答复期限已于 2025-03-31 届满，延长须在期限届满前批准"
    ]
    ((_, ref),) = result.created
    extend = next(e for e in load_case(flow.svc, ref).events if e.action == "extend")
    assert extend.data["payload"]["days"] == 20
    assert (
        extend.data["imported"]["finding"] == "答复期限已于 2025-03-31 届满，延长须在期限届满前批准"
    )


def test_an_extension_granted_after_the_limit_extends_nothing(flow: Flow) -> None:
    flow.at("2025-12-31 10:00")
    # Received 2025-03-03: the reply limit is 2025-03-31 (20 working days). Both rows reply
    # on 2025-04-10, after it; one was extended on 03-20, in time, the other on 04-02, late.
    # 10 working days past 03-31: 04-01…04-03 (3), 04-04…04-06 清明, 04-07…04-11 (8),
    # 04-14, 04-15 (10).
    lawful = row("610926199001013001", **{"延长天数（工作日）": 10,
                 "延长告知日": "2025-03-20", "答复日期": "2025-04-10"})  # fmt: skip
    late = row("610926199001013002", **{"延长天数（工作日）": 10,
               "延长告知日": "2025-04-02", "答复日期": "2025-04-10"})  # fmt: skip
    result = run(flow, [lawful, late])
    assert result.problems == []
    assert [str(p) for p in result.findings] == [
        "第 3 行答复期限已于 2025-03-31 届满，延长须在期限届满前批准",
        "第 3 行【答复日期】答复日期 2025-04-10 晚于答复期限 2025-03-31"
        "（依据《条例》(2019) 第三十三条），计为超期答复",
    ]
    (_, lawful_ref), (_, late_ref) = result.created

    # The lawful extension moves the limit; the reply is on time.
    assert flow.due(lawful_ref) == date(2025, 4, 15)
    assert flow.status(lawful_ref) == "met"
    # The late one is recorded, with its finding, and the limit stays the original one.
    assert flow.due(late_ref) == date(2025, 3, 31)
    assert flow.status(late_ref) == "breached"
    extend = next(e for e in flow.case(late_ref).events if e.action == "extend")
    assert extend.data["payload"]["days"] == 10
    assert "延长须在期限届满前批准" in extend.data["imported"]["finding"]
    # The case page says why.
    head = identify(flow.svc, HEAD)
    (reply,) = [d for d in case_detail(flow.svc, head, late_ref).deadlines if d.key == "reply"]
    assert reply.due_date == date(2025, 3, 31) and reply.extension_days == 0
    assert reply.explanation[-1] == (
        "延期 10 个工作日于 2025-04-02 批准，晚于原答复期限 2025-03-31，不延长答复期限："
        "延长须在期限届满前批准（依据《条例》(2019) 第三十三条）。"
    )
    # The timeliness report counts one on time, one late (in March, its due day's month).
    figures = timeliness_report(flow.svc, head, agency="county", start=date(2025, 1, 1),
                                end=date(2025, 12, 31))  # fmt: skip
    assert (figures.replies.on_time, figures.replies.late) == (1, 1)
    march = timeliness_report(flow.svc, head, agency="county", start=date(2025, 3, 1),
                              end=date(2025, 3, 31))  # fmt: skip
    assert (march.replies.on_time, march.replies.late) == (0, 1)
    # The stored facts and deadline rows are the events' own.
    assert check_projection(flow.svc, lawful_ref) == check_projection(flow.svc, late_ref) == []
