"""Issuing notices inside an action's transaction (SPEC N-1).

``Notices`` is wired once at the edge (templates checked, the file store, the settings).
For an action that requires notices, ``issuer`` returns the hook ``Case.act`` calls after
the fold: it takes each notice's number from the agency's sequence for its kind and year
(the same row-locked upsert as case references, so numbers are unique and, the transaction
rolling back on any failure, without gaps), fills and renders the template, keeps the file
in the store and returns the records the event will carry. Actions that issue nothing pay
nothing: ``issues`` is a set lookup.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date
from typing import Any, Protocol

from govflow.workflow.calendar import WorkingCalendar
from govflow.workflow.cases import Case, Issue
from govflow.workflow.clock import local_date
from govflow.workflow.disclosure.actions import CHANNEL_LABELS, Channel
from govflow.workflow.documents.records import NOTICE, DocumentRecord, next_no
from govflow.workflow.documents.store import FileStore
from govflow.workflow.notices.capitals import cn_date
from govflow.workflow.notices.catalog import Catalog, NoticeKind, catalog
from govflow.workflow.notices.fill import NoticeSource, fill
from govflow.workflow.notices.templates import NoticeTemplates
from govflow.workflow.outcomes import outcomes
from govflow.workflow.policy import NoticeSettings

DISCLOSURE = "disclosure_request"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

# The actions of a disclosure request that are written acts, and so issue notices.
ISSUING = frozenset(
    {
        "confirm_receipt",
        "request_correction",
        "extend",
        "start_consultation",
        "send_fee_notice",
        "request_reasons",
        "approve_reply",
        "reply_on_the_spot",
    }
)
_SIMPLE = {
    "confirm_receipt": "receipt",
    "request_correction": "correction",
    "extend": "extension",
    "send_fee_notice": "fee",
    "request_reasons": "reasons",
}


class NumberingRepo(Protocol):
    """What issuing reads and writes through the unit of work's repository."""

    def agency(self, code: str) -> Any: ...
    def request(self, ref: str) -> Any: ...
    def next_ref_seq(self, agency_id: int, case_type: str, year: int) -> int: ...


@dataclass(frozen=True)
class Planned:
    kind: str
    party: dict[str, Any] | None = None  # the consultation a party notice is about


def plan(catalog: Catalog, case: Case, action: str, payload: Mapping[str, Any]) -> list[Planned]:
    """The notices an action requires, from the case as the action left it."""
    facts = case.facts
    if action in _SIMPLE:
        return [Planned(_SIMPLE[action])]
    if action == "start_consultation":
        c = facts.consultations[-1]
        party = _party(c)
        letter = (
            "consultation_third_party" if c.party_kind == "third_party" else "consultation_agency"
        )
        return [Planned(letter, party), Planned("consultation_applicant", party)]
    if action in ("approve_reply", "reply_on_the_spot"):
        planned = [Planned(catalog.reply_kind(facts.outcome).code)]
        if facts.outcome in ("disclosed", "partially_disclosed"):
            # Art. 32: disclosed over a third party's objection — the decision in writing.
            planned += [
                Planned("third_party_decision", _party(c))
                for c in facts.consultations
                if c.party_kind == "third_party" and c.result == "objected"
            ]
        return planned
    return []


def _party(c: Any) -> dict[str, Any]:
    return {
        "number": c.number,
        "party_kind": c.party_kind,
        "party_name": c.party_name,
        "name": c.party_name,
    }


def reply_of(case: Case, payload: Mapping[str, Any]) -> dict[str, Any]:
    """The reply as decided: the outcome with its label and ground, the approved draft's text."""
    facts = case.facts
    summary = payload.get("summary")
    if summary is None:
        drafts = [e for e in case.events if e.action == "draft_reply"]
        summary = drafts[-1].data["payload"]["summary"] if drafts else ""
    return {
        "outcome": facts.outcome,
        "label": notice_label(facts.outcome),
        "grounds": catalog().grounds.get(facts.outcome, ()),
        "summary": summary,
        "replied_on": facts.replied_on.isoformat(),
    }


def notice_label(code: str) -> str:
    """The outcome as a reply names it: the report's row without its numbering and notes,
    ``withheld.third_party`` → ``不予公开：保护第三方合法权益``."""
    outcome = outcomes()[code]
    heading = re.sub(r"^（[一二三四五六七八九十]+）", "", outcome.heading)
    heading = re.sub(r"（[^）]*）$", "", heading)
    if outcome.label == outcome.heading:
        return heading
    return f"{heading}：{re.sub(r'^[0-9]+[.．]', '', outcome.label)}"


