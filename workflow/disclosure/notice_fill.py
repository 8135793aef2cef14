"""What fills each notice of a disclosure request, taken from the case and never retyped
(SPEC N-1): pure. The kinds are those of ``configs/notices/notices.yaml``; the values read
the request's deadlines (``reply``, ``correction_period``, ``fee_payment``, consultations)
and its actions' inputs, so this is the type's, not the shared notice machinery's.

``fill(kind, source)`` returns the template's values, all text: the dates the engine
computed, the fee in figures and in capitals with its basis, the outcome with its ground
and articles, the remedies with the reconsideration body in force on the notice's date.
``allowed_fields(kind)`` is what a template of that kind may name (checked at load).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from govflow.workflow.deadlines import Deadline
from govflow.workflow.notices.capitals import amount_in_capitals, amount_in_figures, cn_date
from govflow.workflow.notices.catalog import Edition, NoticeKind

SEAL = "（印章）"

COMMON = frozenset(
    {
        "title",
        "number",
        "agency",
        "ref",
        "recipient",
        "applicant",
        "applicant_address",
        "request",
        "received_date",
        "issue_date",
        "seal",
        "basis",
    }
)
REMEDIES = frozenset({"remedies"})

KIND_FIELDS: dict[str, frozenset[str]] = {
    "receipt": frozenset({"channel", "reply_days", "reply_due"}),
    "correction": frozenset({"correction_items", "correction_days", "correction_due"}),
    "extension": frozenset(
        {"extension_days", "extension_reason", "original_due", "extended_due", "reply_days"}
    ),
    "consultation_third_party": frozenset({"party", "party_days", "party_window", "note"}),
    "consultation_agency": frozenset({"party", "party_days", "party_window", "note"}),
    "consultation_applicant": frozenset({"party_kind", "party_days"}),
    "third_party_decision": frozenset({"party", "outcome", "reply_content"}) | REMEDIES,
    "fee": frozenset(
        {
            "fee_amount",
            "fee_capitals",
            "fee_basis",
            "fee_reason",
            "payment_days",
            "payment_window",
        }
    ),
    "reasons": frozenset({"reasons_reason", "reasons_days", "month_count", "year_count"}),
    "case_file_cover": frozenset(
        {
            "applicant_kind",
            "handler",
            "state",
            "outcome",
            "reply_date",
            "closed_date",
            "archive_date",
            "documents",
            "events",
            "head_hash",
        }
    ),
}
REPLY_FIELDS = frozenset({"outcome", "ground", "reply_content", "reply_date"}) | REMEDIES
for _reply in ("disclosed", "partially_disclosed", "withheld", "unavailable", "not_processed"):
    KIND_FIELDS[f"reply_{_reply}"] = REPLY_FIELDS
KIND_FIELDS["reply_other"] = REPLY_FIELDS


def allowed_fields(kind: str) -> frozenset[str]:
    return COMMON | KIND_FIELDS[kind]


@dataclass(frozen=True)
class NoticeSource:
    """The case as a notice sees it: gathered by the service, with nothing left to look up."""

    ref: str
    agency_name: str
    applicant_name: str
    applicant_address: str | None
    description: str
    channel_label: str
    receipt_date: date | None
    issued_on: date
    number: str
    edition: Edition
    payload: dict[str, Any]  # the issuing action's data as recorded
    derived: dict[str, Any]
    deadlines: dict[str, Deadline]  # computed, after the action
    reconsideration_body: str | None = None
    court: str = "有管辖权的人民法院"
    party: dict[str, Any] = field(default_factory=dict)  # the consultation, for party notices
    reply: dict[str, Any] = field(default_factory=dict)  # outcome, label, summary, replied_on
    extra: dict[str, str] = field(default_factory=dict)  # values computed by the caller


RECONSIDERATION_LAW_REVISED = date(2024, 1, 1)


def remedies(
    body: str | None, court: str, edition: Edition, on: date, deadline_word: str = "答复"
) -> str:
    """The remedies paragraph: 行政复议 within 60 days, 行政诉讼 within 6 months. The
    60 days are 《行政复议法》 Art. 20 since its revision in force 2024-01-01, Art. 9 before."""
    basis = edition.cite(["remedies"])
    article = "第二十条" if on >= RECONSIDERATION_LAW_REVISED else "第九条"
    reconsideration = body or "依法有权受理的行政复议机关"
    return (
        f"如对本{deadline_word}不服，可以自收到本{deadline_word}之日起六十日内向{reconsideration}"
        f"申请行政复议，或者自收到本{deadline_word}之日起六个月内向{court}提起行政诉讼"
        f"（{basis}，《中华人民共和国行政复议法》{article}，《中华人民共和国行政诉讼法》第四十六条）。"
    )


def _due(source: NoticeSource, key: str) -> date | None:
    deadline = source.deadlines.get(key)
    return deadline.due_date if deadline is not None else None


def _window(days: int, received_word: str, due: date | None) -> str:
    text = f"自收到本{received_word}之日起 {days} 个工作日内"
    return f"{text}（即 {cn_date(due)} 前）" if due else text


def fill(kind: NoticeKind, source: NoticeSource) -> dict[str, str]:
    values: dict[str, str] = {
        "title": kind.title,
        "number": source.number,
        "agency": source.agency_name,
        "ref": source.ref,
        "recipient": source.party.get("name", source.applicant_name)
        if kind.recipient == "party"
        else source.applicant_name,
        "applicant": source.applicant_name,
        "applicant_address": source.applicant_address or "",
        "request": source.description,
        "received_date": cn_date(source.receipt_date),
        "issue_date": cn_date(source.issued_on),
        "seal": SEAL,
        "basis": source.edition.cite(list(kind.cites)),
    }
    values.update(_SPECIFIC[_family(kind.code)](kind, source))
    values.update(source.extra)
    return values


def _family(code: str) -> str:
    return "reply" if code.startswith("reply_") else code


def _receipt(kind: NoticeKind, s: NoticeSource) -> dict[str, str]:
    reply = s.deadlines.get("reply")
    return {
        "channel": s.channel_label,
        "reply_days": str(reply.amount if reply else ""),
        "reply_due": cn_date(_due(s, "reply")),
    }


def _correction(kind: NoticeKind, s: NoticeSource) -> dict[str, str]:
    return {
        "correction_items": s.payload["items"],
        "correction_days": str(s.derived.get("period_days") or s.payload["period_days"]),
        "correction_due": cn_date(_due(s, "correction_period")),
    }


def _extension(kind: NoticeKind, s: NoticeSource) -> dict[str, str]:
    reply = s.deadlines["reply"]
    return {
        "extension_days": str(s.payload["days"]),
        "extension_reason": s.payload["reason"],
        "reply_days": str(reply.amount),
        "original_due": s.extra.get("original_due", ""),
        "extended_due": cn_date(reply.due_date) if reply.due_date else "恢复计算后确定",
    }


def _consultation(kind: NoticeKind, s: NoticeSource) -> dict[str, str]:
    days = int(s.derived["consultation_days"])
    due = _due(s, f"consultation-{s.party['number']}")
    word = "征求意见书" if s.party["party_kind"] == "third_party" else "函"
    return {
        "party": s.party["party_name"],
        "party_days": str(days),
        "party_window": _window(days, word, due),
        "note": s.payload.get("note", ""),
    }


def _consultation_applicant(kind: NoticeKind, s: NoticeSource) -> dict[str, str]:
    label = "第三方" if s.party["party_kind"] == "third_party" else "共同制作该信息的行政机关"
    return {"party_kind": label, "party_days": str(s.derived["consultation_days"])}


def _reply(kind: NoticeKind, s: NoticeSource) -> dict[str, str]:
    return {
        "outcome": s.reply["label"],
        "ground": s.edition.cite(list(s.reply["grounds"])) or s.edition.cite(["reply_forms"]),
        "reply_content": s.reply["summary"],
        "reply_date": cn_date(date.fromisoformat(s.reply["replied_on"])),
        "remedies": remedies(s.reconsideration_body, s.court, s.edition, s.issued_on),
    }


def _third_party_decision(kind: NoticeKind, s: NoticeSource) -> dict[str, str]:
    return {
        "party": s.party["party_name"],
        "outcome": s.reply["label"],
        "reply_content": s.reply["summary"],
        "remedies": remedies(s.reconsideration_body, s.court, s.edition, s.issued_on, "决定"),
    }


def _fee(kind: NoticeKind, s: NoticeSource) -> dict[str, str]:
    amount = int(s.derived["amount"])
    proposal = s.derived["proposal"]
    if s.payload["basis"] == "per_request":
        basis = (
            f"按件计收：本申请为申请人本自然月内提出的第 {proposal['ordinal_in_month']} 件申请"
            "（每月第 1 至 10 件不收费，第 11 至 30 件每件 100 元，第 31 件起每 10 件为一档，"
            "每件标准较前一档增加 100 元）"
        )
    else:
        basis = (
            f"按量计收：所需提供的信息共 {s.payload['pages']} 页"
            "（第 1 至 30 页不收费，第 31 至 100 页每页 10 元，第 101 至 200 页每页 20 元，"
            "第 201 页起每页 40 元，各档按所含页数分别计算）"
        )
    days = int(s.derived["payment_days"])
    return {
        "fee_amount": amount_in_figures(amount),
        "fee_capitals": amount_in_capitals(amount),
        "fee_basis": basis,
        "fee_reason": s.payload["reason"],
        "payment_days": str(days),
        "payment_window": _window(days, "通知书", _due(s, "fee_payment")),
    }


def _reasons(kind: NoticeKind, s: NoticeSource) -> dict[str, str]:
    return {
        "reasons_reason": s.payload["reason"],
        "reasons_days": str(s.payload["period_days"]),
        "month_count": str(s.derived["this_month"]),
        "year_count": str(s.derived["this_year"]),
    }


_SPECIFIC = {
    "receipt": _receipt,
    "correction": _correction,
    "extension": _extension,
    "consultation_third_party": _consultation,
    "consultation_agency": _consultation,
    "consultation_applicant": _consultation_applicant,
    "third_party_decision": _third_party_decision,
    "fee": _fee,
    "reasons": _reasons,
    "reply": _reply,
}
