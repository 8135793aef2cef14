"""One imported row's history as the actions that tell it, in the order they happened.

A row says what happened and when (received, corrected, extended, charged, replied,
challenged); ``steps`` turns that into the disclosure workflow's own actions, each on its
day, so the same rules that run a live case rebuild the imported one: its deadlines, its
outcome, its place in the reports. What the sheet itself must get right (dates in order and
within the law's years, the columns that go together) is checked here, by column.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from pydantic import ValidationError

from govflow.workflow.disclosure import actions as a
from govflow.workflow.disclosure.context import description_key
from govflow.workflow.disclosure.editions import Editions
from govflow.workflow.errors import InvalidInput
from govflow.workflow.imports.columns import BY_KEY, WITHDRAWN, ImportRow, Problem, header
from govflow.workflow.outcomes import Outcome
from govflow.workflow.validation import zh_errors

# Same-day actions happen in this order (a reply is drafted before it is approved …).
RANK = {
    name: i
    for i, name in enumerate(
        (
            "receive",
            "confirm_receipt",
            "assign",
            "start_review",
            "request_correction",
            "submit_correction",
            "correction_expired",
            "accept",
            "extend",
            "send_fee_notice",
            "record_payment",
            "fee_expired",
            "draft_reply",
            "approve_reply",
            "withdraw",
            "record_reconsideration",
            "record_litigation",
        )
    )
}
SYSTEM_ACTIONS = frozenset({"correction_expired", "fee_expired"})
APPLICANT_COLUMNS = {
    "kind": "applicant_kind",
    "subkind": "applicant_subkind",
    "name": "name",
    "id_number": "id_number",
    "phone": "phone",
    "address": "address",
    "email": "email",
}


@dataclass(frozen=True)
class Step:
    day: date
    action: str
    payload: dict[str, Any]
    columns: tuple[str, ...]  # the headers the step comes from, for messages

    @property
    def system(self) -> bool:
        return self.action in SYSTEM_ACTIONS


@dataclass
class Plan:
    row: ImportRow
    key: str  # identifies the request across imports (原登记编号, else who/when/what)
    steps: list[Step] = field(default_factory=list)


def row_key(row: ImportRow) -> str:
    """The request's identity: the office's own number when the sheet has one, else the
    receipt date, the applicant and what was asked (so a re-import creates nothing twice)."""
    if row.get("original_ref"):
        basis = f"ref:{row.get('original_ref')}"
    else:
        applicant = a.ApplicantKind(row.get("applicant_kind"))
        who = hashlib.sha256(
            f"{applicant.value}:{str(row.get('id_number')).upper()}".encode()
        ).hexdigest()
        basis = f"{row.get('receipt_date')}:{who}:{description_key(str(row.get('description')))}"
    return hashlib.sha256(basis.encode()).hexdigest()


def _applicant(row: ImportRow) -> tuple[dict[str, Any], list[Problem]]:
    raw = {k: row.get(col) for k, col in APPLICANT_COLUMNS.items() if row.get(col) is not None}
    try:
        a.Applicant.model_validate(raw)
    except ValidationError as exc:
        problems = []
        for where, message in zh_errors(exc.errors(), ""):
            column = APPLICANT_COLUMNS.get(where.split(".")[0])
            problems.append(Problem(row.line, header(column) if column else "", message))
        return raw, problems
    return raw, []


def _dates(row: ImportRow, today: date, first_day: date) -> list[Problem]:
    """Lawful dates: none before the first regulations (``first_day``), none after today, in
    order."""
    problems = []
    for column in BY_KEY.values():
        day = row.get(column.key)
        if column.kind != "date" or day is None:
            continue
        if day < first_day:
            problems.append(
                Problem(
                    row.line,
                    column.header,
                    f"{day.isoformat()} 早于《条例》施行之日 {first_day.isoformat()}",
                )
            )
        elif day > today:
            problems.append(
                Problem(row.line, column.header, f"{day.isoformat()} 晚于今天 {today.isoformat()}")
            )
    order = [
        ("received_on", "receipt_date"),
        ("receipt_date", "correction_notice_on"),
        ("correction_notice_on", "corrected_on"),
        ("receipt_date", "extension_notified_on"),
        ("receipt_date", "fee_notice_on"),
        ("fee_notice_on", "paid_on"),
        ("receipt_date", "replied_on"),
        ("reconsideration_filed_on", "reconsideration_decided_on"),
        ("litigation_filed_on", "litigation_decided_on"),
        ("replied_on", "reconsideration_filed_on"),
        ("replied_on", "litigation_filed_on"),
    ]
    for before, after in order:
        first, then = row.get(before), row.get(after)
        if first is not None and then is not None and then < first:
            problems.append(
                Problem(
                    row.line,
                    header(after),
                    f"{then.isoformat()} 早于{header(before)} {first.isoformat()}",
                )
            )
    return problems


def _together(row: ImportRow, unreadable: set[str]) -> list[Problem]:
    """Columns that only make sense with others (a cell already refused is not "missing")."""
    needs = [
        ("corrected_on", "correction_notice_on"),
        ("extension_days", "extension_notified_on"),
        ("extension_notified_on", "extension_days"),
        ("fee_notice_on", "fee_amount"),
        ("fee_amount", "fee_notice_on"),
        ("paid_on", "fee_notice_on"),
        ("replied_on", "outcome"),
        ("outcome", "replied_on"),
        ("reconsideration_number", "reconsideration_filed_on"),
        ("reconsideration_number", "reconsideration_result"),
        ("reconsideration_filed_on", "reconsideration_number"),
        ("litigation_number", "litigation_filed_on"),
        ("litigation_number", "litigation_result"),
        ("litigation_number", "litigation_route"),
        ("litigation_filed_on", "litigation_number"),
    ]
    problems = [
        Problem(row.line, header(have), f"须同时填写{header(need)}")
        for have, need in needs
        if row.get(have) is not None and row.get(need) is None and header(need) not in unreadable
    ]
    for route in ("reconsideration", "litigation"):
        if (
            row.get(f"{route}_result") not in (None, "pending")
            and row.get(f"{route}_decided_on") is None
        ):
            problems.append(Problem(row.line, header(f"{route}_decided_on"), "已审结的须填写"))
    outcome = row.get("outcome")
    if outcome == "other.no_correction" and row.get("correction_notice_on") is None:
        problems.append(Problem(row.line, header("outcome"), "逾期不补正须有补正通知日"))
    if outcome == "other.no_correction" and row.get("corrected_on") is not None:
        problems.append(Problem(row.line, header("outcome"), "已收到补正，不能按逾期不补正终止"))
    if outcome == "other.no_fee" and (row.get("fee_notice_on") is None or row.get("paid_on")):
        problems.append(Problem(row.line, header("outcome"), "逾期未缴费须有收费通知日且无缴费日"))
    return problems


def plan_row(
    row: ImportRow,
    today: date,
    editions: Editions,
    unreadable: set[str] | None = None,
) -> tuple[Plan | None, list[Problem]]:
    """The steps of one parsed row, or its problems; ``editions`` are the regulations by date
    (with the D-8 outcomes), ``unreadable`` the headers of cells that could not be read (their
    problems are listed already)."""
    unreadable = unreadable or set()
    problems = _dates(row, today, editions.first_day) + _together(row, unreadable)
    applicant, wrong = _applicant(row)
    problems += [p for p in wrong if p.column not in unreadable]
    if unreadable:
        return None, problems
    receipt = row.get("receipt_date")
    if receipt is not None and not problems:
        try:
            governing = editions.on(receipt)
        except InvalidInput as exc:
            problems.append(Problem(row.line, header("receipt_date"), str(exc)))
        else:
            if row.get("fee_notice_on") and governing.fee_measures is None:
                problems.append(
                    Problem(
                        row.line, header("fee_notice_on"), f"{governing.short}没有信息处理费制度"
                    )
                )
    if problems:
        return None, problems
    return Plan(row, row_key(row), _steps(row, applicant, editions.outcomes)), []


def _steps(
    row: ImportRow, applicant: dict[str, Any], outcomes: Mapping[str, Outcome]
) -> list[Step]:
    v = row.get
    receipt: date = v("receipt_date")
    steps = [
        Step(
            v("received_on") or receipt,
            "receive",
            {
                "applicant": applicant,
                "description": v("description"),
                "channel": v("channel"),
                "received_on": (v("received_on") or receipt).isoformat(),
            },
            (header("receipt_date"), header("description")),
        ),
        Step(
            receipt,
            "confirm_receipt",
            {"receipt_date": receipt.isoformat()},
            (header("receipt_date"),),
        ),
    ]
    if v("assignee"):
        steps.append(Step(receipt, "assign", {"assignee": v("assignee")}, (header("assignee"),)))
    outcome = v("outcome")
    replied = v("replied_on")
    handled = v("fee_notice_on") is not None or (
        outcome is not None
        and outcome != WITHDRAWN
        and not outcome.startswith("not_processed.")
        and outcome != "other.no_correction"
    )
    reviewed = (
        handled
        or v("correction_notice_on") is not None
        or (outcome or "").startswith("not_processed.")
    )
    if reviewed or v("extension_days"):
        steps.append(Step(receipt, "start_review", {}, (header("receipt_date"),)))
    if v("correction_notice_on"):
        notice = v("correction_notice_on")
        steps.append(
            Step(
                notice,
                "request_correction",
                {
                    "items": v("correction_items") or "（导入：原台账未载明补正事项）",
                    "notice_on": notice.isoformat(),
                    **(
                        {"period_days": v("correction_period_days")}
                        if v("correction_period_days")
                        else {}
                    ),
                },
                (header("correction_notice_on"),),
            )
        )
        if v("corrected_on"):
            steps.append(
                Step(v("corrected_on"), "submit_correction",
                     {"corrected_on": v("corrected_on").isoformat()}, (header("corrected_on"),))
            )  # fmt: skip
        elif outcome == "other.no_correction":
            steps.append(Step(replied, "correction_expired", {}, (header("replied_on"),)))
    if handled:
        accepted = max(receipt, v("corrected_on") or receipt)
        steps.append(Step(accepted, "accept", {}, (header("receipt_date"),)))
    if v("extension_days"):
        steps.append(
            Step(
                v("extension_notified_on"),
                "extend",
                {
                    "days": v("extension_days"),
                    "reason": v("extension_reason") or "（导入：原台账未载明延长理由）",
                    "notified_on": v("extension_notified_on").isoformat(),
                },
                (header("extension_days"), header("extension_notified_on")),
            )
        )
    if v("fee_notice_on"):
        steps.append(
            Step(
                v("fee_notice_on"),
                "send_fee_notice",
                {
                    "basis": "per_request",
                    "amount": v("fee_amount"),
                    "notice_received_on": v("fee_notice_on").isoformat(),
                    "reason": "（导入：原台账记载的收费通知）",
                },
                (header("fee_notice_on"),),
            )
        )
        if v("paid_on"):
            steps.append(
                Step(
                    v("paid_on"),
                    "record_payment",
                    {"paid_on": v("paid_on").isoformat()},
                    (header("paid_on"),),
                )
            )
        elif outcome == "other.no_fee":
            steps.append(Step(replied, "fee_expired", {}, (header("replied_on"),)))
    if outcome == WITHDRAWN:
        steps.append(
            Step(replied, "withdraw", {"withdrawn_on": replied.isoformat(), "reason": v("summary") or "申请人撤回"},
                 (header("outcome"), header("replied_on")))
        )  # fmt: skip
    elif outcome is not None and not outcomes[outcome].system_only:
        summary = v("summary") or "（导入：原台账未载明答复内容）"
        steps.append(
            Step(
                replied,
                "draft_reply",
                {"outcome": outcome, "summary": summary},
                (header("outcome"),),
            )
        )
        steps.append(
            Step(
                replied,
                "approve_reply",
                {"replied_on": replied.isoformat()},
                (header("replied_on"),),
            )
        )
    for route, action in (
        ("reconsideration", "record_reconsideration"),
        ("litigation", "record_litigation"),
    ):
        if not v(f"{route}_number"):
            continue
        filed, decided = v(f"{route}_filed_on"), v(f"{route}_decided_on")
        payload = {
            "number": v(f"{route}_number"),
            "route": v("litigation_route") if route == "litigation" else "reconsideration",
            "result": v(f"{route}_result"),
            "filed_on": filed.isoformat(),
            **({"decided_on": decided.isoformat()} if decided else {}),
        }
        steps.append(
            Step(max(filed, decided or filed), action, payload, (header(f"{route}_number"),))
        )
    return sorted(steps, key=lambda s: (s.day, RANK[s.action]))