@dataclass(frozen=True)
class Notices:
    templates: NoticeTemplates
    store: FileStore
    settings: NoticeSettings

    @property
    def catalog(self) -> Catalog:
        return self.templates.catalog

    def issues(self, case_type: str, action: str) -> bool:
        return case_type == DISCLOSURE and action in ISSUING

    def issuer(self, repo: NumberingRepo, calendar: WorkingCalendar, today: date) -> Issue:
        def issue(
            case: Case, action: str, payload: dict[str, Any], derived: dict[str, Any]
        ) -> list[dict[str, Any]]:
            planned = plan(self.catalog, case, action, payload)
            if not planned:
                return []
            agency = repo.agency(case.agency_code)
            records, no = [], next_no(case.events)
            for item in planned:
                kind = self.catalog.kinds[item.kind]
                seq = repo.next_ref_seq(agency.id, kind.sequence, today.year)
                number = f"{agency.ref_prefix}公{kind.prefix}〔{today.year}〕{seq}号"
                source = self.source(
                    case, repo, kind, item, number, today, payload, derived, calendar
                )
                records.append(self._render(kind, source, no, 1, item))
                no += 1
            return records

        return issue

    def source(
        self,
        case: Case,
        repo: NumberingRepo,
        kind: NoticeKind,
        item: Planned,
        number: str,
        issued_on: date,
        payload: Mapping[str, Any],
        derived: Mapping[str, Any],
        calendar: WorkingCalendar,
    ) -> NoticeSource:
        request = repo.request(case.ref)
        agency = repo.agency(case.agency_code)
        facts = case.facts
        deadlines = {d.key: d for d in case.deadlines}
        extra: dict[str, str] = {}
        if kind.code == "extension":
            unextended = replace(deadlines["reply"].copy(), extension_days=0)
            extra["original_due"] = cn_date(unextended.compute(calendar).due_date)
        reply = (
            reply_of(case, payload)
            if kind.code.startswith("reply_") or kind.code == "third_party_decision"
            else {}
        )
        return NoticeSource(
            ref=case.ref,
            agency_name=agency.name,
            applicant_name=request.applicant_name,
            applicant_address=request.address,
            description=request.description,
            channel_label=CHANNEL_LABELS[Channel(request.channel)],
            receipt_date=facts.receipt_date,
            issued_on=issued_on,
            number=number,
            edition=self.catalog.edition(getattr(facts, "edition_code", None)),
            payload=dict(payload),
            derived=dict(derived),
            deadlines=deadlines,
            reconsideration_body=self.settings.reconsideration_body(case.agency_code, issued_on),
            court=self.settings.court,
            party=item.party or {},
            reply=reply,
            extra=extra,
        )

    def _render(
        self, kind: NoticeKind, source: NoticeSource, no: int, version: int, item: Planned
    ) -> dict[str, Any]:
        content = self.templates.render(kind.code, fill(kind, source))
        sha = self.store.put(content)
        record: dict[str, Any] = {
            "no": no,
            "version": version,
            "type": NOTICE,
            "kind": kind.code,
            "title": kind.title,
            "number": source.number,
            "filename": f"{kind.title}（{source.number}）.docx",
            "media_type": DOCX,
            "size": len(content),
            "sha256": sha,
            "template": self.templates.templates[kind.code].path.name,
        }
        if item.party is not None:
            record["consultation"] = item.party["number"]
        return record

    def regenerate(
        self,
        case: Case,
        record: DocumentRecord,
        repo: NumberingRepo,
        calendar: WorkingCalendar,
        version: int,
    ) -> dict[str, Any]:
        """The same notice (number, date, values) rendered again from the current template,
        from the case as it stood right after the event that issued it."""
        issuing = case.events[record.seq - 1]
        header = Case(ref=case.ref, case_type=case.case_type, agency_code=case.agency_code)
        then = Case.replay(header, case.events[: record.seq], calendar)
        kind = self.catalog.kinds[record.kind]
        number = record.detail.get("consultation")
        party = None
        if number is not None:
            party = _party(then.facts.consultations[number - 1])
        item = Planned(record.kind, party)
        issued_on = local_date(issuing.occurred_at)
        source = self.source(
            then,
            repo,
            kind,
            item,
            record.number or "",
            issued_on,
            issuing.data["payload"],
            issuing.data["derived"],
            calendar,
        )
        return self._render(kind, source, record.no, version, item)
