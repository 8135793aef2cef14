"""The written acts of a disclosure request (SPEC N-1): which action issues which notice,
and what of the request fills it; and the cover sheet of its case file (卷宗, N-2).

The notice machinery (numbers, templates, the file store) is shared
(``workflow.notices``); this module is the type's part of it, reached through its contract
(``Workflow.notice_plan``, ``Workflow.case_file_cover``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from govflow.workflow.calendar import WorkingCalendar
from govflow.workflow.clock import local_date
from govflow.workflow.disclosure.actions import (
    CHANNEL_LABELS,
    SUBKIND_LABELS,
    Channel,
    LegalPersonSubkind,
)
from govflow.workflow.disclosure.notice_fill import NoticeSource, allowed_fields, fill
from govflow.workflow.disclosure.register import RequestRegister
from govflow.workflow.documents.records import ATTACHMENT, NOTICE, DocumentRecord
from govflow.workflow.errors import NotFound
from govflow.workflow.notices.capitals import cn_date
from govflow.workflow.notices.catalog import Catalog
from govflow.workflow.notices.issue import Issuing, Planned
from govflow.workflow.outcomes import Outcome
from govflow.workflow.policy import NoticeSettings

if TYPE_CHECKING:
    from govflow.workflow.cases import Case
    from govflow.workflow.ports import UnitOfWork, WritingUnitOfWork

# The actions that are written acts and the notice each issues; the consultation and the
# replies issue notices that depend on the case (``plan``).
SIMPLE = {
    "confirm_receipt": "receipt",
    "request_correction": "correction",
    "extend": "extension",
    "send_fee_notice": "fee",
    "request_reasons": "reasons",
}
CONSULTATION = "start_consultation"
REPLIES = frozenset({"approve_reply", "reply_on_the_spot"})
ISSUING = frozenset({*SIMPLE, CONSULTATION, *REPLIES})
DISCLOSED = ("disclosed", "partially_disclosed")
ARCHIVE = "archive"


def _party(c: Any) -> dict[str, Any]:
    return {
        "number": c.number,
        "party_kind": c.party_kind,
        "party_name": c.party_name,
        "name": c.party_name,
    }


def notice_label(outcomes: Mapping[str, Outcome], code: str) -> str:
    """The outcome as a reply names it: the report's row without its numbering and notes,
    ``withheld.third_party`` → ``不予公开：保护第三方合法权益``."""
    outcome = outcomes[code]
    heading = re.sub(r"^（[一二三四五六七八九十]+）", "", outcome.heading)
    heading = re.sub(r"（[^）]*）$", "", heading)
    if outcome.label == outcome.heading:
        return heading
    return f"{heading}：{re.sub(r'^[0-9]+[.．]', '', outcome.label)}"


class DisclosureNotices:
    """The disclosure request's ``NoticePlan`` (``workflow.notices.issue``)."""

    def __init__(self, outcomes: Mapping[str, Outcome]) -> None:
        self.outcomes = outcomes

    def issues(self, action: str) -> bool:
        return action in ISSUING

    def plan(
        self, catalog: Catalog, case: Case, action: str, payload: Mapping[str, Any]
    ) -> list[Planned]:
        facts = case.facts
        if action in SIMPLE:
            return [Planned(SIMPLE[action])]
        if action == CONSULTATION:
            c = facts.consultations[-1]
            party = _party(c)
            letter = (
                "consultation_third_party"
                if c.party_kind == "third_party"
                else "consultation_agency"
            )
            return [Planned(letter, party), Planned("consultation_applicant", party)]
        if action in REPLIES:
            planned = [Planned(catalog.reply_kind(facts.outcome).code)]
            if facts.outcome in DISCLOSED:
                # Art. 32: disclosed over a third party's objection — the decision in writing.
                planned += [
                    Planned("third_party_decision", _party(c))
                    for c in facts.consultations
                    if c.party_kind == "third_party" and c.result == "objected"
                ]
            return planned
        return []

    def party(self, case: Case, consultation: int) -> dict[str, Any]:
        return _party(case.facts.consultations[consultation - 1])

    def reply_of(self, case: Case, catalog: Catalog, payload: Mapping[str, Any]) -> dict[str, Any]:
        """The reply as decided: the outcome with its label and ground, the approved draft's
        text (kept with the facts: no event is read)."""
        facts = case.facts
        summary = payload.get("summary")
        if summary is None:
            summary = facts.draft_summary or ""
        return {
            "outcome": facts.outcome,
            "label": notice_label(self.outcomes, facts.outcome),
            "grounds": catalog.grounds.get(facts.outcome, ()),
            "summary": summary,
            "replied_on": facts.replied_on.isoformat(),
        }

    def allowed_fields(self, kind: str) -> frozenset[str]:
        return allowed_fields(kind)

    def values(
        self,
        case: Case,
        uow: WritingUnitOfWork,
        issuing: Issuing,
        catalog: Catalog,
        settings: NoticeSettings,
        calendar: WorkingCalendar,
    ) -> dict[str, str]:
        return fill(issuing.kind, self.source(case, uow, issuing, catalog, settings, calendar))

    def source(
        self,
        case: Case,
        uow: WritingUnitOfWork,
        issuing: Issuing,
        catalog: Catalog,
        settings: NoticeSettings,
        calendar: WorkingCalendar,
    ) -> NoticeSource:
        request = uow.store(RequestRegister).request(case.ref)
        if request is None:
            raise NotFound(f"{case.ref} 不在申请登记簿中")
        facts = case.facts
        kind = issuing.kind
        deadlines = {d.key: d for d in case.deadlines}
        extra: dict[str, str] = {}
        if kind.code == "extension":
            unextended = replace(deadlines["reply"].copy(), extension_days=0)
            extra["original_due"] = cn_date(unextended.compute(calendar).due_date)
        reply = (
            self.reply_of(case, catalog, issuing.payload)
            if kind.code.startswith("reply_") or kind.code == "third_party_decision"
            else {}
        )
        return NoticeSource(
            ref=case.ref,
            agency_name=issuing.agency_name,
            applicant_name=request.applicant_name,
            applicant_address=request.address,
            description=request.description,
            channel_label=CHANNEL_LABELS[Channel(request.channel)],
            receipt_date=facts.receipt_date,
            issued_on=issuing.issued_on,
            number=issuing.number,
            edition=catalog.edition(getattr(facts, "edition_code", None)),
            payload=dict(issuing.payload),
            derived=dict(issuing.derived),
            deadlines=deadlines,
            reconsideration_body=settings.reconsideration_body(case.agency_code, issuing.issued_on),
            court=settings.court,
            party=issuing.item.party or {},
            reply=reply,
            extra=extra,
        )

    def cover(
        self,
        case: Case,
        uow: UnitOfWork,
        versions: Sequence[DocumentRecord],
        now: datetime,
    ) -> dict[str, str]:
        """The cover sheet (案卷封面) of a disclosure request, from the case."""
        request = uow.store(RequestRegister).request(case.ref)
        if request is None:
            raise NotFound(f"{case.ref} 不在申请登记簿中")
        agency = uow.repo.agency(case.agency_code)
        handler = "—"
        if case.assignee:
            try:
                handler = uow.repo.actor(case.assignee).name
            except NotFound:
                handler = case.assignee
        facts = case.facts
        kind = "自然人"
        if request.applicant_subkind:
            subkind = SUBKIND_LABELS[LegalPersonSubkind(request.applicant_subkind)]
            kind = f"法人或其他组织（{subkind}）"
        notices = len({r.no for r in versions if r.type == NOTICE})
        attachments = len({r.no for r in versions if r.type == ATTACHMENT})
        archived = [e for e in case.events if e.action == ARCHIVE]
        return {
            "title": "政府信息公开申请案卷",
            "number": "",
            "agency": agency.name,
            "ref": case.ref,
            "recipient": request.applicant_name,
            "applicant": request.applicant_name,
            "applicant_address": request.address or "",
            "applicant_kind": kind,
            "request": request.description,
            "received_date": cn_date(facts.receipt_date or facts.received_on),
            "issue_date": cn_date(local_date(now)),
            "seal": "",
            "basis": "",
            "handler": handler,
            "state": case.state_label,
            "outcome": notice_label(self.outcomes, facts.outcome) if facts.outcome else "—",
            "reply_date": cn_date(facts.replied_on) or "—",
            "closed_date": cn_date(facts.closed_on) or "—",
            "archive_date": cn_date(local_date(archived[-1].occurred_at)) if archived else "未归档",
            "documents": f"告知书 {notices} 份、附件 {attachments} 份",
            "events": str(case.head_seq),
            "head_hash": case.head_hash,
        }
