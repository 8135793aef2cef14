"""Issuing notices inside an action's transaction (SPEC N-1).

``Notices`` is wired once at the composition root (templates checked, the file store, the
settings). For an action that requires notices, ``issuer`` returns the hook ``Case.act``
calls after the fold: it takes each notice's number from the agency's sequence for its
kind and year (the same row-locked upsert as case references, so numbers are unique and,
the transaction rolling back on any failure, without gaps), fills and renders the template,
keeps the file in the store and returns the records the event will carry.

Which action issues which notice, and what of the case fills it, is the case type's
(``NoticePlan``, supplied by its contract: ``Workflow.notice_plan``); this module names no
type and no action. Actions that issue nothing pay nothing: ``issues`` is a set lookup.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any, Protocol

from govflow.workflow.calendar import WorkingCalendar
from govflow.workflow.clock import local_date
from govflow.workflow.documents.records import NOTICE, DocumentRecord, next_no
from govflow.workflow.documents.store import FileStore
from govflow.workflow.notices.catalog import Catalog, NoticeKind
from govflow.workflow.notices.templates import NoticeTemplates, Template
from govflow.workflow.notices.uploads import TemplateUploads, UploadCache, Uploaded
from govflow.workflow.policy import NoticeSettings

if TYPE_CHECKING:
    from govflow.workflow.cases import Case, Issue
    from govflow.workflow.ports import WritingUnitOfWork

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@dataclass(frozen=True)
class Planned:
    """One notice an action requires: its kind, and the consultation a party notice is about."""

    kind: str
    party: dict[str, Any] | None = None


@dataclass(frozen=True)
class Issuing:
    """What a type's plan needs to fill one notice, besides the case."""

    kind: NoticeKind
    item: Planned
    number: str
    issued_on: date
    agency_name: str
    payload: Mapping[str, Any]
    derived: Mapping[str, Any]


class NoticePlan(Protocol):
    """A case type's written acts: which of its actions issue which notices, and what of
    the case fills them. The type's contract supplies it (``Workflow.notice_plan``)."""

    def issues(self, action: str) -> bool:
        """Whether the action is a written act (a set lookup: called on every action)."""
        ...

    def plan(
        self, catalog: Catalog, case: Case, action: str, payload: Mapping[str, Any]
    ) -> list[Planned]:
        """The notices the action requires, from the case as the action left it."""
        ...

    def values(
        self,
        case: Case,
        uow: WritingUnitOfWork,
        issuing: Issuing,
        catalog: Catalog,
        settings: NoticeSettings,
        calendar: WorkingCalendar,
    ) -> dict[str, str]:
        """Everything the notice prints, all text, from the case and the type's own tables."""
        ...

    def allowed_fields(self, kind: str) -> frozenset[str]:
        """The values a template of ``kind`` may name (checked when it is loaded)."""
        ...

    def party(self, case: Case, consultation: int) -> dict[str, Any]:
        """The party of a case's consultation, as a party notice names it."""
        ...


@dataclass(frozen=True)
class Notices:
    """``uploads``: the uploaded templates' cache (None: no database lookup, only files)."""

    templates: NoticeTemplates
    store: FileStore
    settings: NoticeSettings
    uploads: UploadCache | None = None

    @property
    def catalog(self) -> Catalog:
        return self.templates.catalog

    def uploaded(self, uow: WritingUnitOfWork) -> Uploaded:
        """The active uploads (one statement, in the issuing transaction; see ``uploads``)."""
        if self.uploads is None:
            return {}
        return self.uploads.current(uow.store(TemplateUploads))  # type: ignore[type-abstract]

    def issuer(self, uow: WritingUnitOfWork, calendar: WorkingCalendar, today: date) -> Issue:
        """The hook ``Case.act`` calls after the fold (see the module docstring)."""

        def issue(
            case: Case, action: str, payload: dict[str, Any], derived: dict[str, Any]
        ) -> list[dict[str, Any]]:
            plan = case.workflow.notice_plan
            if plan is None:
                return []
            planned = plan.plan(self.catalog, case, action, payload)
            if not planned:
                return []
            agency = uow.repo.agency(case.agency_code)
            uploaded = self.uploaded(uow)
            records, no = [], next_no(case.documents)
            for item in planned:
                kind = self.catalog.kinds[item.kind]
                seq = uow.repo.next_ref_seq(agency.id, kind.sequence, today.year)
                number = f"{agency.ref_prefix}公{kind.prefix}〔{today.year}〕{seq}号"
                issuing = Issuing(kind, item, number, today, agency.name, payload, derived)
                values = plan.values(case, uow, issuing, self.catalog, self.settings, calendar)
                template = self.templates.pick(kind.code, case.agency_code, uploaded)
                records.append(self._render(kind, template, values, number, no, 1, item))
                no += 1
            return records

        return issue

    def _render(
        self,
        kind: NoticeKind,
        template: Template,
        values: Mapping[str, str],
        number: str,
        no: int,
        version: int,
        item: Planned,
    ) -> dict[str, Any]:
        content = self.templates.render(template, values)
        sha = self.store.put(content)
        record: dict[str, Any] = {
            "no": no,
            "version": version,
            "type": NOTICE,
            "kind": kind.code,
            "title": kind.title,
            "number": number,
            "filename": f"{kind.title}（{number}）.docx",
            "media_type": DOCX,
            "size": len(content),
            "sha256": sha,
            "template": template.label,
        }
        if item.party is not None:
            record["consultation"] = item.party["number"]
        return record

    def regenerate(
        self,
        case: Case,
        record: DocumentRecord,
        uow: WritingUnitOfWork,
        calendar: WorkingCalendar,
        version: int,
    ) -> dict[str, Any]:
        """The same notice (number, date, values) rendered again from the current template,
        from the case as it stood right after the event that issued it."""
        from govflow.workflow.cases import Case

        plan = case.workflow.notice_plan
        assert plan is not None  # a case with notices has a type that issues them
        issuing_event = case.events[record.seq - 1]
        header = Case(ref=case.ref, workflow=case.workflow, agency_code=case.agency_code)
        then = Case.replay(header, case.events[: record.seq], calendar)
        kind = self.catalog.kinds[record.kind]
        number = record.detail.get("consultation")
        item = Planned(record.kind, plan.party(then, number) if number is not None else None)
        issuing = Issuing(
            kind,
            item,
            record.number or "",
            local_date(issuing_event.occurred_at),
            uow.repo.agency(case.agency_code).name,
            issuing_event.data["payload"],
            issuing_event.data["derived"],
        )
        values = plan.values(then, uow, issuing, self.catalog, self.settings, calendar)
        template = self.templates.pick(kind.code, case.agency_code, self.uploaded(uow))
        return self._render(kind, template, values, issuing.number, record.no, version, item)
